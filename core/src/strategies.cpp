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

/// Bit mask of the codes 1..3 with the largest value in `v` (which must be > 0).
template <class T>
std::uint8_t argmax_mask(const T& v, bool (*eligible)(const T&, unsigned)) noexcept {
  std::uint8_t mask = 0;
  bool any = false;
  long long best = 0;
  for (unsigned c = 1; c <= 3; ++c) {
    if (!eligible(v, c)) continue;
    const auto x = static_cast<long long>(v[c]);
    if (!any || x > best) {
      best = x;
      mask = static_cast<std::uint8_t>(1u << c);
      any = true;
    } else if (x == best) {
      mask = static_cast<std::uint8_t>(mask | (1u << c));
    }
  }
  return mask;
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
      const std::uint8_t mask = argmax_mask<std::array<std::uint32_t, 4>>(
          m.seen, [](const std::array<std::uint32_t, 4>& v, unsigned c) { return v[c] > 0; });
      const Choice most = pick(mask, rng);
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
      std::array<std::uint32_t, 4> others{o.room.n[0], o.room.n[1], o.room.n[2], o.room.n[3]};
      --others[static_cast<unsigned>(o.own)];
      m.target = argmax_mask<std::array<std::uint32_t, 4>>(
          others, [](const std::array<std::uint32_t, 4>& v, unsigned c) { return v[c] > 0; });
      break;
    }
    case Kind::Frequency:
      for (unsigned c = 1; c <= 3; ++c) {
        m.seen[c] += o.room.n[c] - (static_cast<unsigned>(o.own) == c ? 1u : 0u);
      }
      break;
    case Kind::CopyWinner: {
      // Everyone who chose c got the same base score, tally(c, room).
      struct Bases {
        std::array<long long, 4> base{};
        const ChoiceCounts* room = nullptr;
        long long operator[](unsigned c) const noexcept { return base[c]; }
      } b;
      b.room = &o.room;
      for (unsigned c = 1; c <= 3; ++c) b.base[c] = tally(static_cast<Choice>(c), o.room).base();
      m.target = argmax_mask<Bases>(b, [](const Bases& v, unsigned c) { return v.room->n[c] > 0; });
      break;
    }
    default: break;
  }
}

}  // namespace roshambo
