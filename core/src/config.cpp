#include "roshambo/config.hpp"

#include <charconv>
#include <type_traits>
#include <nlohmann/json.hpp>

namespace roshambo {
namespace {

constexpr std::int64_t kMaxDurationMs = 86'400'000;  // one day

[[noreturn]] void fail(const std::string& field, const std::string& why) {
  throw ConfigError(field, "config field '" + field + "': " + why);
}

}  // namespace

namespace {

using Type = ConfigField::Type;

std::string show(const ConfigValue& v) {
  if (const auto* b = std::get_if<bool>(&v)) return *b ? "true" : "false";
  if (const auto* i = std::get_if<std::int64_t>(&v)) return std::to_string(*i);
  if (const auto* u = std::get_if<std::uint64_t>(&v)) return std::to_string(*u);
  return "'" + std::get<std::string>(v).substr(0, 64) + "'";
}

// Integers arrive signed or unsigned (JSON keeps 2^63..2^64-1 unsigned); compare both
// against the field's range without converting either side.
bool in_range(const ConfigField& f, const ConfigValue& v) {
  if (const auto* i = std::get_if<std::int64_t>(&v)) {
    return *i >= f.min && (*i < 0 || static_cast<std::uint64_t>(*i) <= f.max);
  }
  const auto u = std::get<std::uint64_t>(v);
  return u <= f.max && (f.min <= 0 || u >= static_cast<std::uint64_t>(f.min));
}

void check(const ConfigField& f, const ConfigValue& v) {
  const std::string field(f.name);
  switch (f.type) {
    case Type::Int:
      if (!std::holds_alternative<std::int64_t>(v) && !std::holds_alternative<std::uint64_t>(v)) {
        fail(field, "must be an integer");
      }
      if (!in_range(f, v)) {
        fail(field, "must be in " + std::to_string(f.min) + ".." + std::to_string(f.max) +
                        ", got " + show(v));
      }
      break;
    case Type::Bool:
      if (!std::holds_alternative<bool>(v)) fail(field, "must be true or false");
      break;
    case Type::Word: {
      const auto* w = std::get_if<std::string>(&v);
      if (!w) fail(field, "must be a string");
      for (std::string_view word : f.words) {
        if (word == *w) return;
      }
      std::string list;
      for (std::size_t i = 0; i < f.words.size(); ++i) {
        list += i == 0 ? "" : i + 1 == f.words.size() ? " or " : ", ";
        list += "\"" + std::string(f.words[i]) + "\"";
      }
      fail(field, "must be " + list + ", got " + show(v));
    }
    case Type::Text:
      if (!std::holds_alternative<std::string>(v)) fail(field, "must be a string");
      break;
  }
}

// The typed accessors behind each row: a member pointer is all a row needs.
template <auto M>
ConfigValue get_int(const Config& c) {
  using T = std::remove_cvref_t<decltype(c.*M)>;
  if constexpr (std::is_same_v<T, std::uint64_t>) {
    return c.*M;
  } else {
    return static_cast<std::int64_t>(c.*M);
  }
}
template <auto M>
ConfigValue get_bool(const Config& c) {
  return c.*M;
}
template <auto M>
ConfigValue get_word(const Config& c) {
  return std::string(to_string(c.*M));
}

// Setters run after check(): the value has the field's type and range.
template <auto M>
void set_int(Config& c, const ConfigValue& v) {
  using T = std::remove_cvref_t<decltype(c.*M)>;
  c.*M = std::holds_alternative<std::int64_t>(v) ? static_cast<T>(std::get<std::int64_t>(v))
                                                 : static_cast<T>(std::get<std::uint64_t>(v));
}
template <auto M>
void set_bool(Config& c, const ConfigValue& v) {
  c.*M = std::get<bool>(v);
}
template <auto M, const auto& Words>
void set_word(Config& c, const ConfigValue& v) {
  for (std::size_t i = 0; i < Words.size(); ++i) {
    if (Words[i] == std::get<std::string>(v)) c.*M = static_cast<std::remove_cvref_t<decltype(c.*M)>>(i);
  }
}

ConfigValue get_bot_strategy(const Config& c) { return c.bot_strategy.name(); }
void set_bot_strategy(Config& c, const ConfigValue& v) {
  c.bot_strategy = Strategy::parse_bot(std::get<std::string>(v));
}

constexpr std::int64_t kDay = kMaxDurationMs;
constexpr std::uint64_t kU32 = 0xFFFFFFFFu;

// The one description of every config field.
const ConfigField kFields[] = {
    {"capacity", Type::Int, "Seats per room", 2, 1024, {},
     get_int<&Config::capacity>, set_int<&Config::capacity>},
    {"game_time_ms", Type::Int, "Countdown in ms", 1, kDay, {},
     get_int<&Config::game_time_ms>, set_int<&Config::game_time_ms>},
    {"bot_fill_after_ms", Type::Int, "Bots fill a waiting room after this many ms; 0 = no bots", 0, kDay, {},
     get_int<&Config::bot_fill_after_ms>, set_int<&Config::bot_fill_after_ms>},
    {"bot_strategy", Type::Text, "How bots pick: uniform, rock, paper, scissors, none, biased:R,P,S", 0, 0, {},
     get_bot_strategy, set_bot_strategy},
    {"scoring", Type::Word, "Scoring preset", 0, 0, kScoringPresetNames,
     get_word<&Config::scoring>, set_word<&Config::scoring, kScoringPresetNames>},
    {"loss_penalty", Type::Bool, "A negative base score counts as it is", 0, 0, {},
     get_bool<&Config::loss_penalty>, set_bool<&Config::loss_penalty>},
    {"streak_cap", Type::Int, "Largest streak multiplier; 0 = none", 0, kU32, {},
     get_int<&Config::streak_cap>, set_int<&Config::streak_cap>},
    {"requeue", Type::Bool, "Settled players join again at once", 0, 0, {},
     get_bool<&Config::requeue>, set_bool<&Config::requeue>},
    {"reconnect_grace_ms", Type::Int, "A dropped player keeps the seat this many ms; 0 = leave at once", 0, kDay, {},
     get_int<&Config::reconnect_grace_ms>, set_int<&Config::reconnect_grace_ms>},
    {"fill_policy", Type::Word, "Which waiting room a join fills", 0, 0, kFillPolicyNames,
     get_word<&Config::fill_policy>, set_word<&Config::fill_policy, kFillPolicyNames>},
    {"max_players", Type::Int, "Registered players limit; 0 = none", 0, 0xFFFFFFF0u, {},
     get_int<&Config::max_players>, set_int<&Config::max_players>},
    {"max_rooms", Type::Int, "Open rooms limit; 0 = none", 0, kU32, {},
     get_int<&Config::max_rooms>, set_int<&Config::max_rooms>},
    {"seed", Type::Int, "Seed of every random choice: bots, and simulated players", 0, ~std::uint64_t{0}, {},
     get_int<&Config::seed>, set_int<&Config::seed>},
    {"max_uid_bytes", Type::Int, "uid length limit", 1, 64, {},
     get_int<&Config::max_uid_bytes>, set_int<&Config::max_uid_bytes>},
    {"max_name_bytes", Type::Int, "uname length limit", 0, 64, {},
     get_int<&Config::max_name_bytes>, set_int<&Config::max_name_bytes>},
    {"max_avatar_bytes", Type::Int, "uavatar length limit", 0, 256, {},
     get_int<&Config::max_avatar_bytes>, set_int<&Config::max_avatar_bytes>},
    {"max_command_bytes", Type::Int, "Command (log line) size limit in bytes", 64, 16 << 20, {},
     get_int<&Config::max_command_bytes>, set_int<&Config::max_command_bytes>},
};

ConfigValue from_json_value(const ConfigField& f, const nlohmann::json& v) {
  if (v.is_boolean()) return v.get<bool>();
  if (v.is_number_unsigned()) return v.get<std::uint64_t>();
  if (v.is_number_integer()) return v.get<std::int64_t>();
  if (v.is_string()) return v.get<std::string>();
  // Anything else (a float, null, an array) is the wrong type for every field.
  switch (f.type) {
    case Type::Int: fail(std::string(f.name), "must be an integer");
    case Type::Bool: fail(std::string(f.name), "must be true or false");
    default: fail(std::string(f.name), "must be a string");
  }
}

}  // namespace

std::span<const ConfigField> config_fields() noexcept { return kFields; }

const ConfigField* find_config_field(std::string_view name) noexcept {
  for (const auto& f : kFields) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

void ConfigField::set(Config& c, const ConfigValue& v) const {
  check(*this, v);
  assign(c, v);
}

std::string ConfigField::flag() const {
  std::string out = "--" + std::string(name);
  for (char& ch : out) {
    if (ch == '_') ch = '-';
  }
  return out;
}

void ConfigField::set_text(Config& c, std::string_view text) const {
  ConfigValue v;
  switch (type) {
    case Type::Int: {
      // The wording of every integer flag: syntax first, then the field's range.
      const std::string shown = "('" + std::string(text.substr(0, 40)) + "')";
      const char* end = text.data() + text.size();
      std::int64_t i = 0;
      std::uint64_t u = 0;
      const auto [p, ec] = std::from_chars(text.data(), end, i);
      if (!text.empty() && text[0] == '-' && min >= 0 && (ec == std::errc() || ec == std::errc::result_out_of_range)) {
        fail(std::string(name), "must not be negative " + shown);
      }
      if (!text.empty() && ec == std::errc() && p == end) {
        v = i;
      } else if (const auto [q, ec2] = std::from_chars(text.data(), end, u);
                 !text.empty() && ec2 == std::errc() && q == end) {
        v = u;
      } else {
        fail(std::string(name), (ec == std::errc::result_out_of_range ? "out of range " : "not an integer ") + shown);
      }
      break;
    }
    case Type::Bool:
      if (text == "true") v = true;
      else if (text == "false") v = false;
      else fail(std::string(name), "must be true or false, got '" + std::string(text.substr(0, 40)) + "'");
      break;
    default: v = std::string(text);
  }
  set(c, v);
}

void Config::validate() const {
  Config scratch;
  for (const auto& f : kFields) f.set(scratch, f.get(*this));
}

std::string Config::to_json() const {
  nlohmann::ordered_json j;
  for (const auto& f : kFields) {
    std::visit([&](const auto& x) { j[std::string(f.name)] = x; }, f.get(*this));
  }
  return j.dump();
}

Config Config::from_json(std::string_view text) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded()) fail("config", "not valid JSON");
  if (!j.is_object()) fail("config", "must be a JSON object");
  Config c;
  for (const auto& [key, v] : j.items()) {
    const ConfigField* f = find_config_field(key);
    if (!f) {
      // Name the key printably: JSON-escaped (a NUL would cut what() short), at most
      // 64 bytes of it, invalid UTF-8 from the cut replaced.
      const std::string shown = nlohmann::json(key.size() > 64 ? key.substr(0, 64) : key)
                                    .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      fail(shown.substr(1, shown.size() - 2), "unknown field");
    }
    f->set(c, from_json_value(*f, v));
  }
  return c;
}

}  // namespace roshambo
