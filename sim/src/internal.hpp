#pragma once
// What the simulator's files share (not installed): the per-player and per-shard
// records a shard fills in, the seeded streams, and the steps simulate() is made of.

#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "roshambo/rng.hpp"
#include "roshambo/sim.hpp"
#include "roshambo/strategies.hpp"

namespace roshambo::sim_detail {

inline constexpr Time kNever = std::numeric_limits<Time>::max();

[[noreturn]] inline void fail(const std::string& field, const std::string& why) {
  throw ConfigError(field, field + ": " + why);
}

// Weights are relative, but their sum must be a finite double (1e308 + 1e308 is not).
inline constexpr const char* kMixOverflow = "weights too large: their sum overflows (use smaller numbers, they are relative)";

// Independent streams: each is a hash of the run seed and a purpose tag, so adding a
// shard or a player never shifts another stream.
inline Rng stream(std::uint64_t seed, std::uint64_t tag, std::uint64_t index) noexcept {
  return Rng{mix64(seed ^ mix64(tag * 0x9e3779b97f4a7c15ULL ^ mix64(index + 1)))};
}
inline constexpr std::uint64_t kTagPlayer = 1, kTagAssign = 2, kTagShuffle = 3, kTagShard = 4;

/// "p<index + 1>", the uid of player `index`, into `s` (whose buffer is reused).
void assign_player_uid(std::string& s, std::uint32_t index);
/// "p<index + 1>", the uid of player `index`.
inline std::string player_uid(std::uint32_t index) {
  std::string s;
  assign_player_uid(s, index);
  return s;
}

/// One simulated player as its shard sees it.
struct PlayerState {
  Rng rng;
  StrategyMemory mem;
  std::uint16_t strategy = 0;
  std::int64_t total = 0;
  std::int64_t best_round = std::numeric_limits<std::int64_t>::min();
  std::uint32_t wins = 0, losses = 0, draws = 0, played = 0, best_streak = 0, streak = 0;
};

/// One settled human seat (SimHistory's row, before the shards are merged).
struct HistoryRow {
  std::uint32_t round, player;
  std::uint64_t room;
  Choice choice;
  std::uint32_t wins, losses;
  std::int64_t round_score, total_score;
  std::uint32_t win_streak;
};

/// What one shard hands back: its players (local order), history rows and figures.
struct ShardOut {
  std::vector<PlayerState> players;
  std::vector<HistoryRow> history;
  ShardSummary summary;
};

/// Called after every round of a shard with (rounds done, player-rounds settled).
using ShardProgress = std::function<void(std::uint64_t, std::uint64_t)>;

/// Players per mix entry (mix.cpp): exact shares of `players`.
std::vector<std::uint32_t> mix_counts(const std::vector<MixEntry>& mix, std::uint32_t players);

/// Play shard `index`, the players first .. first+count-1 (shard.cpp). `assignment`
/// holds every player's index into `strategies`.
ShardOut play_shard(const SimOptions& o, const std::vector<Strategy>& strategies,
                    const std::vector<std::uint16_t>& assignment, std::uint32_t index,
                    std::uint32_t first, std::uint32_t count, ShardProgress progress);

/// Merge the shards' outputs, in shard order, into the result (results.cpp).
SimResult assemble_result(const SimOptions& options, const std::vector<Strategy>& strategies,
                          const std::vector<ShardOut>& outs);

}  // namespace roshambo::sim_detail
