#pragma once
// The round benchmarks' figures (engine_bench.cpp, floor_bench.cpp): per player and
// phase, player-rounds and events per second, and the share of the floor.

#include <benchmark/benchmark.h>

#include <cstddef>
#include <cstdint>

#include "floor.hpp"

namespace roshambo::bench {

// A round benchmark's player-rounds/s as a fraction of the floor's (floor.hpp), both
// measured in this process: the floor when made, just before the timed loop; the
// benchmark by its thread's CPU time from then to of_floor(), as Google Benchmark's
// CPU column counts it. A plain number: a rate counter would print as "/s".
class FloorShare {
 public:
  FloorShare(std::size_t players, std::uint32_t capacity)
      : players_(static_cast<double>(players)), floor_(floor_rate(players, capacity)), t0_(thread_ns()) {}
  double of_floor(const benchmark::State& state) const {
    const double rate = players_ * static_cast<double>(state.iterations()) / ((thread_ns() - t0_) * 1e-9);
    return rate / floor_;
  }

 private:
  double players_, floor_, t0_;
};

// The round benchmarks' figures: per player, the CPU time of each phase (join, choice,
// settle), then player-rounds and events per second and the share of the floor.
inline void round_counters(benchmark::State& state, std::size_t n, std::uint64_t round,
                           const double (&phase)[3], std::uint64_t events, const FloorShare& share) {
  const double player_rounds = static_cast<double>(n) * static_cast<double>(round ? round : 1);
  state.counters["join_ns"] = phase[0] / player_rounds;
  state.counters["choice_ns"] = phase[1] / player_rounds;
  state.counters["settle_ns"] = phase[2] / player_rounds;
  state.counters["player_rounds"] =
      benchmark::Counter(static_cast<double>(n), benchmark::Counter::kIsIterationInvariantRate);
  state.counters["events"] = benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
  state.counters["of_floor"] = share.of_floor(state);
}

}  // namespace roshambo::bench
