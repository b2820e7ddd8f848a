// The strategy units of strategies.hpp. Each `case` of choose()/observe() is one unit;
// the registry below documents them (`roshambo rules` prints it).

#include "roshambo/strategies.hpp"

#include <charconv>

namespace roshambo {
namespace {

using Kind = Strategy::Kind;

constexpr StrategyInfo kRegistry[] = {
    {"uniform", "picks rock, paper or scissors with equal probability"},
    {"rock", "always rock"},
    {"paper", "always paper"},
    {"scissors", "always scissors"},
    {"biased:R,P,S", "picks rock, paper, scissors with integer weights R, P, S (e.g. biased:2,1,1)"},
    {"cycle", "rock, paper, scissors, rock, ... from a random first choice"},
    {"beat-last",
     "beats the choice most common among the other members of its previous room (ties: a "
     "random one of them); uniform when there is none"},
    {"frequency",
     "beats the choice its past opponents played most over all its rooms (ties: random); "
     "uniform until it has seen one"},
    {"copy-winner",
     "repeats the previous room's best choice: the one whose players scored the highest base "
     "score (ties: random); uniform when nobody chose"},
    {"none", "never chooses (loses to every choice, draws with no choice)"},
};

[[noreturn]] void bad(const std::string& why) { throw ConfigError("mix", "mix: " + why); }

Choice uniform(SimRng& rng) noexcept { return static_cast<Choice>(1 + rng.below(3)); }

/// A random code among the set bits 1..3 of `mask`, or None when it is empty.
Choice pick(std::uint8_t mask, SimRng& rng) noexcept {
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

}  // namespace

Choice beats(Choice c) noexcept {
  // scissors(1) < rock(2) < paper(3) < scissors: the next code beats the current one.
  return c == Choice::None ? Choice::None : static_cast<Choice>(static_cast<unsigned>(c) % 3 + 1);
}

std::span<const StrategyInfo> strategy_registry() noexcept { return kRegistry; }

Strategy Strategy::parse(std::string_view text) {
  Strategy s;
  if (text == "uniform") return s;
  const struct {
    std::string_view name;
    Kind kind;
  } plain[] = {{"rock", Kind::Rock},          {"paper", Kind::Paper},
               {"scissors", Kind::Scissors},  {"cycle", Kind::Cycle},
               {"beat-last", Kind::BeatLast}, {"frequency", Kind::Frequency},
               {"copy-winner", Kind::CopyWinner}, {"none", Kind::None}};
  for (const auto& p : plain) {
    if (text == p.name) {
      s.kind_ = p.kind;
      return s;
    }
  }
  constexpr std::string_view prefix = "biased:";
  if (text.substr(0, prefix.size()) == prefix) {
    s.kind_ = Kind::Biased;
    std::string_view rest = text.substr(prefix.size());
    std::uint64_t sum = 0;
    for (std::size_t i = 0; i < 3; ++i) {
      const auto comma = rest.find(',');
      const std::string_view part = i < 2 ? rest.substr(0, comma) : rest;
      if ((i < 2 && comma == std::string_view::npos) || part.empty()) {
        bad("biased needs three weights R,P,S, e.g. biased:2,1,1");
      }
      std::uint32_t w = 0;
      const auto [ptr, ec] = std::from_chars(part.data(), part.data() + part.size(), w);
      if (ec != std::errc() || ptr != part.data() + part.size() || w > 1'000'000) {
        bad("biased weights must be integers in 0..1000000, got '" +
            std::string(part.substr(0, 32)) + "'");
      }
      s.weights_[i] = w;
      sum += w;
      if (i < 2) rest = rest.substr(comma + 1);
    }
    if (sum == 0) bad("biased weights must not all be 0");
    return s;
  }
  bad("unknown strategy '" + std::string(text.substr(0, 64)) +
      "' (uniform, rock, paper, scissors, biased:R,P,S, cycle, beat-last, frequency, "
      "copy-winner, none)");
}

std::string Strategy::name() const {
  switch (kind_) {
    case Kind::Uniform: return "uniform";
    case Kind::Rock: return "rock";
    case Kind::Paper: return "paper";
    case Kind::Scissors: return "scissors";
    case Kind::Biased:
      return "biased:" + std::to_string(weights_[0]) + "," + std::to_string(weights_[1]) + "," +
             std::to_string(weights_[2]);
    case Kind::Cycle: return "cycle";
    case Kind::BeatLast: return "beat-last";
    case Kind::Frequency: return "frequency";
    case Kind::CopyWinner: return "copy-winner";
    case Kind::None: return "none";
  }
  return "uniform";
}

Choice Strategy::choose(StrategyMemory& m, SimRng& rng) const noexcept {
  switch (kind_) {
    case Kind::Uniform: return uniform(rng);
    case Kind::Rock: return Choice::Rock;
    case Kind::Paper: return Choice::Paper;
    case Kind::Scissors: return Choice::Scissors;
    case Kind::Biased: {
      const std::uint64_t r =
          rng.below(std::uint64_t{weights_[0]} + weights_[1] + weights_[2]);
      if (r < weights_[0]) return Choice::Rock;
      if (r < std::uint64_t{weights_[0]} + weights_[1]) return Choice::Paper;
      return Choice::Scissors;
    }
    case Kind::Cycle: {
      // Rock, paper, scissors: each step plays what beats the previous step.
      const Choice c = m.phase == 0 ? uniform(rng) : beats(static_cast<Choice>(m.phase));
      m.phase = static_cast<std::uint8_t>(c);
      return c;
    }
    case Kind::BeatLast:
    case Kind::CopyWinner: {
      const Choice target = pick(m.target, rng);
      if (target == Choice::None) return uniform(rng);
      return kind_ == Kind::BeatLast ? beats(target) : target;
    }
    case Kind::Frequency: {
      const Choice most = pick(argmax_mask(widen(m.seen), positive(m.seen)), rng);
      return most == Choice::None ? uniform(rng) : beats(most);
    }
    case Kind::None: return Choice::None;
  }
  return Choice::None;
}

void Strategy::observe(StrategyMemory& m, const StrategyObservation& o) const noexcept {
  switch (kind_) {
    case Kind::BeatLast: {
      // The other members' choices: the room's counts without this player's own.
      std::array<long long, 4> others = widen(o.room.n);
      --others[static_cast<unsigned>(o.own)];
      m.target = argmax_mask(others, positive(others));
      break;
    }
    case Kind::Frequency:
      for (unsigned c = 1; c <= 3; ++c) {
        m.seen[c] += o.room.n[c] - (static_cast<unsigned>(o.own) == c ? 1u : 0u);
      }
      break;
    case Kind::CopyWinner: {
      // Everyone who chose c got the same base score, tally(c, room); only options
      // somebody actually chose compete.
      std::array<long long, 4> base{};
      for (unsigned c = 1; c <= 3; ++c) base[c] = tally(static_cast<Choice>(c), o.room).base();
      m.target = argmax_mask(base, positive(o.room.n));
      break;
    }
    default: break;
  }
}

}  // namespace roshambo
