#include "roshambo/rules.hpp"

#include <limits>

namespace roshambo {
namespace {
// beaten[c]: the choice c beats; beater[c]: the choice that beats c (0 = none).
constexpr unsigned kBeaten[4] = {0, 3, 1, 2};
constexpr unsigned kBeater[4] = {0, 2, 3, 1};
}  // namespace

int pk(Choice a, Choice b) noexcept {
  const auto x = static_cast<unsigned>(a), y = static_cast<unsigned>(b);
  if (x == y) return 0;
  if (y == 0) return 1;
  if (x == 0) return -1;
  return kBeaten[x] == y ? 1 : -1;
}

PairTally tally(Choice c, const ChoiceCounts& counts) noexcept {
  const auto x = static_cast<unsigned>(c);
  if (x == 0) return {0, counts.total() - counts.n[0]};
  return {counts.n[kBeaten[x]] + counts.n[0], counts.n[kBeater[x]]};
}

void settle(std::span<const Choice> choices, std::span<PairTally> out) noexcept {
  ChoiceCounts counts;
  for (Choice c : choices) counts.add(c);
  for (std::size_t i = 0; i < choices.size(); ++i) out[i] = tally(choices[i], counts);
}

RoundScore score(std::int64_t x, std::uint32_t streak, const ScoringRules& rules) noexcept {
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

std::int64_t add_saturating(std::int64_t total, std::int64_t delta) noexcept {
  std::int64_t r;
  if (__builtin_add_overflow(total, delta, &r)) {
    return delta > 0 ? std::numeric_limits<std::int64_t>::max()
                     : std::numeric_limits<std::int64_t>::min();
  }
  return r;
}

}  // namespace roshambo
