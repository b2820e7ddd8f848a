// The floor (floor.hpp): the least a round can cost here, the unit in which
// BM_FullRound, BM_FullRoundJson and `roshambo bench` also give their figures.
// Figures and commands: docs/PERFORMANCE.md.

#include <benchmark/benchmark.h>

#include "floor.hpp"
#include "support.hpp"

namespace roshambo::bench {
namespace {

// Choices of round `r` for `n` players, with a few left out so that the "no choice
// loses to any choice" rule is checked too.
std::vector<std::uint8_t> sparse_choices(std::size_t n, std::uint64_t r) {
  std::vector<std::uint8_t> c(n);
  for (std::size_t i = 0; i < n; ++i) c[i] = (i + r) % 11 == 0 ? 0 : floor_choice(i, r);
  return c;
}

// Whether the floor scores like the engine: the same lobby (1000 players, default
// scoring) played for 3 rounds by both, at capacity 2 and 10; every total and streak
// must agree. Empty when they do, else what differs.
std::string floor_disagrees() {
  constexpr std::size_t kPlayers = 1000;
  for (const std::uint32_t cap : {2u, 10u}) {
    Config cfg;
    cfg.capacity = cap;
    cfg.bot_fill_after_ms = 0;
    Lobby lobby(cfg, kPlayers, /*with_choices=*/false);
    FloorLobby floor(kPlayers, cap, cfg.scoring_rules());
    std::vector<Event> out;
    std::vector<FloorEvent> floor_out;
    for (std::uint64_t r = 0; r < 3; ++r) {
      const std::vector<std::uint8_t> choices = sparse_choices(kPlayers, r);
      bool refused = false;
      for (const Command& c : lobby.joins) refused |= lobby.engine.handle(c, lobby.now, out).has_value();
      for (std::size_t i = 0; i < kPlayers; ++i) {
        if (choices[i] == 0) continue;
        refused |= lobby.engine.handle(Command::choice(uid(i), choices[i]), lobby.now, out).has_value();
      }
      if (refused) return "the engine refused a command of the check";
      lobby.now += cfg.game_time_ms;
      lobby.engine.tick(lobby.now, out);
      out.clear();
      floor_round(floor, choices, floor_out);
    }
    for (std::size_t i = 0; i < kPlayers; ++i) {
      const auto p = lobby.engine.player(uid(i));
      const auto id = static_cast<std::uint32_t>(i);
      if (!p || p->total_score != floor.total_score(id) || p->win_streak != floor.win_streak(id)) {
        return text("floor and engine disagree on player ", i, text(" at capacity ", cap).c_str());
      }
    }
  }
  return {};
}

// One round for every player, as BM_FullRound plays it (joins in id order, then
// choices in id order, then the deadline; events drained after each call), on the
// floor. Args: players, capacity.
void BM_Floor(benchmark::State& state) {
  static const std::string disagreement = floor_disagrees();  // once per process
  if (!disagreement.empty()) {
    state.SkipWithError(disagreement.c_str());
    return;
  }
  const auto n = static_cast<std::size_t>(state.range(0));
  const auto cap = static_cast<std::uint32_t>(state.range(1));
  const std::size_t players = n / cap * cap;
  FloorLobby lobby(players, cap);
  const auto choices = floor_batches(players);
  std::vector<FloorEvent> out;
  std::uint64_t round = 0, events = 0;
  for (auto _ : state) events += floor_round(lobby, choices[round++ % 3], out);
  state.counters["player_rounds"] =
      benchmark::Counter(static_cast<double>(players), benchmark::Counter::kIsIterationInvariantRate);
  state.counters["events"] = benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_Floor)->ArgNames({"players", "capacity"})->Args({100'000, 2})->Args({100'000, 10})
    ->Args({100'000, 1000})->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace roshambo::bench
