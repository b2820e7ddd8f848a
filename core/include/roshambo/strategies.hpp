#pragma once
// Player strategies for the tournament simulator (sim.hpp): a registry of named,
// documented units. A strategy sees only what a real client sees: its own results
// and the result rows of the rooms it played in, never the current round's choices.
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

#include "roshambo/rules.hpp"
#include "roshambo/types.hpp"

namespace roshambo {

/// splitmix64: the simulator's seeded generator (independent of the engine's).
struct SimRng {
  std::uint64_t state = 0;
  /// Next 64 random bits.
  std::uint64_t next() noexcept {
    state += 0x9e3779b97f4a7c15ULL;
    std::uint64_t z = state;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  /// Uniform in [0, n); n > 0. (Multiply-shift: bias below 2^-32 for n < 2^32.)
  std::uint64_t below(std::uint64_t n) noexcept {
    __extension__ using u128 = unsigned __int128;  // GCC and Clang; -Wpedantic-clean
    return static_cast<std::uint64_t>((static_cast<u128>(next()) * n) >> 64);
  }
};

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

/// A parsed strategy: which unit, plus parameters (the weights of `biased`).
class Strategy {
 public:
  enum class Kind : std::uint8_t {
    Uniform, Rock, Paper, Scissors, Biased, Cycle, BeatLast, Frequency, CopyWinner, None
  };

  /// Parse a strategy name as listed by strategy_registry(), e.g. "beat-last" or
  /// "biased:1,2,3" (non-negative integer weights of rock, paper, scissors, at most
  /// 1000000 each, not all 0). Throws ConfigError (field "mix") on unknown names.
  static Strategy parse(std::string_view text);

  Kind kind() const noexcept { return kind_; }
  /// Weights of rock, paper, scissors (biased only).
  const std::array<std::uint32_t, 3>& weights() const noexcept { return weights_; }
  /// Canonical name, accepted by parse().
  std::string name() const;

  /// The choice for the round that just started. Choice::None means "send nothing".
  Choice choose(StrategyMemory& m, SimRng& rng) const noexcept;
  /// Learn from the settlement of the player's room.
  void observe(StrategyMemory& m, const StrategyObservation& o) const noexcept;

  friend bool operator==(const Strategy&, const Strategy&) = default;

 private:
  Kind kind_ = Kind::Uniform;
  std::array<std::uint32_t, 3> weights_ = {1, 1, 1};
};

/// One registry entry: the name to use in a mix, and what the strategy does.
struct StrategyInfo {
  std::string_view name;     ///< e.g. "beat-last"; "biased:R,P,S" for the weighted one
  std::string_view summary;  ///< one line, for `roshambo rules` and --help
};

/// Every strategy, in a fixed order.
std::span<const StrategyInfo> strategy_registry() noexcept;

/// The choice that beats `c` (rock for scissors, ...); None for None.
Choice beats(Choice c) noexcept;

}  // namespace roshambo
