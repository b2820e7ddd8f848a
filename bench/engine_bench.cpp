// Engine throughput: full rounds, settlement by room size, idle ticks, choices in big
// rooms. Targets: >= 20 M player-rounds/s for a full round at capacity 2;
// settlement flat per player; an idle tick <= 50 ns with 1 M rooms open; a choice O(1)
// whatever the room size. Figures and commands: docs/PERFORMANCE.md.

#include <benchmark/benchmark.h>

#include <map>
#include <memory>
#include <unordered_map>

#include "round_counters.hpp"
#include "support.hpp"

namespace roshambo::bench {
namespace {

constexpr std::int64_t kLongGame = 86'400'000;  // the largest game_time_ms: nothing comes due

// Apply one prepared batch, one command at a time as a server would, draining the
// events after each (the host forwards them and reuses the vector). Batches list the
// players in registration order, so with `handles` command i goes to handle i.
bool run_batch(Engine& e, const std::vector<Command>& batch, Time now, std::vector<Event>& out,
               std::uint64_t& events, bool handles = false) {
  for (std::size_t i = 0; i < batch.size(); ++i) {
    const Command& c = batch[i];
    const auto refused = handles ? e.handle(PlayerHandle{static_cast<std::uint32_t>(i)}, c.type, c.value, now, out)
                                 : e.handle(c, now, out);
    if (refused) return false;
    events += out.size();
    out.clear();
  }
  return true;
}

// One round for every player: join (rooms fill and start), choose, then one tick at
// the deadline settles every room. Args: players, bots on (the default 1 s fill timer
// is queued for every room and goes stale when the room fills) or off, and commands
// by uid (handles 0) or by player handle (handles 1, the trusted-host API). The phase
// split is by thread CPU time (thread_ns): the machine the figures come from is shared.
void BM_FullRound(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  Config cfg;
  cfg.capacity = 2;
  cfg.bot_fill_after_ms = state.range(1) != 0 ? 1000 : 0;
  const bool handles = state.range(2) != 0;
  Lobby lobby(cfg, n);
  std::vector<Event> out;
  std::uint64_t round = 0, events = 0;
  double phase[3] = {0, 0, 0};  // join, choice, settle
  const FloorShare share(n, cfg.capacity);
  for (auto _ : state) {
    const double t0 = thread_ns();
    const bool joined = run_batch(lobby.engine, lobby.joins, lobby.now, out, events, handles);
    const double t1 = thread_ns();
    const bool chose = run_batch(lobby.engine, lobby.choices[round % 3], lobby.now, out, events, handles);
    const double t2 = thread_ns();
    if (!joined || !chose) {
      state.SkipWithError("a command was refused");
      break;
    }
    lobby.now += cfg.game_time_ms;
    lobby.engine.tick(lobby.now, out);
    events += out.size();
    out.clear();
    phase[0] += t1 - t0;
    phase[1] += t2 - t1;
    phase[2] += thread_ns() - t2;
    ++round;
  }
  if (lobby.engine.stats().rooms_settled != round * (n / 2) || lobby.engine.stats().rooms != 0) {
    state.SkipWithError("rounds did not settle every room");
  }
  round_counters(state, n, round, phase, events, share);
}
BENCHMARK(BM_FullRound)->ArgNames({"players", "bots", "handles"})
    ->Args({100'000, 1, 0})->Args({100'000, 0, 0})->Args({100'000, 0, 1})
    ->Unit(benchmark::kMillisecond);

// A visitor that reads what a host forwarding events reads of each: its type, its
// room and how many it goes to.
class CountingVisitor final : public EventVisitor {
 public:
  void on_event(const EventView& e) noexcept override {
    ++events;
    recipients += e.single ? 1 : e.count - (e.except < e.count);
    rooms ^= e.room;
  }
  std::uint64_t events = 0, recipients = 0, rooms = 0;
};

// BM_FullRound's round with the events given to a visitor as borrowed views instead of
// built in a vector (Engine::handle/tick with an EventVisitor). Args: players, commands
// by uid (handles 0) or by handle (1), and for uid commands whether the host hints each
// uid's lookup 8 commands ahead (Engine::prefetch(uid)), as one with a queue can; for
// handles, whether each phase's commands go as one batch (HandleCommand records).
void BM_FullRoundVisited(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  Config cfg;
  cfg.capacity = 2;
  cfg.bot_fill_after_ms = 0;
  const bool handles = state.range(1) != 0;
  const bool hints = state.range(2) != 0;
  const bool batched = state.range(3) != 0;
  constexpr std::size_t kAhead = 8;
  Lobby lobby(cfg, n);
  CountingVisitor visitor;
  std::uint64_t round = 0;
  double phase[3] = {0, 0, 0};  // join, choice, settle
  const FloorShare share(n, cfg.capacity);
  // A host of handles holds what each command says, not uid commands: read from
  // 2-byte records, as the floor reads its choices from bytes (reading a 112-byte
  // Command a command, the benchmark's own loop took 9 % of a profile's samples; 2 %
  // with the records).
  struct Compact {
    CommandType type;
    std::uint8_t value;
  };
  auto compact = [](const std::vector<Command>& commands) {
    std::vector<Compact> c;
    c.reserve(commands.size());
    for (const Command& x : commands) c.push_back({x.type, static_cast<std::uint8_t>(x.value)});
    return c;
  };
  const std::vector<Compact> joins = compact(lobby.joins);
  const std::vector<Compact> choices[3] = {compact(lobby.choices[0]), compact(lobby.choices[1]),
                                           compact(lobby.choices[2])};
  // The batch form takes a moment's commands at once (HandleCommand records).
  auto records = [](const std::vector<Compact>& commands) {
    std::vector<HandleCommand> r;
    r.reserve(commands.size());
    for (std::uint32_t i = 0; i < commands.size(); ++i) r.push_back({PlayerHandle{i}, commands[i].type, commands[i].value});
    return r;
  };
  const std::vector<HandleCommand> join_batch = records(joins);
  const std::vector<HandleCommand> choice_batches[3] = {records(choices[0]), records(choices[1]), records(choices[2])};
  // One phase's commands in the benchmark's form: uid commands, 2-byte records by
  // handle, or one batch.
  auto batch = [&](const std::vector<Command>& commands, const std::vector<Compact>& by_handle,
                   const std::vector<HandleCommand>& records) {
    if (batched) return !lobby.engine.handle(std::span<const HandleCommand>(records), lobby.now, visitor).refused;
    if (handles) {
      for (std::size_t i = 0; i < by_handle.size(); ++i) {
        const Compact c = by_handle[i];
        if (lobby.engine.handle(PlayerHandle{static_cast<std::uint32_t>(i)}, c.type, c.value, lobby.now, visitor)) {
          return false;
        }
      }
      return true;
    }
    for (std::size_t i = 0; i < commands.size(); ++i) {
      if (hints && i + kAhead < commands.size()) lobby.engine.prefetch(commands[i + kAhead].from);
      if (lobby.engine.handle(commands[i], lobby.now, visitor)) return false;
    }
    return true;
  };
  for (auto _ : state) {
    const double t0 = thread_ns();
    const bool joined = batch(lobby.joins, joins, join_batch);
    const double t1 = thread_ns();
    const bool chose = batch(lobby.choices[round % 3], choices[round % 3], choice_batches[round % 3]);
    const double t2 = thread_ns();
    if (!joined || !chose) {
      state.SkipWithError("a command was refused");
      break;
    }
    lobby.now += cfg.game_time_ms;
    lobby.engine.tick(lobby.now, visitor);
    phase[0] += t1 - t0;
    phase[1] += t2 - t1;
    phase[2] += thread_ns() - t2;
    ++round;
  }
  if (lobby.engine.stats().rooms_settled != round * (n / 2) || lobby.engine.stats().rooms != 0 ||
      visitor.events != round * n * 3) {  // per room: 2 room, start, 2 movements, result
    state.SkipWithError("rounds did not settle every room, or events went missing");
  }
  benchmark::DoNotOptimize(visitor.recipients + visitor.rooms);
  round_counters(state, n, round, phase, visitor.events, share);
}
BENCHMARK(BM_FullRoundVisited)->ArgNames({"players", "handles", "hints", "batch"})
    ->Args({100'000, 0, 0, 0})->Args({100'000, 0, 1, 0})->Args({100'000, 1, 0, 0})->Args({100'000, 1, 0, 1})
    ->Unit(benchmark::kMillisecond);

// The same round with every event written as an event-log line, as the CLI does.
void BM_FullRoundJson(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  Config cfg;
  cfg.capacity = 2;
  Lobby lobby(cfg, n);
  std::vector<Event> out;
  std::string line;
  std::uint64_t round = 0, bytes = 0;
  auto drain = [&] {
    for (const Event& e : out) {
      line.clear();
      append_event_json(e, line);
      line.push_back('\n');
      bytes += line.size();
      benchmark::DoNotOptimize(line.data());
    }
    out.clear();
  };
  const FloorShare share(n, cfg.capacity);
  for (auto _ : state) {
    for (const Command& c : lobby.joins) {
      lobby.engine.handle(c, lobby.now, out);
      drain();
    }
    for (const Command& c : lobby.choices[round % 3]) {
      lobby.engine.handle(c, lobby.now, out);
      drain();
    }
    lobby.now += cfg.game_time_ms;
    lobby.engine.tick(lobby.now, out);
    drain();
    ++round;
  }
  if (lobby.engine.stats().rooms_settled != round * (n / 2)) state.SkipWithError("rooms not settled");
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
  state.counters["player_rounds"] =
      benchmark::Counter(static_cast<double>(n), benchmark::Counter::kIsIterationInvariantRate);
  state.counters["of_floor"] = share.of_floor(state);
}
BENCHMARK(BM_FullRoundJson)->ArgName("players")->Arg(100'000)->Unit(benchmark::kMillisecond);

// Settlement alone: ~100 k players seated in full rooms of `capacity` with their
// choices made; the timed part is the one tick that settles every room (result
// events built and dropped, rooms closed). Flat time per player means O(n).
void BM_Settle(benchmark::State& state) {
  const auto cap = static_cast<std::uint32_t>(state.range(0));
  const std::size_t n = 100'000 / cap * cap;
  Config cfg;
  cfg.capacity = cap;
  cfg.bot_fill_after_ms = 0;
  Lobby lobby(cfg, n);
  std::vector<Event> out;
  std::uint64_t round = 0, events = 0;
  for (auto _ : state) {
    state.PauseTiming();
    if (!run_batch(lobby.engine, lobby.joins, lobby.now, out, events) ||
        !run_batch(lobby.engine, lobby.choices[round % 3], lobby.now, out, events)) {
      state.SkipWithError("a command was refused");
      break;
    }
    lobby.now += cfg.game_time_ms;
    state.ResumeTiming();
    lobby.engine.tick(lobby.now, out);
    out.clear();
    ++round;
  }
  if (lobby.engine.stats().rooms_settled != round * (n / cap)) state.SkipWithError("rooms not settled");
  state.counters["players"] =
      benchmark::Counter(static_cast<double>(n), benchmark::Counter::kIsIterationInvariantRate);
  state.counters["per_player"] = benchmark::Counter(
      static_cast<double>(n), benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_Settle)->ArgName("capacity")->Arg(2)->Arg(10)->Arg(100)->Arg(1000)
    ->Unit(benchmark::kMicrosecond);

// The pure rule (rules.hpp settle): counting, then one O(1) tally per member.
void BM_SettleRule(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  std::vector<Choice> choices(n);
  for (std::size_t i = 0; i < n; ++i) choices[i] = static_cast<Choice>(choice_code(i, 0) - (i % 7 == 0));
  std::vector<PairTally> tallies(n);
  for (auto _ : state) {
    settle(choices, tallies);
    benchmark::DoNotOptimize(tallies.data());
    benchmark::ClobberMemory();
  }
  state.counters["per_player"] = benchmark::Counter(
      static_cast<double>(n), benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_SettleRule)->ArgName("capacity")->Arg(2)->Arg(10)->Arg(100)->Arg(1000);

// Lobbies with `rooms` playing rooms (capacity 2, countdown of a day), built once per
// process: building a million rooms takes a second or two.
Lobby& playing_lobby(std::size_t rooms) {
  static std::map<std::size_t, std::unique_ptr<Lobby>> cache;
  auto& slot = cache[rooms];
  if (!slot) {
    Config cfg;
    cfg.capacity = 2;
    cfg.game_time_ms = kLongGame;
    cfg.bot_fill_after_ms = 0;
    slot = std::make_unique<Lobby>(cfg, rooms * 2, /*with_choices=*/false);
    std::vector<Event> out;
    std::uint64_t events = 0;
    run_batch(slot->engine, slot->joins, slot->now, out, events);
    std::vector<Command>().swap(slot->joins);  // not needed again: free ~0.2 GB
  }
  return *slot;
}

// A tick with nothing due: one deadline timer per open room sits in the queue.
void BM_TickIdle(benchmark::State& state) {
  const auto rooms = static_cast<std::size_t>(state.range(0));
  Lobby& lobby = playing_lobby(rooms);
  if (lobby.engine.stats().rooms != rooms) {
    state.SkipWithError("rooms not open");
    return;
  }
  std::vector<Event> out;
  const Time now = lobby.now + 1;
  for (auto _ : state) {
    lobby.engine.tick(now, out);
    benchmark::DoNotOptimize(out.size());
  }
  if (!out.empty()) state.SkipWithError("a timer fired");
  state.counters["rooms"] = static_cast<double>(rooms);
  state.counters["timers"] = static_cast<double>(lobby.engine.stats().timers);
}
BENCHMARK(BM_TickIdle)->ArgName("rooms")->Arg(1'000)->Arg(1'000'000);

// A choice (and its movement event to the other members) in one playing room.
void BM_ChoiceInRoom(benchmark::State& state) {
  const auto cap = static_cast<std::uint32_t>(state.range(0));
  Config cfg;
  cfg.capacity = cap;
  cfg.game_time_ms = kLongGame;
  cfg.bot_fill_after_ms = 0;
  Lobby lobby(cfg, cap);
  std::vector<Event> out;
  std::uint64_t events = 0;
  run_batch(lobby.engine, lobby.joins, lobby.now, out, events);
  std::size_t i = 0, batch = 0;
  for (auto _ : state) {
    if (lobby.engine.handle(lobby.choices[batch][i], lobby.now, out)) {
      state.SkipWithError("choice refused");
      break;
    }
    out.clear();
    if (++i == cap) {
      i = 0;
      batch = (batch + 1) % 3;
    }
  }
  state.counters["seats"] = cap;
}
BENCHMARK(BM_ChoiceInRoom)->ArgName("capacity")->Arg(2)->Arg(10)->Arg(100)->Arg(1000);

// Not the engine: the floor under any uid-keyed command on this machine. Every
// command names its sender by uid, so each costs at least one hash lookup of a string
// key among all players; here with std::unordered_map and the same uids, in the order
// the round benchmarks use. Compare with BM_FullRound's join_ns and choice_ns.
void BM_UidLookupFloor(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  std::vector<std::string> uids;
  std::unordered_map<std::string, std::uint32_t> index;
  uids.reserve(n);
  index.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    uids.push_back(uid(i));
    index.emplace(uids.back(), static_cast<std::uint32_t>(i));
  }
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(index.find(uids[i])->second);
    if (++i == n) i = 0;
  }
}
BENCHMARK(BM_UidLookupFloor)->ArgName("players")->Arg(100'000);

}  // namespace
}  // namespace roshambo::bench
