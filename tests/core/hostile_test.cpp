// Hostile input (docs/SECURITY.md): players who send what they should not,
// races, floods, time jumps, oversized input and the configured limits. Every case
// checks that a refusal is one `error` event to the sender and changes nothing.

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "roshambo_test.hpp"

#ifdef ROSHAMBO_CLI_PATH
#include <fstream>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#endif

using namespace rt;

namespace {

/// Apply a command that must be refused: exactly one error event, to `from` (or to
/// nobody), with `code`, and the state digest unchanged.
void expect_refused(Engine& e, const Command& c, Time at, ErrorCode code) {
  e.tick(at);  // timers due by `at` fire first; the refusal itself must change nothing
  const std::uint64_t before = e.digest();
  std::vector<Event> out;
  const auto got = e.handle(c, at, out);
  REQUIRE(got.has_value());
  CHECK(*got == code);
  REQUIRE(out.size() == 1);
  CHECK(out[0].type() == EventType::Error);
  CHECK(data<ErrorData>(out[0]).code == code);
  const auto to = recipients(out[0]);
  CHECK((to.empty() || to == std::vector<std::string>{c.from}));
  CHECK(e.digest() == before);
  e.verify();
}

Config no_bots(std::uint32_t capacity = 2) {
  Config c;
  c.capacity = capacity;
  c.bot_fill_after_ms = 0;
  return c;
}

}  // namespace

TEST_CASE("hostile: choice and face from a non-member are refused and change nothing") {
  Driver d(no_bots(2));
  d.seat({"a", "b"}, 0);  // room-1 plays
  d.cmd(Command::hello("outsider"), 1);
  d.cmd(Command::choice("a", 2), 2);

  // Online, but in no room.
  expect_refused(d.engine, Command::choice("outsider", 1), 3, ErrorCode::NotInRoom);
  expect_refused(d.engine, Command::face("outsider", 1), 3, ErrorCode::NotInRoom);
  // Never said hello / said hello and left / an engine bot's uid.
  expect_refused(d.engine, Command::choice("ghost", 1), 4, ErrorCode::UnknownPlayer);
  expect_refused(d.engine, Command::face("ghost", 2), 4, ErrorCode::UnknownPlayer);
  expect_refused(d.engine, Command::choice("bot-1", 1), 4, ErrorCode::UnknownPlayer);
  d.cmd(Command::hello("gone"), 5);
  d.cmd(Command::disconnect("gone"), 5);
  expect_refused(d.engine, Command::choice("gone", 3), 6, ErrorCode::UnknownPlayer);

  // A member who left the playing room can no longer touch it.
  Driver r(no_bots(3));
  r.seat({"x", "y", "z"}, 0);
  r.cmd(Command::choice("x", 2), 1);
  r.cmd(Command::leave("x"), 2);
  expect_refused(r.engine, Command::choice("x", 1), 3, ErrorCode::NotInRoom);
  expect_refused(r.engine, Command::face("x", 1), 3, ErrorCode::NotInRoom);
  r.cmd(Command::choice("y", 1), 4);
  r.tick(10'000);
  const auto results = of_type(r.last, EventType::Result);
  REQUIRE(results.size() == 1);
  const auto& rows = data<ResultData>(results[0]).rows;
  REQUIRE(rows.size() == 2);  // x takes no part in the settlement
  CHECK(rows[0].who->uid() == "y");
  CHECK(rows[1].who->uid() == "z");
  CHECK(r.engine.player("x")->total_score == 0);

  // The outsider's attempts did not move room-1's settlement: a (rock) beats b (none).
  d.tick(10'000);
  CHECK(d.engine.player("a")->total_score == 1);
  CHECK(d.engine.player("outsider")->total_score == 0);
}

TEST_CASE("hostile: two joins race for the last seat in the same millisecond") {
  Driver d(no_bots(3));
  d.seat({"p1", "p2"}, 100);
  d.cmd(Command::hello("fast"), 100);
  d.cmd(Command::hello("slow"), 100);

  // Same `now`: command order decides. The first fills and starts room-1.
  REQUIRE_FALSE(d.cmd(Command::join("fast"), 500).has_value());
  CHECK(types(d.last) == std::vector<std::string>{"room", "start"});
  REQUIRE_FALSE(d.cmd(Command::join("slow"), 500).has_value());
  CHECK(types(d.last) == std::vector<std::string>{"room"});
  CHECK(data<RoomData>(d.last[0]).room == 2);

  const auto room1 = d.engine.room(1);
  REQUIRE(room1);
  CHECK(room1->members == std::vector<std::string>{"p1", "p2", "fast"});
  CHECK(room1->phase == Phase::Playing);
  CHECK(d.engine.player("slow")->room == std::optional<std::uint64_t>(2));
  d.engine.verify();

  // With no room left to open, the loser of the race is refused and nothing changes.
  Config limited = no_bots(3);
  limited.max_rooms = 1;
  Driver l(limited);
  l.seat({"p1", "p2"}, 100);
  l.cmd(Command::hello("fast"), 100);
  l.cmd(Command::hello("slow"), 100);
  REQUIRE_FALSE(l.cmd(Command::join("fast"), 500).has_value());
  expect_refused(l.engine, Command::join("slow"), 500, ErrorCode::CapacityExceeded);
  CHECK_FALSE(l.engine.player("slow")->room.has_value());
  CHECK(l.engine.stats().rooms == 1);
}

TEST_CASE("hostile: a flood of choice changes costs O(1) each and the last one counts") {
  Driver flood(no_bots(2));
  Driver calm(no_bots(2));
  for (Driver* d : {&flood, &calm}) d->seat({"a", "b"}, 0);
  const auto timers = flood.engine.stats().timers;

  std::vector<Event> out;
  std::size_t movements = 0;
  for (int i = 0; i < 200'000; ++i) {
    out.clear();
    // Half of them in the same millisecond, then one per millisecond.
    const Time at = i < 100'000 ? 1 : 1 + (i - 100'000) / 1'000;
    REQUIRE_FALSE(flood.engine.handle(Command::choice("a", 1 + i % 3), at, out).has_value());
    REQUIRE(out.size() == 1);
    const auto& mv = data<MovementData>(out[0]);
    CHECK(mv.face == 0);  // a movement never reveals the choice
    CHECK(recipients(out[0]) == std::vector<std::string>{"b"});
    ++movements;
  }
  const Time last_at = 1 + (200'000 - 1 - 100'000) / 1'000;
  const std::int64_t last_choice = 1 + (200'000 - 1) % 3;
  CHECK(movements == 200'000);
  // Nothing accumulates: no timers, no extra state beyond the one choice.
  CHECK(flood.engine.stats().timers == timers);
  flood.engine.verify();

  calm.cmd(Command::choice("a", last_choice), last_at);
  CHECK(flood.engine.digest() == calm.engine.digest());
  flood.tick(3'000);
  calm.tick(3'000);
  const auto rf = of_type(flood.last, EventType::Result);
  REQUIRE(rf.size() == 1);
  CHECK(data<ResultData>(rf[0]).rows[0].choice == static_cast<Choice>(last_choice));
  CHECK(log_of(flood.last) == log_of(calm.last));
}

TEST_CASE("hostile: a huge jump in now fires every due timer at once, in order") {
  Config c;
  c.capacity = 2;
  c.bot_fill_after_ms = 1'000;
  c.game_time_ms = 3'000;
  c.seed = 7;
  Engine jump(c), steady(c);
  constexpr int kRooms = 2'000;
  // A room starts every millisecond (each with its deadline pending), then one last
  // player waits for a bot (a fill, a bot pick and a deadline pending).
  for (Engine* e : {&jump, &steady}) {
    for (int r = 0; r < kRooms; ++r) {
      for (const std::string& u : {"a" + std::to_string(r), "b" + std::to_string(r)}) {
        e->handle(Command::hello(u), r);
        e->handle(Command::join(u), r);
      }
    }
    e->handle(Command::hello("solo"), kRooms);
    e->handle(Command::join("solo"), kRooms);
  }
  REQUIRE(jump.stats().rooms == kRooms + 1);
  REQUIRE(jump.stats().timers == kRooms + 1);

  // One tick a year later fires them all.
  constexpr Time kYear = 365LL * 24 * 3600 * 1000;
  const auto events = jump.tick(kYear);
  jump.verify();
  CHECK(jump.stats().rooms == 0);
  CHECK(jump.stats().bots == 0);
  CHECK(jump.stats().timers == 0);
  CHECK(jump.stats().rooms_settled == kRooms + 1);
  CHECK(count_type(events, EventType::Result) == kRooms + 1);
  CHECK(count_type(events, EventType::Start) == 1);     // the bot-filled room
  CHECK(count_type(events, EventType::Movement) == 1);  // its bot's pick
  // Events carry their timer's time, never the jump's, and never go back.
  Time prev = 0;
  for (const Event& e : events) {
    CHECK(e.at >= prev);
    CHECK(e.at <= kRooms + 1'000 + 3'000);
    prev = e.at;
  }
  // The same bytes as a host that ticked every millisecond.
  std::vector<Event> stepped;
  for (Time t = kRooms; t <= kRooms + 4'001; ++t) steady.tick(t, stepped);
  steady.tick(kYear, stepped);
  CHECK(log_of(stepped) == log_of(events));
  CHECK(steady.digest() == jump.digest());

  // The end of time is reachable; beyond it and back in time are refused.
  std::vector<Event> out;
  REQUIRE_FALSE(jump.tick(kMaxTime, out).has_value());
  CHECK(jump.tick(kMaxTime + 1, out) == std::optional<ErrorCode>(ErrorCode::InvalidField));
  CHECK(jump.tick(kMaxTime - 1, out) == std::optional<ErrorCode>(ErrorCode::TimeWentBackwards));
  CHECK(jump.now() == kMaxTime);
  expect_refused(jump, Command::hello("late"), kMaxTime + 1, ErrorCode::InvalidField);
  jump.verify();
}

TEST_CASE("hostile: under requeue a jump plays exactly the rounds that fit in it") {
  Config c = no_bots(2);
  c.requeue = true;
  c.game_time_ms = 1'000;
  Driver jump(c), steady(c);
  for (Driver* d : {&jump, &steady}) d->seat({"a", "b"}, 0);
  jump.tick(100'000);
  for (Time t = 1; t <= 100'000; t += 7) steady.tick(t);
  steady.tick(100'000);
  CHECK(jump.engine.stats().rooms_settled == 100);  // deadlines at 1000, 2000, ..., 100000
  CHECK(jump.log == steady.log);
  CHECK(jump.engine.digest() == steady.engine.digest());
  jump.engine.verify();
}

namespace {

/// A lobby with a timer of every kind pending: playing rooms (deadlines) where one
/// member dropped within the grace (grace timers), and a room waiting for bots (a
/// fill, then bot picks).
Engine timer_zoo(int rooms, bool requeue) {
  Config c;
  c.capacity = 2;
  c.bot_fill_after_ms = 1'000;
  c.game_time_ms = 3'000;
  c.reconnect_grace_ms = 2'000;  // runs out before the deadline: the dropped member leaves
  c.requeue = requeue;
  c.seed = 11;
  Engine e(c);
  // Ten rooms a millisecond, so nothing is due before the setup ends.
  for (int r = 0; r < rooms; ++r) {
    const std::string a = "a" + std::to_string(r), b = "b" + std::to_string(r);
    for (const std::string& u : {a, b}) {
      e.handle(Command::hello(u), r / 10);
      e.handle(Command::join(u), r / 10);
    }
    e.handle(Command::choice(a, 1 + r % 3), r / 10);
    e.handle(Command::disconnect(b), r / 10);
  }
  e.handle(Command::hello("solo"), rooms / 10);
  e.handle(Command::join("solo"), rooms / 10);
  return e;
}

}  // namespace

TEST_CASE("hostile: a huge jump streams to a sink in whole moments, the same bytes as at once") {
  constexpr int kRooms = 3'000;
  Engine at_once = timer_zoo(kRooms, false), streamed = timer_zoo(kRooms, false);
  REQUIRE(at_once.stats().timers >= 2 * kRooms + 1);  // deadline + grace per room, one fill
  constexpr Time kYear = 365LL * 24 * 3600 * 1000;
  const auto all = at_once.tick(kYear);

  std::vector<std::vector<Event>> chunks;
  std::vector<Event> out;
  REQUIRE_FALSE(streamed.tick(kYear, out, [&](std::vector<Event>& c) { chunks.push_back(c); }));
  REQUIRE(chunks.size() >= 3);
  std::vector<Event> joined;
  for (const auto& c : chunks) {
    // Handed over as soon as a moment completes past the chunk size: never split.
    CHECK(c.size() >= Engine::kEventChunk);
    CHECK(c.size() < Engine::kEventChunk + 16);
    if (!joined.empty()) CHECK(joined.back().at < c.front().at);
    joined.insert(joined.end(), c.begin(), c.end());
  }
  CHECK(out.size() < Engine::kEventChunk);  // the rest is returned as usual
  joined.insert(joined.end(), out.begin(), out.end());
  CHECK(log_of(joined) == log_of(all));
  CHECK(streamed.digest() == at_once.digest());
  CHECK(count_type(all, EventType::Result) == kRooms + 1);
  CHECK(count_type(all, EventType::Leave) == kRooms);  // every grace ran out
  streamed.verify();

  // Streaming works the same through handle() and reject(), which fire timers first.
  Engine h = timer_zoo(kRooms, false), r = timer_zoo(kRooms, false);
  std::vector<Event> hs, rs, ho, ro;
  auto keep = [](std::vector<Event>& into) {
    return [&into](std::vector<Event>& c) { into.insert(into.end(), c.begin(), c.end()); };
  };
  h.handle(Command::hello("late"), kYear, ho, keep(hs));
  r.reject("late", kYear, ErrorCode::Malformed, "bad line", ro, keep(rs));
  hs.insert(hs.end(), ho.begin(), ho.end());
  rs.insert(rs.end(), ro.begin(), ro.end());
  REQUIRE(hs.size() == all.size() + 1);
  REQUIRE(rs.size() == all.size() + 1);
  CHECK(log_of(std::vector<Event>(hs.begin(), hs.end() - 1)) == log_of(all));
  CHECK(log_of(std::vector<Event>(rs.begin(), rs.end() - 1)) == log_of(all));
}

TEST_CASE("hostile: an endless jump under requeue streams, and a sink that throws stops it cleanly") {
  // With requeue and bots, play never stops: a jump to the end of time is ~2^60 rounds.
  // A host's sink can stop it by throwing; the engine is then exactly as after a
  // tick to the last moment handed over.
  Engine jump = timer_zoo(50, true);
  std::vector<Event> seen, out;
  std::size_t chunks = 0;
  struct Enough {};
  auto sink = [&](std::vector<Event>& c) {
    seen.insert(seen.end(), c.begin(), c.end());
    if (++chunks == 40) throw Enough{};
  };
  CHECK_THROWS_AS(jump.tick(kMaxTime, out, sink), Enough);
  REQUIRE(chunks == 40);
  jump.verify();
  CHECK(jump.now() == seen.back().at);
  CHECK(jump.next_deadline() > std::optional<Time>(jump.now()));
  // The same state and events as a tick straight to that moment.
  Engine steady = timer_zoo(50, true);
  const auto expected = steady.tick(jump.now());
  CHECK(log_of(seen) == log_of(expected));
  CHECK(jump.digest() == steady.digest());
  const Engine restored = Engine::from_snapshot(jump.snapshot());
  CHECK(restored.digest() == jump.digest());
  // ... and it goes on from there like an engine that was never interrupted.
  const Time next = jump.now() + 10'000;
  CHECK(log_of(jump.tick(next)) == log_of(steady.tick(next)));
}

TEST_CASE("hostile: a replayed line that jumps far flushes its text as it goes") {
  Engine whole = timer_zoo(3'000, false), streamed = timer_zoo(3'000, false);
  Replayer rw(whole), rs(streamed);
  const std::string line = encode_tick_line(1'000'000);
  std::string expected, out, written;
  rw.feed(line, expected);
  std::size_t flushes = 0;
  rs.feed(line, out, [&](std::string& text) {
    CHECK(text.size() >= Replayer::kFlushBytes);
    written += text;
    ++flushes;
  });
  CHECK(flushes >= 2);
  CHECK(out.size() < Replayer::kFlushBytes);
  CHECK(written + out == expected);
}

TEST_CASE("hostile: oversized lines and fields are refused before they cost anything") {
  Config cfg;
  cfg.max_command_bytes = 256;
  cfg.max_uid_bytes = 8;
  cfg.max_name_bytes = 4;
  cfg.max_avatar_bytes = 6;

  SECTION("a line over max_command_bytes is refused by length, not parsed") {
    // Not JSON at all: a parser would say malformed; the length check comes first.
    const std::string junk(257, '{');
    const auto r = decode_command_line(junk, cfg);
    REQUIRE(std::holds_alternative<DecodeError>(r));
    CHECK(std::get<DecodeError>(r).code == ErrorCode::CapacityExceeded);
    // One byte shorter is parsed (and is malformed).
    const auto ok = decode_command_line(junk.substr(1), cfg);
    REQUIRE(std::holds_alternative<DecodeError>(ok));
    CHECK(std::get<DecodeError>(ok).code == ErrorCode::Malformed);

    // Through a replay: one error event, the replay goes on.
    Engine e(cfg);
    Replayer rp(e);
    std::string out;
    rp.feed(junk, out);
    rp.feed(encode_command_line(Command::hello("ann"), 5), out);
    const auto lines = Json::parse("[" + out.substr(0, out.find('\n')) + "]");
    CHECK(lines[0]["data"]["code"] == "capacity_exceeded");
    CHECK(out.find("\"type\":\"hi\"") != std::string::npos);
    e.verify();
  }

  SECTION("deep nesting within the limit is refused cleanly") {
    Config big;  // 64 KiB lines: 30000 levels of nesting
    std::string line = R"({"at":1,"from":"a","type":"hello","data":{"user":)";
    line += std::string(30'000, '[') + std::string(30'000, ']') + "}}";
    const auto r = decode_command_line(line, big);
    REQUIRE(std::holds_alternative<DecodeError>(r));
    CHECK(std::get<DecodeError>(r).code == ErrorCode::InvalidField);
  }

  SECTION("uid, name and avatar over their limits") {
    Engine e(cfg);
    expect_refused(e, Command::hello("123456789"), 1, ErrorCode::InvalidField);
    expect_refused(e, Command::hello("u", "names"), 1, ErrorCode::InvalidField);
    expect_refused(e, Command::hello("u", "n", "avatar7"), 1, ErrorCode::InvalidField);
    expect_refused(e, Command::hello("", "n"), 1, ErrorCode::InvalidField);
    expect_refused(e, Command::join(std::string(100'000, 'x')), 1, ErrorCode::InvalidField);
    expect_refused(e, Command::hello("\xc3\x28"), 1, ErrorCode::InvalidField);  // not UTF-8
    // At the limits exactly: accepted.
    std::vector<Event> out;
    CHECK_FALSE(e.handle(Command::hello("12345678", "four", "avatar"), 2, out).has_value());
    e.verify();
    // The rules' own limits (docs/RULES.md §2) hold with the default config (64 / 64 / 256 bytes).
    Engine d;
    expect_refused(d, Command::hello(std::string(65, 'u')), 1, ErrorCode::InvalidField);
    expect_refused(d, Command::hello("u", std::string(65, 'n')), 1, ErrorCode::InvalidField);
    expect_refused(d, Command::hello("u", "", std::string(257, 'a')), 1, ErrorCode::InvalidField);
  }

  SECTION("an oversized line's uid still reaches no one it should not") {
    // A bad line names a uid that is too long: the error goes to nobody rather than
    // to a recipient the engine could never have registered.
    Engine e(cfg);
    std::vector<Event> out;
    e.reject(std::string(9, 'x'), 1, ErrorCode::CapacityExceeded, "too long", out);
    REQUIRE(out.size() == 1);
    CHECK(recipients(out[0]).empty());
    CHECK(event_to_json(out[0]).find("\"to\":[]") != std::string::npos);
  }
}

TEST_CASE("hostile: a line cut to line_prefix_bytes() is judged as the whole line") {
  // A reader (the CLI) keeps only a prefix of a long line. Whatever the line ends with
  // (a '\r' that the replay strips, blanks), the prefix must get the whole line's answer.
  Config cfg;
  cfg.max_command_bytes = 128;
  const std::string hello = encode_command_line(Command::hello("a"), 1);
  std::size_t cases = 0;
  for (std::size_t len = 120; len <= 136; ++len) {
    // A valid hello padded with blanks inside the object, and a blank line.
    std::string padded = hello;
    padded.insert(padded.size() - 1, len > hello.size() ? len - hello.size() : 0, ' ');
    for (const std::string& body : {padded, std::string(len, ' ')}) {
      for (const char* tail : {"", "\r", "\r\r", " \r", "\t", "x", "\rjunk", "\r\r\r\r"}) {
        const std::string line = body + tail;
        Engine whole(cfg), cut(cfg);
        Replayer rw(whole), rc(cut);
        REQUIRE(rc.line_prefix_bytes() == 130);
        std::string out_whole, out_cut;
        rw.feed(line, out_whole);
        rc.feed(std::string_view(line).substr(0, rc.line_prefix_bytes()), out_cut);
        INFO("length " << len << ", tail " << Json(tail).dump());
        CHECK(out_cut == out_whole);
        CHECK(rc.lines() == rw.lines());
        ++cases;
      }
    }
  }
  CHECK(cases == 17 * 2 * 8);
  // A '\r' must not smuggle an oversized line under the limit: exactly at the limit,
  // then '\r', then more is refused by length.
  Engine e(cfg);
  Replayer r(e);
  std::string out;
  std::string at_limit = hello;
  at_limit.insert(at_limit.size() - 1, 128 - hello.size(), ' ');
  r.feed(at_limit + "\r" + std::string(1000, 'z'), out);
  CHECK(Json::parse(out)["data"]["code"] == "capacity_exceeded");
  out.clear();
  r.feed(at_limit + "\r", out);  // a CRLF ending does not count
  CHECK(Json::parse(out)["type"] == "hi");
}

TEST_CASE("hostile: a snapshot nested a million levels deep is rejected, not a crash") {
  std::string snap = R"({"format":"roshambo-snapshot","version":1,"config":)";
  snap += std::string(1'000'000, '[') + std::string(1'000'000, ']') + "}";
  Engine e;
  e.handle(Command::hello("keep"), 1);
  const auto before = e.digest();
  CHECK_THROWS_AS(Engine::from_snapshot(snap), SnapshotError);
  CHECK_THROWS_AS(e.restore(snap), SnapshotError);
  CHECK(e.digest() == before);
  std::string cfg = R"({"seed":)" + std::string(1'000'000, '[') + std::string(1'000'000, ']') + "}";
  CHECK_THROWS_AS(Config::from_json(cfg), ConfigError);
}

TEST_CASE("hostile: timers of closed rooms do not pile up while a live one waits") {
  // Two players play a day-long game; a third joins (opening a room with a day-long
  // bot fill) and leaves (closing it) again and again. Each closed room's fill timer is
  // cancelled but queued behind the live deadline: it must not outlive its room.
  Config c;
  c.bot_fill_after_ms = 86'400'000;
  c.game_time_ms = 86'400'000;
  c.max_players = 3;
  c.max_rooms = 2;
  Driver d(c);
  d.seat({"a", "b"}, 0);
  d.cmd(Command::hello("c"), 0);
  Engine twin = d.engine;  // the same lobby, without the churn
  std::vector<Event> out;
  std::uint64_t most = 0;
  for (int i = 0; i < 200'000; ++i) {
    out.clear();
    REQUIRE_FALSE(d.engine.handle(Command::join("c"), 1 + i / 100, out));
    REQUIRE_FALSE(d.engine.handle(Command::leave("c"), 1 + i / 100, out));
    most = std::max(most, d.engine.stats().timers);
  }
  CHECK(most <= 64);  // it used to grow by one a pair: 200001 here
  CHECK(d.engine.stats().rooms == 1);
  d.engine.verify();
  // The sweeps changed no outcome: the game settles as in the lobby without the churn,
  // and the timers left fire in the order a freshly restored engine fires them.
  Engine restored = Engine::from_snapshot(d.engine.snapshot());
  const auto r1 = d.engine.tick(86'400'000), r2 = restored.tick(86'400'000);
  CHECK(log_of(r1) == log_of(r2));
  CHECK(log_of(of_type(r1, EventType::Result)) == log_of(of_type(twin.tick(86'400'000), EventType::Result)));
  CHECK(d.engine.stats().timers == 0);
}

TEST_CASE("hostile: sweeping cancelled timers keeps the firing order") {
  // Many rooms with pending fills, deadlines, bot picks and graces, half of them
  // cancelled in random order while sweeps run; the engine must fire exactly as a copy
  // restored from its snapshot (whose queue holds live timers only) at every step.
  Config c;
  c.capacity = 3;
  c.bot_fill_after_ms = 700;
  c.game_time_ms = 1'000;
  c.reconnect_grace_ms = 400;
  c.seed = 5;
  Engine e(c);
  Rand rnd(9);
  std::vector<Event> out;
  Time t = 0;
  for (int step = 0; step < 20'000; ++step) {
    const std::string u = "u" + std::to_string(rnd.below(300));
    t += static_cast<Time>(rnd.below(3));
    out.clear();
    switch (rnd.below(5)) {
      case 0: e.handle(Command::hello(u), t, out); break;
      case 1: case 2: e.handle(Command::join(u), t, out); break;
      case 3: e.handle(Command::leave(u), t, out); break;
      default: e.handle(Command::disconnect(u), t, out); break;
    }
    if (step % 2'000 == 1'999) {
      Engine copy = Engine::from_snapshot(e.snapshot());
      const Time until = t + 2'000;
      CHECK(log_of(e.tick(until)) == log_of(copy.tick(until)));
      CHECK(e.digest() == copy.digest());
      t = until;
    }
  }
  e.verify();
}

TEST_CASE("hostile: max_players caps registrations, not returning players") {
  Config c = no_bots(2);
  c.max_players = 3;
  Engine e(c);
  std::vector<Event> out;
  for (const char* u : {"a", "b", "c"}) REQUIRE_FALSE(e.handle(Command::hello(u), 1, out).has_value());
  expect_refused(e, Command::hello("d"), 2, ErrorCode::CapacityExceeded);
  CHECK_FALSE(e.player("d").has_value());
  // Players are never forgotten: a disconnect does not free a registration...
  REQUIRE_FALSE(e.handle(Command::disconnect("c"), 3, out).has_value());
  expect_refused(e, Command::hello("d"), 4, ErrorCode::CapacityExceeded);
  // ...and a registered player always comes back, renamed or not.
  out.clear();
  REQUIRE_FALSE(e.handle(Command::hello("c", "back"), 5, out).has_value());
  CHECK(data<HiData>(out[0]).nearby == 3);
  CHECK(e.stats().players == 3);
  e.verify();
}

TEST_CASE("hostile: max_rooms caps open rooms until one closes") {
  Config c = no_bots(2);
  c.max_rooms = 2;
  c.game_time_ms = 1'000;
  Driver d(c);
  d.seat({"a", "b", "c"}, 0);  // room-1 plays (a, b), room-2 waits (c)
  d.cmd(Command::hello("x"), 0);
  d.cmd(Command::join("x"), 0);  // fills room-2
  d.cmd(Command::hello("y"), 0);
  CHECK(d.engine.stats().rooms == 2);
  expect_refused(d.engine, Command::join("y"), 10, ErrorCode::CapacityExceeded);
  CHECK(d.engine.stats().rooms == 2);
  // The rooms settle at 1000: a seat opens again.
  REQUIRE_FALSE(d.cmd(Command::join("y"), 1'000).has_value());
  CHECK(d.engine.stats().rooms == 1);
  d.engine.verify();

  // With requeue, the settled players take the freed room at once; a player outside
  // still finds no room while it plays.
  Config rq = no_bots(2);
  rq.max_rooms = 1;
  rq.requeue = true;
  rq.game_time_ms = 1'000;
  Driver r(rq);
  r.seat({"a", "b"}, 0);  // room-1 plays
  r.cmd(Command::hello("c"), 0);
  r.tick(1'000);  // settles; a requeues into room-2, b joins it and it starts
  CHECK(types(r.last) == std::vector<std::string>{"result", "room", "room", "start"});
  r.cmd(Command::join("c"), 1'001);
  REQUIRE(r.last.size() == 1);
  CHECK(data<ErrorData>(r.last[0]).code == ErrorCode::CapacityExceeded);
  r.engine.verify();
}

TEST_CASE("regression: a snapshot restores when bot uids and names exceed player limits") {
  // Found by fuzz_commands: bots are named "bot-N" whatever max_uid_bytes and
  // max_name_bytes say, and restore used to hold them to the player limits.
  Config c;
  c.capacity = 3;
  c.bot_fill_after_ms = 10;
  c.max_uid_bytes = 1;
  c.max_name_bytes = 0;
  Engine e(c);
  e.handle(Command::hello("a"), 0);
  e.handle(Command::join("a"), 0);
  e.tick(10);
  REQUIRE(e.stats().bots == 2);
  const Engine back = Engine::from_snapshot(e.snapshot());
  CHECK(back.digest() == e.digest());
  CHECK(back.snapshot() == e.snapshot());
  back.verify();
}

TEST_CASE("regression: an unknown config field with a NUL in its name is named whole") {
  // Found by fuzz_config: what() is a C string, so a raw NUL cut the field name short.
  const std::string text("{\"s7\\u0000x\":1}");
  try {
    Config::from_json(text);
    FAIL("accepted an unknown field");
  } catch (const ConfigError& e) {
    CHECK(e.field() == "s7\\u0000x");
    CHECK(std::string(e.what()).find("'s7\\u0000x'") != std::string::npos);
  }
}

#ifdef ROSHAMBO_CLI_PATH
TEST_CASE("hostile: the CLI refuses an endless line without holding it in memory") {
  // 256 MiB in one line, streamed through a pipe; then a good line. The replay must
  // answer capacity_exceeded for the first and go on, with a peak RSS far below it.
  int in[2], out[2];
  REQUIRE(pipe(in) == 0);
  REQUIRE(pipe(out) == 0);
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    dup2(in[0], 0);
    dup2(out[1], 1);
    close(in[0]);
    close(in[1]);
    close(out[0]);
    close(out[1]);
    execl(ROSHAMBO_CLI_PATH, ROSHAMBO_CLI_PATH, "replay", static_cast<char*>(nullptr));
    _exit(127);
  }
  close(in[0]);
  close(out[1]);
  signal(SIGPIPE, SIG_IGN);
  const std::string head = R"({"at":1,"from":"a","type":"hello","data":{"user":{"uid":"a","uname":")";
  std::string chunk(1 << 20, 'x');
  bool wrote = write(in[1], head.data(), head.size()) == static_cast<ssize_t>(head.size());
  for (int i = 0; i < 256 && wrote; ++i) {
    std::size_t off = 0;
    while (off < chunk.size()) {
      const ssize_t n = write(in[1], chunk.data() + off, chunk.size() - off);
      if (n <= 0) {
        wrote = false;
        break;
      }
      off += static_cast<std::size_t>(n);
    }
  }
  const std::string tail = "\"}}}\n" + encode_command_line(Command::hello("b"), 2) + "\n";
  wrote = wrote && write(in[1], tail.data(), tail.size()) == static_cast<ssize_t>(tail.size());
  // 1 MiB of blank lines (skipped): once the pipe has taken them, the CLI has read
  // everything before them, and waits for more with its memory peak behind it.
  const std::string blanks(1 << 20, '\n');
  for (std::size_t off = 0; wrote && off < blanks.size();) {
    const ssize_t n = write(in[1], blanks.data() + off, blanks.size() - off);
    wrote = n > 0;
    off += wrote ? static_cast<std::size_t>(n) : 0;
  }
  // The CLI's own peak (VmHWM belongs to the program exec'd; ru_maxrss from wait4
  // would also count the forked copy of this test process).
  long hwm_kb = -1;
  {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    for (std::string l; std::getline(status, l);) {
      if (l.rfind("VmHWM:", 0) == 0) hwm_kb = std::stol(l.substr(6));
    }
  }
  close(in[1]);
  std::string got;
  char buf[4096];
  for (ssize_t n; (n = read(out[0], buf, sizeof buf)) > 0;) got.append(buf, static_cast<std::size_t>(n));
  close(out[0]);
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  CHECK(wrote);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  const auto nl = got.find('\n');
  REQUIRE(nl != std::string::npos);
  const auto first = Json::parse(got.substr(0, nl));
  CHECK(first["type"] == "error");
  CHECK(first["data"]["code"] == "capacity_exceeded");
  CHECK(got.find(R"("to":["b"],"type":"hi")") != std::string::npos);
  // Far below the 256 MiB line. ASan's shadow memory and its quarantine of freed
  // blocks add tens of MB that a release build never has, so it gets a wider bound.
#if defined(__SANITIZE_ADDRESS__)
  constexpr long kLimitKb = 128 * 1024;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
  constexpr long kLimitKb = 128 * 1024;
#else
  constexpr long kLimitKb = 64 * 1024;
#endif
#else
  constexpr long kLimitKb = 64 * 1024;
#endif
  CHECK(hwm_kb > 0);
  CHECK(hwm_kb < kLimitKb);
}
#endif
