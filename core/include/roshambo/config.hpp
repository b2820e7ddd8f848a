#pragma once
// Engine configuration (docs/RULES.md §10) with validation and JSON round-trip.

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>

#include "roshambo/rules.hpp"
#include "roshambo/strategies.hpp"
#include "roshambo/types.hpp"

namespace roshambo {

/// Which waiting room a `join` goes to when several have a seat.
enum class FillPolicy : std::uint8_t {
  Oldest,   ///< the room that has waited longest (default, as the original server)
  Newest,   ///< the most recently opened room
  Fullest,  ///< the room with the most members; ties go to the oldest
};

/// Wire names of the fill policies, indexed by FillPolicy.
inline constexpr std::array<std::string_view, 3> kFillPolicyNames = {"oldest", "newest", "fullest"};

/// Every knob of the rules. Defaults reproduce the original server. Each member is
/// described once, by its row in config_fields() (config.cpp): validation, JSON, the
/// CLI flags, `roshambo rules` and the Python binding all read that table.
struct Config {
  std::uint32_t capacity = 2;                  ///< seats per room, 2..1024
  std::int64_t game_time_ms = 3000;            ///< countdown, 1..86'400'000
  std::int64_t bot_fill_after_ms = 1000;       ///< 0 disables bots; else 1..86'400'000
  Strategy bot_strategy{};                     ///< how engine bots pick (a stateless strategy)
  ScoringPreset scoring = ScoringPreset::Article;
  bool loss_penalty = false;                   ///< see ScoringRules
  std::uint32_t streak_cap = 0;                ///< see ScoringRules; 0 = no cap
  bool requeue = false;                        ///< settled players join again at once
  /// How long a dropped player keeps their seat (docs/RULES.md §11); 0 = leave at once (§6),
  /// else 1..86'400'000.
  std::int64_t reconnect_grace_ms = 0;
  FillPolicy fill_policy = FillPolicy::Oldest;
  std::uint32_t max_players = 0;               ///< registered humans; 0 = no limit
  std::uint32_t max_rooms = 0;                 ///< open rooms at once; 0 = no limit
  std::uint64_t seed = 0;                      ///< drives bots; nothing else is random
  // Hostile-input limits (our extension of docs/RULES.md §10; they can only tighten docs/RULES.md §2).
  std::uint32_t max_uid_bytes = 64;            ///< 1..64
  std::uint32_t max_name_bytes = 64;           ///< 0..64
  std::uint32_t max_avatar_bytes = 256;        ///< 0..256
  std::uint32_t max_command_bytes = 65536;     ///< one log line / command, 64..16 MiB

  /// Throws ConfigError naming the first out-of-range field.
  void validate() const;
  /// The rules part, for roshambo::score().
  ScoringRules scoring_rules() const noexcept {
    return ScoringRules{scoring, loss_penalty, streak_cap};
  }
  /// Canonical JSON object with every field (keys in declaration order).
  std::string to_json() const;
  /// Parse a JSON object; absent fields keep their defaults. Unknown fields, wrong
  /// types and out-of-range values throw ConfigError naming the field.
  static Config from_json(std::string_view text);
  friend bool operator==(const Config&, const Config&) = default;
};

/// Wire name: "oldest" / "newest" / "fullest".
constexpr std::string_view to_string(FillPolicy p) noexcept {
  const auto i = static_cast<std::size_t>(p);
  return i < kFillPolicyNames.size() ? kFillPolicyNames[i] : kFillPolicyNames[0];
}

/// A config field's value as JSON and the CLI carry it: integers (signed, or unsigned
/// for the 64-bit seed), booleans, and words or text as strings.
using ConfigValue = std::variant<bool, std::int64_t, std::uint64_t, std::string>;

/// One field of Config, described once for every layer that reads or writes it.
struct ConfigField {
  enum class Type : std::uint8_t {
    Int,   ///< an integer in min..max
    Bool,  ///< true or false
    Word,  ///< one of `words`
    Text,  ///< free text checked by the field's own parser (bot_strategy)
  };
  std::string_view name;   ///< JSON key and Python keyword; the CLI flag is --name-with-dashes
  Type type = Type::Int;
  std::string_view help;   ///< one line, for --help and `roshambo rules`
  std::int64_t min = 0;    ///< Int only
  std::uint64_t max = 0;   ///< Int only
  std::span<const std::string_view> words;  ///< Word only, in canonical order
  /// The field's value in `c`.
  ConfigValue (*get)(const Config& c) = nullptr;
  /// Store a value already checked against type and range (use set()).
  void (*assign)(Config& c, const ConfigValue& v) = nullptr;

  /// Set the field from a value; throws ConfigError naming the field when the value
  /// has the wrong type or is out of range (and then `c` is unchanged).
  void set(Config& c, const ConfigValue& v) const;
  /// The CLI flag: "--" and the name with '_' as '-'.
  std::string flag() const;
  /// Parse the CLI text of a value (an integer, true/false, a word or text) and set it.
  void set_text(Config& c, std::string_view text) const;
};

/// Every field of Config, in canonical order (the order of to_json()).
std::span<const ConfigField> config_fields() noexcept;
/// The field named `name`, or nullptr.
const ConfigField* find_config_field(std::string_view name) noexcept;

}  // namespace roshambo
