// JSON Lines throughput: event-log serialisation (what the CLI writes), command-log
// decoding (what it reads), and the whole replay pipeline line in, lines out.

#include <benchmark/benchmark.h>

#include "support.hpp"

namespace roshambo::bench {
namespace {

// Every event of one round of `n` players in rooms of `capacity`: room, start,
// movement and result events in the proportions a real round has.
std::vector<Event> round_events(std::uint32_t capacity, std::size_t n) {
  Config cfg;
  cfg.capacity = capacity;
  cfg.bot_fill_after_ms = 0;
  Lobby lobby(cfg, n);
  std::vector<Event> events;
  for (const Command& c : lobby.joins) lobby.engine.handle(c, lobby.now, events);
  for (const Command& c : lobby.choices[0]) lobby.engine.handle(c, lobby.now, events);
  lobby.engine.tick(lobby.now + cfg.game_time_ms, events);
  return events;
}

void BM_EventJson(benchmark::State& state) {
  const auto cap = static_cast<std::uint32_t>(state.range(0));
  const std::vector<Event> events = round_events(cap, 10'000 / cap * cap);
  std::string buf;
  std::size_t bytes = 0;
  for (auto _ : state) {
    buf.clear();
    for (const Event& e : events) {
      append_event_json(e, buf);
      buf.push_back('\n');
    }
    bytes += buf.size();
    benchmark::DoNotOptimize(buf.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
  state.counters["events"] = benchmark::Counter(static_cast<double>(events.size()),
                                                benchmark::Counter::kIsIterationInvariantRate);
  state.counters["bytes_per_event"] = static_cast<double>(buf.size()) / static_cast<double>(events.size());
}
BENCHMARK(BM_EventJson)->ArgName("capacity")->Arg(2)->Arg(10)->Arg(100)->Unit(benchmark::kMicrosecond);

// A command log: hellos, then `rounds` rounds of joins, choices and a tick.
std::vector<std::string> command_log(std::size_t n, int rounds) {
  std::vector<std::string> lines;
  Time at = 0;
  for (std::size_t i = 0; i < n; ++i) {
    lines.push_back(encode_command_line(Command::hello(uid(i), text("Player ", i)), at));
  }
  for (int r = 0; r < rounds; ++r) {
    at += 10;
    for (std::size_t i = 0; i < n; ++i) lines.push_back(encode_command_line(Command::join(uid(i)), at));
    for (std::size_t i = 0; i < n; ++i) {
      lines.push_back(encode_command_line(Command::choice(uid(i), choice_code(i, r)), at));
    }
    at += 3000;
    lines.push_back(encode_tick_line(at));
  }
  return lines;
}

void BM_DecodeCommandLine(benchmark::State& state) {
  const std::vector<std::string> lines = command_log(2'000, 3);
  const Config limits;
  std::size_t bytes = 0;
  for (auto _ : state) {
    for (const std::string& l : lines) {
      auto d = decode_command_line(l, limits);
      benchmark::DoNotOptimize(d);
      bytes += l.size();
    }
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
  state.counters["lines"] = benchmark::Counter(static_cast<double>(lines.size()),
                                               benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_DecodeCommandLine)->Unit(benchmark::kMillisecond);

// What `roshambo replay` does per line, minus the file I/O: decode, engine, encode.
void BM_Replay(benchmark::State& state) {
  const std::vector<std::string> lines = command_log(2'000, 3);
  std::size_t in = 0, out_bytes = 0;
  std::string out;
  for (auto _ : state) {
    Engine engine;
    Replayer replayer(engine);
    out.clear();
    for (const std::string& l : lines) {
      replayer.feed(l, out);
      in += l.size();
    }
    out_bytes += out.size();
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(in));
  state.counters["lines"] = benchmark::Counter(static_cast<double>(lines.size()),
                                               benchmark::Counter::kIsIterationInvariantRate);
  state.counters["out_bytes"] = benchmark::Counter(static_cast<double>(out_bytes), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_Replay)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace roshambo::bench
