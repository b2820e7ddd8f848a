// docs/RULES.md §8: snapshot / restore round trip; corrupted snapshots are rejected with
// SnapshotError and leave the engine unchanged.

#include <catch2/catch.hpp>
#include <functional>

#include "roshambo_test.hpp"

using namespace roshambo;
using rt::Json;

namespace {

// room-1 playing (a, b, bot-1, a bot pick pending), room-2 waiting (c, fill pending),
// d offline, plus one settled room-0 history for totals and streaks.
Engine scenario() {
  Config c;
  c.capacity = 3;
  c.bot_fill_after_ms = 1000;
  c.seed = 1;
  Engine e(c);
  for (const char* u : {"a", "b", "c", "d"}) e.handle(Command::hello(u, u), 0);
  e.handle(Command::join("a"), 0);
  e.handle(Command::join("b"), 0);
  e.tick(1000);  // bot-1 fills room-1
  e.handle(Command::choice("a", 2), 1000);
  e.handle(Command::hello("b", "Bea", "b.png"), 1000);  // rename while seated
  e.handle(Command::join("c"), 1001);
  e.handle(Command::disconnect("d"), 1001);
  e.verify();
  return e;
}

// Everything that happens from `e` on under a fixed script, as an event log.
std::string continue_script(Engine& e) {
  std::vector<Event> out;
  e.handle(Command::choice("b", 3), 1500, out);
  e.handle(Command::face("c", 2), 1600, out);
  e.handle(Command::hello("d"), 1700, out);
  e.handle(Command::join("d"), 1701, out);
  e.tick(3000, out);
  e.handle(Command::leave("a"), 3500, out);
  e.tick(20'000, out);
  e.handle(Command::join("a"), 20'000, out);
  e.handle(Command::join("b"), 20'001, out);
  e.tick(40'000, out);
  e.verify();
  return rt::log_of(out);
}

}  // namespace

TEST_CASE("snapshot round trip: same snapshot, digest and future", "[snapshot]") {
  Engine e = scenario();
  const std::string snap = e.snapshot();
  const auto j = Json::parse(snap);
  CHECK(j["format"] == "roshambo-snapshot");
  CHECK(j["version"] == 1);
  bool pick_pending = false;
  for (const auto& t : j["timers"]) pick_pending = pick_pending || t["kind"] == "bot_pick";
  REQUIRE(pick_pending);  // the scenario covers a bot timer in flight

  Engine r = Engine::from_snapshot(snap);
  CHECK(r.snapshot() == snap);
  CHECK(r.digest() == e.digest());
  CHECK(r.next_deadline() == e.next_deadline());
  CHECK(r.now() == e.now());
  CHECK(r.player("b")->name == "Bea");
  CHECK(r.room(1)->members == e.room(1)->members);
  r.verify();

  Engine f = e;  // a copy is a fork too
  const std::string want = continue_script(e);
  CHECK(continue_script(r) == want);
  CHECK(continue_script(f) == want);
  CHECK(r.digest() == e.digest());
  CHECK(f.snapshot() == e.snapshot());
  CHECK(want.find("\"type\":\"result\"") != std::string::npos);

  // restore() into an existing engine replaces its state entirely.
  Engine other;
  other.handle(Command::hello("zz"), 99'999);
  other.restore(snap);
  CHECK(other.snapshot() == snap);
  CHECK(other.config() == Engine::from_snapshot(snap).config());
  CHECK_FALSE(other.player("zz"));
}

TEST_CASE("snapshots of fresh and emptied engines restore", "[snapshot]") {
  Engine fresh;
  CHECK(Engine::from_snapshot(fresh.snapshot()).snapshot() == fresh.snapshot());
  Engine e = scenario();
  e.tick(50'000);  // every room settles and closes
  Engine r = Engine::from_snapshot(e.snapshot());
  CHECK(r.digest() == e.digest());
  CHECK(r.player("a")->total_score == e.player("a")->total_score);
  CHECK(r.player("a")->win_streak == e.player("a")->win_streak);
  // The room counter carries on: the next room is not a reused id.
  r.handle(Command::join("a"), 50'000);
  CHECK(r.player("a")->room == 3u);
}

TEST_CASE("the digest sees every part of the state", "[snapshot]") {
  const Engine base = scenario();
  const auto d0 = base.digest();
  std::vector<std::function<void(Engine&)>> changes = {
      [](Engine& e) { e.tick(1002); },                                   // clock
      [](Engine& e) { e.handle(Command::choice("b", 1), 1001); },        // a choice
      [](Engine& e) { e.handle(Command::choice("a", 1), 1001); },        // a changed choice
      [](Engine& e) { e.handle(Command::hello("c", "Cee"), 1001); },     // a name
      [](Engine& e) { e.handle(Command::hello("new"), 1001); },          // a player
      [](Engine& e) { e.handle(Command::hello("d"), 1001); },            // online flag
      [](Engine& e) { e.handle(Command::leave("c"), 1001); },            // a room closes
      [](Engine& e) { e.handle(Command::leave("b"), 1001); },            // a member leaves
  };
  for (std::size_t i = 0; i < changes.size(); ++i) {
    Engine e = base;
    changes[i](e);
    INFO("change " << i);
    CHECK(e.digest() != d0);
  }
  // Digest depends on the state only: two routes to the same state agree.
  Engine x = base, y = base;
  x.handle(Command::choice("b", 1), 1001);
  x.handle(Command::choice("b", 3), 1001);
  y.handle(Command::choice("b", 3), 1001);
  CHECK(x.digest() == y.digest());
}

TEST_CASE("corrupted snapshots are rejected and change nothing", "[snapshot]") {
  const Engine source = scenario();
  const Json good = Json::parse(source.snapshot());

  // The engine we try to restore into: its own, different state must survive.
  Engine target;
  target.handle(Command::hello("keep"), 5);
  target.handle(Command::join("keep"), 6);
  const std::string target_snap = target.snapshot();
  const auto target_digest = target.digest();

  auto rejected = [&](const std::string& text, const char* what) {
    INFO("corruption: " << what);
    bool threw = false;
    try {
      target.restore(text);
    } catch (const SnapshotError& e) {
      threw = true;
      CHECK(std::string(e.what()).rfind("bad snapshot", 0) == 0);
    }
    CHECK(threw);
    CHECK_THROWS_AS(Engine::from_snapshot(text), SnapshotError);
    CHECK(target.digest() == target_digest);
    CHECK(target.snapshot() == target_snap);
  };
  auto mutated = [&](const std::function<void(Json&)>& f) {
    Json j = good;
    f(j);
    return j.dump();
  };
  // Sanity: the unmodified snapshot restores.
  CHECK_NOTHROW(Engine::from_snapshot(mutated([](Json&) {})));

  rejected("", "empty");
  rejected("{", "truncated");
  rejected("[]", "not an object");
  rejected(good.dump().substr(0, good.dump().size() / 2), "half");
  rejected(mutated([](Json& j) { j["format"] = "other"; }), "format");
  rejected(mutated([](Json& j) { j.erase("format"); }), "no format");
  rejected(mutated([](Json& j) { j["version"] = 2; }), "version");
  rejected(mutated([](Json& j) { j["config"]["capacity"] = 1; }), "bad config");
  rejected(mutated([](Json& j) { j["config"]["colour"] = 1; }), "unknown config field");
  rejected(mutated([](Json& j) { j["config"]["capacity"] = 2; }), "rooms bigger than capacity");
  rejected(mutated([](Json& j) { j.erase("config"); }), "no config");
  rejected(mutated([](Json& j) { j["now"] = -1; }), "negative now");
  rejected(mutated([](Json& j) { j["now"] = "1001"; }), "now as string");
  rejected(mutated([](Json& j) { j["now"] = 2001; }), "now past a due timer");
  rejected(mutated([](Json& j) { j["next_room"] = 0; }), "next_room 0");
  rejected(mutated([](Json& j) { j["next_room"] = 2; }), "room number beyond next_room");
  rejected(mutated([](Json& j) { j["next_bot"] = 0; }), "next_bot 0");
  rejected(mutated([](Json& j) { j["next_timer"] = 3; }), "timer seq beyond next_timer");
  rejected(mutated([](Json& j) { j["rooms_settled"] = -1; }), "negative counter");
  rejected(mutated([](Json& j) { j["players"] = Json::object(); }), "players not an array");
  rejected(mutated([](Json& j) { j["players"][0].erase("uid"); }), "player without uid");
  rejected(mutated([](Json& j) { j["players"][0]["uid"] = ""; }), "empty uid");
  rejected(mutated([](Json& j) { j["players"][1]["uid"] = "a"; }), "duplicate uid");
  rejected(mutated([](Json& j) { j["players"][3]["uid"] = "bot-7"; }), "reserved uid");
  rejected(mutated([](Json& j) { j["players"][3]["uid"] = std::string(65, 'x'); }), "uid too long");
  {
    // nlohmann will not dump invalid UTF-8: splice the raw byte in afterwards.
    std::string text = mutated([](Json& j) { j["players"][3]["uid"] = "UID-PLACEHOLDER"; });
    text.replace(text.find("UID-PLACEHOLDER"), 15, "\xff");
    rejected(text, "uid not UTF-8");
  }
  rejected(mutated([](Json& j) { j["players"][0]["name"] = std::string(65, 'n'); }), "name too long");
  rejected(mutated([](Json& j) { j["players"][0]["total"] = 1.5; }), "total not an integer");
  rejected(mutated([](Json& j) { j["players"][0]["streak"] = -1; }), "negative streak");
  rejected(mutated([](Json& j) { j["players"][0]["streak"] = 4294967296LL; }), "streak too big");
  rejected(mutated([](Json& j) { j["players"][0]["last"] = "maybe"; }), "unknown outcome");
  rejected(mutated([](Json& j) {
             j["players"][0]["last"] = "loss";
             j["players"][0]["streak"] = 2;
           }), "streak after a loss");
  rejected(mutated([](Json& j) {
             j["players"][0]["last"] = "draw";
             j["players"][0]["streak"] = 2;
           }), "streak after a draw under article");
  rejected(mutated([](Json& j) { j["players"][0]["online"] = 1; }), "online not a boolean");
  rejected(mutated([](Json& j) { j["players"][0]["online"] = false; }), "offline member");
  rejected(mutated([](Json& j) { j["players"].erase(2); }), "member not a player");
  rejected(mutated([](Json& j) { j["rooms"][0]["number"] = 0; }), "room number 0");
  rejected(mutated([](Json& j) { j["rooms"][1]["number"] = 1; }), "duplicate room");
  rejected(mutated([](Json& j) { std::swap(j["rooms"][0], j["rooms"][1]); }), "rooms out of order");
  rejected(mutated([](Json& j) { j["rooms"][0]["phase"] = "closed"; }), "unknown phase");
  rejected(mutated([](Json& j) { j["rooms"][0]["phase"] = "waiting"; }), "full room waiting");
  rejected(mutated([](Json& j) { j["rooms"][1]["phase"] = "playing"; }), "playing room without deadline");
  rejected(mutated([](Json& j) { j["rooms"][1]["members"] = Json::array(); }), "empty room");
  rejected(mutated([](Json& j) { j["rooms"][1]["members"][0]["choice"] = 2; }), "choice before start");
  rejected(mutated([](Json& j) { j["rooms"][0]["members"][0]["choice"] = 4; }), "choice code 4");
  rejected(mutated([](Json& j) { j["rooms"][1]["members"].push_back(j["rooms"][0]["members"][0]); }),
           "player in two rooms");
  rejected(mutated([](Json& j) { j["rooms"][0]["members"].push_back(j["rooms"][0]["members"][0]); }),
           "player twice in a room");
  rejected(mutated([](Json& j) {
             j["rooms"][1]["members"].push_back(j["rooms"][0]["members"][2]);
             j["rooms"][0]["members"].erase(2);
           }), "bot in a waiting room");
  rejected(mutated([](Json& j) { j["rooms"][0]["members"][2]["uid"] = "robot"; }), "bot without prefix");
  // A bot uid at or beyond next_bot would be minted again by a later fill.
  auto rename_bot = [](const char* uid) {
    return [uid](Json& j) {
      j["rooms"][0]["members"][2]["uid"] = uid;
      j["rooms"][0]["members"][2]["name"] = uid;
      j["timers"][1]["uid"] = uid;
    };
  };
  CHECK_NOTHROW(Engine::from_snapshot(mutated(rename_bot("bot-1"))));
  rejected(mutated(rename_bot("bot-2")), "bot uid not below next_bot");
  rejected(mutated(rename_bot("bot-01")), "bot uid with a leading zero");
  rejected(mutated(rename_bot("bot-x")), "bot uid not numbered");
  rejected(mutated(rename_bot("bot-")), "bot uid without a number");
  rejected(mutated([](Json& j) { j["rooms"][0]["members"][2]["name"] = "Evil"; }), "bot renamed");
  rejected(mutated([](Json& j) {
             j["rooms"][0]["members"].erase(1);
             j["rooms"][0]["members"].erase(0);
           }), "room without humans");
  rejected(mutated([](Json& j) { j["rooms"][1]["opened"] = 5000; }), "opened in the future");
  rejected(mutated([](Json& j) { j["timers"][0]["kind"] = "alarm"; }), "unknown timer kind");
  rejected(mutated([](Json& j) { j["timers"][0]["due"] = 1001; }), "timer due now");
  rejected(mutated([](Json& j) { j["timers"][0]["due"] = 2002; }), "bot fill at the wrong time");
  rejected(mutated([](Json& j) { j["timers"][2]["due"] = 4001; }), "deadline at the wrong time");
  rejected(mutated([](Json& j) { std::swap(j["timers"][0], j["timers"][2]); }), "timers out of order");
  rejected(mutated([](Json& j) { j["timers"][0]["room"] = 9; }), "timer for no room");
  rejected(mutated([](Json& j) { j["timers"][0]["room"] = 1; }), "bot fill on a playing room");
  rejected(mutated([](Json& j) { j["timers"][2]["room"] = 2; }), "deadline on a waiting room");
  rejected(mutated([](Json& j) { j["timers"].erase(2); }), "playing room without its deadline");
  rejected(mutated([](Json& j) { j["timers"].push_back(j["timers"][2]); }), "duplicate timer");
  rejected(mutated([](Json& j) { j["timers"][1]["uid"] = "bot-9"; }), "bot pick for an unknown bot");
  rejected(mutated([](Json& j) { j["timers"][1]["seat"] = 3; }), "bot pick seat out of range");
  rejected(mutated([](Json& j) { j["timers"] = nullptr; }), "timers null");
  rejected(mutated([](Json& j) {
             j["rooms"][0]["deadline"] = 9000;
             j["timers"][2]["due"] = 9000;
             j["timers"][1]["due"] = 6500;  // the bot's pick inside that countdown
           }), "deadline more than one game_time ahead");
  rejected(mutated([](Json& j) {
             j["timers"][1]["due"] = 4000;  // after the deadline (same due, later seq)
             std::swap(j["timers"][1], j["timers"][2]);
           }), "bot pick at the deadline");
  // A timer dropped or a bot's pick forged: states no play can reach.
  rejected(mutated([](Json& j) { j["timers"].erase(0); }), "waiting room without its bot fill");
  rejected(mutated([](Json& j) { j["timers"].erase(1); }), "bot that will never pick");
  rejected(mutated([](Json& j) { j["rooms"][0]["members"][2]["choice"] = 2; }), "bot picked twice");
}

TEST_CASE("random byte damage never crashes restore or breaks invariants", "[snapshot]") {
  const std::string good = scenario().snapshot();
  rt::Rand r(2024);
  Engine target;
  const auto digest = target.digest();
  int accepted = 0;
  for (int i = 0; i < 2000; ++i) {
    std::string s = good;
    const int edits = 1 + static_cast<int>(r.below(3));
    for (int k = 0; k < edits && !s.empty(); ++k) {
      const auto pos = r.below(s.size());
      switch (r.below(4)) {
        case 0: s[pos] = static_cast<char>(r.below(256)); break;
        case 1: s.erase(pos, 1 + r.below(8)); break;
        case 2: s.insert(pos, 1, "0123456789\",:{}[]-"[r.below(18)]); break;
        default: s.resize(pos); break;
      }
    }
    try {
      Engine e = Engine::from_snapshot(s);
      ++accepted;
      e.verify();  // whatever was accepted is a consistent state
      std::vector<Event> out;
      e.tick(e.now() + 100'000, out);
      e.verify();
    } catch (const SnapshotError&) {
      CHECK_THROWS_AS(target.restore(s), SnapshotError);
      CHECK(target.digest() == digest);
    }
  }
  CHECK(accepted < 2000);
}
