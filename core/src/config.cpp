#include "roshambo/config.hpp"

#include <charconv>
#include <nlohmann/json.hpp>

namespace roshambo {
namespace {

constexpr std::int64_t kMaxDurationMs = 86'400'000;  // one day

[[noreturn]] void fail(const std::string& field, const std::string& why) {
  throw ConfigError(field, "config field '" + field + "': " + why);
}

template <class T>
T get_int(const nlohmann::json& v, const std::string& field, std::int64_t lo, std::uint64_t hi) {
  if (!v.is_number_integer()) fail(field, "must be an integer");
  if (v.is_number_unsigned()) {
    const auto u = v.get<std::uint64_t>();
    if (u > hi) fail(field, "must be at most " + std::to_string(hi));
    if (lo > 0 && u < static_cast<std::uint64_t>(lo)) fail(field, "must be at least " + std::to_string(lo));
    return static_cast<T>(u);
  }
  const auto s = v.get<std::int64_t>();
  if (s < lo) fail(field, "must be at least " + std::to_string(lo));
  if (s >= 0 && static_cast<std::uint64_t>(s) > hi) fail(field, "must be at most " + std::to_string(hi));
  return static_cast<T>(s);
}

bool get_bool(const nlohmann::json& v, const std::string& field) {
  if (!v.is_boolean()) fail(field, "must be true or false");
  return v.get<bool>();
}

std::string get_string(const nlohmann::json& v, const std::string& field) {
  if (!v.is_string()) fail(field, "must be a string");
  return v.get<std::string>();
}

void check_range(const std::string& field, std::int64_t v, std::int64_t lo, std::int64_t hi) {
  if (v < lo || v > hi) {
    fail(field, "must be in " + std::to_string(lo) + ".." + std::to_string(hi) + ", got " +
                    std::to_string(v));
  }
}

}  // namespace

BotStrategy BotStrategy::parse(std::string_view text) {
  BotStrategy s;
  if (text == "uniform") return s;
  if (text == "rock") { s.kind = Kind::Rock; return s; }
  if (text == "paper") { s.kind = Kind::Paper; return s; }
  if (text == "scissors") { s.kind = Kind::Scissors; return s; }
  if (text == "none") { s.kind = Kind::None; return s; }
  constexpr std::string_view prefix = "biased:";
  if (text.substr(0, prefix.size()) == prefix) {
    s.kind = Kind::Biased;
    std::string_view rest = text.substr(prefix.size());
    std::uint64_t sum = 0;
    for (int i = 0; i < 3; ++i) {
      const auto comma = rest.find(',');
      const std::string_view part = i < 2 ? rest.substr(0, comma) : rest;
      if ((i < 2 && comma == std::string_view::npos) || part.empty()) {
        fail("bot_strategy", "biased needs three weights R,P,S, e.g. biased:1,1,2");
      }
      std::uint32_t w = 0;
      const auto [ptr, ec] = std::from_chars(part.data(), part.data() + part.size(), w);
      if (ec != std::errc() || ptr != part.data() + part.size() || w > 1'000'000) {
        fail("bot_strategy", "biased weights must be integers in 0..1000000");
      }
      s.weights[static_cast<std::size_t>(i)] = w;
      sum += w;
      if (i < 2) rest = rest.substr(comma + 1);
    }
    if (sum == 0) fail("bot_strategy", "biased weights must not all be 0");
    return s;
  }
  fail("bot_strategy", "unknown strategy '" + std::string(text.substr(0, 64)) +
                           "' (uniform, rock, paper, scissors, none, biased:R,P,S)");
}

std::string BotStrategy::to_string() const {
  switch (kind) {
    case Kind::Rock: return "rock";
    case Kind::Paper: return "paper";
    case Kind::Scissors: return "scissors";
    case Kind::None: return "none";
    case Kind::Biased:
      return "biased:" + std::to_string(weights[0]) + "," + std::to_string(weights[1]) + "," +
             std::to_string(weights[2]);
    default: return "uniform";
  }
}

void Config::validate() const {
  check_range("capacity", capacity, 2, 1024);
  check_range("game_time_ms", game_time_ms, 1, kMaxDurationMs);
  check_range("bot_fill_after_ms", bot_fill_after_ms, 0, kMaxDurationMs);
  check_range("reconnect_grace_ms", reconnect_grace_ms, 0, kMaxDurationMs);
  (void)BotStrategy::parse(bot_strategy.to_string());
  if (max_players > 0xFFFFFFF0u) fail("max_players", "must be at most 4294967280");
  check_range("max_uid_bytes", max_uid_bytes, 1, 64);
  check_range("max_name_bytes", max_name_bytes, 0, 64);
  check_range("max_avatar_bytes", max_avatar_bytes, 0, 256);
  check_range("max_command_bytes", max_command_bytes, 64, 16 << 20);
}

std::string Config::to_json() const {
  nlohmann::ordered_json j;
  j["capacity"] = capacity;
  j["game_time_ms"] = game_time_ms;
  j["bot_fill_after_ms"] = bot_fill_after_ms;
  j["bot_strategy"] = bot_strategy.to_string();
  j["scoring"] = std::string(roshambo::to_string(scoring));
  j["loss_penalty"] = loss_penalty;
  j["streak_cap"] = streak_cap;
  j["requeue"] = requeue;
  j["reconnect_grace_ms"] = reconnect_grace_ms;
  j["fill_policy"] = std::string(roshambo::to_string(fill_policy));
  j["max_players"] = max_players;
  j["max_rooms"] = max_rooms;
  j["seed"] = seed;
  j["max_uid_bytes"] = max_uid_bytes;
  j["max_name_bytes"] = max_name_bytes;
  j["max_avatar_bytes"] = max_avatar_bytes;
  j["max_command_bytes"] = max_command_bytes;
  return j.dump();
}

Config Config::from_json(std::string_view text) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded()) fail("config", "not valid JSON");
  if (!j.is_object()) fail("config", "must be a JSON object");
  Config c;
  constexpr std::uint64_t u32 = 0xFFFFFFFFu;
  for (const auto& [key, v] : j.items()) {
    if (key == "capacity") c.capacity = get_int<std::uint32_t>(v, key, 2, 1024);
    else if (key == "game_time_ms") c.game_time_ms = get_int<std::int64_t>(v, key, 1, kMaxDurationMs);
    else if (key == "bot_fill_after_ms") c.bot_fill_after_ms = get_int<std::int64_t>(v, key, 0, kMaxDurationMs);
    else if (key == "bot_strategy") c.bot_strategy = BotStrategy::parse(get_string(v, key));
    else if (key == "scoring") {
      const std::string s = get_string(v, key);
      if (s == "article") c.scoring = ScoringPreset::Article;
      else if (s == "reference") c.scoring = ScoringPreset::Reference;
      else fail(key, "must be \"article\" or \"reference\"");
    } else if (key == "loss_penalty") c.loss_penalty = get_bool(v, key);
    else if (key == "streak_cap") c.streak_cap = get_int<std::uint32_t>(v, key, 0, u32);
    else if (key == "requeue") c.requeue = get_bool(v, key);
    else if (key == "reconnect_grace_ms") c.reconnect_grace_ms = get_int<std::int64_t>(v, key, 0, kMaxDurationMs);
    else if (key == "fill_policy") {
      const std::string s = get_string(v, key);
      if (s == "oldest") c.fill_policy = FillPolicy::Oldest;
      else if (s == "newest") c.fill_policy = FillPolicy::Newest;
      else if (s == "fullest") c.fill_policy = FillPolicy::Fullest;
      else fail(key, "must be \"oldest\", \"newest\" or \"fullest\"");
    } else if (key == "max_players") c.max_players = get_int<std::uint32_t>(v, key, 0, 0xFFFFFFF0u);
    else if (key == "max_rooms") c.max_rooms = get_int<std::uint32_t>(v, key, 0, u32);
    else if (key == "seed") c.seed = get_int<std::uint64_t>(v, key, 0, ~std::uint64_t{0});
    else if (key == "max_uid_bytes") c.max_uid_bytes = get_int<std::uint32_t>(v, key, 1, 64);
    else if (key == "max_name_bytes") c.max_name_bytes = get_int<std::uint32_t>(v, key, 0, 64);
    else if (key == "max_avatar_bytes") c.max_avatar_bytes = get_int<std::uint32_t>(v, key, 0, 256);
    else if (key == "max_command_bytes") c.max_command_bytes = get_int<std::uint32_t>(v, key, 64, 16 << 20);
    else {
      // Name the key printably: JSON-escaped (a NUL would cut what() short), at most
      // 64 bytes of it, invalid UTF-8 from the cut replaced.
      const std::string shown = nlohmann::json(key.size() > 64 ? key.substr(0, 64) : key)
                                    .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      fail(shown.substr(1, shown.size() - 2), "unknown field");
    }
  }
  c.validate();
  return c;
}

}  // namespace roshambo
