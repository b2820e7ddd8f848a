// SimOptions::validate: the limits of a run, checked before anything runs.

#include <cmath>
#include <string>

#include "internal.hpp"

namespace roshambo {
namespace {

constexpr std::uint32_t kMaxPlayers = 10'000'000;
constexpr std::uint32_t kMaxRounds = 1'000'000;
constexpr std::uint32_t kMaxShards = 256;

std::size_t decimal_digits(std::uint32_t n) { return std::to_string(n).size(); }

}  // namespace

using sim_detail::fail;
using sim_detail::kMixOverflow;

void SimOptions::validate() const {
  config.validate();
  if (players < 1 || players > kMaxPlayers) {
    fail("players", "must be in 1.." + std::to_string(kMaxPlayers) + ", got " + std::to_string(players));
  }
  if (rounds < 1 || rounds > kMaxRounds) {
    fail("rounds", "must be in 1.." + std::to_string(kMaxRounds) + ", got " + std::to_string(rounds));
  }
  if (mix.empty()) fail("mix", "must name at least one strategy");
  if (mix.size() > 1000) fail("mix", "at most 1000 strategies");
  double sum = 0;
  for (const auto& m : mix) {
    if (!std::isfinite(m.weight) || m.weight < 0) {
      fail("mix", "weight of '" + m.strategy.name() + "' must be a non-negative number");
    }
    (void)Strategy::parse(m.strategy.name());  // weights of biased in range
    sum += m.weight;
  }
  if (!std::isfinite(sum)) fail("mix", kMixOverflow);
  if (!(sum > 0)) fail("mix", "weights must not sum to 0");
  if (shards < 1 || shards > kMaxShards) {
    fail("shards", "must be in 1.." + std::to_string(kMaxShards) + ", got " + std::to_string(shards));
  }
  if (shards > players) fail("shards", "must not exceed players (" + std::to_string(players) + ")");
  if (shards > 1 && command_log) {
    fail("command_log", "needs shards = 1 (each shard is a lobby of its own)");
  }
  if (shards > 1 && event_log) fail("event_log", "needs shards = 1 (each shard is a lobby of its own)");
  if (1 + decimal_digits(players) > config.max_uid_bytes) {
    fail("max_uid_bytes", "too small for the simulated uids (\"p" + std::to_string(players) + "\")");
  }
}

}  // namespace roshambo
