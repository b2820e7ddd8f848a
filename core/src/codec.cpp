#include "roshambo/codec.hpp"

#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>

#include "roshambo/detail/decode.hpp"
#include "roshambo/detail/write_event.hpp"

namespace roshambo {
namespace {

using json = nlohmann::json;

void append_int(std::int64_t v, std::string& out) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

// Bytes JSON strings cannot hold as they are.
constexpr bool needs_escape(unsigned char c) noexcept { return c < 0x20 || c == '"' || c == '\\'; }

// Every word quoted, back to back: `"uid":` as a key, `"uid"` as a value.
struct QuotedWords {
  char text[512] = {};
  std::uint16_t start[detail::kWordCount + 1] = {};

  constexpr QuotedWords() {
    std::size_t n = 0;
    for (std::size_t i = 0; i < detail::kWordCount; ++i) {
      start[i] = static_cast<std::uint16_t>(n);
      text[n++] = '"';
      for (const char c : detail::word(static_cast<detail::Word>(i))) text[n++] = c;
      text[n++] = '"';
      text[n++] = ':';
    }
    start[detail::kWordCount] = static_cast<std::uint16_t>(n);
  }
  constexpr std::string_view key(detail::Word w) const {
    const auto i = static_cast<std::size_t>(w);
    return {text + start[i], static_cast<std::size_t>(start[i + 1] - start[i])};
  }
  constexpr std::string_view value(detail::Word w) const {
    const std::string_view k = key(w);
    return k.substr(0, k.size() - 1);
  }
};
constexpr QuotedWords kQuoted{};

// write_event calls the sink's small pieces with constant words; inlined, a key or word
// becomes a copy of known bytes. GCC leaves them out of line on its own (a tenth of
// BM_Replay went to calls into key() and the memcpy it makes).
#if defined(__GNUC__)
#define ROSHAMBO_INLINE [[gnu::always_inline]] inline
#else
#define ROSHAMBO_INLINE inline
#endif

// Compact JSON text for detail::write_event. Pieces of bounded size (punctuation, keys,
// numbers, wire names) are staged in `buf_` and reach `out` in one append, before each
// player-supplied string and at finish(): per piece, a string append would cost a call.
class JsonSink {
 public:
  static constexpr bool kSizedArrays = false;

  explicit JsonSink(std::string& out) : out_(out) {}
  /// Flush what is staged; call once the event is written.
  void finish() { flush(); }

  ROSHAMBO_INLINE void begin_object() { open('{'); }
  ROSHAMBO_INLINE void end_object() { close('}'); }
  ROSHAMBO_INLINE void begin_array(std::size_t) { open('['); }
  ROSHAMBO_INLINE void end_array() { close(']'); }
  ROSHAMBO_INLINE void key(detail::Word w) {
    const std::string_view k = kQuoted.key(w);
    room_for(k.size() + 1);
    separate();
    stage(k);
    comma_ = false;
  }
  ROSHAMBO_INLINE void integer(std::int64_t v) {
    room_for(24);
    separate();
    digits(v);
  }
  ROSHAMBO_INLINE void unsigned_integer(std::uint64_t v) {
    room_for(24);
    separate();
    digits(v);
  }
  ROSHAMBO_INLINE void boolean(bool b) {
    room_for(6);
    separate();
    stage(b ? std::string_view("true") : std::string_view("false"));
  }
  // Staged when short and free of bytes to escape (nearly every uid and name),
  // otherwise escaped straight into `out`.
  void text(std::string_view s) {
    room_for(s.size() + 3);
    separate();
    if (s.size() + 2 <= sizeof buf_ - n_) {
      char* p = buf_ + n_;
      *p++ = '"';
      std::size_t i = 0;
      while (i < s.size() && !needs_escape(static_cast<unsigned char>(s[i]))) *p++ = s[i++];
      if (i == s.size()) {
        *p++ = '"';
        n_ = static_cast<std::size_t>(p - buf_);
        return;
      }
    }
    flush();
    append_json_string(s, out_);
  }
  ROSHAMBO_INLINE void word(detail::Word w) {
    const std::string_view v = kQuoted.value(w);
    room_for(v.size() + 1);
    separate();
    stage(v);
  }
  ROSHAMBO_INLINE void room(std::uint64_t n) {
    room_for(32);
    separate();
    stage("\"room-");
    digits(n);
    buf_[n_++] = '"';
  }
  void seconds(std::int64_t ms) {
    room_for(32);
    separate();
    digits(ms / 1000);
    // The shortest decimal (what Python's repr gives): no trailing zeros, no lone point.
    const std::int64_t frac = ms % 1000;
    if (frac == 0) return;
    const char decimals[3] = {static_cast<char>('0' + frac / 100), static_cast<char>('0' + frac / 10 % 10),
                              static_cast<char>('0' + frac % 10)};
    std::size_t len = 3;
    while (decimals[len - 1] == '0') --len;
    buf_[n_++] = '.';
    stage({decimals, len});
  }
  ROSHAMBO_INLINE void event_type(EventType t) { quoted(to_string(t)); }
  ROSHAMBO_INLINE void error_code(ErrorCode c) { quoted(to_string(c)); }

 private:
  ROSHAMBO_INLINE void room_for(std::size_t k) {
    if (n_ + k > sizeof buf_) flush();
  }
  void flush() {
    out_.append(buf_, n_);
    n_ = 0;
  }
  ROSHAMBO_INLINE void stage(std::string_view s) {
    std::memcpy(buf_ + n_, s.data(), s.size());
    n_ += s.size();
  }
  template <class Int>
  ROSHAMBO_INLINE void digits(Int v) {
    n_ = static_cast<std::size_t>(std::to_chars(buf_ + n_, buf_ + sizeof buf_, v).ptr - buf_);
  }
  ROSHAMBO_INLINE void separate() {
    if (comma_) buf_[n_++] = ',';
    comma_ = true;
  }
  ROSHAMBO_INLINE void open(char c) {
    room_for(2);
    separate();
    buf_[n_++] = c;
    comma_ = false;
  }
  ROSHAMBO_INLINE void close(char c) {
    room_for(1);
    buf_[n_++] = c;
    comma_ = true;
  }
  // A wire name (an event type or error code): short, and never needs escaping.
  ROSHAMBO_INLINE void quoted(std::string_view s) {
    room_for(s.size() + 3);
    separate();
    buf_[n_++] = '"';
    stage(s);
    buf_[n_++] = '"';
  }

  std::string& out_;
  std::size_t n_ = 0;
  bool comma_ = false;
  char buf_[512];
};

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

// A command-log line's JSON read in place, with no allocation, for the lines logs are
// made of. It takes a subset of JSON on which it and nlohmann::json agree by
// construction: strings without escapes or control bytes, in valid UTF-8; integers of
// at most 18 digits; literals; objects and arrays up to kMaxDepth deep, a field's key
// at most once per object. On anything else parse() returns false and the line goes to
// nlohmann::json, which decides as it always did: so a line reads the same either way,
// only faster here. Only the values of the decoder's field names get a node; the rest
// is checked and skipped.
class FlatJson {
 public:
  enum class Kind : std::uint8_t { Null, Bool, Int, String, Object, Array };
  // Trivial, so the node array costs nothing until used (a string_view member made
  // every parse zero 32 nodes first).
  struct Node {
    Kind kind;
    std::int64_t integer;
    const char* text;
    std::size_t text_size;
    std::int8_t member[detail::kFieldCount];  // node index of each field's value, or -1
  };

  // The whole line is one object, whitespace around it allowed.
  bool parse(std::string_view line) {
    p_ = line.data();
    end_ = p_ + line.size();
    count_ = 0;
    skip_space();
    if (p_ == end_ || *p_ != '{') return false;
    if (!value(0, add())) return false;
    skip_space();
    return p_ == end_;
  }
  const Node& node(std::size_t i) const { return nodes_[i]; }

 private:
  static constexpr int kMaxNodes = 32;
  static constexpr int kMaxDepth = 32;

  Node* add() {
    if (count_ == kMaxNodes) return nullptr;
    Node* n = &nodes_[count_++];
    std::memset(n->member, -1, sizeof n->member);
    return n;
  }
  void skip_space() {
    while (p_ != end_ && (*p_ == ' ' || *p_ == '\t' || *p_ == '\n' || *p_ == '\r')) ++p_;
  }
  bool literal(std::string_view word) {
    if (static_cast<std::size_t>(end_ - p_) < word.size() ||
        std::memcmp(p_, word.data(), word.size()) != 0) {
      return false;
    }
    p_ += word.size();
    return true;
  }
  // The field a key names, or -1. Each name is compared at its constant length, which
  // the compiler inlines: a memcmp and a strlen call per key cost a tenth of a replay.
  template <std::size_t N>
  static int is(std::string_view k, const char (&name)[N], detail::Field f) {
    return std::memcmp(k.data(), name, N - 1) == 0 ? static_cast<int>(f) : -1;
  }
  static int field_of(std::string_view k) {
    using detail::Field;
    switch (k.size()) {
      case 2: return is(k, "at", Field::At);
      case 3: return is(k, "uid", Field::Uid);
      case 4:
        switch (k[0]) {
          case 'f': return k[1] == 'r' ? is(k, "from", Field::From) : is(k, "face", Field::Face);
          case 't': return is(k, "type", Field::Type);
          case 'd': return is(k, "data", Field::Data);
          case 'u': return is(k, "user", Field::User);
          default: return -1;
        }
      case 5: return is(k, "uname", Field::Uname);
      case 6: return is(k, "choice", Field::Choice);
      case 7: return is(k, "uavatar", Field::Uavatar);
      default: return -1;
    }
  }
  // After the opening quote; leaves p_ after the closing one.
  bool string(std::string_view& out) {
    const char* start = p_;
    bool wide = false;
    for (;;) {
      if (p_ == end_) return false;
      const auto c = static_cast<unsigned char>(*p_);
      if (c == '"') break;
      if (c < 0x20 || c == '\\') return false;
      wide |= c >= 0x80;
      ++p_;
    }
    out = {start, static_cast<std::size_t>(p_ - start)};
    ++p_;
    return !wide || valid_utf8(out);
  }
  bool number(Node* n) {
    const bool negative = *p_ == '-';
    if (negative) ++p_;
    const char* digits = p_;
    if (p_ == end_ || *p_ < '0' || *p_ > '9') return false;
    if (*p_ == '0') {
      ++p_;
    } else {
      while (p_ != end_ && *p_ >= '0' && *p_ <= '9') ++p_;
    }
    // Fractions, exponents and long integers are nlohmann::json's to read.
    if (p_ != end_ && (*p_ == '.' || *p_ == 'e' || *p_ == 'E')) return false;
    if (p_ - digits > 18) return false;
    if (n) {
      std::int64_t v = 0;
      for (const char* d = digits; d != p_; ++d) v = v * 10 + (*d - '0');
      n->kind = Kind::Int;
      n->integer = negative ? -v : v;
    }
    return true;
  }
  // A value at p_ (after whitespace); `n` receives it, or null to only check it.
  bool value(int depth, Node* n) {
    if (p_ == end_) return false;
    switch (*p_) {
      case '{': {
        if (depth == kMaxDepth) return false;
        if (n) n->kind = Kind::Object;
        ++p_;
        skip_space();
        if (p_ != end_ && *p_ == '}') {
          ++p_;
          return true;
        }
        for (;;) {
          std::string_view key;
          if (p_ == end_ || *p_ != '"') return false;
          ++p_;
          if (!string(key)) return false;
          skip_space();
          if (p_ == end_ || *p_ != ':') return false;
          ++p_;
          skip_space();
          Node* child = nullptr;
          if (const int f = n ? field_of(key) : -1; f >= 0) {
            if (n->member[f] >= 0) return false;  // a key twice
            child = add();
            if (!child) return false;
            n->member[f] = static_cast<std::int8_t>(child - nodes_);
          }
          if (!value(depth + 1, child)) return false;
          skip_space();
          if (p_ == end_) return false;
          if (*p_ == '}') {
            ++p_;
            return true;
          }
          if (*p_ != ',') return false;
          ++p_;
          skip_space();
        }
      }
      case '[': {
        if (depth == kMaxDepth) return false;
        if (n) n->kind = Kind::Array;
        ++p_;
        skip_space();
        if (p_ != end_ && *p_ == ']') {
          ++p_;
          return true;
        }
        for (;;) {
          if (!value(depth + 1, nullptr)) return false;
          skip_space();
          if (p_ == end_) return false;
          if (*p_ == ']') {
            ++p_;
            return true;
          }
          if (*p_ != ',') return false;
          ++p_;
          skip_space();
        }
      }
      case '"': {
        std::string_view s;
        ++p_;
        if (!string(s)) return false;
        if (n) {
          n->kind = Kind::String;
          n->text = s.data();
          n->text_size = s.size();
        }
        return true;
      }
      case 't':
        if (n) n->kind = Kind::Bool;
        return literal("true");
      case 'f':
        if (n) n->kind = Kind::Bool;
        return literal("false");
      case 'n':
        if (n) n->kind = Kind::Null;
        return literal("null");
      default:
        return number(n);
    }
  }

  const char* p_ = nullptr;
  const char* end_ = nullptr;
  int count_ = 0;
  Node nodes_[kMaxNodes];
};

// A FlatJson line as the shared decoder reads it.
class FlatReader {
 public:
  static constexpr bool kCarriesTime = true;

  FlatReader() = default;
  explicit FlatReader(const FlatJson& doc) : doc_(&doc), n_(&doc.node(0)) {}

  explicit operator bool() const noexcept { return n_ != nullptr; }
  FlatReader find(detail::Field f) const {
    const int i = n_->member[static_cast<std::size_t>(f)];
    return i < 0 ? FlatReader() : FlatReader(doc_, &doc_->node(static_cast<std::size_t>(i)));
  }
  bool is_null() const noexcept { return n_->kind == FlatJson::Kind::Null; }
  bool is_string() const noexcept { return n_->kind == FlatJson::Kind::String; }
  bool is_object() const noexcept { return n_->kind == FlatJson::Kind::Object; }
  // Only integers that fit are taken (FlatJson), so no value is out of range.
  detail::IntRead integer(std::int64_t& out) const {
    if (n_->kind != FlatJson::Kind::Int) return detail::IntRead::NotInteger;
    out = n_->integer;
    return detail::IntRead::Ok;
  }
  std::string_view text(std::string&) const { return {n_->text, n_->text_size}; }
  bool may_fit(std::size_t) const noexcept { return true; }
  std::optional<detail::Refusal> refusal(const Config&) const { return std::nullopt; }

 private:
  FlatReader(const FlatJson* doc, const FlatJson::Node* n) : doc_(doc), n_(n) {}

  const FlatJson* doc_ = nullptr;
  const FlatJson::Node* n_ = nullptr;
};

}  // namespace

std::optional<CommandType> command_type_from_string(std::string_view name) noexcept {
  // Against literals, so each comparison is inlined (called per log line).
  if (name == "hello") return CommandType::Hello;
  if (name == "join") return CommandType::Join;
  if (name == "choice") return CommandType::Choice;
  if (name == "face") return CommandType::Face;
  if (name == "leave") return CommandType::Leave;
  if (name == "disconnect") return CommandType::Disconnect;
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
    if (!needs_escape(c)) continue;
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
  JsonSink sink(out);
  detail::write_event(e, sink);
  sink.finish();
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

namespace detail {

void decode_command_line(std::string_view line, const Config& limits, Decoded& out) {
  auto fail = [&out](ErrorCode code, std::string message) {
    out.kind = Decoded::Kind::Refused;
    out.at.reset();
    out.from.clear();
    out.from_read = false;
    out.code = code;
    out.message = std::move(message);
  };
  // The text's own checks; the fields are the shared decoder's.
  if (line.size() > limits.max_command_bytes) {
    return fail(ErrorCode::CapacityExceeded, "line longer than max_command_bytes (" +
                                                 std::to_string(limits.max_command_bytes) + ")");
  }
  FlatJson flat;
  if (flat.parse(line)) return decode_command(FlatReader(flat), limits, out);
  const json j = json::parse(line, nullptr, false);
  if (j.is_discarded()) return fail(ErrorCode::Malformed, "not valid JSON");
  if (!j.is_object()) return fail(ErrorCode::Malformed, "not a JSON object");
  decode_command(JsonReader(j), limits, out);
}

}  // namespace detail

std::variant<LogLine, DecodeError> decode_command_line(std::string_view line,
                                                       const Config& limits) {
  detail::Decoded d;
  detail::decode_command_line(line, limits, d);
  if (d.kind == detail::Decoded::Kind::Refused) {
    DecodeError err;
    err.at = d.at;
    if (d.from_read) err.from = std::move(d.from);
    err.code = d.code;
    err.message = std::move(d.message);
    return err;
  }
  LogLine out;
  out.at = *d.at;
  out.tick = d.kind == detail::Decoded::Kind::Tick;
  if (!out.tick) out.command = std::move(d.command);
  return out;
}

}  // namespace roshambo
