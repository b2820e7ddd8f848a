// docs/RULES.md §6: leave and disconnect in every phase; totals kept across a disconnect.

#include <catch2/catch.hpp>

#include "roshambo_test.hpp"

using namespace roshambo;
using rt::Driver;
using Strs = std::vector<std::string>;

namespace {
Config plain(std::uint32_t capacity) {
  Config c;
  c.capacity = capacity;
  c.game_time_ms = 3000;
  c.bot_fill_after_ms = 0;
  return c;
}
}  // namespace

TEST_CASE("leave from a waiting room: leave and a new room go to the others", "[leave]") {
  Driver d(plain(4));
  d.seat({"a", "b", "c"}, 0);
  d.cmd(Command::leave("b"), 10);
  REQUIRE(rt::types(d.last) == Strs{"leave", "room"});
  CHECK(rt::recipients(d.last[0]) == Strs{"a", "c"});
  CHECK(rt::line(d.last[0]) == R"({"at":10,"to":["a","c"],"type":"leave","data":{"uid":"b"}})");
  CHECK(rt::recipients(d.last[1]) == Strs{"a", "c"});
  CHECK(rt::users(rt::data<RoomData>(d.last[1])) == Strs{"a", "c"});
  CHECK_FALSE(rt::data<RoomData>(d.last[1]).full);
  CHECK_FALSE(d.engine.player("b")->room);
  CHECK(d.engine.player("b")->online);
  // The seat is free again: b rejoins at the end.
  d.cmd(Command::join("b"), 11);
  CHECK(d.engine.room(1)->members == Strs{"a", "c", "b"});
  d.engine.verify();
}

TEST_CASE("the last player leaving a waiting room closes it", "[leave]") {
  Config c = plain(2);
  c.bot_fill_after_ms = 500;
  Driver d(c);
  d.seat({"a"}, 0);
  d.cmd(Command::leave("a"), 10);
  CHECK(d.last.empty());
  CHECK(d.engine.stats().rooms == 0);
  CHECK(d.engine.next_deadline() == std::nullopt);  // its bot fill is gone
  d.tick(10'000);
  CHECK(d.last.empty());
  d.cmd(Command::join("a"), 10'001);
  CHECK(rt::data<RoomData>(d.last[0]).room == 2);
  d.engine.verify();
}

TEST_CASE("leave from a playing room: out of the settlement", "[leave]") {
  Driver d(plain(3));
  d.seat({"a", "b", "c"}, 0);
  d.cmd(Command::choice("a", 2), 5);
  d.cmd(Command::choice("b", 1), 5);  // b would lose to a
  d.cmd(Command::leave("b"), 10);
  REQUIRE(rt::types(d.last) == Strs{"leave"});  // no room event once playing
  CHECK(rt::recipients(d.last[0]) == Strs{"a", "c"});
  CHECK(d.engine.room(1)->members == Strs{"a", "c"});
  // b is free to play elsewhere at once.
  d.cmd(Command::join("b"), 11);
  CHECK(d.engine.player("b")->room == 2u);
  d.tick(3000);
  REQUIRE(rt::types(d.last) == Strs{"result"});
  CHECK(rt::recipients(d.last[0]) == Strs{"a", "c"});
  const auto& rows = rt::data<ResultData>(d.last[0]).rows;
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].tally.wins == 1);   // only against c (no choice)
  CHECK(rows[1].tally.losses == 1);
  CHECK(d.engine.player("b")->total_score == 0);
  CHECK(d.engine.player("b")->room == 2u);
  d.engine.verify();
}

TEST_CASE("one member left still settles at the deadline with x = 0", "[leave]") {
  Driver d(plain(2));
  d.seat({"a", "b"}, 0);
  d.cmd(Command::choice("a", 3), 1);
  d.cmd(Command::leave("b"), 2);
  d.tick(3000);
  REQUIRE(rt::types(d.last) == Strs{"result"});
  const auto& rows = rt::data<ResultData>(d.last[0]).rows;
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].tally.base() == 0);
  CHECK(rows[0].round_score == 0);
  CHECK(rt::line(d.last[0]) ==
        R"({"at":3000,"to":["a"],"type":"result","data":{"roomId":"room-1","result":[{"uid":"a","bot":false,"choice":3,"wins":0,"losses":0,"base":0,"roundScore":0,"totalScore":0,"winStreak":0}]}})");
}

TEST_CASE("a playing room that becomes empty closes without a result", "[leave]") {
  Driver d(plain(2));
  d.seat({"a", "b"}, 0);
  d.cmd(Command::leave("a"), 1);
  d.cmd(Command::disconnect("b"), 2);
  CHECK(d.last.empty());  // nobody left to tell
  CHECK(d.engine.stats().rooms == 0);
  CHECK(d.engine.next_deadline() == std::nullopt);
  d.tick(10'000);
  CHECK(d.last.empty());
  CHECK(d.engine.stats().rooms_settled == 0);
  d.engine.verify();
}

TEST_CASE("leave in no room is not_in_room", "[leave]") {
  Driver d(plain(2));
  d.cmd(Command::hello("a"), 0);
  const auto before = d.engine.digest();
  CHECK(d.cmd(Command::leave("a"), 0) == ErrorCode::NotInRoom);
  REQUIRE(d.last.size() == 1);
  CHECK(rt::recipients(d.last[0]) == Strs{"a"});
  CHECK(d.engine.digest() == before);
}

TEST_CASE("disconnect in every phase", "[leave]") {
  SECTION("no room: just offline") {
    Driver d(plain(2));
    d.cmd(Command::hello("a"), 0);
    d.cmd(Command::disconnect("a"), 1);
    CHECK(d.last.empty());
    CHECK_FALSE(d.engine.player("a")->online);
    CHECK(d.engine.stats().online == 0);
  }
  SECTION("waiting room: as leave, then offline") {
    Driver d(plain(3));
    d.seat({"a", "b"}, 0);
    d.cmd(Command::disconnect("a"), 1);
    CHECK(rt::types(d.last) == Strs{"leave", "room"});
    CHECK(rt::recipients(d.last[0]) == Strs{"b"});
    CHECK_FALSE(d.engine.player("a")->online);
    CHECK_FALSE(d.engine.player("a")->room);
  }
  SECTION("playing room: as leave, then offline") {
    Driver d(plain(3));
    d.seat({"a", "b", "c"}, 0);
    d.cmd(Command::disconnect("c"), 1);
    CHECK(rt::types(d.last) == Strs{"leave"});
    d.tick(3000);
    CHECK(rt::data<ResultData>(d.last[0]).rows.size() == 2);
  }
  SECTION("offline players can only say hello") {
    Driver d(plain(2));
    d.cmd(Command::hello("a"), 0);
    d.cmd(Command::disconnect("a"), 1);
    const auto before = d.engine.digest();
    for (const auto& c : {Command::join("a"), Command::choice("a", 1), Command::face("a", 1),
                          Command::leave("a"), Command::disconnect("a")}) {
      CHECK(d.cmd(c, 2) == ErrorCode::UnknownPlayer);
      CHECK(d.last.size() == 1);
    }
    CHECK(d.engine.digest() != before);  // the clock moved to 2
    d.tick(2);
    const auto at2 = d.engine.digest();
    CHECK(d.cmd(Command::join("a"), 2) == ErrorCode::UnknownPlayer);
    CHECK(d.engine.digest() == at2);
  }
}

TEST_CASE("totals and streak survive a disconnect and a new hello", "[leave]") {
  Driver d(plain(2));
  d.seat({"a", "b"}, 0);
  d.cmd(Command::choice("a", 2), 1);
  d.tick(3000);  // a: +1, streak 1
  d.cmd(Command::join("a"), 3000);
  d.cmd(Command::join("b"), 3000);
  d.cmd(Command::choice("a", 1), 3001);
  d.cmd(Command::choice("b", 3), 3001);
  d.tick(6000);  // a: +1*2
  CHECK(d.engine.player("a")->total_score == 3);
  CHECK(d.engine.player("a")->win_streak == 2);
  d.cmd(Command::disconnect("a"), 6001);
  CHECK(d.engine.player("a")->total_score == 3);
  d.cmd(Command::hello("a", "Ann again", "new.png"), 9000);
  const auto a = d.engine.player("a");
  CHECK(a->total_score == 3);
  CHECK(a->win_streak == 2);
  CHECK(a->name == "Ann again");
  CHECK(a->online);
  CHECK(d.engine.stats().players == 2);
  // The next start shows the kept scores, the new name, and the third win multiplies by 3.
  d.cmd(Command::join("a"), 9001);
  d.cmd(Command::join("b"), 9001);
  const auto start = rt::parsed(d.last.back());
  CHECK(start["data"]["roomUsers"][0]["totalScore"] == 3);
  CHECK(start["data"]["roomUsers"][0]["winStreak"] == 2);
  CHECK(start["data"]["roomUsers"][0]["uname"] == "Ann again");
  d.cmd(Command::choice("a", 3), 9002);
  d.cmd(Command::choice("b", 2), 9002);
  d.tick(12'001);
  CHECK(rt::data<ResultData>(d.last[0]).rows.at(0).round_score == 3);
  CHECK(d.engine.player("a")->total_score == 6);
  d.engine.verify();
}

TEST_CASE("reference preset keeps a streak through a draw, article resets it", "[leave][scoring]") {
  for (auto preset : {ScoringPreset::Article, ScoringPreset::Reference}) {
    Config c = plain(2);
    c.scoring = preset;
    Driver d(c);
    d.seat({"a", "b"}, 0);
    d.cmd(Command::choice("a", 2), 1);
    d.tick(3000);              // a wins: streak 1
    d.seat({"a", "b"}, 3000);  // re-join (hello again is harmless)
    d.tick(6000);              // draw: nobody chose
    const std::uint32_t want = preset == ScoringPreset::Reference ? 1 : 0;
    CHECK(d.engine.player("a")->win_streak == want);
    d.seat({"a", "b"}, 6000);
    d.cmd(Command::choice("a", 2), 6001);
    d.tick(9000);
    CHECK(rt::data<ResultData>(d.last[0]).rows.at(0).round_score == want + 1);
    d.engine.verify();
  }
}

TEST_CASE("loss_penalty and streak_cap in a settled room", "[leave][scoring]") {
  Config c = plain(3);
  c.loss_penalty = true;
  c.streak_cap = 2;
  Driver d(c);
  for (int round = 0; round < 4; ++round) {
    const Time t = round * 3000;
    d.seat({"a", "b", "c"}, t);
    d.cmd(Command::choice("a", 2), t + 1);  // rock beats scissors and nothing
    d.cmd(Command::choice("b", 1), t + 1);
    d.tick(t + 3000);
    const auto& rows = rt::data<ResultData>(d.last[0]).rows;
    CHECK(rows[0].tally.base() == 2);
    CHECK(rows[0].round_score == 2 * std::min(round + 1, 2));
    CHECK(rows[0].win_streak == static_cast<std::uint32_t>(round + 1));
    CHECK(rows[1].round_score == 0);  // b: beats c, loses to a
    CHECK(rows[2].round_score == -2);
    CHECK(rows[2].total_score == -2 * (round + 1));
  }
  d.engine.verify();
}
