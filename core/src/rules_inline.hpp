#pragma once
// The scoring rules of rules.hpp, inline: settlement calls them for every member, and a
// call each (three a member) cost more than their bodies. rules.cpp's public functions
// are these.

#include <cstdint>
#include <limits>

#include "roshambo/rules.hpp"

namespace roshambo::detail {

// beaten[c]: the choice c beats; beater[c]: the choice that beats c (0 = none).
inline constexpr unsigned kBeaten[4] = {0, 3, 1, 2};
inline constexpr unsigned kBeater[4] = {0, 2, 3, 1};

inline PairTally tally(Choice c, const ChoiceCounts& counts) noexcept {
  const auto x = static_cast<unsigned>(c);
  if (x == 0) return {0, counts.total() - counts.n[0]};
  return {counts.n[kBeaten[x]] + counts.n[0], counts.n[kBeater[x]]};
}

inline RoundScore score(std::int64_t x, std::uint32_t streak, const ScoringRules& rules) noexcept {
  if (x > 0) {
    const std::uint32_t s = streak == std::numeric_limits<std::uint32_t>::max() ? streak : streak + 1;
    const std::uint32_t mult = rules.streak_cap != 0 && s > rules.streak_cap ? rules.streak_cap : s;
    // x <= 1023 and mult < 2^32, so the product fits in int64.
    return {x * static_cast<std::int64_t>(mult), s};
  }
  if (x == 0) {
    return {0, rules.preset == ScoringPreset::Reference ? streak : 0u};
  }
  return {rules.loss_penalty ? x : 0, 0u};
}

inline std::int64_t add_saturating(std::int64_t total, std::int64_t delta) noexcept {
  std::int64_t r;
  if (__builtin_add_overflow(total, delta, &r)) [[unlikely]] {
    return delta > 0 ? std::numeric_limits<std::int64_t>::max() : std::numeric_limits<std::int64_t>::min();
  }
  return r;
}

}  // namespace roshambo::detail
