// The floor (floor.hpp): the least a round can cost here, the unit in which
// BM_FullRound, BM_FullRoundJson and `roshambo bench` also give their figures; and the
// lean round (lean.hpp): the floor plus the duties the engine cannot skip.
// Figures and commands: docs/PERFORMANCE.md.

#include <benchmark/benchmark.h>

#include "floor.hpp"
#include "lean.hpp"
#include "round_counters.hpp"
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

// A visitor that counts the lean round's events and their recipients.
struct LeanCounter final : LeanVisitor {
  std::uint64_t events = 0, recipients = 0;
  void on_event(const LeanView& e) noexcept override {
    ++events;
    recipients += e.count - (e.except < e.count ? 1 : 0);
  }
};

// The lean round's commands for one phase: every player's join, or their choices
// (none for a 0).
std::vector<LeanCommand> lean_joins(std::size_t n) {
  std::vector<LeanCommand> c(n);
  for (std::size_t i = 0; i < n; ++i) c[i] = {static_cast<std::uint32_t>(i), LeanCommand::Join, 0};
  return c;
}
std::vector<LeanCommand> lean_choices(const std::vector<std::uint8_t>& choices) {
  std::vector<LeanCommand> c;
  for (std::size_t i = 0; i < choices.size(); ++i) {
    if (choices[i] != 0) c.push_back({static_cast<std::uint32_t>(i), LeanCommand::Choice, choices[i]});
  }
  return c;
}

// Whether the floor and the lean round score like the engine: the same lobby (1000
// players, default scoring) played for 3 rounds by all three, at capacity 2 and 10;
// every total and streak must agree, and the lean round must send the engine's events.
// Empty when they do, else what differs.
std::string floor_disagrees() {
  constexpr std::size_t kPlayers = 1000;
  for (const std::uint32_t cap : {2u, 10u}) {
    Config cfg;
    cfg.capacity = cap;
    cfg.bot_fill_after_ms = 0;
    Lobby lobby(cfg, kPlayers, /*with_choices=*/false);
    FloorLobby floor(kPlayers, cap, cfg.scoring_rules());
    LeanLobby lean(kPlayers, cap, cfg.scoring_rules(), cfg.game_time_ms);
    LeanCounter lean_events;
    std::uint64_t engine_events = 0;
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
      if (!lean.handle(lean_joins(kPlayers), lobby.now, lean_events) ||
          !lean.handle(lean_choices(choices), lobby.now, lean_events)) {
        return "the lean round refused a command of the check";
      }
      lobby.now += cfg.game_time_ms;
      lobby.engine.tick(lobby.now, out);
      lean.tick(lobby.now, lean_events);
      engine_events += out.size();
      out.clear();
      floor_round(floor, choices, floor_out);
    }
    if (lean_events.events != engine_events || lean.open_rooms() != lobby.engine.stats().rooms) {
      return text("the lean round's events or rooms differ from the engine's at capacity ", cap);
    }
    for (std::size_t i = 0; i < kPlayers; ++i) {
      const auto p = lobby.engine.player(uid(i));
      const auto id = static_cast<std::uint32_t>(i);
      if (!p || p->total_score != floor.total_score(id) || p->win_streak != floor.win_streak(id)) {
        return text("floor and engine disagree on player ", i, text(" at capacity ", cap).c_str());
      }
      if (p->total_score != lean.total_score(id) || p->win_streak != lean.win_streak(id)) {
        return text("the lean round and the engine disagree on player ", i, text(" at capacity ", cap).c_str());
      }
    }
  }
  return {};
}

// The players of a model's benchmark (args: players, capacity), rounded down to whole
// rooms; 0, the benchmark skipped, when the models do not play like the engine.
std::size_t model_players(benchmark::State& state) {
  static const std::string disagreement = floor_disagrees();  // once per process
  if (!disagreement.empty()) {
    state.SkipWithError(disagreement.c_str());
    return 0;
  }
  const auto cap = static_cast<std::size_t>(state.range(1));
  return static_cast<std::size_t>(state.range(0)) / cap * cap;
}

// One round for every player, as BM_FullRound plays it (joins in id order, then
// choices in id order, then the deadline; events drained after each call), on the
// floor. Args: players, capacity.
void BM_Floor(benchmark::State& state) {
  const std::size_t players = model_players(state);
  if (players == 0) return;
  const auto cap = static_cast<std::uint32_t>(state.range(1));
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

// The round of BM_FullRoundVisited (handles, batched, events to a visitor) on the lean
// round, with the same counters: the phases, player-rounds/s and the share of the
// floor measured in the same process. Args: players, capacity.
void BM_Lean(benchmark::State& state) {
  const std::size_t players = model_players(state);
  if (players == 0) return;
  const auto cap = static_cast<std::uint32_t>(state.range(1));
  constexpr std::int64_t kGame = 5000;
  LeanLobby lobby(players, cap, {}, kGame);
  const std::vector<LeanCommand> joins = lean_joins(players);
  const auto batches = floor_batches(players);
  const std::vector<LeanCommand> choices[3] = {lean_choices(batches[0]), lean_choices(batches[1]),
                                               lean_choices(batches[2])};
  LeanCounter visitor;
  std::int64_t now = 0;
  std::uint64_t round = 0;
  double phase[3] = {0, 0, 0};  // join, choice, settle
  const FloorShare share(players, cap);
  for (auto _ : state) {
    const double t0 = thread_ns();
    const bool joined = lobby.handle(joins, now, visitor);
    const double t1 = thread_ns();
    const bool chose = lobby.handle(choices[round % 3], now, visitor);
    const double t2 = thread_ns();
    if (!joined || !chose) {
      state.SkipWithError("a command was refused");
      break;
    }
    now += kGame;
    lobby.tick(now, visitor);
    phase[0] += t1 - t0;
    phase[1] += t2 - t1;
    phase[2] += thread_ns() - t2;
    ++round;
  }
  if (lobby.rooms_settled() != round * (players / cap) || lobby.open_rooms() != 0) {
    state.SkipWithError("rounds did not settle every room");
  }
  benchmark::DoNotOptimize(visitor.recipients);
  round_counters(state, players, round, phase, visitor.events, share);
}
BENCHMARK(BM_Lean)->ArgNames({"players", "capacity"})->Args({100'000, 2})->Args({100'000, 10})
    ->Args({100'000, 1000})->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace roshambo::bench
