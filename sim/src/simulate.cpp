// simulate(): who plays which strategy, the shards run through the caller's executor
// (the simulator starts no thread), their progress summed, their outputs merged.

#include <exception>
#include <mutex>
#include <utility>

#include "internal.hpp"

namespace roshambo {
namespace {

using namespace sim_detail;

// Who plays what: exact shares, shuffled by the seed (independent of the shards).
std::vector<std::uint16_t> assign_strategies(const SimOptions& options) {
  const std::vector<std::uint32_t> counts = mix_counts(options.mix, options.players);
  std::vector<std::uint16_t> assignment;
  assignment.reserve(options.players);
  for (std::size_t s = 0; s < counts.size(); ++s) {
    assignment.insert(assignment.end(), counts[s], static_cast<std::uint16_t>(s));
  }
  Rng shuffle = stream(options.config.seed, kTagAssign, 0);
  for (std::size_t i = assignment.size(); i > 1; --i) {
    std::swap(assignment[i - 1], assignment[shuffle.below(i)]);
  }
  return assignment;
}

// Progress from every shard, summed under one lock, so the callback needs none.
class ProgressSum {
 public:
  explicit ProgressSum(const SimOptions& options) : options_(options), done_(options.shards) {}

  ShardProgress for_shard(std::uint32_t s) {
    if (!options_.progress) return {};
    return [this, s](std::uint64_t rounds, std::uint64_t player_rounds) {
      std::lock_guard<std::mutex> lock(mutex_);
      done_[s] = {rounds, player_rounds};
      SimProgress p;
      p.rounds_total = std::uint64_t{options_.rounds} * options_.shards;
      for (const auto& d : done_) {
        p.rounds_done += d.first;
        p.player_rounds += d.second;
      }
      options_.progress(p);
    };
  }

 private:
  const SimOptions& options_;
  std::mutex mutex_;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> done_;
};

std::vector<ShardOut> run_shards(const SimOptions& options, const std::vector<Strategy>& strategies,
                                 const std::vector<std::uint16_t>& assignment,
                                 const ShardExecutor& executor) {
  const std::uint32_t n = options.players;
  const std::uint32_t k = options.shards;
  ProgressSum progress(options);
  std::vector<ShardOut> outs(k);
  // Each job keeps its own exception, so the executor never sees one.
  std::vector<std::exception_ptr> errors(k);
  auto job = [&](std::uint32_t s) {
    try {
      const auto first = static_cast<std::uint32_t>(std::uint64_t{n} * s / k);
      const auto last = static_cast<std::uint32_t>(std::uint64_t{n} * (s + 1) / k);
      outs[s] = play_shard(options, strategies, assignment, s, first, last - first,
                           progress.for_shard(s));
    } catch (...) {
      errors[s] = std::current_exception();
    }
  };
  if (executor && k > 1) {
    executor(k, job);
  } else {
    for (std::uint32_t s = 0; s < k; ++s) job(s);
  }
  for (auto& e : errors) {
    if (e) std::rethrow_exception(e);
  }
  return outs;
}

}  // namespace

SimResult simulate(const SimOptions& options, const ShardExecutor& executor) {
  options.validate();
  std::vector<Strategy> strategies;
  for (const auto& m : options.mix) strategies.push_back(m.strategy);
  const std::vector<std::uint16_t> assignment = assign_strategies(options);
  const std::vector<ShardOut> outs = run_shards(options, strategies, assignment, executor);
  return assemble_result(options, strategies, outs);
}

}  // namespace roshambo
