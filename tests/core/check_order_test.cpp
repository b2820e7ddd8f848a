// The order in which a command's checks run, and who an error is addressed to
// (docs/RULES.md §7, "Check order"): one rule for log lines, C++ commands and the binding.
// For a command that fails several checks, the first failing one in this order names
// the error: size, JSON, `at`, time, type, `from`'s type, data fields, `from`'s value,
// hello's own fields, the sender, the value, the room.

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "roshambo/sim.hpp"
#include "roshambo_test.hpp"

using namespace rt;

namespace {

struct Outcome {
  std::string code, message;
  std::vector<std::string> to;
  Time at = 0;
};

/// Feed log lines; the one error event of the last line.
Outcome last_error(Engine& e, const std::vector<std::string>& lines) {
  Replayer r(e);
  std::vector<Event> out;
  for (const auto& l : lines) {
    out.clear();
    r.feed(l, out);
  }
  REQUIRE(out.size() == 1);
  REQUIRE(out[0].type() == EventType::Error);
  const auto& d = data<ErrorData>(out[0]);
  return {std::string(to_string(d.code)), d.message, recipients(out[0]), out[0].at};
}

const std::string kHello = R"({"at":0,"from":"u1","type":"hello","data":{"user":{"uid":"u1"}}})";

}  // namespace

TEST_CASE("check order: time comes before everything but the line's own shape") {
  Engine e;
  std::vector<Event> out;
  e.tick(10, out);
  const std::uint64_t before = e.digest();
  // A past `at` is time_went_backwards whatever else is wrong: an unknown type, a bad
  // or missing `from`, bad data, or a type that is not a string.
  for (const std::string line : {R"({"at":5,"from":"u1","type":"dance"})",
                                 R"({"at":5,"from":5,"type":"dance"})",
                                 R"({"at":5,"type":"join"})",
                                 R"({"at":5,"from":"u1","type":"choice","data":{"choice":"x"}})",
                                 R"({"at":5,"from":"u1","type":7})",
                                 R"({"at":-1,"from":"u1","type":"tick"})"}) {
    INFO(line);
    const Outcome o = last_error(e, {line});
    CHECK(o.code == "time_went_backwards");
    CHECK(o.at == 10);  // the engine's time, not the line's
    CHECK(e.digest() == before);
  }
  CHECK(last_error(e, {R"({"at":5,"from":"u1","type":"dance"})"}).message == "time went backwards: 5 < 10");
  // Only what must be read to find the time comes first: size, JSON, `at` itself.
  CHECK(last_error(e, {R"({"at":5,"from":"u1","type":"dance")"}).code == "malformed");
  CHECK(last_error(e, {R"({"at":"5","from":"u1","type":"dance"})"}).code == "invalid_field");
  Config small;
  small.max_command_bytes = 64;
  Engine s(small);
  s.tick(10, out);
  const std::string long_line = R"({"at":5,"from":"u1","type":"dance","data":{"pad":")" +
                                std::string(40, 'x') + "\"}}";
  CHECK(last_error(s, {long_line}).code == "capacity_exceeded");

  // Engine::reject applies the same rule, and says which code it emitted.
  out.clear();
  CHECK(e.reject("u1", 5, ErrorCode::Malformed, "not valid JSON", out) == ErrorCode::TimeWentBackwards);
  CHECK(data<ErrorData>(out.back()).code == ErrorCode::TimeWentBackwards);
  CHECK(e.reject("u1", kMaxTime + 1, ErrorCode::Malformed, "x", out) == ErrorCode::InvalidField);
  CHECK(data<ErrorData>(out.back()).message == "at: larger than 2^62");
  CHECK(e.reject("u1", 20, ErrorCode::Malformed, "x", out) == ErrorCode::Malformed);
  CHECK(e.reject("u1", std::nullopt, ErrorCode::Malformed, "x", out) == ErrorCode::Malformed);
  CHECK(e.now() == 20);
}

TEST_CASE("check order: the type before the sender, the sender's type before the data") {
  Engine e;
  // An unknown type is named even when `from` is not a string (nor there at all)...
  Outcome o = last_error(e, {R"({"at":1,"from":5,"type":"dance"})"});
  CHECK(o.code == "unknown_command");
  CHECK(o.to.empty());  // no uid to address
  CHECK(last_error(e, {R"({"at":1,"type":"dance"})"}).code == "unknown_command");
  // ...while for a known type a bad `from` is named before bad data.
  o = last_error(e, {R"({"at":1,"from":5,"type":"choice","data":{"choice":"x"}})"});
  CHECK(o.code == "invalid_field");
  CHECK(o.message == "from: must be a string");
  o = last_error(e, {R"({"at":1,"type":"choice","data":{}})"});
  CHECK(o.message == "from: missing");
  // The data's JSON types before the sender is looked up (a shape, not a state).
  o = last_error(e, {R"({"at":1,"from":"ghost","type":"choice","data":{"choice":"x"}})"});
  CHECK(o.code == "invalid_field");
  CHECK(o.to == std::vector<std::string>{"ghost"});
  // In C++, a CommandType out of range is unknown_command before `from` is looked at.
  Command bad = Command::join("");
  bad.type = static_cast<CommandType>(99);
  std::vector<Event> out;
  CHECK(e.handle(bad, 2, out) == std::optional<ErrorCode>(ErrorCode::UnknownCommand));
  CHECK(recipients(out.back()).empty());
}

TEST_CASE("check order: sender, then value, then room state") {
  Config c;
  c.bot_fill_after_ms = 0;
  Engine e(c);
  std::vector<Event> out;
  e.handle(Command::hello("u1"), 0, out);
  auto code = [&](const Command& cmd) {
    out.clear();
    const auto got = e.handle(cmd, 1, out);
    REQUIRE(got.has_value());
    return std::string(to_string(*got));
  };
  CHECK(code(Command::choice("ghost", 7)) == "unknown_player");   // sender before value
  CHECK(code(Command::face("ghost", 9)) == "unknown_player");
  CHECK(code(Command::choice("u1", 7)) == "invalid_choice");      // value before room
  CHECK(code(Command::face("u1", 9)) == "invalid_face");
  CHECK(code(Command::choice("u1", 2)) == "not_in_room");
  // `from`'s value before hello's own fields, and those before max_players.
  Config one = c;
  one.max_players = 1;
  one.max_uid_bytes = 4;
  Engine full(one);
  full.handle(Command::hello("u1"), 0, out);
  out.clear();
  CHECK(full.handle(Command::hello("toolong", std::string(100, 'n')), 1, out) ==
        std::optional<ErrorCode>(ErrorCode::InvalidField));
  CHECK(data<ErrorData>(out.back()).message == "from: longer than 4 bytes");
  out.clear();
  CHECK(full.handle(Command::hello("u2", std::string(100, 'n')), 1, out) ==
        std::optional<ErrorCode>(ErrorCode::InvalidField));
  CHECK(full.handle(Command::hello("u2"), 1, out) == std::optional<ErrorCode>(ErrorCode::CapacityExceeded));
}

TEST_CASE("check order: an out-of-range choice is refused as such, never as another number") {
  Engine e;
  // 2^64-1 used to be clamped to 2^63-1 and reported as "got 9223372036854775807".
  for (const char* v : {"18446744073709551615", "9223372036854775808"}) {
    const Outcome o = last_error(e, {std::string(R"({"at":1,"from":"u1","type":"choice","data":{"choice":)") + v + "}}"});
    CHECK(o.code == "invalid_field");
    CHECK(o.message == "data.choice: must be an integer in -2^63..2^63-1");
    const Outcome f = last_error(e, {std::string(R"({"at":1,"from":"u1","type":"face","data":{"face":)") + v + "}}"});
    CHECK(f.message == "data.face: must be an integer in -2^63..2^63-1");
  }
  // The largest int64 is a value like any other: refused by the rules, quoted as is.
  Engine f;
  Outcome o = last_error(f, {kHello, R"({"at":1,"from":"u1","type":"choice","data":{"choice":9223372036854775807}})"});
  CHECK(o.code == "invalid_choice");
  CHECK(o.message == "choice must be 1 (scissors), 2 (rock) or 3 (paper), got 9223372036854775807");
  o = last_error(f, {R"({"at":1,"from":"u1","type":"choice","data":{"choice":-9223372036854775808}})"});
  CHECK(o.message == "choice must be 1 (scissors), 2 (rock) or 3 (paper), got -9223372036854775808");
}

TEST_CASE("recipients: an error goes to the uid the command named, when it can be a uid") {
  Config c;
  c.bot_fill_after_ms = 1;
  Engine e(c);
  std::vector<Event> out;
  e.handle(Command::hello("u1"), 0, out);
  e.handle(Command::join("u1"), 0, out);
  e.tick(1, out);  // bot-1 fills the room
  REQUIRE(e.player("bot-1").has_value());
  struct Case {
    std::string line, code;
    std::vector<std::string> to;
  };
  const std::vector<Case> cases = {
      // Unknown, offline or a bot's uid: the error still names the sender, so the host
      // can route it back on the connection that sent the command.
      {R"({"at":2,"from":"bot-1","type":"choice","data":{"choice":1}})", "unknown_player", {"bot-1"}},
      {R"({"at":2,"from":"ghost","type":"join"})", "unknown_player", {"ghost"}},
      {R"({"at":2,"from":"bot-9","type":"hello","data":{"user":{"uid":"bot-9"}}})", "invalid_field", {"bot-9"}},
      {R"({"at":2,"from":"ghost","type":"dance"})", "unknown_command", {"ghost"}},
      {R"({"at":0,"from":"ghost","type":"join"})", "time_went_backwards", {"ghost"}},
      // No uid it could be: nobody.
      {R"({"at":2,"from":"","type":"join"})", "invalid_field", {}},
      {R"({"at":2,"from":")" + std::string(65, 'x') + R"(","type":"join"})", "invalid_field", {}},
      {R"({"at":2,"from":7,"type":"join"})", "invalid_field", {}},
      {R"({"at":0,"type":"tick"})", "time_went_backwards", {}},
      {"not json", "malformed", {}},
  };
  for (const Case& k : cases) {
    INFO(k.line);
    const Outcome o = last_error(e, {k.line});
    CHECK(o.code == k.code);
    CHECK(o.to == k.to);
  }
}

TEST_CASE("mix weights whose sum overflows are refused as such, not as summing to 0") {
  for (const char* text : {"uniform=1e308,rock=1e308", "rock=1e308,rock=1e308"}) {
    INFO(text);
    try {
      (void)parse_mix(text);
      FAIL("accepted");
    } catch (const ConfigError& e) {
      CHECK(e.field() == "mix");
      CHECK(std::string(e.what()).find("overflows") != std::string::npos);
      CHECK(std::string(e.what()).find("sum to 0") == std::string::npos);
    }
  }
  CHECK(parse_mix("uniform=1e307,rock=1e307").size() == 2);  // large but finite: fine
  SimOptions o;
  o.mix = {{Strategy::parse("uniform"), 1e308}, {Strategy::parse("rock"), 1e308}};
  CHECK_THROWS_WITH(o.validate(), Catch::Contains("overflows"));
}
