#pragma once
// The pure rules of docs/RULES.md §5: PK, settlement by counting, and streak scoring.
// Free functions with no engine state, so they can be tested and reused alone.

#include <array>
#include <cstdint>
#include <string_view>
#include <span>

#include "roshambo/types.hpp"

namespace roshambo {

/// PK of `a` against `b`: +1 if a wins, -1 if b wins, 0 for a draw.
/// Any choice beats no choice; scissors > paper > rock > scissors.
int pk(Choice a, Choice b) noexcept;

/// How many members of a room chose each option, indexed by the choice code.
struct ChoiceCounts {
  std::uint32_t n[4] = {0, 0, 0, 0};
  /// Count `c` once.
  void add(Choice c) noexcept { ++n[static_cast<unsigned>(c)]; }
  /// Members counted.
  std::uint32_t total() const noexcept { return n[0] + n[1] + n[2] + n[3]; }
};

/// Pairs won and lost by one member of a settled room.
struct PairTally {
  std::uint32_t wins = 0;
  std::uint32_t losses = 0;
  /// The base score x = wins - losses.
  std::int64_t base() const noexcept {
    return static_cast<std::int64_t>(wins) - static_cast<std::int64_t>(losses);
  }
};

/// Tally of a member who chose `c` in a room whose choices are `counts` (the member
/// included). O(1): the member's own entry is a draw with itself, so it cancels out.
PairTally tally(Choice c, const ChoiceCounts& counts) noexcept;

/// Tallies of every member of a room in O(n); `out` must be as long as `choices`.
void settle(std::span<const Choice> choices, std::span<PairTally> out) noexcept;

/// The two scoring presets of docs/RULES.md §5.
enum class ScoringPreset : std::uint8_t {
  Article,    ///< a draw resets the streak (the default)
  Reference,  ///< a draw leaves the streak unchanged (the original server)
};

/// Wire names of the presets, indexed by ScoringPreset.
inline constexpr std::array<std::string_view, 2> kScoringPresetNames = {"article", "reference"};

/// Wire name: "article" / "reference".
constexpr std::string_view to_string(ScoringPreset p) noexcept {
  const auto i = static_cast<std::size_t>(p);
  return i < kScoringPresetNames.size() ? kScoringPresetNames[i] : kScoringPresetNames[0];
}

/// Everything that decides how a base score turns into points.
struct ScoringRules {
  ScoringPreset preset = ScoringPreset::Article;
  /// When set, a negative base score is added as it is instead of 0.
  bool loss_penalty = false;
  /// Largest multiplier; 0 means no cap. The streak itself keeps counting.
  std::uint32_t streak_cap = 0;
};

/// Outcome of scoring one member for one round.
struct RoundScore {
  std::int64_t round_score = 0;
  std::uint32_t win_streak = 0;
};

/// Score base score `x` for a member whose streak before the round is `streak`.
RoundScore score(std::int64_t x, std::uint32_t streak, const ScoringRules& rules) noexcept;

/// `total + delta`, saturating at the int64 limits instead of overflowing.
std::int64_t add_saturating(std::int64_t total, std::int64_t delta) noexcept;

}  // namespace roshambo
