// Borrowed events (EventView, EventVisitor): a visiting call gives the same events, in
// the same order, as the vector call, and leaves the same state; views convert to and
// from owning Events without loss; what a visitor copies outlives the engine.

#include <catch2/catch.hpp>

#include "roshambo_test.hpp"

using namespace roshambo;
using namespace rt;

namespace {

std::optional<ErrorCode> apply_visited(Engine& e, const Step& s, EventVisitor& v) {
  return s.tick ? e.tick(s.at, v) : e.handle(s.cmd, s.at, v);
}

// The handle API's form of a uid step, when its sender has a handle; else the uid step.
std::optional<ErrorCode> apply_by_handle(Engine& e, const Step& s, std::vector<Event>* out,
                                         EventVisitor* v) {
  if (!s.tick && s.cmd.type != CommandType::Hello) {
    if (const auto h = e.find_player(s.cmd.from)) {
      return out ? e.handle(*h, s.cmd.type, s.cmd.value, s.at, *out)
                 : e.handle(*h, s.cmd.type, s.cmd.value, s.at, *v);
    }
  }
  return out ? apply(e, s, *out) : apply_visited(e, s, *v);
}

}  // namespace

TEST_CASE("event views: visiting calls give the vector calls' events, in order, on random logs",
          "[view][property]") {
  Rand seeds(20261126);
  for (int run = 0; run < 80; ++run) {
    // Some runs with plain rules: the plain round's path when every event is visited
    // (run % 4 == 2), the general one when some are filtered; and some plain but for
    // one rule, which take the general path.
    Config cfg = random_config(seeds);
    if (run % 8 == 2 || run % 8 == 3) cfg = plain_rules(cfg);
    if (run % 8 == 6) cfg = plain_but_one(cfg, seeds, static_cast<std::uint64_t>(run / 8));
    // Some runs keep only some types, the simulator's among them: filtered events are
    // skipped alike. Throughout, the rare events still built as Events (hi, leave,
    // presence, resume, errors) interleave with the views in the vector's order.
    const EventFilter f = run % 4 == 3 ? event_bit(EventType::Start) | event_bit(EventType::Result)
                          : run % 4 == 1 ? static_cast<EventFilter>(seeds.next()) & kAllEvents
                                         : kAllEvents;
    const bool handles = run % 3 == 0;
    CommandGen gen(seeds.next(), 3 + static_cast<std::uint32_t>(seeds.below(8)), cfg.game_time_ms);
    Engine vec(cfg), vis(cfg);
    vec.set_event_filter(f);
    vis.set_event_filter(f);
    std::vector<Event> a;
    Keeper keep;
    for (int i = 0; i < 300; ++i) {
      const Step s = gen.next();
      INFO("run " << run << ", step " << i << ": " << encode(s));
      a.clear();
      keep.events.clear();
      const auto ra = handles ? apply_by_handle(vec, s, &a, nullptr) : apply(vec, s, a);
      const auto rb = handles ? apply_by_handle(vis, s, nullptr, &keep) : apply_visited(vis, s, keep);
      REQUIRE(ra == rb);
      REQUIRE(log_of(a) == log_of(keep.events));
      REQUIRE(vec.filtered_events() == vis.filtered_events());
    }
    CHECK(vec.digest() == vis.digest());
    CHECK(vec.snapshot() == vis.snapshot());
    vis.verify();
  }
}

TEST_CASE("event views: view_of and to_event keep every event type whole", "[view]") {
  Config cfg;
  cfg.capacity = 3;
  cfg.bot_fill_after_ms = 500;
  cfg.reconnect_grace_ms = 1000;
  Driver d(cfg);
  std::vector<Event> all;
  auto run = [&](auto&& call) {
    call();
    all.insert(all.end(), d.last.begin(), d.last.end());
  };
  run([&] { d.cmd(Command::hello("ann", "Ann", "a.png"), 0); });
  run([&] { d.cmd(Command::hello("bob", "Bob"), 0); });
  run([&] { d.cmd(Command::join("ann"), 1); });
  run([&] { d.cmd(Command::join("ann"), 2); });  // a re-join: `room` to one
  run([&] { d.cmd(Command::join("bob"), 3); });
  run([&] { d.cmd(Command::leave("bob"), 4); });
  run([&] { d.cmd(Command::join("bob"), 5); });
  run([&] { d.tick(600); });  // bot fill, start
  run([&] { d.cmd(Command::choice("ann", 2), 700); });
  run([&] { d.cmd(Command::face("bob", 3), 710); });
  run([&] { d.cmd(Command::disconnect("bob"), 720); });  // presence
  run([&] { d.cmd(Command::hello("bob", "Bob"), 730); });  // resume + presence
  run([&] { d.cmd(Command::choice("nobody", 1), 740); });  // error
  run([&] { d.tick(600 + cfg.game_time_ms); });  // result
  std::uint32_t types = 0;
  for (const Event& e : all) {
    types |= event_bit(e.type());
    const EventView v = view_of(e);
    CHECK(v.type == e.type());
    CHECK(log_of({to_event(v)}) == log_of({e}));
  }
  CHECK(types == kAllEvents);  // every type went through
}

TEST_CASE("event views: a visitor's copies outlive the engine, and a refusal is visited",
          "[view]") {
  Keeper keep;
  {
    Config cfg;
    cfg.bot_fill_after_ms = 0;
    Engine e(cfg);
    std::vector<Event> out;
    e.handle(Command::hello("ann", "Ann"), 0, out);
    e.handle(Command::hello("bob", "Bob"), 0, out);
    const PlayerHandle ann = *e.find_player("ann"), bob = *e.find_player("bob");
    REQUIRE_FALSE(e.handle(ann, CommandType::Join, 0, 1, keep));
    REQUIRE_FALSE(e.handle(bob, CommandType::Join, 0, 1, keep));
    REQUIRE_FALSE(e.handle(ann, CommandType::Choice, 2, 2, keep));
    REQUIRE(e.handle(bob, CommandType::Choice, 9, 3, keep) == ErrorCode::InvalidChoice);
    REQUIRE_FALSE(e.tick(1 + cfg.game_time_ms, keep));
    REQUIRE(e.tick(0, keep) == ErrorCode::TimeWentBackwards);
  }  // the engine is gone: under ASan a dangling profile or member list fails below
  std::vector<EventType> types;
  for (const Event& e : keep.events) types.push_back(e.type());
  CHECK(types == std::vector<EventType>{EventType::Room, EventType::Room, EventType::Start,
                                        EventType::Movement, EventType::Error, EventType::Result,
                                        EventType::Error});
  const auto& rows = std::get<ResultData>(keep.events[5].data).rows;
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].who->uid() == "ann");
  CHECK(rows[0].round_score == 1);
  CHECK(rows[1].who->uid() == "bob");
  CHECK(std::get<StartData>(keep.events[2].data).scores.size() == 2);
  CHECK(keep.events[3].to.room[keep.events[3].to.except].uid() == "ann");
  CHECK(keep.events[4].to.single->uid() == "bob");
}

TEST_CASE("event views: a player renamed while seated keeps its joining profile in a visiting engine",
          "[view]") {
  // Reads the views only (no copies: a copy would make the room's block own its
  // members, and this is about the engine's own bookkeeping).
  struct Names final : EventVisitor {
    void on_event(const EventView& v) noexcept override {
      if (v.type != EventType::Room) return;
      std::vector<std::string> room;
      for (std::uint32_t i = 0; i < v.count; ++i) room.emplace_back((*v.members)[i].name());
      rooms.push_back(std::move(room));
    }
    std::vector<std::vector<std::string>> rooms;
  } names;
  Config cfg;
  cfg.capacity = 3;
  cfg.bot_fill_after_ms = 0;
  Engine e(cfg);
  e.handle(Command::hello("ann", "Ann"), 0, names);
  REQUIRE_FALSE(e.handle(Command::join("ann"), 1, names));
  e.handle(Command::hello("ann", "Annie"), 2, names);  // drops the profile the room had
  // Profiles of the same size, which would take the dropped one's place.
  for (const char* u : {"bob", "cid", "dan", "eve"}) e.handle(Command::hello(u, "Xyz"), 3, names);
  REQUIRE_FALSE(e.handle(Command::join("bob"), 4, names));
  REQUIRE(names.rooms.size() == 2);
  CHECK(names.rooms[1] == std::vector<std::string>{"Ann", "Xyz"});
  e.verify();
}

TEST_CASE("event views: plain rules with bots restored still fire the bots' timers", "[view][bots]") {
  // A snapshot may seat bots under a config that makes none (a host that turned bot
  // fills off): their pick timers must fire as bot picks, visited or not.
  Config cfg;
  cfg.capacity = 3;
  cfg.bot_fill_after_ms = 100;
  cfg.bot_strategy = Strategy::parse_bot("rock");
  Engine e(cfg);
  std::vector<Event> out;
  e.handle(Command::hello("ann", "Ann"), 0, out);
  e.handle(Command::join("ann"), 0, out);
  e.tick(100, out);  // two bots fill the room and it starts: their picks are queued
  REQUIRE(e.stats().bots == 2);
  Json j = Json::parse(e.snapshot());
  j["config"] = Json::parse(plain_rules(Config::from_json(j["config"].dump())).to_json());
  Engine vec = Engine::from_snapshot(j.dump()), vis = Engine::from_snapshot(j.dump());
  std::vector<Event> a;
  Keeper keep;
  const Time end = 100 + cfg.game_time_ms;
  REQUIRE(vec.tick(end, a) == vis.tick(end, keep));
  CHECK(log_of(a) == log_of(keep.events));
  std::size_t picks = 0;
  for (const Event& ev : a) picks += ev.type() == EventType::Movement;
  CHECK(picks == 2);  // each bot picks once
  CHECK(vec.digest() == vis.digest());
  vis.verify();
}

TEST_CASE("event views: plain rules fire a restored deadline that waits in the heap", "[view][timers]") {
  // A hand-made snapshot may give a deadline a seq 2^33 after the one before it: the
  // queue keeps it in its heap, not the deadline lane, and a plain call must still
  // fire it, in order.
  Config cfg = plain_rules(Config{});
  cfg.capacity = 2;
  Engine e(cfg);
  std::vector<Event> out;
  for (const char* uid : {"a", "b", "c", "d", "x", "y"}) e.handle(Command::hello(uid), 0, out);
  e.handle(Command::join("a"), 0, out);
  e.handle(Command::join("b"), 0, out);   // room 1 starts at 0
  e.handle(Command::join("c"), 10, out);
  e.handle(Command::join("d"), 10, out);  // room 2 at 10
  Json j = Json::parse(e.snapshot());
  REQUIRE(j["timers"].size() == 2);
  const std::uint64_t far = std::uint64_t{1} << 33;
  j["timers"][1]["seq"] = far;
  j["next_timer"] = far + 1;
  Engine vec = Engine::from_snapshot(j.dump()), vis = Engine::from_snapshot(j.dump());
  // Two more players start a third room by a plain visited batch, behind the heap's.
  const PlayerHandle x = *vis.find_player("x"), y = *vis.find_player("y");
  const std::vector<HandleCommand> joins = {{x, CommandType::Join, 0}, {y, CommandType::Join, 0}};
  std::vector<Event> a;
  Keeper keep;
  REQUIRE_FALSE(vec.handle(std::span<const HandleCommand>(joins), 20, a).refused);
  REQUIRE_FALSE(vis.handle(std::span<const HandleCommand>(joins), 20, keep).refused);
  const Time end = 20 + cfg.game_time_ms;
  REQUIRE(vec.tick(end, a) == vis.tick(end, keep));
  CHECK(log_of(a) == log_of(keep.events));
  std::size_t results = 0;
  for (const Event& ev : keep.events) results += ev.type() == EventType::Result;
  CHECK(results == 3);
  CHECK(vec.digest() == vis.digest());
  CHECK(vis.stats().timers == 0);
  vis.verify();
}
