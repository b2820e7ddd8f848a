// docs/RULES.md §3–§4: hello, matchmaking, fill policies, idempotent join, start at capacity.

#include <catch2/catch.hpp>

#include "roshambo_test.hpp"

using namespace roshambo;
using rt::Driver;

namespace {
Config no_bots(std::uint32_t capacity = 2) {
  Config c;
  c.capacity = capacity;
  c.bot_fill_after_ms = 0;
  return c;
}
using Strs = std::vector<std::string>;
}  // namespace

TEST_CASE("hello replies hi with the number of players online", "[matchmaking]") {
  Driver d(no_bots());
  d.cmd(Command::hello("a", "Ann", "a.png"), 5);
  REQUIRE(d.last.size() == 1);
  CHECK(d.last[0].type() == EventType::Hi);
  CHECK(rt::recipients(d.last[0]) == Strs{"a"});
  CHECK(rt::line(d.last[0]) ==
        R"({"at":5,"to":["a"],"type":"hi","data":{"message":"welcome","nearby":1}})");
  d.cmd(Command::hello("b"), 6);
  CHECK(rt::data<HiData>(d.last[0]).nearby == 2);
  d.cmd(Command::hello("a", "Ann", "a.png"), 7);  // again: still two online
  CHECK(rt::data<HiData>(d.last[0]).nearby == 2);
  d.cmd(Command::disconnect("b"), 8);
  d.cmd(Command::hello("c"), 9);
  CHECK(rt::data<HiData>(d.last[0]).nearby == 2);
  const auto a = d.engine.player("a");
  REQUIRE(a);
  CHECK(a->name == "Ann");
  CHECK(a->avatar == "a.png");
  CHECK(a->online);
  CHECK_FALSE(a->bot);
  CHECK(d.engine.stats().players == 3);
  CHECK(d.engine.stats().online == 2);
}

TEST_CASE("join puts a player into a new waiting room, then fills it", "[matchmaking]") {
  Driver d(no_bots(3));
  d.seat({"a"}, 10);
  REQUIRE(rt::types(d.last) == Strs{"room"});
  CHECK(rt::line(d.last[0]) ==
        R"({"at":10,"to":["a"],"type":"room","data":{"roomId":"room-1","users":[{"uid":"a","uname":"name-a","uavatar":""}],"full":false}})");
  d.seat({"b"}, 11);
  REQUIRE(rt::types(d.last) == Strs{"room"});
  CHECK(rt::recipients(d.last[0]) == Strs{"a", "b"});
  CHECK(rt::users(rt::data<RoomData>(d.last[0])) == Strs{"a", "b"});
  const auto room = d.engine.room(1);
  REQUIRE(room);
  CHECK(room->phase == Phase::Waiting);
  CHECK(room->members == Strs{"a", "b"});
  CHECK(room->opened_at == 10);
  CHECK_FALSE(room->deadline);
  CHECK(d.engine.player("b")->room == 1u);
  d.engine.verify();
}

TEST_CASE("a full room starts at once with deadline = now + game_time", "[matchmaking]") {
  Config c = no_bots(3);
  c.game_time_ms = 2500;
  Driver d(c);
  d.seat({"a", "b"}, 100);
  d.cmd(Command::hello("c", "Cy"), 140);
  d.cmd(Command::join("c"), 150);
  REQUIRE(rt::types(d.last) == Strs{"room", "start"});
  CHECK(rt::data<RoomData>(d.last[0]).full);
  CHECK(rt::recipients(d.last[1]) == Strs{"a", "b", "c"});
  CHECK(rt::line(d.last[1]) ==
        R"({"at":150,"to":["a","b","c"],"type":"start","data":{"roomId":"room-1","gameTime":2.5,"deadline":2650,"roomUsers":[{"uid":"a","uname":"name-a","uavatar":"","totalScore":0,"winStreak":0},{"uid":"b","uname":"name-b","uavatar":"","totalScore":0,"winStreak":0},{"uid":"c","uname":"Cy","uavatar":"","totalScore":0,"winStreak":0}]}})");
  const auto room = d.engine.room(1);
  REQUIRE(room);
  CHECK(room->phase == Phase::Playing);
  CHECK(room->deadline == 2650);
  CHECK(d.engine.next_deadline() == 2650);
  CHECK(d.engine.stats().waiting_rooms == 0);
  d.engine.verify();
}

TEST_CASE("only waiting rooms take players: the next joiner opens room-2", "[matchmaking]") {
  Driver d(no_bots(2));
  d.seat({"a", "b"}, 0);  // room-1 plays
  d.seat({"c"}, 1);
  REQUIRE(rt::types(d.last) == Strs{"room"});
  CHECK(rt::data<RoomData>(d.last[0]).room == 2);
  CHECK(d.engine.room(1)->members == Strs{"a", "b"});
  CHECK(d.engine.room(2)->members == Strs{"c"});
  // Room ids are never reused: after room-1 settles the next room is room-3.
  d.tick(10'000);
  CHECK_FALSE(d.engine.room(1));
  d.seat({"a"}, 10'001);  // joins room-2 (waiting)
  d.seat({"b"}, 10'002);
  CHECK(d.engine.player("b")->room == 3u);
  d.engine.verify();
}

TEST_CASE("join is idempotent in a waiting room and re-sends room to the sender only",
          "[matchmaking]") {
  Driver d(no_bots(3));
  d.seat({"a", "b"}, 0);
  const auto before = d.engine.digest();
  d.cmd(Command::join("a"), 0);
  REQUIRE(rt::types(d.last) == Strs{"room"});
  CHECK(rt::recipients(d.last[0]) == Strs{"a"});
  CHECK(rt::line(d.last[0]) ==
        R"({"at":0,"to":["a"],"type":"room","data":{"roomId":"room-1","users":[{"uid":"a","uname":"name-a","uavatar":""},{"uid":"b","uname":"name-b","uavatar":""}],"full":false}})");
  CHECK(d.engine.digest() == before);
  CHECK(d.engine.room(1)->members == Strs{"a", "b"});
}

TEST_CASE("join in a playing room is game_in_progress", "[matchmaking]") {
  Driver d(no_bots(2));
  d.seat({"a", "b"}, 0);
  const auto before = d.engine.digest();
  CHECK(d.cmd(Command::join("a"), 5) == ErrorCode::GameInProgress);
  REQUIRE(d.last.size() == 1);
  CHECK(rt::recipients(d.last[0]) == Strs{"a"});
  CHECK(rt::data<ErrorData>(d.last[0]).code == ErrorCode::GameInProgress);
  CHECK(d.engine.digest() != before);  // only the clock moved
  CHECK(d.engine.room(1)->members == Strs{"a", "b"});
}

TEST_CASE("fill policies choose among several waiting rooms", "[matchmaking]") {
  // Under play a join only opens a room when none is waiting, so there is at most one
  // waiting room; lay several out through a snapshot so every policy has a choice.
  Config c = no_bots(4);
  Engine base(c);
  auto snap = rt::Json::parse(base.snapshot());
  auto& players = snap["players"];
  players.clear();
  snap["rooms"].clear();
  snap["timers"].clear();
  const std::vector<std::vector<std::string>> layout = {{"r1a"}, {"r2a", "r2b", "r2c"}, {"r3a", "r3b"}};
  for (std::size_t r = 0; r < layout.size(); ++r) {
    rt::Json room = {{"number", r + 1}, {"phase", "waiting"}, {"opened", r}, {"deadline", 0},
                     {"members", rt::Json::array()}};
    for (const auto& u : layout[r]) {
      players.push_back({{"uid", u}, {"name", u}, {"avatar", ""}, {"total", 0}, {"streak", 0},
                         {"last", "none"}, {"online", true}});
      room["members"].push_back({{"uid", u}, {"name", u}, {"avatar", ""}, {"choice", 0}});
    }
    snap["rooms"].push_back(room);
  }
  players.push_back({{"uid", "new"}, {"name", "new"}, {"avatar", ""}, {"total", 0}, {"streak", 0},
                     {"last", "none"}, {"online", true}});
  snap["next_room"] = 4;
  snap["now"] = 10;
  struct Case {
    const char* policy;
    std::uint64_t room;
  };
  for (const Case k : {Case{"oldest", 1}, Case{"newest", 3}, Case{"fullest", 2}}) {
    snap["config"]["fill_policy"] = k.policy;
    Engine e = Engine::from_snapshot(snap.dump());
    e.verify();
    auto ev = e.handle(Command::join("new"), 20);
    INFO("policy " << k.policy);
    REQUIRE(ev.size() == 1 + (k.room == 2));  // room-2 reaches 4 and starts
    CHECK(rt::data<RoomData>(ev[0]).room == k.room);
    CHECK(e.player("new")->room == k.room);
    e.verify();
  }
  // fullest breaks ties toward the oldest: make rooms 2 and 3 equal.
  snap["config"]["fill_policy"] = "fullest";
  snap["rooms"][1]["members"].erase(2);
  snap["players"].erase(3);  // r2c
  Engine e = Engine::from_snapshot(snap.dump());
  auto ev = e.handle(Command::join("new"), 20);
  CHECK(rt::data<RoomData>(ev[0]).room == 2);
}

TEST_CASE("a join fills the waiting room before opening another", "[matchmaking]") {
  for (auto policy : {FillPolicy::Oldest, FillPolicy::Newest, FillPolicy::Fullest}) {
    Config c = no_bots(3);
    c.fill_policy = policy;
    Driver d(c);
    for (int i = 0; i < 20; ++i) {
      d.seat({"u" + std::to_string(i)}, i);
      CHECK(d.engine.stats().waiting_rooms <= 1);
      CHECK(d.engine.player("u" + std::to_string(i))->room == std::uint64_t(i / 3 + 1));
    }
    d.engine.verify();
  }
}

TEST_CASE("requeue: settled players join again at once, in join order, bots excluded",
          "[matchmaking]") {
  Config c = no_bots(2);
  c.requeue = true;
  c.game_time_ms = 1000;
  Driver d(c);
  d.seat({"a", "b"}, 0);
  d.cmd(Command::choice("b", 2), 10);
  d.tick(1000);
  REQUIRE(rt::types(d.last) == Strs{"result", "room", "room", "start"});
  CHECK(rt::data<RoomData>(d.last[1]).room == 2);
  CHECK(rt::users(rt::data<RoomData>(d.last[1])) == Strs{"a"});
  CHECK(rt::users(rt::data<RoomData>(d.last[2])) == Strs{"a", "b"});
  CHECK(rt::data<StartData>(d.last[3]).deadline == 2000);  // counts from the deadline
  for (const auto& e : d.last) CHECK(e.at == 1000);
  // totals and streaks carry into the next start
  const auto& scores = rt::data<StartData>(d.last[3]).scores;
  CHECK(scores[0].total_score == 0);
  CHECK(scores[1].total_score == 1);
  CHECK(scores[1].win_streak == 1);
  d.engine.verify();

  // With bots: only the human requeues; the bot leaves with the room.
  Config cb = c;
  cb.bot_fill_after_ms = 500;
  cb.bot_strategy = Strategy::parse_bot("rock");
  Driver db(cb);
  db.seat({"h"}, 0);
  db.tick(500);  // bot fills, starts
  CHECK(db.engine.stats().bots == 1);
  db.tick(1499);  // the bot picked somewhere in [500, 1500)
  CHECK(rt::types(db.last) == Strs{"movement"});
  db.tick(1500);
  REQUIRE(rt::types(db.last) == Strs{"result", "room"});
  CHECK(rt::users(rt::data<RoomData>(db.last[1])) == Strs{"h"});
  CHECK(db.engine.stats().bots == 0);
  CHECK(db.engine.player("bot-1") == std::nullopt);
  db.engine.verify();
}

TEST_CASE("capacity_exceeded for max_players and max_rooms", "[matchmaking]") {
  Config c = no_bots(2);
  c.max_players = 2;
  c.max_rooms = 1;
  Driver d(c);
  d.cmd(Command::hello("a"), 0);
  d.cmd(Command::hello("b"), 0);
  const auto before = d.engine.digest();
  CHECK(d.cmd(Command::hello("c"), 0) == ErrorCode::CapacityExceeded);
  CHECK(d.engine.digest() == before);
  CHECK_FALSE(d.engine.player("c"));
  // A known player coming back is not a new registration.
  d.cmd(Command::disconnect("b"), 0);
  CHECK(d.cmd(Command::hello("b"), 0) == std::nullopt);
  d.cmd(Command::join("a"), 0);
  d.cmd(Command::join("b"), 0);  // room-1 full and playing: the only open room
  c.max_players = 0;
  Driver d2(c);
  d2.seat({"a", "b"}, 0);
  d2.cmd(Command::hello("c"), 0);
  const auto before2 = d2.engine.digest();
  CHECK(d2.cmd(Command::join("c"), 0) == ErrorCode::CapacityExceeded);
  CHECK(d2.engine.digest() == before2);
  CHECK(rt::recipients(d2.last[0]) == Strs{"c"});
  d2.tick(3000);  // room-1 settles and closes: now there is room
  CHECK(d2.cmd(Command::join("c"), 3000) == std::nullopt);
  CHECK(d2.engine.player("c")->room == 2u);
}

TEST_CASE("a hello that renames a seated player keeps the room's view until it closes",
          "[matchmaking]") {
  Driver d(no_bots(3));
  d.seat({"a"}, 0);
  d.cmd(Command::hello("a", "Renamed", "r.png"), 1);
  CHECK(d.engine.player("a")->name == "Renamed");
  d.seat({"b"}, 2);
  CHECK(rt::parsed(d.last[0])["data"]["users"][0]["uname"] == "name-a");
  d.cmd(Command::leave("a"), 3);
  d.cmd(Command::join("a"), 4);
  CHECK(rt::parsed(d.last[0])["data"]["users"][1]["uname"] == "Renamed");
  CHECK(rt::parsed(d.last[0])["data"]["users"][1]["uavatar"] == "r.png");
  d.engine.verify();
}
