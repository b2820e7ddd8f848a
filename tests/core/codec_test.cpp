// docs/RULES.md §3/§9: JSON Lines codec — command decoding and its errors, event bytes.

#include <catch2/catch.hpp>

#include "roshambo_test.hpp"

using namespace roshambo;
using Strs = std::vector<std::string>;

namespace {

LogLine ok(std::string_view line, const Config& c = {}) {
  auto r = decode_command_line(line, c);
  if (auto* e = std::get_if<DecodeError>(&r)) FAIL("decode failed: " << e->message << " for " << line);
  return std::get<LogLine>(r);
}

DecodeError bad(std::string_view line, const Config& c = {}) {
  auto r = decode_command_line(line, c);
  if (std::holds_alternative<LogLine>(r)) FAIL("decoded a bad line: " << line);
  return std::get<DecodeError>(r);
}

MemberListRef members(std::initializer_list<ProfileRef> ps) {
  MemberListRef m = MemberList::make(static_cast<std::uint32_t>(ps.size()));
  for (const auto& p : ps) m->push_back(p);
  return m;
}

}  // namespace

TEST_CASE("decode every command type", "[codec]") {
  auto h = ok(R"({"at": 1000, "from": "u1", "type": "hello", "data": {"user": {"uid": "u1", "uname": "Ann", "uavatar": "a.png"}}})");
  CHECK(h.at == 1000);
  CHECK_FALSE(h.tick);
  CHECK(h.command.type == CommandType::Hello);
  CHECK(h.command.from == "u1");
  CHECK(h.command.name == "Ann");
  CHECK(h.command.avatar == "a.png");
  // uid may be omitted (it is the sender); uname / uavatar may be absent or null.
  auto h2 = ok(R"({"at":1,"from":"u1","type":"hello","data":{"user":{"uname":null}}})");
  CHECK(h2.command.name.empty());
  CHECK(h2.command.avatar.empty());

  CHECK(ok(R"({"at":1,"from":"u1","type":"join","data":{}})").command.type == CommandType::Join);
  CHECK(ok(R"({"at":1,"from":"u1","type":"join"})").command.type == CommandType::Join);
  CHECK(ok(R"({"at":1,"from":"u1","type":"join","data":null})").command.type == CommandType::Join);
  auto c = ok(R"({"at":2100,"from":"u1","type":"choice","data":{"choice":2}})");
  CHECK(c.command.type == CommandType::Choice);
  CHECK(c.command.value == 2);
  // Out-of-range codes decode; the engine refuses them with invalid_choice/invalid_face.
  CHECK(ok(R"({"at":1,"from":"u1","type":"choice","data":{"choice":-7}})").command.value == -7);
  CHECK(ok(R"({"at":1,"from":"u1","type":"choice","data":{"choice":9223372036854775807}})").command.value ==
        std::numeric_limits<std::int64_t>::max());
  // Beyond int64 they are refused as such, never clamped to a number the sender did not send.
  for (const char* v : {"18446744073709551615", "9223372036854775808", "1e19", "-9223372036854775809"}) {
    const auto r = decode_command_line(std::string(R"({"at":1,"from":"u1","type":"choice","data":{"choice":)") + v + "}}", Config{});
    REQUIRE(std::holds_alternative<DecodeError>(r));
    CHECK(std::get<DecodeError>(r).code == ErrorCode::InvalidField);
    CHECK(std::get<DecodeError>(r).message == "data.choice: must be an integer in -2^63..2^63-1");
  }
  auto f = ok(R"({"at":3,"from":"u1","type":"face","data":{"face":4}})");
  CHECK(f.command.type == CommandType::Face);
  CHECK(f.command.value == 4);
  CHECK(ok(R"({"at":1,"from":"u1","type":"leave","data":{}})").command.type == CommandType::Leave);
  CHECK(ok(R"({"at":1,"from":"u1","type":"disconnect","data":{}})").command.type == CommandType::Disconnect);
  auto t = ok(R"({"at": 9000, "type": "tick"})");
  CHECK(t.tick);
  CHECK(t.at == 9000);
  // Extra fields are ignored: a newer client keeps working.
  CHECK(ok(R"({"at":1,"from":"u","type":"join","data":{},"id":7})").command.type == CommandType::Join);
}

TEST_CASE("encode_command_line is the inverse of decoding", "[codec]") {
  const Command cmds[] = {Command::hello("u\"1", "Zo\u00eb \xe4\xb8\xad", "p\\q\n"), Command::join("a"),
                          Command::choice("a", 3), Command::face("a", 1), Command::leave("a"),
                          Command::disconnect("a"), Command::choice("a", -5)};
  for (const Command& c : cmds) {
    const std::string text = encode_command_line(c, 77);
    INFO(text);
    CHECK_NOTHROW(rt::Json::parse(text));
    const LogLine l = ok(text);
    CHECK(l.at == 77);
    CHECK(l.command.type == c.type);
    CHECK(l.command.from == c.from);
    CHECK(l.command.name == c.name);
    CHECK(l.command.avatar == c.avatar);
    CHECK(l.command.value == c.value);
  }
  CHECK(encode_tick_line(5) == R"({"at":5,"type":"tick"})");
  CHECK(ok(encode_tick_line(5)).tick);
  // An out-of-range command type encodes as an unknown one, not out of bounds.
  Command weird = Command::join("a");
  weird.type = static_cast<CommandType>(200);
  CHECK(to_string(weird.type) == "unknown");
  CHECK(bad(encode_command_line(weird, 1)).code == ErrorCode::UnknownCommand);
}

TEST_CASE("every decode error names its problem and keeps what addresses it", "[codec]") {
  struct Case {
    std::string line;
    ErrorCode code;
    const char* mentions;
  };
  const Case cases[] = {
      {"not json at all", ErrorCode::Malformed, "JSON"},
      {"{\"at\":1,", ErrorCode::Malformed, "JSON"},
      {"[1,2]", ErrorCode::Malformed, "object"},
      {"42", ErrorCode::Malformed, "object"},
      {"\"hello\"", ErrorCode::Malformed, "object"},
      {"{}", ErrorCode::InvalidField, "at"},
      {R"({"at":"5","from":"u","type":"join"})", ErrorCode::InvalidField, "at"},
      {R"({"at":1.5,"from":"u","type":"join"})", ErrorCode::InvalidField, "at"},
      {R"({"at":4611686018427387905,"from":"u","type":"join"})", ErrorCode::InvalidField, "at"},
      {R"({"at":1,"from":"u"})", ErrorCode::InvalidField, "type"},
      {R"({"at":1,"from":"u","type":3})", ErrorCode::InvalidField, "type"},
      {R"({"at":1,"from":"u","type":"dance"})", ErrorCode::UnknownCommand, "dance"},
      {R"({"at":1,"from":"u","type":"Join"})", ErrorCode::UnknownCommand, "Join"},
      {R"({"at":1,"type":"join"})", ErrorCode::InvalidField, "from"},
      {R"({"at":1,"from":7,"type":"join"})", ErrorCode::InvalidField, "from"},
      {R"({"at":1,"from":"u","type":"join","data":[]})", ErrorCode::InvalidField, "data"},
      {R"({"at":1,"from":"u","type":"join","data":"x"})", ErrorCode::InvalidField, "data"},
      {R"({"at":1,"from":"u","type":"hello","data":{}})", ErrorCode::InvalidField, "data.user"},
      {R"({"at":1,"from":"u","type":"hello"})", ErrorCode::InvalidField, "data.user"},
      {R"({"at":1,"from":"u","type":"hello","data":{"user":"u"}})", ErrorCode::InvalidField, "data.user"},
      {R"({"at":1,"from":"u","type":"hello","data":{"user":{"uid":"v"}}})", ErrorCode::InvalidField, "data.user.uid"},
      {R"({"at":1,"from":"u","type":"hello","data":{"user":{"uid":5}}})", ErrorCode::InvalidField, "data.user.uid"},
      {R"({"at":1,"from":"u","type":"hello","data":{"user":{"uname":5}}})", ErrorCode::InvalidField, "data.user.uname"},
      {R"({"at":1,"from":"u","type":"hello","data":{"user":{"uavatar":[]}}})", ErrorCode::InvalidField, "data.user.uavatar"},
      {R"({"at":1,"from":"u","type":"choice","data":{}})", ErrorCode::InvalidField, "data.choice"},
      {R"({"at":1,"from":"u","type":"choice"})", ErrorCode::InvalidField, "data.choice"},
      {R"({"at":1,"from":"u","type":"choice","data":{"choice":"2"}})", ErrorCode::InvalidField, "data.choice"},
      {R"({"at":1,"from":"u","type":"choice","data":{"choice":2.0}})", ErrorCode::InvalidField, "data.choice"},
      {R"({"at":1,"from":"u","type":"choice","data":{"choice":null}})", ErrorCode::InvalidField, "data.choice"},
      {R"({"at":1,"from":"u","type":"face","data":{"face":true}})", ErrorCode::InvalidField, "data.face"},
      {R"({"at":1,"from":"u","type":"face","data":{}})", ErrorCode::InvalidField, "data.face"},
  };
  for (const Case& k : cases) {
    INFO(k.line);
    const DecodeError e = bad(k.line);
    CHECK(e.code == k.code);
    CHECK(e.message.find(k.mentions) != std::string::npos);
  }
  // What addresses the error is kept when it could be read.
  const auto e1 = bad(R"({"at":17,"from":"u9","type":"dance"})");
  CHECK(e1.at == 17);
  CHECK(e1.from == "u9");
  const auto e2 = bad(R"({"at":"x","from":"u9","type":"join"})");
  CHECK_FALSE(e2.at);
  CHECK(e2.from == "u9");
  CHECK_FALSE(bad("nope").from);
  // Lines longer than the limit are refused before parsing.
  Config small;
  small.max_command_bytes = 64;
  const std::string longline = R"({"at":1,"from":"u","type":"hello","data":{"user":{"uname":")" +
                               std::string(40, 'n') + "\"}}}";
  CHECK(bad(longline, small).code == ErrorCode::CapacityExceeded);
  CHECK(ok(longline).command.name.size() == 40);
}

TEST_CASE("event JSON: exact bytes for every event type", "[codec]") {
  const ProfileRef a = ProfileRef::make("a", "Ann", "a.png");
  const ProfileRef b = ProfileRef::make("b", "Bob", "");
  const ProfileRef bot = ProfileRef::make("bot-1", "bot-1", "", true);
  const auto list = members({a, b, bot});
  const MemberView all{list, 3};

  Event hi;
  hi.at = 5;
  hi.to.single = a;
  hi.data = HiData{3};
  CHECK(rt::line(hi) == R"({"at":5,"to":["a"],"type":"hi","data":{"message":"welcome","nearby":3}})");

  Event room;
  room.at = 6;
  room.to.room = MemberView{list, 2};  // a view taken before the bot joined
  room.data = RoomData{12, false, MemberView{list, 2}};
  CHECK(rt::line(room) ==
        R"({"at":6,"to":["a","b"],"type":"room","data":{"roomId":"room-12","users":[{"uid":"a","uname":"Ann","uavatar":"a.png"},{"uid":"b","uname":"Bob","uavatar":""}],"full":false}})");

  Event start;
  start.at = 7;
  start.to.room = all;
  start.data = StartData{12, 3000, 3007,
                         SharedArray<StartScore>{{-4, 0}, {9, 2}, {0, 0}}};
  CHECK(rt::line(start) ==
        R"({"at":7,"to":["a","b"],"type":"start","data":{"roomId":"room-12","gameTime":3,"deadline":3007,"roomUsers":[{"uid":"a","uname":"Ann","uavatar":"a.png","totalScore":-4,"winStreak":0},{"uid":"b","uname":"Bob","uavatar":"","totalScore":9,"winStreak":2},{"uid":"bot-1","uname":"bot-1","uavatar":"","totalScore":0,"winStreak":0}]}})");

  Event mv;
  mv.at = 8;
  mv.to.room = all;
  mv.to.except = 0;
  mv.data = MovementData{0};
  CHECK(rt::line(mv) == R"({"at":8,"to":["b"],"type":"movement","data":{"uid":"a","movement":"choice"}})");
  mv.data = MovementData{3};
  CHECK(rt::line(mv) ==
        R"({"at":8,"to":["b"],"type":"movement","data":{"uid":"a","movement":"face","face":3}})");

  Event lv;
  lv.at = 9;
  lv.to.room = MemberView{list, 1};
  lv.data = LeaveData{b};
  CHECK(rt::line(lv) == R"({"at":9,"to":["a"],"type":"leave","data":{"uid":"b"}})");

  Event res;
  res.at = 10;
  res.to.room = all;
  const SharedArray<ResultRow> rows{{a.get(), Choice::Rock, {2, 0}, 4, 0, 2},
                                    {b.get(), Choice::None, {0, 2}, -2, -6, 0},
                                    {bot.get(), Choice::Scissors, {1, 1}, 0, 0, 0}};
  res.data = ResultData{12, rows};
  CHECK(rt::line(res) ==
        R"({"at":10,"to":["a","b"],"type":"result","data":{"roomId":"room-12","result":[{"uid":"a","bot":false,"choice":2,"wins":2,"losses":0,"base":2,"roundScore":4,"totalScore":0,"winStreak":2},{"uid":"b","bot":false,"choice":0,"wins":0,"losses":2,"base":-2,"roundScore":-2,"totalScore":-6,"winStreak":0},{"uid":"bot-1","bot":true,"choice":1,"wins":1,"losses":1,"base":0,"roundScore":0,"totalScore":0,"winStreak":0}]}})");

  Event err;
  err.at = 11;
  err.to.nobody = true;
  err.data = ErrorData{ErrorCode::TimeWentBackwards, "time went backwards: 1 < 2"};
  CHECK(rt::line(err) ==
        R"({"at":11,"to":[],"type":"error","data":{"code":"time_went_backwards","message":"time went backwards: 1 < 2"}})");

  for (const Event* e : {&hi, &room, &start, &mv, &lv, &res, &err}) {
    CHECK(rt::parsed(*e)["type"] == std::string(to_string(e->type())));
  }
}

TEST_CASE("gameTime is seconds as the shortest decimal", "[codec]") {
  const ProfileRef a = ProfileRef::make("a", "", "");
  const auto list = members({a});
  auto game_time = [&](std::int64_t ms) {
    Event e;
    e.to.room = MemberView{list, 1};
    e.data = StartData{1, ms, 0, SharedArray<StartScore>(1)};
    const std::string s = rt::line(e);
    const auto from = s.find("\"gameTime\":") + 11;
    return s.substr(from, s.find(',', from) - from);
  };
  CHECK(game_time(3000) == "3");
  CHECK(game_time(1500) == "1.5");
  CHECK(game_time(1230) == "1.23");
  CHECK(game_time(1234) == "1.234");
  CHECK(game_time(1) == "0.001");
  CHECK(game_time(10) == "0.01");
  CHECK(game_time(100) == "0.1");
  CHECK(game_time(999) == "0.999");
  CHECK(game_time(1001) == "1.001");
  CHECK(game_time(86'400'000) == "86400");
  // The value parses back to the same number of milliseconds.
  for (std::int64_t ms = 1; ms < 5000; ms += 7) {
    const double s = std::stod(game_time(ms));
    CHECK(static_cast<std::int64_t>(s * 1000 + 0.5) == ms);
  }
}

TEST_CASE("strings are escaped like nlohmann::json, non-ASCII passes through", "[codec]") {
  const ProfileRef p = ProfileRef::make("q\"\\/\x01\x1f\x7f", "\b\f\n\r\t", "\xe4\xb8\xad\xf0\x9f\x98\x80\xc3\xa9");
  Event hi;
  hi.to.single = p;
  hi.data = HiData{1};
  CHECK(rt::line(hi) ==
        "{\"at\":0,\"to\":[\"q\\\"\\\\/\\u0001\\u001f\x7f\"],\"type\":\"hi\",\"data\":{\"message\":\"welcome\",\"nearby\":1}}");
  Event mv;
  const auto list = members({p});
  mv.to.room = MemberView{list, 1};
  mv.data = RoomData{1, false, MemberView{list, 1}};
  const std::string s = rt::line(mv);
  CHECK(s.find(R"("uname":"\b\f\n\r\t")") != std::string::npos);
  CHECK(s.find("\"uavatar\":\"\xe4\xb8\xad\xf0\x9f\x98\x80\xc3\xa9\"") != std::string::npos);
  const auto j = rt::Json::parse(s);
  CHECK(j["data"]["users"][0]["uid"] == std::string(p->uid()));
  CHECK(j["data"]["users"][0]["uname"] == std::string(p->name()));
  CHECK(j["data"]["users"][0]["uavatar"] == std::string(p->avatar()));

  // Against nlohmann's own dump on random valid UTF-8.
  rt::Rand r(5);
  const char* pieces[] = {"a", "\"", "\\", "\n", "\x01", "\x1f", " ", "\x7f", "\xc3\xa9",
                          "\xe2\x82\xac", "\xf0\x9f\x98\x80", "/", "\t", "\x00"};
  for (int i = 0; i < 500; ++i) {
    std::string str;
    const auto n = r.below(20);
    for (std::uint64_t k = 0; k < n; ++k) {
      const char* piece = pieces[r.below(14)];
      str += *piece ? std::string(piece) : std::string(1, '\0');
    }
    REQUIRE(valid_utf8(str));
    std::string out;
    append_json_string(str, out);
    CHECK(out == rt::Json(str).dump());
  }
}

TEST_CASE("valid_utf8 accepts UTF-8 and rejects the rest", "[codec]") {
  CHECK(valid_utf8(""));
  CHECK(valid_utf8("plain"));
  CHECK(valid_utf8("\xc3\xa9\xe4\xb8\xad\xf0\x9f\x98\x80\xf4\x8f\xbf\xbf"));
  CHECK_FALSE(valid_utf8("\xc3"));               // truncated
  CHECK_FALSE(valid_utf8("\xc3\x28"));           // bad continuation
  CHECK_FALSE(valid_utf8("\xc0\xaf"));           // overlong
  CHECK_FALSE(valid_utf8("\xe0\x80\xaf"));       // overlong
  CHECK_FALSE(valid_utf8("\xed\xa0\x80"));       // surrogate
  CHECK_FALSE(valid_utf8("\xf4\x90\x80\x80"));   // beyond U+10FFFF
  CHECK_FALSE(valid_utf8("\xff"));
  CHECK_FALSE(valid_utf8("\x80"));
  CHECK(room_id(42) == "room-42");
}

TEST_CASE("replayer: bad lines become errors and the replay goes on", "[codec]") {
  Engine e;
  Replayer rp(e, 2);
  std::string out;
  rp.feed(R"({"at":1,"from":"u","type":"hello","data":{"user":{"uname":"U"}}})", out);
  rp.feed("   ", out);  // blank: skipped, not counted
  rp.feed("garbage", out);
  rp.feed(R"({"at":3,"from":"u","type":"sing"})", out);
  rp.feed("{\"at\":4,\"from\":\"u\",\"type\":\"join\"}\r", out);
  CHECK(rp.lines() == 4);
  std::vector<std::string> lines;
  for (std::size_t p = 0, q; (q = out.find('\n', p)) != std::string::npos; p = q + 1) {
    lines.push_back(out.substr(p, q - p));
  }
  REQUIRE(lines.size() == 6);
  CHECK(lines[0] == R"({"at":1,"to":["u"],"type":"hi","data":{"message":"welcome","nearby":1}})");
  CHECK(lines[1] == R"({"at":1,"to":[],"type":"error","data":{"code":"malformed","message":"not valid JSON"}})");
  const auto d2 = rt::Json::parse(lines[2]);
  CHECK(d2["type"] == "digest");
  CHECK(d2["at"] == 1);
  CHECK(d2["data"]["lines"] == 2);
  CHECK(d2["data"]["digest"].get<std::string>().size() == 16);
  CHECK(rt::Json::parse(lines[3])["data"]["code"] == "unknown_command");
  CHECK(rt::Json::parse(lines[3])["to"] == rt::Json::array({"u"}));
  CHECK(rt::Json::parse(lines[4])["type"] == "room");
  CHECK(rt::Json::parse(lines[5])["data"]["lines"] == 4);
  CHECK(lines[5] == digest_line(4, 4, e.digest()));
}

namespace {

// Everything a decode gives, as one string, so two lines' results compare whole.
std::string decoded(std::string_view line) {
  const auto r = decode_command_line(line, Config{});
  if (const auto* e = std::get_if<DecodeError>(&r)) {
    return "error at=" + (e->at ? std::to_string(*e->at) : "-") + " from=" + e->from.value_or("-") +
           " " + std::string(to_string(e->code)) + ": " + e->message;
  }
  const LogLine& l = std::get<LogLine>(r);
  if (l.tick) return "tick at=" + std::to_string(l.at);
  return std::string(to_string(l.command.type)) + " at=" + std::to_string(l.at) + " from=" + l.command.from +
         " name=" + l.command.name + " avatar=" + l.command.avatar + " value=" + std::to_string(l.command.value);
}

}  // namespace

// The decoder reads most lines in place and hands the others (escapes, fractions and
// exponents, integers of 19 digits or more, invalid UTF-8, a key twice, deep nesting)
// to nlohmann::json: each pair is the same command written both ways.
TEST_CASE("lines read in place and lines read by the full parser decode alike", "[codec]") {
  const std::pair<std::string, std::string> same[] = {
      {R"({"at":5,"from":"ab","type":"join"})", R"({"at":5,"from":"a\u0062","type":"join"})"},
      {R"({"at":5,"from":"ab","type":"join"})", R"({"at":5,"fr\u006fm":"ab","type":"join"})"},
      {"{\"at\":5,\"from\":\"u\",\"type\":\"hello\",\"data\":{\"user\":{\"uname\":\"Zo\xc3\xab\"}}}",
       R"({"at":5,"from":"u","type":"hello","data":{"user":{"uname":"Zo\u00eb"}}})"},
      {R"({"at":5,"from":"u","type":"choice","data":{"choice":123456789012345678}})",
       R"({"at":5,"from":"u","type":"choice","data":{"choice":123456789012345678},"x":1.5})"},
      {R"({"at":5,"from":"u","type":"choice","data":{"choice":-0}})",
       R"({"at":5,"from":"u","type":"choice","data":{"choice":0},"x":[1e2]})"},
      {R"({"at":5,"from":"u","type":"choice","data":{"choice":2.0}})",
       R"({"at":5,"from":"u","type":"choice","data":{"choice":true}})"},
      {R"({"at":5,"from":"u","type":"join","x":1,"x":2})", R"({"at":5,"from":"u","type":"join"})"},
      {R"({"at":5,"from":"u","type":"join"})", R"({"at":4,"from":"v","at":5,"type":"join","from":"u"})"},
      {R"({"at":5,"type":"tick"})", std::string(R"({"at":5,"type":"tick","x":)") + std::string(40, '[') +
                                         std::string(40, ']') + "}"},
      {R"({"at":5,"type":"tick"})", " {\t\"at\" : 5 ,\r\"type\":\"tick\"\n} "},
      {R"({"at":5,"type":"tick"})", "\xef\xbb\xbf{\"at\":5,\"type\":\"tick\"}"},
      {R"({"at":5,"type":"tick","x":{"a":[true,false,null,"s",{}],"b":{}}})", R"({"at":5,"type":"tick"})"},
  };
  for (const auto& [a, b] : same) {
    INFO(a << "\n" << b);
    CHECK(decoded(a) == decoded(b));
  }
  CHECK(decoded(R"({"at":5,"from":"u","type":"choice","data":{"choice":1234567890123456789}})") ==
        "choice at=5 from=u name= avatar= value=1234567890123456789");
  CHECK(decoded(R"({"at":5,"from":"u","type":"choice","data":{"choice":-9223372036854775808}})") ==
        "choice at=5 from=u name= avatar= value=-9223372036854775808");
  // Not JSON, in the field the decoder wants or in one it skips.
  for (const char* junk : {"{\"at\":5,\"from\":\"a\xc0\xaf\",\"type\":\"join\"}",
                           "{\"at\":5,\"type\":\"tick\",\"x\":\"\xed\xa0\x80\"}",
                           "{\"at\":5,\"type\":\"tick\",\"x\":\"a\x01\"}", R"({"at":5,"type":"tick","x":1e400})",
                           R"({"at":05,"type":"tick"})", R"({"at":5,"type":"tick"}x)", R"({"at":5,"type":"tick",})",
                           R"({"at":-,"type":"tick"})", R"({"at":5,"type":"tick")"}) {
    INFO(junk);
    CHECK(decoded(junk) == "error at=- from=- malformed: not valid JSON");
  }
  CHECK(decoded("[1]") == "error at=- from=- malformed: not a JSON object");
}
