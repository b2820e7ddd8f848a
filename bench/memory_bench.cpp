// Memory per idle player and per open room, from glibc heap statistics (mallinfo2)
// taken around the engine calls: chunk headers, padding and the slack of growing
// vectors are all counted, as the process pays for them. Targets: <= 64 B
// per player plus its uid/name/avatar bytes; <= 128 B per room plus its seats.
// Each runs once (the figures are sizes, not times).

#include <benchmark/benchmark.h>

#include "support.hpp"

namespace roshambo::bench {
namespace {

// `n` players say hello and stay idle (online, in no room).
void BM_MemoryIdlePlayer(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  std::vector<Command> hellos;
  hellos.reserve(n);
  std::size_t text_total = 0;
  for (std::size_t i = 0; i < n; ++i) {
    hellos.push_back(Command::hello(uid(i), text("Player ", i),
                                    text("https://cdn.example.com/avatar/", i, ".png")));
    text_total += hellos.back().from.size() + hellos.back().name.size() + hellos.back().avatar.size();
  }
  double total = 0;
  for (auto _ : state) {
    std::vector<Event> out;
    out.reserve(4);
    const std::size_t before = heap_bytes();
    {
      Engine engine;
      for (const Command& h : hellos) {
        engine.handle(h, 0, out);
        out.clear();
      }
      total = static_cast<double>(heap_bytes() - before);
      if (engine.stats().online != n) state.SkipWithError("players not registered");
    }
  }
  const double per = total / static_cast<double>(n);
  const double strings = static_cast<double>(text_total) / static_cast<double>(n);
  state.counters["bytes_per_player"] = per;
  state.counters["text_bytes"] = strings;            // uid + name + avatar
  state.counters["overhead_bytes"] = per - strings;  // what the 64 B target is about
}
BENCHMARK(BM_MemoryIdlePlayer)->ArgName("players")->Arg(100'000)->Arg(1'000'000)->Iterations(1)
    ->Unit(benchmark::kMillisecond);

// Idle players join until every room is full and playing: the growth is what the
// open rooms cost. A seat costs a Seat and a member handle (16 B, reserved up to the
// capacity when the room opens); the rest is the room's own overhead. Args: capacity,
// bots (with bots on, each room also holds a stale bot-fill timer until it expires).
void BM_MemoryRoom(benchmark::State& state) {
  const auto cap = static_cast<std::uint32_t>(state.range(0));
  const std::size_t rooms = 200'000 / cap;
  Config cfg;
  cfg.capacity = cap;
  cfg.bot_fill_after_ms = state.range(1) != 0 ? 1000 : 0;
  double total = 0;
  for (auto _ : state) {
    Lobby lobby(cfg, rooms * cap);
    std::vector<Event> out;
    out.reserve(4);
    const std::size_t before = heap_bytes();
    for (const Command& j : lobby.joins) {
      lobby.engine.handle(j, lobby.now, out);
      out.clear();
    }
    total = static_cast<double>(heap_bytes() - before);
    if (lobby.engine.stats().rooms != rooms) state.SkipWithError("rooms not open");
  }
  const double per = total / static_cast<double>(rooms);
  const double seats = 16.0 * cap;
  state.counters["rooms"] = static_cast<double>(rooms);
  state.counters["bytes_per_room"] = per;
  state.counters["seat_bytes"] = seats;
  state.counters["overhead_bytes"] = per - seats;  // what the 128 B target is about
}
BENCHMARK(BM_MemoryRoom)->ArgNames({"capacity", "bots"})
    ->Args({2, 0})->Args({2, 1})->Args({10, 0})->Args({100, 0})->Args({1000, 0})
    ->Iterations(1)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace roshambo::bench
