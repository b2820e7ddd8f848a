#pragma once
// Engine configuration (SPEC §10) with validation and JSON round-trip.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "roshambo/rules.hpp"
#include "roshambo/types.hpp"

namespace roshambo {

/// Which waiting room a `join` goes to when several have a seat.
enum class FillPolicy : std::uint8_t {
  Oldest,   ///< the room that has waited longest (default, as the original server)
  Newest,   ///< the most recently opened room
  Fullest,  ///< the room with the most members; ties go to the oldest
};

/// How an engine bot picks. Stateless: bots live for one room only.
struct BotStrategy {
  enum class Kind : std::uint8_t { Uniform, Rock, Paper, Scissors, None, Biased };
  Kind kind = Kind::Uniform;
  /// Weights of rock, paper, scissors for Kind::Biased.
  std::array<std::uint32_t, 3> weights = {1, 1, 1};

  /// Parse "uniform", "rock", "paper", "scissors", "none" or "biased:R,P,S"
  /// (non-negative integers, not all zero). Throws ConfigError naming bot_strategy.
  static BotStrategy parse(std::string_view text);
  /// The canonical text form, accepted by parse().
  std::string to_string() const;
  friend bool operator==(const BotStrategy&, const BotStrategy&) = default;
};

/// Every knob of the rules. Defaults reproduce the original server.
struct Config {
  std::uint32_t capacity = 2;                  ///< seats per room, 2..1024
  std::int64_t game_time_ms = 3000;            ///< countdown, 1..86'400'000
  std::int64_t bot_fill_after_ms = 1000;       ///< 0 disables bots; else 1..86'400'000
  BotStrategy bot_strategy{};                  ///< how engine bots pick
  ScoringPreset scoring = ScoringPreset::Article;
  bool loss_penalty = false;                   ///< see ScoringRules
  std::uint32_t streak_cap = 0;                ///< see ScoringRules; 0 = no cap
  bool requeue = false;                        ///< settled players join again at once
  /// How long a dropped player keeps their seat (SPEC §11); 0 = leave at once (§6),
  /// else 1..86'400'000.
  std::int64_t reconnect_grace_ms = 0;
  FillPolicy fill_policy = FillPolicy::Oldest;
  std::uint32_t max_players = 0;               ///< registered humans; 0 = no limit
  std::uint32_t max_rooms = 0;                 ///< open rooms at once; 0 = no limit
  std::uint64_t seed = 0;                      ///< drives bots; nothing else is random
  // Hostile-input limits (our extension of SPEC §10; they can only tighten SPEC §2).
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

/// Wire names: "article" / "reference".
std::string_view to_string(ScoringPreset p) noexcept;
/// Wire names: "oldest" / "newest" / "fullest".
std::string_view to_string(FillPolicy p) noexcept;

}  // namespace roshambo
