// docs/RULES.md §8: countdowns, timer order, the deadline edge, tick granularity, next_deadline.

#include <catch2/catch.hpp>

#include "roshambo_test.hpp"

using namespace roshambo;
using rt::Driver;
using Strs = std::vector<std::string>;

namespace {
Config cfg(std::uint32_t capacity, std::int64_t game_ms, std::int64_t fill_ms) {
  Config c;
  c.capacity = capacity;
  c.game_time_ms = game_ms;
  c.bot_fill_after_ms = fill_ms;
  return c;
}
}  // namespace

TEST_CASE("countdown: result exactly at the deadline, not a millisecond before", "[timers]") {
  Driver d(cfg(2, 3000, 0));
  d.seat({"a", "b"}, 1000);
  CHECK(d.engine.next_deadline() == 4000);
  d.tick(3999);
  CHECK(d.last.empty());
  CHECK(d.engine.room(1)->phase == Phase::Playing);
  d.tick(4000);
  REQUIRE(rt::types(d.last) == Strs{"result"});
  CHECK(d.last[0].at == 4000);
  CHECK(rt::recipients(d.last[0]) == Strs{"a", "b"});
  CHECK_FALSE(d.engine.room(1));
  CHECK_FALSE(d.engine.player("a")->room);
  CHECK(d.engine.next_deadline() == std::nullopt);
  d.engine.verify();
}

TEST_CASE("choices can change until the deadline, the last one counts", "[timers]") {
  Driver d(cfg(2, 3000, 0));
  d.seat({"a", "b"}, 0);
  d.cmd(Command::choice("a", 1), 10);
  REQUIRE(rt::types(d.last) == Strs{"movement"});
  CHECK(rt::recipients(d.last[0]) == Strs{"b"});
  CHECK(rt::line(d.last[0]) ==
        R"({"at":10,"to":["b"],"type":"movement","data":{"uid":"a","movement":"choice"}})");
  d.cmd(Command::choice("a", 3), 20);
  d.cmd(Command::choice("b", 2), 2999);
  CHECK(d.engine.room(1)->choices == std::vector<Choice>{Choice::Paper, Choice::Rock});
  d.tick(3000);
  const auto& rows = rt::data<ResultData>(d.last[0]).rows;
  CHECK(rows[0].choice == Choice::Paper);
  CHECK(rows[0].tally.wins == 1);
  CHECK(rows[1].tally.losses == 1);
}

TEST_CASE("a choice at exactly the deadline is too late", "[timers]") {
  Driver d(cfg(2, 3000, 0));
  d.seat({"a", "b"}, 0);
  d.cmd(Command::choice("b", 2), 100);
  // The deadline fires first (timers due at or before now), then the choice is refused.
  CHECK(d.cmd(Command::choice("a", 3), 3000) == ErrorCode::NotInRoom);
  REQUIRE(rt::types(d.last) == Strs{"result", "error"});
  const auto& rows = rt::data<ResultData>(d.last[0]).rows;
  CHECK(rows[0].choice == Choice::None);
  CHECK(rows[0].tally.base() == -1);
  CHECK(rows[1].tally.base() == 1);
  CHECK(rt::recipients(d.last[1]) == Strs{"a"});

  // With requeue the player is back in a waiting room: not_playing.
  Config c = cfg(3, 3000, 0);
  c.requeue = true;
  Driver r(c);
  r.seat({"a", "b", "c"}, 0);
  r.cmd(Command::leave("c"), 1);
  CHECK(r.cmd(Command::choice("a", 3), 3000) == ErrorCode::NotPlaying);
}

TEST_CASE("timers fire in order of due time, then creation order", "[timers]") {
  // room-1 starts at 0 (deadline 1000); room-2 opens at 0 and fills by bots at 1000:
  // both timers are due at 1000 and the one created first (room-1's deadline) fires first.
  Config c = cfg(2, 1000, 1000);
  c.bot_strategy = Strategy::parse_bot("none");
  Driver d(c);
  d.seat({"a", "b"}, 0);
  d.seat({"c"}, 0);
  CHECK(d.engine.next_deadline() == 1000);
  d.tick(5000);
  REQUIRE(rt::types(d.last) == Strs{"result", "room", "start", "result"});
  CHECK(rt::data<ResultData>(d.last[0]).room == 1);
  CHECK(rt::data<RoomData>(d.last[1]).room == 2);
  CHECK(d.last[2].at == 1000);
  CHECK(rt::data<StartData>(d.last[2]).deadline == 2000);
  CHECK(d.last[3].at == 2000);


  // Under play the earlier-created timer is always the deadline here; a snapshot can
  // lay out either creation order, and the order of firing must follow it.
  for (const bool fill_first : {true, false}) {
    const std::uint64_t fill_seq = fill_first ? 3 : 5, deadline_seq = fill_first ? 5 : 3;
    rt::Json timers = rt::Json::array();
    const rt::Json fill = {{"kind", "bot_fill"}, {"due", 1000}, {"seq", fill_seq}, {"room", 2}};
    const rt::Json dl = {{"kind", "deadline"}, {"due", 1000}, {"seq", deadline_seq}, {"room", 1}};
    timers.push_back(fill_first ? fill : dl);
    timers.push_back(fill_first ? dl : fill);
    auto player = [](const char* u) {
      return rt::Json{{"uid", u}, {"name", u}, {"avatar", ""}, {"total", 0},
                      {"streak", 0}, {"last", "none"}, {"online", true}};
    };
    auto member = [](const char* u) {
      return rt::Json{{"uid", u}, {"name", u}, {"avatar", ""}, {"choice", 0}};
    };
    rt::Json snap = rt::Json::parse(Engine(c).snapshot());
    snap["now"] = 100;
    snap["next_room"] = 3;
    snap["next_timer"] = 10;
    snap["players"] = {player("a"), player("b"), player("c")};
    snap["rooms"] = {{{"number", 1}, {"phase", "playing"}, {"opened", 0}, {"deadline", 1000},
                      {"members", {member("a"), member("b")}}},
                     {{"number", 2}, {"phase", "waiting"}, {"opened", 0}, {"deadline", 0},
                      {"members", {member("c")}}}};
    snap["timers"] = timers;
    Engine e = Engine::from_snapshot(snap.dump());
    const auto ev = e.tick(1000);
    INFO("fill first: " << fill_first);
    CHECK(rt::types(ev) == (fill_first ? Strs{"room", "start", "result"}
                                       : Strs{"result", "room", "start"}));
    e.verify();
  }
}

TEST_CASE("events caused by a timer carry its due time, even on a late tick", "[timers]") {
  Config c = cfg(2, 1000, 500);
  c.bot_strategy = Strategy::parse_bot("rock");
  Driver d(c);
  d.seat({"a"}, 100);
  d.cmd(Command::hello("z"), 50'000);  // the first call after a long silence
  REQUIRE(d.last.size() >= 4);
  CHECK(rt::types(d.last).back() == "hi");
  CHECK(d.last[0].at == 600);                    // bot fill
  CHECK(rt::data<StartData>(d.last[1]).deadline == 1600);  // counts from the fill
  CHECK(d.last[d.last.size() - 2].at == 1600);   // result
  CHECK(d.last.back().at == 50'000);
}

TEST_CASE("ticking every millisecond equals one tick at the end", "[timers]") {
  for (std::uint64_t seed : {1u, 2u, 3u}) {
    Config c = cfg(3, 700, 300);
    c.requeue = true;
    c.seed = seed;
    std::vector<rt::Step> steps;
    rt::Rand r(seed);
    for (int i = 0; i < 6; ++i) {
      const std::string u = "u" + std::to_string(i);
      steps.push_back({static_cast<Time>(i * 37), false, Command::hello(u)});
      steps.push_back({static_cast<Time>(i * 37 + 1), false, Command::join(u)});
    }
    for (Time t = 300; t < 4000; t += 97) {
      steps.push_back({t, false, Command::choice("u" + std::to_string(r.below(6)),
                                                 static_cast<std::int64_t>(r.range(1, 3)))});
    }
    steps.push_back({4000, false, Command::leave("u0")});
    steps.push_back({6000, true, {}});

    Driver coarse(c), fine(c);
    Time t = 0;
    for (const auto& s : steps) {
      if (s.tick) coarse.tick(s.at); else coarse.cmd(s.cmd, s.at);
      for (; t < s.at; ++t) fine.tick(t);
      if (s.tick) fine.tick(s.at); else fine.cmd(s.cmd, s.at);
      fine.engine.verify();
    }
    CHECK(coarse.log == fine.log);
    CHECK(coarse.engine.digest() == fine.engine.digest());
    CHECK(coarse.engine.snapshot() == fine.engine.snapshot());
    CHECK(coarse.log.find("\"type\":\"result\"") != std::string::npos);
  }
}

TEST_CASE("next_deadline is the earliest pending timer", "[timers]") {
  Driver d(cfg(2, 3000, 1000));
  CHECK(d.engine.next_deadline() == std::nullopt);
  d.seat({"a"}, 200);
  CHECK(d.engine.next_deadline() == 1200);  // bot fill
  d.seat({"b"}, 500);                        // fills: the fill timer is void
  CHECK(d.engine.next_deadline() == 3500);
  d.seat({"c"}, 600);
  CHECK(d.engine.next_deadline() == 1600);
  d.cmd(Command::leave("c"), 700);           // room-2 closes: its timer is gone
  CHECK(d.engine.next_deadline() == 3500);
  d.tick(3500);
  CHECK(d.engine.next_deadline() == std::nullopt);
  // A tick when nothing is due changes nothing but the clock.
  const auto snap = d.engine.snapshot();
  d.tick(3501);
  CHECK(d.last.empty());
  d.engine.verify();
}

TEST_CASE("huge time jumps and the time limit", "[timers]") {
  Driver d(cfg(2, 86'400'000, 86'400'000));
  d.seat({"a"}, 0);
  d.tick(kMaxTime);
  // fill at one day, result one day later; both carry their own times
  REQUIRE(rt::types(d.last).size() >= 3);
  CHECK(d.last[0].at == 86'400'000);
  CHECK(d.last.back().at == 2 * 86'400'000);
  CHECK(d.engine.now() == kMaxTime);
  // Timers may be due beyond kMaxTime without overflow.
  d.cmd(Command::join("a"), kMaxTime);
  CHECK(d.engine.next_deadline() == kMaxTime + 86'400'000);
  d.engine.verify();
  // Past the limit: refused, nothing changes.
  const auto before = d.engine.digest();
  CHECK(d.tick(kMaxTime + 1) == ErrorCode::InvalidField);
  CHECK(d.cmd(Command::join("a"), kMaxTime + 1) == ErrorCode::InvalidField);
  CHECK(d.engine.digest() == before);
}

TEST_CASE("time must not go backwards: refused, nothing changes, timers stay", "[timers]") {
  Driver d(cfg(2, 1000, 0));
  d.seat({"a", "b"}, 500);
  const auto before = d.engine.snapshot();
  CHECK(d.tick(499) == ErrorCode::TimeWentBackwards);
  REQUIRE(d.last.size() == 1);
  CHECK(rt::recipients(d.last[0]).empty());
  CHECK(d.last[0].at == 500);
  CHECK(d.cmd(Command::choice("a", 1), 10) == ErrorCode::TimeWentBackwards);
  REQUIRE(d.last.size() == 1);
  CHECK(rt::recipients(d.last[0]) == Strs{"a"});
  CHECK(d.engine.snapshot() == before);
  // Equal time is fine.
  CHECK(d.cmd(Command::choice("a", 1), 500) == std::nullopt);
}
