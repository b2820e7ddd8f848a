#include "roshambo/codec.hpp"

#include <charconv>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

#include "roshambo/detail/decode.hpp"

namespace roshambo {
namespace {

using json = nlohmann::json;

void append_int(std::int64_t v, std::string& out) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

void append_uint(std::uint64_t v, std::string& out) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

// Seconds from milliseconds, as the shortest decimal (what Python's repr gives).
void append_seconds(std::int64_t ms, std::string& out) {
  append_int(ms / 1000, out);
  std::int64_t frac = ms % 1000;
  if (frac == 0) return;
  char digits[4] = {static_cast<char>('0' + frac / 100), static_cast<char>('0' + frac / 10 % 10),
                    static_cast<char>('0' + frac % 10), 0};
  int n = 3;
  while (digits[n - 1] == '0') --n;
  out.push_back('.');
  out.append(digits, static_cast<std::size_t>(n));
}

void append_room_id(std::uint64_t number, std::string& out) {
  out += "\"room-";
  append_uint(number, out);
  out.push_back('"');
}

void append_user(const Profile& p, std::string& out) {
  out += "{\"uid\":";
  append_json_string(p.uid(), out);
  out += ",\"uname\":";
  append_json_string(p.name(), out);
  out += ",\"uavatar\":";
  append_json_string(p.avatar(), out);
}

void append_users(const MemberView& users, std::string& out) {
  for (std::uint32_t i = 0; i < users.size(); ++i) {
    if (i) out.push_back(',');
    append_user(users[i], out);
    out.push_back('}');
  }
}

void append_recipients(const Event& e, std::string& out) {
  out.push_back('[');
  bool first = true;
  for_each_recipient(e, [&](const Profile& p) {
    if (!first) out.push_back(',');
    first = false;
    append_json_string(p.uid(), out);
  });
  out.push_back(']');
}

struct DataWriter {
  std::string& out;

  void operator()(const HiData& d) const {
    out += "{\"message\":\"welcome\",\"nearby\":";
    append_uint(d.nearby, out);
    out.push_back('}');
  }
  void operator()(const RoomData& d) const {
    out += "{\"roomId\":";
    append_room_id(d.room, out);
    out += ",\"users\":[";
    append_users(d.users, out);
    out += "],\"full\":";
    out += d.full ? "true}" : "false}";
  }
  void operator()(const StartData&) const {}  // written by write_start: needs the audience
  void operator()(const MovementData& d) const {
    out += "{\"uid\":";
    append_json_string(d.who->uid(), out);
    if (d.face == 0) {
      out += ",\"movement\":\"choice\"}";
    } else {
      out += ",\"movement\":\"face\",\"face\":";
      append_uint(d.face, out);
      out.push_back('}');
    }
  }
  void operator()(const LeaveData& d) const {
    out += "{\"uid\":";
    append_json_string(d.who->uid(), out);
    out.push_back('}');
  }
  void operator()(const ResultData& d) const {
    out += "{\"roomId\":";
    append_room_id(d.room, out);
    out += ",\"result\":[";
    bool first = true;
    for (const ResultRow& r : *d.rows) {
      if (!first) out.push_back(',');
      first = false;
      out += "{\"uid\":";
      append_json_string(r.who->uid(), out);
      out += r.who->bot() ? ",\"bot\":true,\"choice\":" : ",\"bot\":false,\"choice\":";
      append_uint(static_cast<unsigned>(r.choice), out);
      out += ",\"wins\":";
      append_uint(r.tally.wins, out);
      out += ",\"losses\":";
      append_uint(r.tally.losses, out);
      out += ",\"base\":";
      append_int(r.tally.base(), out);
      out += ",\"roundScore\":";
      append_int(r.round_score, out);
      out += ",\"totalScore\":";
      append_int(r.total_score, out);
      out += ",\"winStreak\":";
      append_uint(r.win_streak, out);
      out.push_back('}');
    }
    out += "]}";
  }
  void operator()(const PresenceData& d) const {
    out += "{\"uid\":";
    append_json_string(d.who->uid(), out);
    out += d.online ? ",\"online\":true}" : ",\"online\":false}";
  }
  void operator()(const ResumeData& d) const {
    out += "{\"roomId\":";
    append_room_id(d.room, out);
    out += d.playing ? ",\"phase\":\"playing\",\"users\":[" : ",\"phase\":\"waiting\",\"users\":[";
    append_users(d.users, out);
    out += "],\"full\":";
    out += d.full ? "true" : "false";
    if (d.playing) {
      out += ",\"deadline\":";
      append_int(d.deadline, out);
    }
    out += ",\"choice\":";
    append_uint(static_cast<unsigned>(d.choice), out);
    out.push_back('}');
  }
  void operator()(const ErrorData& d) const {
    out += "{\"code\":\"";
    out += to_string(d.code);
    out += "\",\"message\":";
    append_json_string(d.message, out);
    out.push_back('}');
  }
};

void write_start(const Event& e, const StartData& d, std::string& out) {
  out += "{\"roomId\":";
  append_room_id(d.room, out);
  out += ",\"gameTime\":";
  append_seconds(d.game_time_ms, out);
  out += ",\"deadline\":";
  append_int(d.deadline, out);
  out += ",\"roomUsers\":[";
  const MemberView& users = e.to.room;
  for (std::uint32_t i = 0; i < users.size(); ++i) {
    if (i) out.push_back(',');
    append_user(users[i], out);
    out += ",\"totalScore\":";
    append_int((*d.scores)[i].total_score, out);
    out += ",\"winStreak\":";
    append_uint((*d.scores)[i].win_streak, out);
    out.push_back('}');
  }
  out += "]}";
}

// At most `n` bytes of valid UTF-8 `s`, cut before a character, not inside one, so
// a quoted excerpt keeps the event log valid UTF-8.
std::string_view utf8_prefix(std::string_view s, std::size_t n) {
  if (s.size() <= n) return s;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return s.substr(0, n);
}

// A log line's JSON as the shared decoder reads it.
class JsonReader {
 public:
  static constexpr bool kCarriesTime = true;

  JsonReader() = default;
  explicit JsonReader(const json& v) : v_(&v) {}

  explicit operator bool() const noexcept { return v_ != nullptr; }
  JsonReader find(detail::Field f) const {
    const auto it = v_->find(detail::field_name(f));
    return it == v_->end() ? JsonReader() : JsonReader(*it);
  }
  bool is_null() const noexcept { return v_->is_null(); }
  bool is_string() const noexcept { return v_->is_string(); }
  bool is_object() const noexcept { return v_->is_object(); }
  // 2^63..2^64-1 parse as unsigned, larger whole numbers (and those below -2^63) as
  // floats: a float equal to -2^63 was rounded from below it, as -2^63 itself parses
  // as an integer.
  detail::IntRead integer(std::int64_t& out) const {
    if (v_->is_number_unsigned()) {
      const auto u = v_->get<std::uint64_t>();
      if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
        return detail::IntRead::OutOfRange;
      }
      out = static_cast<std::int64_t>(u);
      return detail::IntRead::Ok;
    }
    if (v_->is_number_integer()) {
      out = v_->get<std::int64_t>();
      return detail::IntRead::Ok;
    }
    if (v_->is_number_float()) {
      const double d = v_->get<double>();
      if (std::isfinite(d) && d == std::trunc(d) && (d >= 0x1p63 || d <= -0x1p63)) {
        return detail::IntRead::OutOfRange;
      }
    }
    return detail::IntRead::NotInteger;
  }
  std::string_view text(std::string&) const { return v_->get_ref<const std::string&>(); }
  // Every string of a line that passed the size check fits.
  bool may_fit(std::size_t) const noexcept { return true; }
  std::optional<detail::Refusal> refusal(const Config&) const { return std::nullopt; }

 private:
  const json* v_ = nullptr;
};

}  // namespace

std::optional<CommandType> command_type_from_string(std::string_view name) noexcept {
  for (auto t : {CommandType::Hello, CommandType::Join, CommandType::Choice, CommandType::Face,
                 CommandType::Leave, CommandType::Disconnect}) {
    if (to_string(t) == name) return t;
  }
  return std::nullopt;
}

std::string unknown_command_message(std::string_view name) {
  return "unknown command type \"" + std::string(utf8_prefix(name, 64)) + "\"";
}

std::string room_id(std::uint64_t number) { return "room-" + std::to_string(number); }

bool valid_utf8(std::string_view s) noexcept {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* end = p + s.size();
  while (p < end) {
    const unsigned c = *p;
    if (c < 0x80) {
      ++p;
      continue;
    }
    int n;
    unsigned cp;
    if ((c & 0xE0) == 0xC0) { n = 1; cp = c & 0x1F; }
    else if ((c & 0xF0) == 0xE0) { n = 2; cp = c & 0x0F; }
    else if ((c & 0xF8) == 0xF0) { n = 3; cp = c & 0x07; }
    else return false;
    if (end - p <= n) return false;
    for (int i = 1; i <= n; ++i) {
      if ((p[i] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (p[i] & 0x3F);
    }
    if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
        cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    p += n + 1;
  }
  return true;
}

void append_json_string(std::string_view s, std::string& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  std::size_t run = 0;  // start of the pending run of bytes that need no escape
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        out += "\\u00";
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 15]);
    }
  }
  out.append(s.data() + run, s.size() - run);
  out.push_back('"');
}

void append_event_json(const Event& e, std::string& out) {
  out += "{\"at\":";
  append_int(e.at, out);
  out += ",\"to\":";
  append_recipients(e, out);
  out += ",\"type\":\"";
  out += to_string(e.type());
  out += "\",\"data\":";
  if (const auto* start = std::get_if<StartData>(&e.data)) {
    write_start(e, *start, out);
  } else {
    std::visit(DataWriter{out}, e.data);
  }
  out.push_back('}');
}

std::string event_to_json(const Event& e) {
  std::string s;
  append_event_json(e, s);
  return s;
}

std::string encode_command_line(const Command& cmd, Time at) {
  std::string out = "{\"at\":";
  append_int(at, out);
  out += ",\"from\":";
  append_json_string(cmd.from, out);
  out += ",\"type\":\"";
  out += to_string(cmd.type);
  out += "\",\"data\":";
  switch (cmd.type) {
    case CommandType::Hello:
      out += "{\"user\":{\"uid\":";
      append_json_string(cmd.from, out);
      out += ",\"uname\":";
      append_json_string(cmd.name, out);
      out += ",\"uavatar\":";
      append_json_string(cmd.avatar, out);
      out += "}}}";
      break;
    case CommandType::Choice:
      out += "{\"choice\":";
      append_int(cmd.value, out);
      out += "}}";
      break;
    case CommandType::Face:
      out += "{\"face\":";
      append_int(cmd.value, out);
      out += "}}";
      break;
    default:
      out += "{}}";
  }
  return out;
}

std::string encode_tick_line(Time at) {
  std::string out = "{\"at\":";
  append_int(at, out);
  out += ",\"type\":\"tick\"}";
  return out;
}

std::variant<LogLine, DecodeError> decode_command_line(std::string_view line,
                                                       const Config& limits) {
  DecodeError err;
  auto fail = [&](ErrorCode code, std::string message) {
    err.code = code;
    err.message = std::move(message);
    return err;
  };
  // The text's own checks; the fields are the shared decoder's.
  if (line.size() > limits.max_command_bytes) {
    return fail(ErrorCode::CapacityExceeded, "line longer than max_command_bytes (" +
                                                 std::to_string(limits.max_command_bytes) + ")");
  }
  const json j = json::parse(line, nullptr, false);
  if (j.is_discarded()) return fail(ErrorCode::Malformed, "not valid JSON");
  if (!j.is_object()) return fail(ErrorCode::Malformed, "not a JSON object");

  detail::Decoded d;
  detail::decode_command(JsonReader(j), limits, d);
  if (d.kind == detail::Decoded::Kind::Refused) {
    err.at = d.at;
    if (d.from_read) err.from = std::move(d.from);
    return fail(d.code, std::move(d.message));
  }
  LogLine out;
  out.at = *d.at;
  out.tick = d.kind == detail::Decoded::Kind::Tick;
  if (!out.tick) out.command = std::move(d.command);
  return out;
}

}  // namespace roshambo
