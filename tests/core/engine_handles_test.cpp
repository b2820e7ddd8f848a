// Player handles: the uid-free entry point trusted hosts use. Whatever a handle command
// does, the same uid command does, byte for byte.

#include <catch2/catch.hpp>

#include <span>
#include <stdexcept>

#include "roshambo_test.hpp"

using namespace roshambo;
using namespace rt;

namespace {

// Sends a step through handles wherever the sender is registered (hello registers by
// uid, and renames, so it stays a uid command).
std::optional<ErrorCode> apply_by_handle(Engine& e, const Step& s, std::vector<Event>& out) {
  if (s.tick || s.cmd.type == CommandType::Hello) return apply(e, s, out);
  const auto who = e.find_player(s.cmd.from);
  if (!who) return apply(e, s, out);
  return e.handle(*who, s.cmd.type, s.cmd.value, s.at, out);
}

}  // namespace

TEST_CASE("handles: random logs give the uid API's events, byte for byte", "[handles][property]") {
  Rand seeds(20261126);
  for (int run = 0; run < 60; ++run) {
    const Config cfg = random_config(seeds);
    CommandGen gen(seeds.next(), 6, cfg.game_time_ms);
    Engine by_uid(cfg), by_handle(cfg);
    std::vector<Event> a, b;
    for (int i = 0; i < 400; ++i) {
      const Step s = gen.next();
      INFO("run " << run << ", step " << i << ": " << encode(s));
      a.clear();
      b.clear();
      const auto ra = apply(by_uid, s, a);
      const auto rb = apply_by_handle(by_handle, s, b);
      REQUIRE(ra == rb);
      REQUIRE(log_of(a) == log_of(b));
    }
    CHECK(by_uid.digest() == by_handle.digest());
    by_handle.verify();
  }
}

TEST_CASE("handles: registration order, stable across copies and snapshots", "[handles]") {
  Driver d;
  d.seat({"ann", "bob", "cid"}, 0);
  const auto bob = d.engine.find_player("bob");
  REQUIRE(bob);
  CHECK(bob->index == 1);
  CHECK(d.engine.uid_of(*bob) == "bob");
  CHECK_FALSE(d.engine.find_player("nobody"));
  CHECK_FALSE(d.engine.find_player("bot-1"));  // bots have no handle

  const Engine copy = d.engine;
  CHECK(copy.find_player("bob") == bob);
  const Engine restored = Engine::from_snapshot(d.engine.snapshot());
  CHECK(restored.find_player("cid") == d.engine.find_player("cid"));

  // Events name their players by profile; the profile carries the handle.
  std::vector<Event> out;
  REQUIRE_FALSE(d.engine.handle(*bob, CommandType::Face, 2, 0, out));
  REQUIRE(out.size() == 1);
  CHECK(mover(out[0]).handle() == bob->index);
  for (std::uint32_t i = 0; i < out[0].to.room.size(); ++i) {
    const Profile& p = out[0].to.room[i];
    CHECK(p.handle() == (p.bot() ? Profile::kNoHandle : d.engine.find_player(p.uid())->index));
  }
  CHECK_THROWS_AS(d.engine.uid_of(PlayerHandle{3}), std::out_of_range);
}

TEST_CASE("handles: a handle never issued is refused and changes nothing", "[handles][errors]") {
  Driver d;
  d.seat({"ann"}, 0);
  d.tick(5);  // the refused commands below come at 5: time moving on is not their doing
  const auto before = d.engine.digest();
  std::vector<Event> out;
  const auto code = d.engine.handle(PlayerHandle{7}, CommandType::Join, 0, 5, out);
  REQUIRE(code == ErrorCode::UnknownPlayer);
  REQUIRE(out.size() == 1);
  CHECK(out[0].to.nobody);
  CHECK(recipients(out[0]).empty());
  CHECK(std::get<ErrorData>(out[0].data).message == "unknown player handle 7");
  CHECK(d.engine.digest() == before);

  // An unknown command type is refused before the handle is looked at, as by uid.
  out.clear();
  const auto bad_type = static_cast<CommandType>(42);
  CHECK(d.engine.handle(PlayerHandle{0}, bad_type, 0, 5, out) == ErrorCode::UnknownCommand);
  CHECK(recipients(out.back()) == std::vector<std::string>{"ann"});
  out.clear();
  CHECK(d.engine.handle(PlayerHandle{0}, CommandType::Join, 0, 4, out) == ErrorCode::TimeWentBackwards);
  CHECK(d.engine.digest() == before);
}

TEST_CASE("handles: hello by handle is a reconnect with the same profile", "[handles][grace]") {
  Config c;
  c.capacity = 3;
  c.reconnect_grace_ms = 5000;
  Driver d(c);
  d.seat({"ann", "bob"}, 0);
  const PlayerHandle ann = *d.engine.find_player("ann");
  std::vector<Event> out;
  // Offline: every command but hello is refused, as by uid.
  REQUIRE_FALSE(d.engine.handle(ann, CommandType::Disconnect, 0, 10, out));
  out.clear();
  CHECK(d.engine.handle(ann, CommandType::Face, 1, 11, out) == ErrorCode::UnknownPlayer);
  out.clear();
  REQUIRE_FALSE(d.engine.handle(ann, CommandType::Hello, 0, 12, out));
  CHECK(types(out) == std::vector<std::string>{"hi", "resume", "presence"});
  CHECK(d.engine.player("ann")->online);
  CHECK(d.engine.player("ann")->name == "name-ann");
}

TEST_CASE("handles: prefetch hints change nothing, whatever the handle", "[handles]") {
  Driver d;
  d.seat({"ann", "bob", "cid"}, 0);
  const auto before = d.engine.digest();
  for (std::uint32_t i : {0u, 1u, 2u, 3u, 1000u, UINT32_MAX}) {
    d.engine.prefetch(PlayerHandle{i});
    d.engine.prefetch(PlayerHandle{i}, true);
  }
  for (std::string_view uid : {"ann", "bob", "nobody", "", "a very long uid, longer than any registered one"}) {
    d.engine.prefetch(uid);
    Engine(Config{}).prefetch(uid);  // an engine with no player has no index yet
  }
  CHECK(d.engine.digest() == before);
  d.engine.verify();
}

TEST_CASE("handles: reserving room for players changes nothing observable", "[handles]") {
  const auto run = [](std::size_t reserve) {
    Driver d;
    if (reserve) d.engine.reserve(reserve);
    d.seat({"ann", "bob", "cid"}, 0);
    if (reserve) d.engine.reserve(2 * reserve);  // again, with players registered
    d.seat({"dan", "eve", "fay"}, 1);
    CHECK(d.engine.find_player("eve") == PlayerHandle{4});
    d.engine.verify();
    return std::pair{d.engine.digest(), d.engine.snapshot()};
  };
  const auto plain = run(0);
  CHECK(run(4) == plain);
  CHECK(run(5000) == plain);
  Engine e{Config{}};
  CHECK_THROWS_AS(e.reserve(std::size_t{1} << 40), std::length_error);
  CHECK(e.stats().players == 0);
}

namespace {

// The single calls' refusals of a batch's commands, from what the batch calls return.
std::vector<std::optional<ErrorCode>> run_batch(Engine& e, std::span<const HandleCommand> batch, Time at,
                                                std::vector<Event>& out, bool visit) {
  std::vector<std::optional<ErrorCode>> codes;
  Keeper keep;
  while (!batch.empty()) {
    const BatchResult r = visit ? e.handle(batch, at, keep) : e.handle(batch, at, out);
    REQUIRE(r.handled >= 1);
    REQUIRE(r.handled <= batch.size());
    codes.resize(codes.size() + r.handled);
    codes.back() = r.refused;
    // Only the last command handled may be refused: the batch stops there.
    if (!r.refused) REQUIRE(r.handled == batch.size());
    batch = batch.subspan(r.handled);
  }
  for (Event& ev : keep.events) out.push_back(std::move(ev));
  return codes;
}

}  // namespace

TEST_CASE("handles: a batch is its commands' single calls, byte for byte", "[handles][batch][property]") {
  Rand seeds(20261127);
  for (int run = 0; run < 60; ++run) {
    // Some runs with plain rules (the visited batches take the plain round), some plain
    // but for one rule (they must not).
    Config cfg = random_config(seeds);
    if (run % 4 == 1) cfg = plain_rules(cfg);
    if (run % 8 == 2) cfg = plain_but_one(cfg, seeds, static_cast<std::uint64_t>(run / 8));
    CommandGen gen(seeds.next(), 4 + static_cast<std::uint32_t>(seeds.below(8)), cfg.game_time_ms);
    Engine single(cfg), batched(cfg);
    if (run % 4 == 3) {
      const EventFilter f = event_bit(EventType::Start) | event_bit(EventType::Result);
      single.set_event_filter(f);
      batched.set_event_filter(f);
    }
    std::vector<HandleCommand> batch;
    Time batch_at = 0;
    std::vector<Event> a, b;
    std::size_t batches = 0;
    // The batch so far, through the batch calls (by vector or visitor, in turn), against
    // the same commands one call each.
    auto flush = [&] {
      if (batch.empty()) return;
      a.clear();
      b.clear();
      std::vector<std::optional<ErrorCode>> expected;
      for (const HandleCommand& c : batch) expected.push_back(single.handle(c.who, c.type, c.value, batch_at, a));
      REQUIRE(run_batch(batched, batch, batch_at, b, ++batches % 2 == 0) == expected);
      REQUIRE(log_of(a) == log_of(b));
      REQUIRE(single.digest() == batched.digest());
      batch.clear();
    };
    for (int i = 0; i < 400; ++i) {
      Step s = gen.next();
      INFO("run " << run << ", step " << i << ": " << encode(s));
      const auto who = s.tick ? std::nullopt : batched.find_player(s.cmd.from);
      if (s.tick || s.cmd.type == CommandType::Hello || !who) {
        flush();
        a.clear();
        b.clear();
        REQUIRE(apply(single, s, a) == apply(batched, s, b));
        REQUIRE(log_of(a) == log_of(b));
        continue;
      }
      if (s.at != batch_at) flush();
      batch_at = s.at;
      HandleCommand c{*who, s.cmd.type, s.cmd.value};
      // Now and then what only a handle can get wrong: a handle never issued, a type
      // out of range.
      if (seeds.below(40) == 0) c.who.index += 1000;
      if (seeds.below(60) == 0) c.type = static_cast<CommandType>(6 + seeds.below(200));
      batch.push_back(c);
    }
    flush();
    CHECK(single.snapshot() == batched.snapshot());
    batched.verify();
  }
}

TEST_CASE("handles: a batch stops at its first refusal and goes on from there", "[handles][batch]") {
  Config c;
  c.capacity = 2;
  c.bot_fill_after_ms = 0;
  Driver d(c);
  d.seat({"ann", "bob", "cid", "dan"}, 0);  // two full rooms, playing
  const PlayerHandle ann{0}, bob{1}, cid{2};
  std::vector<Event> out;
  const std::vector<HandleCommand> batch = {
      {ann, CommandType::Choice, 1}, {bob, CommandType::Choice, 7}, {cid, CommandType::Choice, 2}};
  const auto before = d.engine.digest();
  BatchResult r = d.engine.handle(batch, 10, out);
  CHECK(r.handled == 2);
  CHECK(r.refused == ErrorCode::InvalidChoice);
  CHECK(types(out) == std::vector<std::string>{"movement", "error"});
  CHECK(d.engine.digest() != before);  // ann's choice stands
  out.clear();
  r = d.engine.handle(std::span(batch).subspan(r.handled), 10, out);
  CHECK(r.handled == 1);
  CHECK_FALSE(r.refused);
  CHECK(types(out) == std::vector<std::string>{"movement"});

  // A time in the past refuses the first command only, as its call would; an empty
  // batch does nothing, not even the time check.
  out.clear();
  const auto now = d.engine.digest();
  r = d.engine.handle(batch, 9, out);
  CHECK(r.handled == 1);
  CHECK(r.refused == ErrorCode::TimeWentBackwards);
  CHECK(recipients(out.back()) == std::vector<std::string>{"ann"});
  out.clear();
  r = d.engine.handle(std::span<const HandleCommand>{}, 3, out);
  CHECK(r.handled == 0);
  CHECK_FALSE(r.refused);
  CHECK(out.empty());
  CHECK(d.engine.digest() == now);
  d.engine.verify();
}
