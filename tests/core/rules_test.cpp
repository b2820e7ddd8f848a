// docs/RULES.md §5: PK of two choices, settlement by counting, streak scoring and its knobs.

#include <catch2/catch.hpp>
#include <limits>

#include "roshambo_test.hpp"

using namespace roshambo;
using rt::Rand;

namespace {
constexpr Choice N = Choice::None, S = Choice::Scissors, R = Choice::Rock, P = Choice::Paper;
constexpr Choice kAll[] = {N, S, R, P};

// Pairwise reference: O(n^2), obviously right.
std::vector<PairTally> pairwise(const std::vector<Choice>& cs) {
  std::vector<PairTally> out(cs.size());
  for (std::size_t i = 0; i < cs.size(); ++i) {
    for (std::size_t j = 0; j < cs.size(); ++j) {
      if (i == j) continue;
      const int r = pk(cs[i], cs[j]);
      if (r > 0) ++out[i].wins;
      if (r < 0) ++out[i].losses;
    }
  }
  return out;
}
}  // namespace

TEST_CASE("pk: every pair of choices", "[rules]") {
  // Row beats column: +1; written out in full rather than derived.
  const int table[4][4] = {
      //        N   S   R   P
      /* N */ {0, -1, -1, -1},
      /* S */ {1, 0, -1, 1},
      /* R */ {1, 1, 0, -1},
      /* P */ {1, -1, 1, 0},
  };
  for (int a = 0; a < 4; ++a) {
    for (int b = 0; b < 4; ++b) {
      INFO("a=" << a << " b=" << b);
      CHECK(pk(kAll[a], kAll[b]) == table[a][b]);
      CHECK(pk(kAll[a], kAll[b]) == -pk(kAll[b], kAll[a]));
    }
  }
  CHECK(pk(S, P) == 1);
  CHECK(pk(P, R) == 1);
  CHECK(pk(R, S) == 1);
}

TEST_CASE("tally: one member against the counts of a room", "[rules]") {
  ChoiceCounts c;
  for (Choice x : {S, S, R, P, P, P, N}) c.add(x);
  CHECK(c.total() == 7);
  // Scissors: beats 3 paper + 1 none, loses to 1 rock, draws the other scissors.
  CHECK(tally(S, c).wins == 4);
  CHECK(tally(S, c).losses == 1);
  CHECK(tally(R, c).wins == 3);   // 2 scissors + none
  CHECK(tally(R, c).losses == 3); // 3 paper
  CHECK(tally(P, c).wins == 2);   // rock + none
  CHECK(tally(P, c).losses == 2); // 2 scissors
  CHECK(tally(N, c).wins == 0);
  CHECK(tally(N, c).losses == 6);
  CHECK(tally(N, c).base() == -6);
}

TEST_CASE("settle by counting equals the pairwise loop on random rooms", "[rules]") {
  Rand rng(7);
  const std::size_t sizes[] = {1, 2, 3, 4, 7, 10, 33, 100, 257, 1000, 1024};
  for (std::size_t n : sizes) {
    for (int round = 0; round < 12; ++round) {
      std::vector<Choice> cs(n);
      // Vary the mix: some rooms without None, some with only one or two options.
      const unsigned mask = 1 + static_cast<unsigned>(rng.below(15));
      for (auto& c : cs) {
        do c = kAll[rng.below(4)];
        while (!(mask & (1u << static_cast<unsigned>(c))));
      }
      std::vector<PairTally> got(n);
      settle(cs, got);
      const auto want = pairwise(cs);
      std::int64_t sum = 0;
      bool same = true;
      for (std::size_t i = 0; i < n; ++i) {
        same = same && got[i].wins == want[i].wins && got[i].losses == want[i].losses;
        CHECK(got[i].wins + got[i].losses <= n - 1);
        sum += got[i].base();
      }
      INFO("n=" << n << " mask=" << mask);
      CHECK(same);
      CHECK(sum == 0);
    }
  }
}

TEST_CASE("settle: all same choice or nobody chose is all draws", "[rules]") {
  for (Choice c : kAll) {
    std::vector<Choice> cs(50, c);
    std::vector<PairTally> out(50);
    settle(cs, out);
    for (const auto& t : out) {
      CHECK(t.wins == 0);
      CHECK(t.losses == 0);
    }
  }
}

TEST_CASE("score: article preset", "[rules]") {
  const ScoringRules art{};
  CHECK(score(3, 0, art).round_score == 3);
  CHECK(score(3, 0, art).win_streak == 1);
  CHECK(score(2, 4, art).round_score == 10);  // x * (streak + 1)
  CHECK(score(2, 4, art).win_streak == 5);
  CHECK(score(0, 4, art).round_score == 0);
  CHECK(score(0, 4, art).win_streak == 0);    // a draw resets under article
  CHECK(score(-2, 4, art).round_score == 0);
  CHECK(score(-2, 4, art).win_streak == 0);
}

TEST_CASE("score: reference preset keeps the streak on a draw", "[rules]") {
  const ScoringRules ref{ScoringPreset::Reference, false, 0};
  CHECK(score(0, 4, ref).round_score == 0);
  CHECK(score(0, 4, ref).win_streak == 4);
  CHECK(score(1, 4, ref).round_score == 5);
  CHECK(score(1, 4, ref).win_streak == 5);
  CHECK(score(-1, 4, ref).win_streak == 0);
  CHECK(score(-1, 4, ref).round_score == 0);
}

TEST_CASE("score: loss_penalty adds negative base scores", "[rules]") {
  for (auto preset : {ScoringPreset::Article, ScoringPreset::Reference}) {
    const ScoringRules lp{preset, true, 0};
    CHECK(score(-3, 2, lp).round_score == -3);
    CHECK(score(-3, 2, lp).win_streak == 0);
    CHECK(score(0, 2, lp).round_score == 0);
    CHECK(score(2, 2, lp).round_score == 6);
  }
}

TEST_CASE("score: streak_cap caps the multiplier, not the streak", "[rules]") {
  const ScoringRules cap{ScoringPreset::Article, false, 3};
  CHECK(score(2, 1, cap).round_score == 4);   // multiplier 2
  CHECK(score(2, 2, cap).round_score == 6);   // multiplier 3
  CHECK(score(2, 9, cap).round_score == 6);   // still 3
  CHECK(score(2, 9, cap).win_streak == 10);   // the streak keeps counting
  const ScoringRules one{ScoringPreset::Reference, false, 1};
  CHECK(score(5, 100, one).round_score == 5);
}

TEST_CASE("score and totals saturate instead of overflowing", "[rules]") {
  constexpr auto kMax = std::numeric_limits<std::int64_t>::max();
  constexpr auto kMin = std::numeric_limits<std::int64_t>::min();
  constexpr auto kU32 = std::numeric_limits<std::uint32_t>::max();
  const ScoringRules art{};
  // A streak at its limit stays there; the product still fits in int64.
  const RoundScore r = score(1023, kU32, art);
  CHECK(r.win_streak == kU32);
  CHECK(r.round_score == 1023 * static_cast<std::int64_t>(kU32));
  CHECK(add_saturating(kMax - 1, 5) == kMax);
  CHECK(add_saturating(kMin + 1, -5) == kMin);
  CHECK(add_saturating(kMax, kMin) == -1);
  CHECK(add_saturating(10, -3) == 7);
}

TEST_CASE("engine settles a 1024-seat room like the pairwise loop", "[rules][engine]") {
  Config cfg;
  cfg.capacity = 1024;
  cfg.bot_fill_after_ms = 0;
  cfg.game_time_ms = 1000;
  Engine e(cfg);
  Rand rng(99);
  std::vector<Event> out;
  for (int i = 0; i < 1024; ++i) {
    const std::string u = "u" + std::to_string(i);
    e.handle(Command::hello(u), 0, out);
    e.handle(Command::join(u), 0, out);
  }
  out.clear();
  for (int i = 0; i < 1024; ++i) {
    const auto c = static_cast<std::int64_t>(rng.below(4));
    if (c != 0) e.handle(Command::choice("u" + std::to_string(i), c), 10, out);
  }
  out.clear();
  e.tick(1000, out);
  REQUIRE(out.size() == 1);
  const auto& res = rt::data<ResultData>(out[0]);
  REQUIRE(res.rows.size() == 1024);
  CHECK(rt::result_consistent(res));
  for (const ResultRow& row : res.rows) {
    const std::int64_t x = row.tally.base();
    CHECK(row.round_score == (x > 0 ? x : 0));
    CHECK(row.win_streak == (x > 0 ? 1u : 0u));
  }
  e.verify();
}
