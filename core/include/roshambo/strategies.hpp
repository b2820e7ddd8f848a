#pragma once
// Player strategies: a registry of named, documented units that the tournament
// simulator's players (sim.hpp) and the engine's bots (the stateless ones) share. A
// strategy sees only what a real client sees: its own results and the result rows of
// the rooms it played in, never the current round's choices.
//
// Each unit is a pair of pure functions over a small per-player memory
// (StrategyMemory), so a simulation of 100 000 players keeps one compact array
// instead of 100 000 heap objects.

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "roshambo/rng.hpp"
#include "roshambo/rules.hpp"
#include "roshambo/types.hpp"

namespace roshambo {

/// What a player learns when its room settles: its own row and how many members of
/// the room chose each option (itself included). Everything here is in the `result`
/// event every member receives.
struct StrategyObservation {
  Choice own = Choice::None;   ///< what this player played
  PairTally tally;             ///< its wins and losses
  std::int64_t round_score = 0;
  ChoiceCounts room;           ///< every member's choice, this player included
};

/// Per-player memory a strategy may keep between rounds. Zero-initialised.
struct StrategyMemory {
  std::array<std::uint32_t, 4> seen{};  ///< frequency: opponents' choices so far, by code
  std::uint8_t target = 0;  ///< beat-last / copy-winner: bit mask of candidate codes (bit c)
  std::uint8_t phase = 0;   ///< cycle: 0 = not started, else the last code played
};

struct StrategyInfo;

/// A parsed strategy: which registry unit, plus its parameters (the weights of
/// `biased`). Simulated players use every unit; engine bots the stateless ones.
class Strategy {
 public:
  /// Uniform.
  Strategy() noexcept;

  /// Parse a strategy as listed by strategy_registry(), e.g. "beat-last" or
  /// "biased:1,2,3" (non-negative integer weights of rock, paper, scissors, at most
  /// 1000000 each, not all 0). Throws ConfigError naming `field` on a bad name.
  static Strategy parse(std::string_view text, std::string_view field = "mix");
  /// As parse(), for engine bots: only stateless units (they play one round), and
  /// errors name the config field bot_strategy.
  static Strategy parse_bot(std::string_view text);
  /// A strategy of registry unit `unit` with the given weights (checked by parse()).
  static Strategy from_unit(const StrategyInfo& unit, std::array<std::uint32_t, 3> weights) noexcept;

  /// The registry unit.
  const StrategyInfo& unit() const noexcept { return *unit_; }
  /// Weights of rock, paper, scissors (biased only).
  const std::array<std::uint32_t, 3>& weights() const noexcept { return weights_; }
  /// Canonical name, accepted by parse().
  std::string name() const;
  /// False for `none`, which never sends a choice.
  bool chooses() const noexcept;

  /// The choice for the round that just started. Choice::None means "send nothing".
  Choice choose(StrategyMemory& m, Rng& rng) const noexcept;
  /// Learn from the settlement of the player's room.
  void observe(StrategyMemory& m, const StrategyObservation& o) const noexcept;

  friend bool operator==(const Strategy& a, const Strategy& b) noexcept {
    return a.unit_ == b.unit_ && a.weights_ == b.weights_;
  }

 private:
  const StrategyInfo* unit_;
  std::array<std::uint32_t, 3> weights_ = {1, 1, 1};
};

/// One strategy unit of the registry: its name, what it does, and its two functions.
/// Adding a strategy is adding one row (and its functions) in strategies.cpp.
struct StrategyInfo {
  std::string_view name;     ///< e.g. "beat-last"; "biased:R,P,S" for the weighted one
  std::string_view summary;  ///< one line, for `roshambo rules` and --help
  /// Remembers nothing between rounds, so an engine bot (one round) may use it.
  bool stateless = false;
  /// Takes three weights after "name:" (the text before ":R,P,S" in `name`).
  bool weighted = false;
  /// The choice for a round that starts; Choice::None sends nothing.
  Choice (*choose)(const Strategy& s, StrategyMemory& m, Rng& rng) noexcept = nullptr;
  /// Learns from a settlement; nullptr when the unit learns nothing.
  void (*observe)(StrategyMemory& m, const StrategyObservation& o) noexcept = nullptr;
};

/// Every strategy, in a fixed order.
std::span<const StrategyInfo> strategy_registry() noexcept;

/// The choice that beats `c` (rock for scissors, ...); None for None.
Choice beats(Choice c) noexcept;

}  // namespace roshambo
