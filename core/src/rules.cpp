#include "roshambo/rules.hpp"

#include "rules_inline.hpp"

namespace roshambo {
using detail::kBeaten;

int pk(Choice a, Choice b) noexcept {
  const auto x = static_cast<unsigned>(a), y = static_cast<unsigned>(b);
  if (x == y) return 0;
  if (y == 0) return 1;
  if (x == 0) return -1;
  return kBeaten[x] == y ? 1 : -1;
}

PairTally tally(Choice c, const ChoiceCounts& counts) noexcept { return detail::tally(c, counts); }

void settle(std::span<const Choice> choices, std::span<PairTally> out) noexcept {
  ChoiceCounts counts;
  for (Choice c : choices) counts.add(c);
  for (std::size_t i = 0; i < choices.size(); ++i) out[i] = detail::tally(choices[i], counts);
}

RoundScore score(std::int64_t x, std::uint32_t streak, const ScoringRules& rules) noexcept {
  return detail::score(x, streak, rules);
}

std::int64_t add_saturating(std::int64_t total, std::int64_t delta) noexcept {
  return detail::add_saturating(total, delta);
}

}  // namespace roshambo
