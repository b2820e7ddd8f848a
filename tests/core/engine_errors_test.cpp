// docs/RULES.md §7: every error code; a rejected command changes nothing and yields exactly one
// error event to its sender (and a CommandError from handle_or_throw).

#include <catch2/catch.hpp>

#include "roshambo_test.hpp"

using namespace roshambo;
using Strs = std::vector<std::string>;

namespace {

// An engine with a bit of everything: a playing room with a bot, a waiting room,
// an offline player, a settled history.
Engine busy_engine(std::uint32_t max_players = 8) {
  Config c;
  c.capacity = 3;
  c.game_time_ms = 3000;
  c.bot_fill_after_ms = 1000;
  c.max_players = max_players;
  c.max_rooms = 2;
  Engine e(c);
  std::vector<Event> out;
  for (const char* u : {"a", "b", "c", "d", "off"}) e.handle(Command::hello(u, u), 0, out);
  e.handle(Command::join("a"), 0, out);
  e.handle(Command::join("b"), 0, out);
  e.tick(1000, out);  // room-1: a b bot-1, playing until 4000
  e.handle(Command::join("c"), 1500, out);  // room-2 waiting
  e.handle(Command::disconnect("off"), 1500, out);
  e.verify();
  return e;
}

// Checks that `cmd` at `at` is refused with `code`: exactly one error event to the
// sender, and the state equals that of an engine which only ticked to `at`.
void expect_refused(const Engine& base, const Command& cmd, Time at, ErrorCode code) {
  INFO("command " << to_string(cmd.type) << " from '" << cmd.from << "' value " << cmd.value);
  Engine ticked = base;
  std::vector<Event> timer_events;
  ticked.tick(at, timer_events);

  Engine e = base;
  std::vector<Event> out;
  const auto got = e.handle(cmd, at, out);
  REQUIRE(got.has_value());
  CHECK(*got == code);
  REQUIRE(out.size() == timer_events.size() + 1);
  CHECK(rt::log_of(std::vector<Event>(out.begin(), out.end() - 1)) == rt::log_of(timer_events));
  const Event& err = out.back();
  CHECK(err.type() == EventType::Error);
  CHECK(rt::data<ErrorData>(err).code == code);
  CHECK_FALSE(rt::data<ErrorData>(err).message.empty());
  const auto j = rt::parsed(err);
  CHECK(j["data"]["code"] == std::string(to_string(code)));
  if (!cmd.from.empty() && cmd.from.size() <= 64) {
    CHECK(rt::recipients(err) == Strs{cmd.from});
  }
  CHECK(e.digest() == ticked.digest());
  CHECK(e.snapshot() == ticked.snapshot());
  e.verify();

  // The throwing entry point reports the same code, with the events still appended.
  Engine t = base;
  std::vector<Event> out2;
  try {
    t.handle_or_throw(cmd, at, out2);
    FAIL("handle_or_throw did not throw");
  } catch (const CommandError& ex) {
    CHECK(ex.code() == code);
    CHECK(rt::log_of(out2) == rt::log_of(out));
  }
}

}  // namespace

TEST_CASE("every engine error code, each changing nothing", "[errors]") {
  const Engine base = busy_engine();
  expect_refused(base, Command::join("nobody"), 2000, ErrorCode::UnknownPlayer);
  expect_refused(base, Command::choice("off", 1), 2000, ErrorCode::UnknownPlayer);
  expect_refused(base, Command::leave("d"), 2000, ErrorCode::NotInRoom);
  expect_refused(base, Command::choice("d", 1), 2000, ErrorCode::NotInRoom);
  expect_refused(base, Command::face("d", 1), 2000, ErrorCode::NotInRoom);
  expect_refused(base, Command::choice("c", 1), 2000, ErrorCode::NotPlaying);
  expect_refused(base, Command::join("a"), 2000, ErrorCode::GameInProgress);
  for (std::int64_t v : {0LL, 4LL, -1LL, 1LL << 40}) {
    expect_refused(base, Command::choice("a", v), 2000, ErrorCode::InvalidChoice);
  }
  for (std::int64_t v : {0LL, 5LL, -3LL}) {
    expect_refused(base, Command::face("a", v), 2000, ErrorCode::InvalidFace);
  }
  expect_refused(base, Command::hello("x", std::string(65, 'n')), 2000, ErrorCode::InvalidField);
  expect_refused(base, Command::hello("x", "", std::string(257, 'v')), 2000, ErrorCode::InvalidField);
  expect_refused(base, Command::hello("x", "\xc3\x28"), 2000, ErrorCode::InvalidField);
  expect_refused(base, Command::hello(std::string(65, 'u')), 2000, ErrorCode::InvalidField);
  expect_refused(base, Command::hello(""), 2000, ErrorCode::InvalidField);
  expect_refused(base, Command::join(""), 2000, ErrorCode::InvalidField);
  expect_refused(base, Command::hello("bot-9"), 2000, ErrorCode::InvalidField);
  // Renaming an existing player with a bad name is refused too: the old name stays.
  expect_refused(base, Command::hello("a", std::string(100, 'z')), 2000, ErrorCode::InvalidField);
  Command weird = Command::join("a");
  weird.type = static_cast<CommandType>(42);
  expect_refused(base, weird, 2000, ErrorCode::UnknownCommand);
}

TEST_CASE("capacity_exceeded: max_players and max_rooms", "[errors]") {
  const Engine full_players = busy_engine(5);
  expect_refused(full_players, Command::hello("e"), 2000, ErrorCode::CapacityExceeded);
  // A known player is not a new one.
  Engine back = full_players;
  CHECK(back.handle(Command::hello("off"), 2000).size() == 1);
  CHECK(back.player("off")->online);

  Config one;
  one.max_rooms = 1;
  one.bot_fill_after_ms = 0;
  Engine e(one);
  for (const char* u : {"a", "b", "c"}) e.handle(Command::hello(u), 0);
  e.handle(Command::join("a"), 0);
  e.handle(Command::join("b"), 0);
  expect_refused(e, Command::join("c"), 10, ErrorCode::CapacityExceeded);
}

TEST_CASE("time_went_backwards changes nothing at all, not even due timers", "[errors]") {
  const Engine base = busy_engine();  // now = 1500, room-1's deadline at 4000
  Engine e = base;
  std::vector<Event> out;
  CHECK(e.handle(Command::choice("a", 1), 1499, out) == ErrorCode::TimeWentBackwards);
  REQUIRE(out.size() == 1);
  CHECK(rt::recipients(out[0]) == Strs{"a"});
  CHECK(out[0].at == 1500);
  CHECK(e.snapshot() == base.snapshot());
  out.clear();
  CHECK(e.tick(0, out) == ErrorCode::TimeWentBackwards);
  REQUIRE(out.size() == 1);
  CHECK(rt::recipients(out[0]).empty());
  CHECK(rt::data<ErrorData>(out[0]).code == ErrorCode::TimeWentBackwards);
  CHECK(e.digest() == base.digest());
  CHECK_THROWS_AS(e.handle_or_throw(Command::join("d"), 5, out), CommandError);
  CHECK(e.digest() == base.digest());
}

TEST_CASE("reject: a bad log line fires due timers, then one error to its sender", "[errors]") {
  const Engine base = busy_engine();
  Engine e = base, ticked = base;
  std::vector<Event> out, want;
  ticked.tick(5000, want);
  e.reject("a", 5000, ErrorCode::Malformed, "not valid JSON", out);
  REQUIRE(out.size() == want.size() + 1);
  CHECK(e.digest() == ticked.digest());
  CHECK(rt::line(out.back()) ==
        R"({"at":5000,"to":["a"],"type":"error","data":{"code":"malformed","message":"not valid JSON"}})");
  // Without a usable time or sender: nothing fires and nobody is addressed.
  out.clear();
  e.reject("", std::nullopt, ErrorCode::Malformed, "x", out);
  REQUIRE(out.size() == 1);
  CHECK(rt::recipients(out[0]).empty());
  CHECK(out[0].at == 5000);
  out.clear();
  e.reject(std::string(100, 'q'), 10, ErrorCode::InvalidField, "x", out);  // time in the past
  REQUIRE(out.size() == 1);
  CHECK(rt::recipients(out[0]).empty());
  CHECK(e.digest() == ticked.digest());
}

TEST_CASE("error codes have stable wire names", "[errors]") {
  const std::pair<ErrorCode, const char*> names[] = {
      {ErrorCode::UnknownPlayer, "unknown_player"},     {ErrorCode::NotInRoom, "not_in_room"},
      {ErrorCode::NotPlaying, "not_playing"},           {ErrorCode::GameInProgress, "game_in_progress"},
      {ErrorCode::InvalidChoice, "invalid_choice"},     {ErrorCode::InvalidFace, "invalid_face"},
      {ErrorCode::InvalidField, "invalid_field"},       {ErrorCode::UnknownCommand, "unknown_command"},
      {ErrorCode::Malformed, "malformed"},              {ErrorCode::TimeWentBackwards, "time_went_backwards"},
      {ErrorCode::CapacityExceeded, "capacity_exceeded"},
  };
  for (const auto& [code, name] : names) {
    CHECK(to_string(code) == name);
    CHECK(error_code_from_string(name) == code);
  }
  CHECK(error_code_from_string("nope") == std::nullopt);
}

TEST_CASE("a face is relayed to the other members and reveals nothing else", "[errors]") {
  const Engine base = busy_engine();
  Engine e = base;
  auto out = e.handle(Command::face("c", 4), 2000);  // waiting room-2: alone
  REQUIRE(out.size() == 1);
  CHECK(rt::recipients(out[0]).empty());
  out = e.handle(Command::face("a", 2), 2000);
  REQUIRE(out.size() == 1);
  CHECK(rt::line(out[0]) ==
        R"({"at":2000,"to":["b"],"type":"movement","data":{"uid":"a","movement":"face","face":2}})");
}
