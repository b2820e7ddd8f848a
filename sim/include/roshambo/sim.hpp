#pragma once
// Tournament simulator (target roshambo::sim, a layer above the engine of roshambo::core,
// which it drives like any host): players with strategies play rounds in real engines, through
// Engine::handle / tick with simulated time only, so the command stream it produces
// replays to the same result (`roshambo replay --config <config> --seed <seed>`).
//
// A round r starts at time r * (bot_fill_after_ms + game_time_ms + 1) (players say
// hello at time 0): every player who is in no room sends `join` in the pairing's order;
// full rooms start at once, a partial room waits for its bots (or, with bots off, for
// the next round's joiners); each seated player picks by its strategy at a moment drawn
// uniformly within the countdown; the engine's timers are ticked exactly when due.
//
// Shards: with shards > 1, shard k plays the players k*N/K .. (k+1)*N/K-1 in its own
// engine with seed shard_seed(seed, k); results are merged in shard order, so the
// output depends only on the options, never on scheduling. Shard 0 uses `seed` itself,
// so shards = 1 is the plain, replayable run. The simulator starts no thread: simulate()
// runs the shards one after another unless the caller passes an executor, such as
// roshambo::run_on_threads from the roshambo::parallel target (the CLI and the Python
// module do).

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "roshambo/config.hpp"
#include "roshambo/strategies.hpp"

namespace roshambo {

/// Join order of each round.
enum class Pairing : std::uint8_t {
  Arrival,  ///< player order p1, p2, ... every round
  Random,   ///< a fresh seeded shuffle every round
  Swiss,    ///< by total score, highest first (ties: player order), so equals meet
};

/// Wire names "arrival" / "random" / "swiss".
std::string_view to_string(Pairing p) noexcept;
/// Inverse of to_string; throws ConfigError (field "pairing") otherwise.
Pairing parse_pairing(std::string_view text);

/// One strategy of the mix and its share of the players.
struct MixEntry {
  Strategy strategy;
  double weight = 1.0;  ///< relative, >= 0; the weights of a mix must not sum to 0
};

/// Parse "uniform=0.6,beat-last=0.3,rock=0.1". A name without "=W" weighs 1; the
/// commas inside "biased:1,2,3=0.5" belong to the strategy. A strategy named twice
/// adds its weights. Throws ConfigError (field "mix") naming the bad part.
std::vector<MixEntry> parse_mix(std::string_view text);
/// Canonical text of a mix, accepted by parse_mix().
std::string mix_to_string(const std::vector<MixEntry>& mix);

/// Progress report, delivered after every round of every shard (from the shard's
/// thread, serialised by a mutex: the callback needs no locking of its own).
struct SimProgress {
  std::uint64_t rounds_done = 0;   ///< summed over shards
  std::uint64_t rounds_total = 0;  ///< rounds * shards
  std::uint64_t player_rounds = 0; ///< settled so far, summed over shards
};

/// Everything that defines a run. Same options ⇒ same result, byte for byte.
struct SimOptions {
  Config config;                    ///< the engine's rules (docs/RULES.md §10); config.seed seeds all
  std::uint32_t players = 1000;     ///< 1..10'000'000
  std::uint32_t rounds = 50;        ///< 1..1'000'000
  std::vector<MixEntry> mix = std::vector<MixEntry>(1);  ///< default: everyone uniform
  Pairing pairing = Pairing::Arrival;
  std::uint32_t shards = 1;         ///< 1..256 and at most players
  std::uint32_t top = 10;           ///< leaderboard length in SimResult; 0 = every player
  bool history = false;             ///< fill SimResult::history
  /// Optional sinks for the command log / event log (docs/RULES.md §9), shards = 1 only. Each
  /// call passes whole JSON Lines, every line ending in '\n'.
  std::function<void(std::string_view)> command_log;
  std::function<void(std::string_view)> event_log;
  /// Optional progress callback (see SimProgress).
  std::function<void(const SimProgress&)> progress;

  /// Throws ConfigError naming the first bad field ("players", "rounds", "mix",
  /// "shards", "command_log", "event_log", or a Config field; "max_uid_bytes" when the
  /// simulated uids would not fit).
  void validate() const;
};

/// Per-strategy aggregate over the players of one mix entry.
struct StrategySummary {
  std::string strategy;             ///< canonical name
  std::uint32_t players = 0;
  double mean_total = 0;
  double median_total = 0;          ///< mean of the two middle values for an even count
  double p90_total = 0;             ///< nearest rank: the ceil(0.9 n)-th smallest
  double win_rate = 0;              ///< rounds won / rounds played (0 when none played)
  double mean_round_score = 0;      ///< points per round played
  std::uint32_t best_streak = 0;    ///< longest win streak of any of its players
  std::uint64_t rounds_played = 0;
};

/// Long-format per-round history (one row per settled human seat), in the order
/// round, shard, then settlement order within the shard. Columns of equal length.
struct SimHistory {
  std::vector<std::uint32_t> round;    ///< round during which the room settled
  std::vector<std::uint32_t> player;   ///< index into SimResult's player columns
  std::vector<std::uint64_t> room;     ///< room number within the player's shard
  std::vector<std::uint8_t> choice;    ///< wire code 0..3
  std::vector<std::uint32_t> wins, losses;
  std::vector<std::int64_t> round_score, total_score;
  std::vector<std::uint32_t> win_streak;
};

/// One shard's own figures.
struct ShardSummary {
  std::uint64_t seed = 0;           ///< its engine's config.seed
  std::uint32_t first_player = 0;   ///< its players are first_player .. first_player+players-1
  std::uint32_t players = 0;
  std::uint64_t player_rounds = 0;
  std::uint64_t rooms_settled = 0;
  std::uint64_t commands = 0;       ///< commands and ticks sent to the engine
  std::uint64_t events = 0;
  std::uint64_t errors = 0;         ///< `error` events (0 unless max_players/max_rooms bite)
  std::uint64_t digest = 0;         ///< Engine::digest() at the end
  Time end_time = 0;                ///< simulated time of the last tick
};

/// Result of a run. Player columns are indexed by player number (uid "p<i+1>").
struct SimResult {
  SimOptions options;               ///< as run (the sinks and callback dropped)
  // --- per-player columns
  std::vector<std::string> uid;
  std::vector<std::uint16_t> strategy;   ///< index into `strategies`
  std::vector<std::uint32_t> shard;
  std::vector<std::int64_t> total;       ///< total score at the end
  std::vector<std::uint32_t> wins, losses, draws;  ///< rounds with x > 0, x < 0, x == 0
  std::vector<std::uint32_t> rounds_played;
  std::vector<std::uint32_t> best_streak;  ///< longest win streak reached
  std::vector<std::uint32_t> win_streak;   ///< streak at the end
  std::vector<std::int64_t> best_round;    ///< highest round score
  // --- aggregates
  std::vector<std::string> strategies;   ///< canonical names, mix order
  std::vector<StrategySummary> summary;  ///< one per mix entry, mix order
  /// Player indices by rank: total desc, then wins desc, then player number; `top`
  /// long (every player when top is 0 or larger than the field).
  std::vector<std::uint32_t> leaderboard;
  std::optional<SimHistory> history;
  std::vector<ShardSummary> shards;
  std::uint64_t player_rounds = 0;       ///< settled human seats, all shards
  std::uint64_t rooms_settled = 0;
  std::uint64_t errors = 0;
};

/// The engine seed of shard k: `seed` for shard 0, a hash of (seed, k) otherwise.
std::uint64_t shard_seed(std::uint64_t seed, std::uint32_t shard) noexcept;

/// Runs job(0) .. job(count-1), each exactly once, in any order or concurrently, and
/// returns when all are done. simulate()'s jobs never throw.
using ShardExecutor =
    std::function<void(std::uint32_t count, const std::function<void(std::uint32_t)>& job)>;

/// Run a tournament, its shards through `executor` (one after another when empty).
/// Throws ConfigError when the options are invalid (nothing runs).
SimResult simulate(const SimOptions& options, const ShardExecutor& executor = {});

}  // namespace roshambo
