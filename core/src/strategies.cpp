// The strategy units of strategies.hpp: each is a choose (and maybe an observe)
// function plus one row of the registry below (`roshambo rules` prints it).

#include "roshambo/strategies.hpp"

#include <charconv>

namespace roshambo {
namespace {


Choice uniform(Rng& rng) noexcept { return static_cast<Choice>(1 + rng.below(3)); }

/// A random code among the set bits 1..3 of `mask`, or None when it is empty.
Choice pick(std::uint8_t mask, Rng& rng) noexcept {
  const int n = ((mask >> 1) & 1) + ((mask >> 2) & 1) + ((mask >> 3) & 1);
  if (n == 0) return Choice::None;
  auto r = n == 1 ? 0 : static_cast<int>(rng.below(static_cast<std::uint64_t>(n)));
  for (unsigned c = 1; c <= 3; ++c) {
    if ((mask >> c) & 1) {
      if (r == 0) return static_cast<Choice>(c);
      --r;
    }
  }
  return Choice::None;
}

/// Bit mask (bit c) of the codes c in 1..3 that are `eligible` (bit c set) and have the
/// largest value v[c]; 0 when none is eligible.
std::uint8_t argmax_mask(const std::array<long long, 4>& v, unsigned eligible) noexcept {
  std::uint8_t mask = 0;
  long long best = 0;
  for (unsigned c = 1; c <= 3; ++c) {
    if (!((eligible >> c) & 1)) continue;
    if (mask == 0 || v[c] > best) {
      best = v[c];
      mask = static_cast<std::uint8_t>(1u << c);
    } else if (v[c] == best) {
      mask = static_cast<std::uint8_t>(mask | (1u << c));
    }
  }
  return mask;
}

/// The codes 1..3 with a positive count, as a bit mask.
template <class T>
unsigned positive(const T& counts) noexcept {
  unsigned m = 0;
  // Written as a branch: gcc 12 with -fsanitize=undefined miscompiles the branch-free
  // `(counts[c] > 0 ? 1u : 0u) << c` to 0 (seen at -O1), silently breaking copy-winner.
  for (unsigned c = 1; c <= 3; ++c) {
    if (counts[c] > 0) m |= 1u << c;
  }
  return m;
}

template <class T>
std::array<long long, 4> widen(const T& v) noexcept {
  return {static_cast<long long>(v[0]), static_cast<long long>(v[1]), static_cast<long long>(v[2]),
          static_cast<long long>(v[3])};
}


// ---------------------------------------------------------------- the units

Choice choose_uniform(const Strategy&, StrategyMemory&, Rng& rng) noexcept { return uniform(rng); }
Choice choose_rock(const Strategy&, StrategyMemory&, Rng&) noexcept { return Choice::Rock; }
Choice choose_paper(const Strategy&, StrategyMemory&, Rng&) noexcept { return Choice::Paper; }
Choice choose_scissors(const Strategy&, StrategyMemory&, Rng&) noexcept { return Choice::Scissors; }
Choice choose_none(const Strategy&, StrategyMemory&, Rng&) noexcept { return Choice::None; }

Choice choose_biased(const Strategy& s, StrategyMemory&, Rng& rng) noexcept {
  const auto& w = s.weights();
  const std::uint64_t r = rng.below(std::uint64_t{w[0]} + w[1] + w[2]);
  if (r < w[0]) return Choice::Rock;
  if (r < std::uint64_t{w[0]} + w[1]) return Choice::Paper;
  return Choice::Scissors;
}

Choice choose_cycle(const Strategy&, StrategyMemory& m, Rng& rng) noexcept {
  // Rock, paper, scissors: each step plays what beats the previous step.
  const Choice c = m.phase == 0 ? uniform(rng) : beats(static_cast<Choice>(m.phase));
  m.phase = static_cast<std::uint8_t>(c);
  return c;
}

Choice choose_beat_last(const Strategy&, StrategyMemory& m, Rng& rng) noexcept {
  const Choice target = pick(m.target, rng);
  return target == Choice::None ? uniform(rng) : beats(target);
}

void observe_beat_last(StrategyMemory& m, const StrategyObservation& o) noexcept {
  // The other members' choices: the room's counts without this player's own.
  std::array<long long, 4> others = widen(o.room.n);
  --others[static_cast<unsigned>(o.own)];
  m.target = argmax_mask(others, positive(others));
}

Choice choose_frequency(const Strategy&, StrategyMemory& m, Rng& rng) noexcept {
  const Choice most = pick(argmax_mask(widen(m.seen), positive(m.seen)), rng);
  return most == Choice::None ? uniform(rng) : beats(most);
}

void observe_frequency(StrategyMemory& m, const StrategyObservation& o) noexcept {
  for (unsigned c = 1; c <= 3; ++c) {
    m.seen[c] += o.room.n[c] - (static_cast<unsigned>(o.own) == c ? 1u : 0u);
  }
}

Choice choose_copy_winner(const Strategy&, StrategyMemory& m, Rng& rng) noexcept {
  const Choice target = pick(m.target, rng);
  return target == Choice::None ? uniform(rng) : target;
}

void observe_copy_winner(StrategyMemory& m, const StrategyObservation& o) noexcept {
  // Everyone who chose c got the same base score, tally(c, room); only options
  // somebody actually chose compete.
  std::array<long long, 4> base{};
  for (unsigned c = 1; c <= 3; ++c) base[c] = tally(static_cast<Choice>(c), o.room).base();
  m.target = argmax_mask(base, positive(o.room.n));
}

constexpr StrategyInfo kRegistry[] = {
    {"uniform", "picks rock, paper or scissors with equal probability", true, false, choose_uniform},
    {"rock", "always rock", true, false, choose_rock},
    {"paper", "always paper", true, false, choose_paper},
    {"scissors", "always scissors", true, false, choose_scissors},
    {"biased:R,P,S", "picks rock, paper, scissors with integer weights R, P, S (e.g. biased:2,1,1)",
     true, true, choose_biased},
    {"cycle", "rock, paper, scissors, rock, ... from a random first choice", false, false, choose_cycle},
    {"beat-last",
     "beats the choice most common among the other members of its previous room (ties: a "
     "random one of them); uniform when there is none",
     false, false, choose_beat_last, observe_beat_last},
    {"frequency",
     "beats the choice its past opponents played most over all its rooms (ties: random); "
     "uniform until it has seen one",
     false, false, choose_frequency, observe_frequency},
    {"copy-winner",
     "repeats the previous room's best choice: the one whose players scored the highest base "
     "score (ties: random); uniform when nobody chose",
     false, false, choose_copy_winner, observe_copy_winner},
    {"none", "never chooses (loses to every choice, draws with no choice)", true, false, choose_none},
};

// The keyword of a unit: its name up to a ':' ("biased" for "biased:R,P,S").
std::string_view keyword(const StrategyInfo& u) noexcept { return u.name.substr(0, u.name.find(':')); }

// `label` starts each message: the field's name, or "config field 'name'" for a config field.
std::array<std::uint32_t, 3> parse_weights(std::string_view rest, const std::string& field,
                                           const std::string& label) {
  auto bad = [&](const std::string& why) -> void { throw ConfigError(field, label + ": " + why); };
  std::array<std::uint32_t, 3> w{};
  std::uint64_t sum = 0;
  for (std::size_t i = 0; i < 3; ++i) {
    const auto comma = rest.find(',');
    const std::string_view part = i < 2 ? rest.substr(0, comma) : rest;
    if ((i < 2 && comma == std::string_view::npos) || part.empty()) {
      bad("biased needs three weights R,P,S, e.g. biased:2,1,1");
    }
    const auto [ptr, ec] = std::from_chars(part.data(), part.data() + part.size(), w[i]);
    if (ec != std::errc() || ptr != part.data() + part.size() || w[i] > 1'000'000) {
      bad("biased weights must be integers in 0..1000000, got '" + std::string(part.substr(0, 32)) + "'");
    }
    sum += w[i];
    if (i < 2) rest = rest.substr(comma + 1);
  }
  if (sum == 0) bad("biased weights must not all be 0");
  return w;
}

Strategy parse_in(std::string_view text, const std::string& field, const std::string& label, bool bots) {
  for (const StrategyInfo& u : kRegistry) {
    const std::string_view key = keyword(u);
    const bool match = u.weighted ? text.substr(0, key.size() + 1) == std::string(key) + ":" : text == u.name;
    if (!match) continue;
    if (bots && !u.stateless) {
      throw ConfigError(field, label + ": '" + std::string(text.substr(0, 64)) +
                                   "' learns across rounds and a bot plays one round; bots use a "
                                   "stateless strategy");
    }
    return Strategy::from_unit(u, u.weighted ? parse_weights(text.substr(key.size() + 1), field, label)
                                             : std::array<std::uint32_t, 3>{1, 1, 1});
  }
  std::string names;
  for (const StrategyInfo& u : kRegistry) {
    if (bots && !u.stateless) continue;
    if (!names.empty()) names += ", ";
    names += u.name;
  }
  throw ConfigError(field, label + ": unknown strategy '" + std::string(text.substr(0, 64)) + "' (" + names + ")");
}

}  // namespace

Choice beats(Choice c) noexcept {
  // scissors(1) < rock(2) < paper(3) < scissors: the next code beats the current one.
  return c == Choice::None ? Choice::None : static_cast<Choice>(static_cast<unsigned>(c) % 3 + 1);
}

std::span<const StrategyInfo> strategy_registry() noexcept { return kRegistry; }

Strategy::Strategy() noexcept : unit_(&kRegistry[0]) {}

Strategy Strategy::from_unit(const StrategyInfo& unit, std::array<std::uint32_t, 3> weights) noexcept {
  Strategy s;
  s.unit_ = &unit;
  s.weights_ = weights;
  return s;
}

Strategy Strategy::parse(std::string_view text, std::string_view field) {
  return parse_in(text, std::string(field), std::string(field), false);
}

// Worded like every other config field's error, so the message quotes the field.
Strategy Strategy::parse_bot(std::string_view text) {
  return parse_in(text, "bot_strategy", "config field 'bot_strategy'", true);
}

std::string Strategy::name() const {
  if (!unit_->weighted) return std::string(unit_->name);
  return std::string(keyword(*unit_)) + ":" + std::to_string(weights_[0]) + "," +
         std::to_string(weights_[1]) + "," + std::to_string(weights_[2]);
}

bool Strategy::chooses() const noexcept { return unit_->choose != choose_none; }

Choice Strategy::choose(StrategyMemory& m, Rng& rng) const noexcept { return unit_->choose(*this, m, rng); }

void Strategy::observe(StrategyMemory& m, const StrategyObservation& o) const noexcept {
  if (unit_->observe) unit_->observe(m, o);
}

}  // namespace roshambo
