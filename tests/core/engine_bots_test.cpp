// docs/RULES.md §4 bot fill and §8 bot randomness.

#include <catch2/catch.hpp>
#include <map>

#include "roshambo_test.hpp"

using namespace roshambo;
using rt::Driver;
using Strs = std::vector<std::string>;

namespace {
Config bots(const char* strategy, std::uint32_t capacity = 2, std::uint64_t seed = 0) {
  Config c;
  c.capacity = capacity;
  c.game_time_ms = 3000;
  c.bot_fill_after_ms = 1000;
  c.bot_strategy = Strategy::parse_bot(strategy);
  c.seed = seed;
  return c;
}
}  // namespace

TEST_CASE("bots fill a room that waited bot_fill_after, then it starts", "[bots]") {
  Driver d(bots("rock", 4));
  d.seat({"a"}, 100);
  d.seat({"b"}, 600);
  d.tick(1099);
  CHECK(d.last.empty());
  d.tick(1100);  // measured from when the room opened, not from the last join
  REQUIRE(rt::types(d.last) == Strs{"room", "start"});
  const auto& room = rt::data<RoomData>(d.last[0]);
  CHECK(rt::users(room) == Strs{"a", "b", "bot-1", "bot-2"});
  CHECK(room.full);
  CHECK(rt::recipients(d.last[0]) == Strs{"a", "b"});  // bots receive nothing
  CHECK(rt::data<StartData>(d.last[1]).deadline == 4100);
  CHECK(rt::line(d.last[0]) ==
        R"({"at":1100,"to":["a","b"],"type":"room","data":{"roomId":"room-1","users":[{"uid":"a","uname":"name-a","uavatar":""},{"uid":"b","uname":"name-b","uavatar":""},{"uid":"bot-1","uname":"bot-1","uavatar":""},{"uid":"bot-2","uname":"bot-2","uavatar":""}],"full":true}})");
  const auto bot = d.engine.player("bot-1");
  REQUIRE(bot);
  CHECK(bot->bot);
  CHECK(bot->room == 1u);
  CHECK(d.engine.player("bot-2"));
  // Seated bots or not, a uid no one has is no one (the bot pool is searched by name
  // for "bot-N" only), and a bot number never dealt is none either.
  CHECK_FALSE(d.engine.player("nobody"));
  CHECK_FALSE(d.engine.player("bot-3"));
  CHECK_FALSE(d.engine.player("bot-"));
  CHECK(d.engine.stats().bots == 2);
  d.engine.verify();
}

TEST_CASE("bot movements: each bot picks once, within the countdown, seen by the others",
          "[bots]") {
  Driver d(bots("paper", 5, 42));
  d.seat({"a", "b"}, 0);
  d.tick(1000);  // 3 bots join
  d.tick(3999);
  auto moves = d.last;
  REQUIRE(moves.size() == 3);
  Strs who;
  Time prev = 1000;
  for (const auto& m : moves) {
    CHECK(m.type() == EventType::Movement);
    CHECK(m.at >= prev);
    CHECK(m.at < 4000);
    prev = m.at;
    CHECK(rt::recipients(m) == Strs{"a", "b"});
    const auto j = rt::parsed(m);
    CHECK(j["data"]["movement"] == "choice");
    CHECK_FALSE(j["data"].contains("choice"));  // never reveals it
    who.push_back(j["data"]["uid"]);
  }
  std::sort(who.begin(), who.end());
  CHECK(who == Strs{"bot-1", "bot-2", "bot-3"});
  d.tick(4000);
  const auto& rows = rt::data<ResultData>(d.last[0]).rows;
  for (std::size_t i = 2; i < 5; ++i) {
    CHECK(rows[i].who->bot());
    CHECK(rows[i].choice == Choice::Paper);
  }
  CHECK(rt::parsed(d.last[0])["data"]["result"][2]["bot"] == true);
  CHECK(rt::parsed(d.last[0])["data"]["result"][0]["bot"] == false);
}

TEST_CASE("bot strategies", "[bots]") {
  struct Case {
    const char* strategy;
    std::map<Choice, int> allowed;  // choice -> must appear (1) or may appear (0)
  };
  const Case cases[] = {
      {"rock", {{Choice::Rock, 1}}},
      {"paper", {{Choice::Paper, 1}}},
      {"scissors", {{Choice::Scissors, 1}}},
      {"none", {{Choice::None, 1}}},
      {"uniform", {{Choice::Rock, 1}, {Choice::Paper, 1}, {Choice::Scissors, 1}}},
      {"biased:1,0,0", {{Choice::Rock, 1}}},
      {"biased:0,3,1", {{Choice::Paper, 1}, {Choice::Scissors, 1}}},
  };
  for (const Case& k : cases) {
    INFO("strategy " << k.strategy);
    Driver d(bots(k.strategy, 64, 7));
    d.seat({"h"}, 0);
    d.tick(4000);  // 63 bots fill, pick, settle
    REQUIRE(rt::count_type(d.last, EventType::Result) == 1);
    const auto res = rt::data<ResultData>(rt::of_type(d.last, EventType::Result)[0]).rows;  // a handle: the event is a temporary
    std::map<Choice, int> seen;
    for (std::size_t i = 1; i < res.size(); ++i) ++seen[res[i].choice];
    for (const auto& [c, n] : seen) CHECK(k.allowed.count(c) == 1);
    for (const auto& [c, must] : k.allowed) {
      if (must) CHECK(seen[c] > 0);
    }
    // "none" bots never move; the others each move once.
    const std::size_t moves = rt::count_type(d.last, EventType::Movement);
    CHECK(moves == (std::string(k.strategy) == "none" ? 0u : 63u));
  }
  // Biased weights shape the mix: 1,0,3 over many bots gives scissors about 3x rock.
  Driver d(bots("biased:1,0,3", 1024, 3));
  d.seat({"h"}, 0);
  d.tick(4000);
  const auto res = rt::data<ResultData>(rt::of_type(d.last, EventType::Result)[0]).rows;
  int rock = 0, scissors = 0;
  for (const auto& row : res) {
    rock += row.choice == Choice::Rock;
    scissors += row.choice == Choice::Scissors;
  }
  CHECK(rock + scissors == 1023);
  CHECK(scissors > 2 * rock);
  CHECK(rock > 150);
}

TEST_CASE("bot_fill_after 0 disables bots", "[bots]") {
  Config c = bots("uniform");
  c.bot_fill_after_ms = 0;
  Driver d(c);
  d.seat({"a"}, 0);
  CHECK(d.engine.next_deadline() == std::nullopt);
  d.tick(1'000'000'000);
  CHECK(d.last.empty());
  CHECK(d.engine.room(1)->members == Strs{"a"});
  CHECK(d.engine.stats().bots == 0);
}

TEST_CASE("bots leave when the room closes, and bot uids are never reused", "[bots]") {
  Driver d(bots("scissors", 3));
  d.seat({"a"}, 0);
  d.tick(1000);
  CHECK(d.engine.stats().bots == 2);
  d.tick(4000);
  CHECK(d.engine.stats().bots == 0);
  CHECK_FALSE(d.engine.player("bot-1"));
  d.cmd(Command::join("a"), 4000);
  d.tick(5000);
  CHECK(rt::users(rt::data<RoomData>(d.last[0])) == Strs{"a", "bot-3", "bot-4"});
  // The last human leaving a playing room closes it: its bots go too, no result.
  d.cmd(Command::leave("a"), 5001);
  CHECK(d.last.empty());
  CHECK(d.engine.stats().bots == 0);
  CHECK(d.engine.stats().rooms == 0);
  d.tick(9000);
  CHECK(d.last.empty());
  d.engine.verify();
  // A bot cannot be impersonated.
  CHECK(d.cmd(Command::hello("bot-3"), 9000) == ErrorCode::InvalidField);
  CHECK(d.cmd(Command::choice("bot-3", 1), 9000) == ErrorCode::UnknownPlayer);
}

TEST_CASE("a bot's randomness depends on (seed, room, seat) only", "[bots]") {
  // The same room number and seats give the same bot picks and moments, whatever
  // else happened in the engine before (other rooms, other bots, other timings).
  auto run = [](std::uint64_t seed, bool noise) {
    Config c = bots("uniform", 4, seed);
    c.bot_fill_after_ms = 1000;
    Driver d(c);
    d.cmd(Command::hello("x"), 0);
    d.cmd(Command::hello("y"), 0);
    if (noise) {
      // room-1 fills with bots and plays first: other bot uids, events and timings.
      d.cmd(Command::hello("n1"), 10);
      d.cmd(Command::join("n1"), 10);
      d.tick(1010);
      d.cmd(Command::choice("n1", 2), 1020);
      d.tick(5000);
      CHECK(d.engine.stats().rooms_settled == 1);
    } else {
      // room-1 is opened and abandoned: the number is used, nothing else happens.
      d.cmd(Command::join("x"), 10);
      d.cmd(Command::leave("x"), 11);
      d.tick(5000);
    }
    const Time t0 = noise ? 7000 : 9000;  // room-2 opens at a different time
    d.cmd(Command::join("x"), t0);
    d.cmd(Command::join("y"), t0);
    d.tick(t0 + 5000);
    // Offsets of the bots' moves from the start, and their picks, for room-2.
    std::vector<std::pair<Time, int>> picks;
    for (const auto& ev : rt::of_type(d.last, EventType::Movement)) picks.push_back({ev.at - (t0 + 1000), 0});
    const auto res = rt::of_type(d.last, EventType::Result);
    REQUIRE(res.size() == 1);
    CHECK(rt::data<ResultData>(res[0]).room == 2);
    for (const auto& row : rt::data<ResultData>(res[0]).rows) {
      picks.push_back({-1, static_cast<int>(row.choice)});
    }
    return picks;
  };
  const auto a = run(11, false), b = run(11, true);
  CHECK(a == b);
  // A different seed changes something across a few rooms' worth of bots.
  bool differs = false;
  for (std::uint64_t s = 12; s < 20 && !differs; ++s) differs = run(s, false) != a;
  CHECK(differs);
}

TEST_CASE("a bot's pick does not move when a human leaves before it", "[bots]") {
  // The pick is seeded by the bot's seat at the start, so a member leaving (which
  // shifts the seats) changes neither its moment nor its choice.
  auto bot_picks = [](bool leave) {
    Driver d(bots("uniform", 6, 99));
    d.seat({"a", "b", "c"}, 0);
    d.tick(1000);  // bot-1..3 fill seats 3..5
    if (leave) d.cmd(Command::leave("a"), 1000);
    d.tick(3999);
    std::vector<std::pair<Time, std::string>> moves;
    for (const auto& m : rt::of_type(d.last, EventType::Movement)) {
      moves.push_back({m.at, std::string(mover(m).uid())});
    }
    d.tick(4000);
    std::vector<Choice> choices;
    for (const auto& row : rt::data<ResultData>(d.last[0]).rows) {
      if (row.who->bot()) choices.push_back(row.choice);
    }
    return std::make_pair(moves, choices);
  };
  const auto stay = bot_picks(false), left = bot_picks(true);
  CHECK(stay.first.size() == 3);
  CHECK(stay == left);
}

TEST_CASE("players() lists humans in registration order, then live bots", "[bots]") {
  Driver d(bots("rock", 3));
  d.seat({"z", "y"}, 0);
  d.cmd(Command::hello("x"), 0);
  d.cmd(Command::leave("y"), 0);
  d.tick(1000);  // two bots join z
  std::vector<std::string> uids;
  for (const auto& p : d.engine.players()) uids.push_back(p.uid);
  CHECK(uids == Strs{"z", "y", "x", "bot-1", "bot-2"});
  CHECK(d.engine.players()[3].bot);
  CHECK(d.engine.players()[3].room == 1u);
  CHECK(d.engine.stats().players == 3);
  CHECK(d.engine.stats().bots == 2);
  CHECK(d.engine.stats().rooms == 1);
}

TEST_CASE("players() lists bots by room number and seat, whatever slots they reuse", "[bots]") {
  Driver d(bots("rock", 3));
  d.seat({"a"}, 0);     // room-1: bot-1, bot-2 at 1000, settles at 4000
  d.seat({"b"}, 1500);  // room-2: bot-3, bot-4 at 2500, settles at 5500
  d.tick(4000);
  d.cmd(Command::join("a"), 4000);  // room-3 takes room-1's slot; bot-5, bot-6 at 5000
  d.tick(5000);                     // take bot-1 and bot-2's pool slots, in reverse
  std::vector<std::string> uids;
  std::vector<std::uint64_t> rooms;
  for (const auto& p : d.engine.players()) {
    uids.push_back(p.uid);
    rooms.push_back(p.room.value_or(0));
  }
  CHECK(uids == Strs{"a", "b", "bot-3", "bot-4", "bot-5", "bot-6"});
  CHECK(rooms == std::vector<std::uint64_t>{3, 2, 2, 2, 3, 3});
  for (const auto& p : d.engine.players()) CHECK(d.engine.player(p.uid)->room == p.room);
}
