// docs/RULES.md §11: reconnection grace — a dropped member keeps the seat until a grace timer
// fires; a hello before then resumes it. Every phase, and the timer ties at the deadline.

#include <catch2/catch.hpp>

#include "roshambo_test.hpp"

using namespace roshambo;
using rt::Driver;
using rt::Json;
using Strs = std::vector<std::string>;

namespace {

Config graced(std::uint32_t capacity, Time grace, Time bots_after = 0) {
  Config c;
  c.capacity = capacity;
  c.game_time_ms = 3000;
  c.bot_fill_after_ms = bots_after;
  c.reconnect_grace_ms = grace;
  return c;
}

// Runs every step through verify(), as the property suite does.
struct Checked : Driver {
  using Driver::Driver;
  std::optional<ErrorCode> cmd(const Command& c, Time at) {
    auto r = Driver::cmd(c, at);
    engine.verify();
    return r;
  }
  std::optional<ErrorCode> tick(Time at) {
    auto r = Driver::tick(at);
    engine.verify();
    return r;
  }
  void seat(const Strs& uids, Time at) {
    for (const auto& u : uids) {
      cmd(Command::hello(u, "name-" + u), at);
      cmd(Command::join(u), at);
    }
  }
};

std::size_t grace_timers(const Engine& e) {
  std::size_t n = 0;
  const Json snap = Json::parse(e.snapshot());
  for (const auto& t : snap["timers"]) n += t["kind"] == "grace";
  return n;
}

}  // namespace

TEST_CASE("grace 0 keeps docs/RULES.md §6: a disconnect leaves the room at once", "[grace]") {
  Checked d(graced(3, 0));
  d.seat({"a", "b"}, 0);
  d.cmd(Command::disconnect("b"), 10);
  CHECK(rt::types(d.last) == Strs{"leave", "room"});
  CHECK_FALSE(d.engine.player("b")->room);
  CHECK(grace_timers(d.engine) == 0);
}

TEST_CASE("a drop in a waiting room keeps the seat, the room fills and starts with it", "[grace]") {
  Checked d(graced(3, 5000));
  d.seat({"a", "b"}, 0);
  d.cmd(Command::disconnect("b"), 10);
  REQUIRE(rt::types(d.last) == Strs{"presence"});
  CHECK(rt::line(d.last[0]) ==
        R"({"at":10,"to":["a"],"type":"presence","data":{"uid":"b","online":false}})");
  const auto b = *d.engine.player("b");
  CHECK_FALSE(b.online);
  CHECK(b.room == std::optional<std::uint64_t>(1));
  CHECK(d.engine.room(1)->members == Strs{"a", "b"});
  CHECK(d.engine.next_deadline() == 5010);
  CHECK(grace_timers(d.engine) == 1);

  // nearby counts online players only.
  d.cmd(Command::hello("c", "name-c"), 20);
  CHECK(rt::data<HiData>(d.last[0]).nearby == 2);
  // Commands other than hello from the dropped player are refused.
  CHECK(d.cmd(Command::join("b"), 20) == ErrorCode::UnknownPlayer);
  CHECK(d.cmd(Command::choice("b", 1), 20) == ErrorCode::UnknownPlayer);

  // The seat counts: c fills the room, and events addressed to it still name b.
  d.cmd(Command::join("c"), 30);
  REQUIRE(rt::types(d.last) == Strs{"room", "start"});
  CHECK(rt::recipients(d.last[0]) == Strs{"a", "b", "c"});
  CHECK(rt::recipients(d.last[1]) == Strs{"a", "b", "c"});
  CHECK(rt::data<StartData>(d.last[1]).deadline == 3030);

  // Back within the grace: hi, resume to b alone, presence to the others.
  d.cmd(Command::hello("b", "name-b"), 100);
  REQUIRE(rt::types(d.last) == Strs{"hi", "resume", "presence"});
  CHECK(rt::data<HiData>(d.last[0]).nearby == 3);
  CHECK(rt::line(d.last[1]) ==
        R"({"at":100,"to":["b"],"type":"resume","data":{"roomId":"room-1","phase":"playing",)"
        R"("users":[{"uid":"a","uname":"name-a","uavatar":""},{"uid":"b","uname":"name-b","uavatar":""},)"
        R"({"uid":"c","uname":"name-c","uavatar":""}],"full":true,"deadline":3030,"choice":0}})");
  CHECK(rt::line(d.last[2]) ==
        R"({"at":100,"to":["a","c"],"type":"presence","data":{"uid":"b","online":true}})");
  CHECK(d.engine.player("b")->online);
  // The grace timer is cancelled: the next timer is the deadline, and none is carried.
  CHECK(d.engine.next_deadline() == 3030);
  CHECK(grace_timers(d.engine) == 0);
  d.tick(6000);
  REQUIRE(rt::types(d.last) == Strs{"result"});
  CHECK(rt::recipients(d.last[0]) == Strs{"a", "b", "c"});
}

TEST_CASE("resume in a waiting room reports phase waiting, no deadline", "[grace]") {
  Checked d(graced(3, 5000));
  d.seat({"a", "b"}, 0);
  d.cmd(Command::disconnect("a"), 10);
  d.cmd(Command::hello("a", "name-a"), 20);
  REQUIRE(rt::types(d.last) == Strs{"hi", "resume", "presence"});
  CHECK(rt::line(d.last[1]) ==
        R"({"at":20,"to":["a"],"type":"resume","data":{"roomId":"room-1","phase":"waiting",)"
        R"("users":[{"uid":"a","uname":"name-a","uavatar":""},{"uid":"b","uname":"name-b","uavatar":""}],)"
        R"("full":false,"choice":0}})");
  // Playing on: the resumed player can act again.
  CHECK_FALSE(d.cmd(Command::face("a", 2), 21));
}

TEST_CASE("grace expiring: the player leaves exactly as by leave, then is offline", "[grace]") {
  Checked d(graced(3, 5000));
  d.seat({"a", "b"}, 0);
  d.cmd(Command::disconnect("b"), 10);
  d.tick(5009);
  CHECK(d.last.empty());
  d.tick(5010);
  REQUIRE(rt::types(d.last) == Strs{"leave", "room"});
  CHECK(rt::line(d.last[0]) == R"({"at":5010,"to":["a"],"type":"leave","data":{"uid":"b"}})");
  CHECK(rt::users(rt::data<RoomData>(d.last[1])) == Strs{"a"});
  CHECK_FALSE(d.engine.player("b")->room);
  CHECK_FALSE(d.engine.player("b")->online);
  // A hello now is an ordinary hello.
  d.cmd(Command::hello("b", "name-b"), 6000);
  CHECK(rt::types(d.last) == Strs{"hi"});
}

TEST_CASE("a hello at the grace's due millisecond comes too late", "[grace]") {
  // Timers due at or before `now` fire before the command.
  Checked d(graced(3, 5000));
  d.seat({"a", "b"}, 0);
  d.cmd(Command::disconnect("b"), 10);
  d.cmd(Command::hello("b", "name-b"), 5010);
  CHECK(rt::types(d.last) == Strs{"leave", "room", "hi"});
  CHECK_FALSE(d.engine.player("b")->room);
}

TEST_CASE("every human dropped from a waiting room: it waits, then closes", "[grace]") {
  Checked d(graced(3, 1000));
  d.seat({"a", "b"}, 0);
  d.cmd(Command::disconnect("a"), 0);
  d.cmd(Command::disconnect("b"), 500);
  CHECK(rt::recipients(d.last[0]) == Strs{"a"});  // offline members are still named
  CHECK(d.engine.stats().rooms == 1);
  d.tick(1000);
  REQUIRE(rt::types(d.last) == Strs{"leave", "room"});
  CHECK(rt::recipients(d.last[0]) == Strs{"b"});
  d.tick(1500);
  CHECK(d.last.empty());  // the last one out closes it without a word
  CHECK(d.engine.stats().rooms == 0);
}

TEST_CASE("a drop in a playing room: the choice made before it stands", "[grace]") {
  Checked d(graced(2, 5000));
  d.seat({"a", "b"}, 0);  // starts at 0, deadline 3000
  d.cmd(Command::choice("a", 2), 5);  // rock
  d.cmd(Command::disconnect("a"), 6);
  CHECK(rt::recipients(d.last[0]) == Strs{"b"});
  d.cmd(Command::choice("b", 1), 10);  // scissors: loses to the absent rock
  CHECK(rt::recipients(d.last[0]) == Strs{"a"});  // movement still names a
  d.tick(3000);
  REQUIRE(rt::types(d.last) == Strs{"result"});
  CHECK(rt::recipients(d.last[0]) == Strs{"a", "b"});
  const auto& rows = rt::data<ResultData>(d.last[0]).rows;
  CHECK(rows[0].choice == Choice::Rock);
  CHECK(rows[0].round_score == 1);
  // Settled: a is offline in no room, and the grace timer died with the room.
  const auto a = *d.engine.player("a");
  CHECK_FALSE(a.room);
  CHECK_FALSE(a.online);
  CHECK(a.total_score == 1);
  CHECK(d.engine.next_deadline() == std::nullopt);
  d.cmd(Command::hello("a", "name-a"), 4000);
  CHECK(rt::types(d.last) == Strs{"hi"});
  CHECK(d.engine.player("a")->total_score == 1);
}

TEST_CASE("grace expiring mid-countdown: out of the settlement", "[grace]") {
  Checked d(graced(3, 1000));
  d.seat({"a", "b", "c"}, 0);
  d.cmd(Command::choice("a", 2), 5);
  d.cmd(Command::choice("b", 1), 5);
  d.cmd(Command::disconnect("a"), 10);
  d.tick(1010);
  REQUIRE(rt::types(d.last) == Strs{"leave"});  // a playing room sends no `room`
  CHECK(rt::recipients(d.last[0]) == Strs{"b", "c"});
  d.tick(3000);
  const auto& rows = rt::data<ResultData>(d.last[0]).rows;
  REQUIRE(rows.size() == 2);
  CHECK(std::string(rows[0].who->uid()) == "b");
  CHECK(d.engine.player("a")->total_score == 0);
}

TEST_CASE("grace and deadline due at the same millisecond fire in creation order", "[grace]") {
  SECTION("the drop came first (before the room started): the player is out") {
    Checked d(graced(3, 4000, 1000));
    d.seat({"a", "b"}, 0);
    d.cmd(Command::choice("a", 2), 0);  // refused: not playing yet
    d.cmd(Command::disconnect("a"), 0);  // grace due 4000
    d.tick(1000);                        // a bot fills: deadline 4000, created later
    REQUIRE(rt::types(d.last) == Strs{"room", "start"});
    d.tick(3999);  // the bot has picked by now
    d.tick(4000);
    REQUIRE(rt::types(d.last) == Strs{"leave", "result"});
    const auto res = rt::of_type(d.last, EventType::Result);
    const auto& rows = rt::data<ResultData>(res[0]).rows;
    REQUIRE(rows.size() == 2);
    CHECK(std::string(rows[0].who->uid()) == "b");
    CHECK(rt::recipients(res[0]) == Strs{"b"});
  }
  SECTION("the drop came second (during the countdown): the player is settled") {
    Checked d(graced(2, 2000));
    d.seat({"a", "b"}, 0);  // deadline 3000
    d.cmd(Command::choice("a", 3), 500);
    d.cmd(Command::disconnect("a"), 1000);  // grace due 3000, after the deadline timer
    d.tick(3000);
    REQUIRE(rt::types(d.last) == Strs{"result"});
    CHECK(rt::data<ResultData>(d.last[0]).rows.size() == 2);
    CHECK(d.engine.player("a")->total_score == 1);  // paper beat no choice
    CHECK_FALSE(d.engine.player("a")->room);
  }
}

TEST_CASE("with requeue, an offline member is not requeued", "[grace]") {
  Config c = graced(2, 5000);
  c.requeue = true;
  Checked d(c);
  d.seat({"a", "b"}, 0);
  d.cmd(Command::disconnect("a"), 10);
  d.tick(3000);
  REQUIRE(rt::types(d.last) == Strs{"result", "room"});
  CHECK(rt::users(rt::data<RoomData>(d.last[1])) == Strs{"b"});
  CHECK_FALSE(d.engine.player("a")->room);
  CHECK(d.engine.player("b")->room == std::optional<std::uint64_t>(2));
}

TEST_CASE("a disconnect in no room is as in docs/RULES.md §6, grace or not", "[grace]") {
  Checked d(graced(2, 5000));
  d.cmd(Command::hello("a", "A"), 0);
  d.cmd(Command::disconnect("a"), 1);
  CHECK(d.last.empty());
  CHECK_FALSE(d.engine.player("a")->online);
  CHECK(d.engine.next_deadline() == std::nullopt);
}

TEST_CASE("drop, resume, drop again: only the latest grace timer counts", "[grace]") {
  Checked d(graced(3, 1000));
  d.seat({"a", "b"}, 0);
  d.cmd(Command::disconnect("a"), 0);    // due 1000
  d.cmd(Command::hello("a", "name-a"), 500);
  d.cmd(Command::disconnect("a"), 600);  // due 1600
  CHECK(grace_timers(d.engine) == 1);
  d.tick(1000);
  CHECK(d.last.empty());
  CHECK(d.engine.player("a")->room);
  d.tick(1600);
  CHECK(rt::types(d.last) == Strs{"leave", "room"});
}

TEST_CASE("a player dropped beside bots only: presence goes to nobody", "[grace]") {
  Checked d(graced(3, 5000, 100));
  d.seat({"a"}, 0);
  d.tick(100);  // two bots fill and the room starts
  d.cmd(Command::disconnect("a"), 200);
  REQUIRE(rt::types(d.last) == Strs{"presence"});
  CHECK(rt::recipients(d.last[0]).empty());
  d.tick(3100);
  const auto res = rt::of_type(d.last, EventType::Result);
  REQUIRE(res.size() == 1);
  CHECK(rt::recipients(res[0]) == Strs{"a"});
}

TEST_CASE("snapshots carry the grace: restore, digest and the future agree", "[grace][snapshot]") {
  Checked d(graced(3, 2000, 1500));
  d.seat({"a", "b"}, 0);
  d.cmd(Command::disconnect("b"), 100);
  const std::string snap = d.engine.snapshot();
  const auto j = Json::parse(snap);
  bool found = false;
  for (const auto& t : j["timers"]) {
    if (t["kind"] == "grace") {
      found = true;
      CHECK(t["uid"] == "b");
      CHECK(t["due"] == 2100);
    }
  }
  CHECK(found);
  CHECK(j["config"]["reconnect_grace_ms"] == 2000);

  Engine copy = Engine::from_snapshot(snap);
  CHECK(copy.snapshot() == snap);
  CHECK(copy.digest() == d.engine.digest());

  // The same future from both: a comes and goes, b never returns.
  auto future = [](Engine& e) {
    std::vector<Event> out;
    e.tick(1500, out);
    e.handle(Command::choice("a", 1), 1600, out);
    e.tick(2100, out);
    e.tick(10'000, out);
    e.verify();
    return rt::log_of(out);
  };
  Engine original = d.engine;
  const std::string want = future(original);
  CHECK(want.find(R"("type":"leave","data":{"uid":"b"})") != std::string::npos);
  CHECK(future(copy) == want);

  // The digest tells a dropped player from one who came back.
  Engine back = d.engine;
  back.handle(Command::hello("b", "name-b"), 100);
  Engine gone = d.engine;
  gone.tick(100);
  CHECK(back.digest() != gone.digest());
}

TEST_CASE("snapshots with a broken grace are rejected", "[grace][snapshot]") {
  Checked d(graced(3, 2000));
  d.seat({"a", "b"}, 0);
  d.cmd(Command::disconnect("b"), 100);
  const Json good = Json::parse(d.engine.snapshot());
  auto rejects = [&](const std::function<void(Json&)>& damage) {
    Json j = good;
    damage(j);
    Engine e = d.engine;
    const std::string before = e.snapshot();
    CHECK_THROWS_AS(e.restore(j.dump()), SnapshotError);
    CHECK(e.snapshot() == before);
  };
  auto grace_timer = [](Json& j) -> Json& {
    for (auto& t : j["timers"]) {
      if (t["kind"] == "grace") return t;
    }
    throw std::logic_error("no grace timer");
  };
  rejects([&](Json& j) { j["timers"] = Json::array(); });                 // seat without a timer
  rejects([&](Json& j) { j["config"]["reconnect_grace_ms"] = 0; });       // no grace at all
  rejects([&](Json& j) { grace_timer(j)["uid"] = "a"; });                 // a is online
  rejects([&](Json& j) { grace_timer(j)["uid"] = "nobody"; });
  rejects([&](Json& j) { grace_timer(j)["due"] = 2101; });                // beyond the grace
  rejects([&](Json& j) { grace_timer(j)["room"] = 7; });
  rejects([&](Json& j) { j["timers"].push_back(grace_timer(j)); });       // two for one player
  rejects([&](Json& j) { grace_timer(j)["kind"] = "graze"; });
}
