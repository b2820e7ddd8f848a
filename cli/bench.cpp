// `roshambo bench`: the standard simulator workloads of docs/PERFORMANCE.md, timed
// end to end (best of --repeat runs, taken in turn), printed as a table or JSON, each
// next to the floor (bench/floor.hpp: the least a round can cost here) measured in this
// process for the same player count and capacity, and a sharded workload next to its
// one-shard run.

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "floor.hpp"  // from bench/, see cli/CMakeLists.txt
#include "simulate.hpp"
#include "roshambo/version.hpp"

namespace roshambo::cli {
namespace {

struct Workload {
  const char* name;
  const char* command;  // the equivalent `roshambo simulate` flags
  std::uint32_t players, rounds, capacity, shards;
  std::int64_t bot_fill_after_ms;
};

constexpr Workload kWorkloads[] = {
    {"default", "", 1000, 50, 2, 1, 1000},
    {"cap2", "--players 100000 --rounds 20 --capacity 2 --bot-fill-after-ms 0", 100000, 20, 2, 1, 0},
    {"cap1000", "--players 100000 --rounds 20 --capacity 1000 --bot-fill-after-ms 0", 100000, 20, 1000, 1, 0},
    {"cap2-shards2", "--players 100000 --rounds 20 --capacity 2 --bot-fill-after-ms 0 --shards 2", 100000, 20, 2, 2, 0},
};

struct BenchFlags {
  std::string repeat = "3", scale = "1", format = "table";
  std::vector<std::string> only;
};

// The workloads --only names, in the table's order; all when it names none.
std::vector<const Workload*> selected(const std::vector<std::string>& only) {
  for (const std::string& n : only) {
    bool known = false;
    for (const Workload& w : kWorkloads) known = known || n == w.name;
    if (!known) throw UsageError("--only: unknown workload '" + n.substr(0, 40) + "'");
  }
  std::vector<const Workload*> out;
  for (const Workload& w : kWorkloads) {
    if (only.empty() || std::find(only.begin(), only.end(), w.name) != only.end()) out.push_back(&w);
  }
  return out;
}

// The one-shard workload a sharded one is compared with: the same run on one shard.
const Workload* one_shard_of(const Workload& w) {
  if (w.shards <= 1) return nullptr;
  for (const Workload& o : kWorkloads) {
    if (o.shards == 1 && o.players == w.players && o.rounds == w.rounds && o.capacity == w.capacity &&
        o.bot_fill_after_ms == w.bot_fill_after_ms) {
      return &o;
    }
  }
  return nullptr;
}

int run_bench(const BenchFlags& f) {
  char* end = nullptr;
  const long repeat = std::strtol(f.repeat.c_str(), &end, 10);
  if (f.repeat.empty() || *end != '\0' || repeat < 1 || repeat > 100) {
    throw UsageError("--repeat: must be an integer in 1..100, got '" + f.repeat.substr(0, 40) + "'");
  }
  const double scale = std::strtod(f.scale.c_str(), &end);
  if (f.scale.empty() || *end != '\0' || !std::isfinite(scale) || scale <= 0 || scale > 100) {
    throw UsageError("--scale: must be a number in (0, 100], got '" + f.scale.substr(0, 40) + "'");
  }
  if (f.format != "table" && f.format != "json") {
    throw UsageError("--format: must be table or json, got '" + f.format.substr(0, 40) + "'");
  }
  const std::vector<const Workload*> runs = selected(f.only);

  struct Run {
    SimOptions options;
    SimResult result;
    double best = 0;
  };
  std::vector<Run> done(runs.size());
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const Workload& w = *runs[i];
    SimOptions& o = done[i].options;
    o.players = std::max<std::uint32_t>(w.shards, static_cast<std::uint32_t>(std::lround(w.players * scale)));
    o.rounds = w.rounds;
    o.config.capacity = w.capacity;
    o.config.bot_fill_after_ms = w.bot_fill_after_ms;
    o.shards = w.shards;
  }
  // Round robin, not each workload's repeats in a row: on a shared machine the load
  // drifts over seconds, so each workload's best comes from the same stretch of time as
  // the others', and a sharded run's ratio to one shard compares like with like.
  for (long k = 0; k < repeat; ++k) {
    for (Run& r : done) {
      const double s = timed_simulate(r.options, r.result);
      if (k == 0 || s < r.best) r.best = s;
    }
  }

  nlohmann::ordered_json rows = nlohmann::ordered_json::array();
  if (f.format == "table") {
    std::printf("%-13s %8s %6s %8s %6s %13s %9s %18s %10s %9s %10s\n", "workload", "players", "rounds",
                "capacity", "shards", "player-rounds", "best s", "M player-rounds/s", "M floor/s",
                "of floor", "x 1 shard");
  }
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const Workload& w = *runs[i];
    const Run& r = done[i];
    const SimOptions& o = r.options;
    const double rate = static_cast<double>(r.result.player_rounds) / r.best;
    const double floor = bench::floor_rate(o.players, o.config.capacity);
    const double of_floor = floor > 0 ? rate / floor : 0;
    // A sharded workload's speed-up over its one-shard run, when both ran.
    std::optional<double> vs_one;
    if (const Workload* base = one_shard_of(w)) {
      for (std::size_t j = 0; j < runs.size(); ++j) {
        if (runs[j] == base) vs_one = rate / (static_cast<double>(done[j].result.player_rounds) / done[j].best);
      }
    }
    if (f.format == "table") {
      char ratio[32] = "-";
      if (vs_one) std::snprintf(ratio, sizeof ratio, "%.3f", *vs_one);
      std::printf("%-13s %8u %6u %8u %6u %13llu %9.3f %18.2f %10.2f %9.4f %10s\n", w.name, o.players,
                  o.rounds, o.config.capacity, o.shards,
                  static_cast<unsigned long long>(r.result.player_rounds), r.best, rate / 1e6, floor / 1e6,
                  of_floor, ratio);
      std::fflush(stdout);
    }
    rows.push_back({{"workload", w.name},
                    {"simulate_flags", w.command},
                    {"players", o.players},
                    {"rounds", o.rounds},
                    {"capacity", o.config.capacity},
                    {"shards", o.shards},
                    {"player_rounds", r.result.player_rounds},
                    {"seconds", r.best},
                    {"player_rounds_per_s", rate},
                    {"floor_player_rounds_per_s", floor},
                    {"of_floor", of_floor},
                    {"vs_one_shard", vs_one ? nlohmann::ordered_json(*vs_one) : nlohmann::ordered_json()}});
  }
  if (f.format == "json") {
    nlohmann::ordered_json j;
    j["version"] = roshambo::version();
    j["repeat"] = repeat;
    j["scale"] = scale;
    j["workloads"] = std::move(rows);
    std::printf("%s\n", j.dump(2).c_str());
  }
  return 0;
}

}  // namespace

void setup_bench(CLI::App& app) {
  auto f = std::make_shared<BenchFlags>();
  auto* cmd = app.add_subcommand("bench", "Time the standard simulator workloads and print the figures");
  cmd->add_option("--repeat", f->repeat,
                  "Runs per workload, taken in turn across the workloads; the best is reported (default 3)");
  cmd->add_option("--scale", f->scale, "Multiply the player counts, e.g. 0.1 for a quick check (default 1)");
  cmd->add_option("--only", f->only,
                  "Run these workloads only, comma-separated: default, cap2, cap1000, cap2-shards2")
      ->delimiter(',');
  cmd->add_option("--format", f->format, "table or json (default table)");
  cmd->footer(
      "Workloads (as `roshambo simulate` flags):\n"
      "  default       (the defaults: 1000 players x 50 rounds)\n"
      "  cap2          --players 100000 --rounds 20 --capacity 2 --bot-fill-after-ms 0\n"
      "  cap1000       --players 100000 --rounds 20 --capacity 1000 --bot-fill-after-ms 0\n"
      "  cap2-shards2  the cap2 workload with --shards 2\n"
      "The floor is the least a round of the same players and capacity costs here\n"
      "(integer ids, counting settlement, compact events; one thread's CPU time, best\n"
      "of 8); \"of floor\" is the workload's rate (wall time, all shards) divided by it.\n"
      "\"x 1 shard\" is a sharded workload's rate over its one-shard run's (cap2-shards2\n"
      "over cap2), when both ran.\n"
      "Example:\n  roshambo bench --repeat 5\n  roshambo bench --only cap2,cap2-shards2 --repeat 20\n"
      "  roshambo bench --scale 0.1 --format json");
  cmd->callback([f]() {
    if (const int code = run_bench(*f); code != 0) throw CLI::RuntimeError(code);
  });
}

}  // namespace roshambo::cli
