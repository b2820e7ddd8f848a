// One shard: one engine, driven by commands and simulated time exactly as a server would
// drive it, with the shard's players deciding by their strategies. The commands it sends
// are the command log, so `roshambo replay` reproduces the run.

#include <algorithm>
#include <bit>
#include <cassert>
#include <charconv>
#include <exception>
#include <optional>
#include <span>
#include <utility>
#include <variant>

#include "internal.hpp"
#include "picks.hpp"
#include "roshambo/codec.hpp"
#include "roshambo/engine.hpp"

namespace roshambo {

std::uint64_t shard_seed(std::uint64_t seed, std::uint32_t shard) noexcept {
  return shard == 0 ? seed : sim_detail::stream(seed, sim_detail::kTagShard, shard).next();
}

namespace sim_detail {

void assign_player_uid(std::string& s, std::uint32_t index) {
  char buf[16] = {'p'};
  const auto end = std::to_chars(buf + 1, buf + sizeof buf, std::uint64_t{index} + 1).ptr;
  s.assign(buf, end);
}

namespace {

constexpr std::size_t kLogChunk = 1 << 16;
// Prefetch distances, in picks: the record, then (once it has landed) the seat.
constexpr std::size_t kPrefetchFar = 32;
// A round's joins go to the engine in batches of this many: its per-call costs paid once
// a batch, and an event log's events (a vector until consumed) bounded.
constexpr std::size_t kJoinBatch = 1024;
constexpr std::size_t kPrefetchNear = 10;

// Without an event log, the players' events reach them as borrowed views during each
// engine call (the engine's EventVisitor API): starts and results are never built as
// Events. With one, every event is built, read from the vector and written out.
class Shard final : public EventVisitor {
 public:
  Shard(const SimOptions& o, const std::vector<Strategy>& strategies,
        const std::vector<std::uint16_t>& assignment, std::uint32_t index, std::uint32_t first,
        std::uint32_t count, ShardProgress progress);

  ShardOut run();

 private:
  void report(std::uint32_t rounds_done) {
    if (progress_) progress_(rounds_done, out_.summary.player_rounds);
  }
  void join_round(Time t);
  void send_joins(Time t);
  void tick(Time t);
  bool send(const Command& c, Time t);
  bool send(std::uint32_t player, CommandType type, std::int64_t value, Time t);
  // Inline, into the loop that sends the choices: half of a run's commands.
  bool send_as(std::uint32_t handle, CommandType type, std::int64_t value, Time t);
  /// The command log's line for a handle command (out of line: most runs log nothing).
  [[gnu::noinline]] void log_as(std::uint32_t handle, CommandType type, std::int64_t value, Time t);
  void set_uid(std::string& s, std::uint32_t i) const;
  /// Our index of the player with this engine handle, or kNoPlayer.
  std::uint32_t local(std::uint32_t handle) const noexcept;
  /// Take the events of the last command or tick, then flush full logs. Inline: most
  /// commands (choices, without an event log) return none.
  void consume() {
    if (failed_) std::rethrow_exception(std::exchange(failed_, nullptr));
    if (!events_.empty()) consume_events();
    if (logging_) flush_logs(false);
  }
  void consume_events();
  void on_event(const EventView& e) noexcept override;
  void on_error(const ProfileRef* to);
  void on_start(Time at, std::span<const StartScore> scores);
  void on_result(std::uint64_t room, std::span<const ResultRow> rows);
  void flush_logs(bool final);

  const SimOptions& o_;
  const std::vector<Strategy>& strategies_;
  Config cfg_;
  std::uint32_t first_;
  ShardProgress progress_;
  std::optional<Engine> engine_;
  ShardOut out_;
  Time period_ = 1;
  std::uint32_t round_ = 0;
  Command logged_ = Command::join({});  // the uid form of a handle command, for the command log
  std::vector<Event> events_;
  PickSchedule picks_;
  std::vector<std::uint32_t> order_;
  std::vector<HandleCommand> joins_;  // a round's joins by handle, not yet sent
  // Bit i: local player i is in no room, as far as it knows (joined and not yet settled
  // clears it). The round's joins scan it: a bit a player, not its whole state.
  std::vector<std::uint64_t> free_;
  void set_free(std::uint32_t i, bool on) noexcept {
    const std::uint64_t bit = std::uint64_t{1} << (i % 64);
    free_[i / 64] = on ? free_[i / 64] | bit : free_[i / 64] & ~bit;
  }
  std::string cmd_log_, ev_log_;
  static constexpr std::uint32_t kNoPlayer = UINT32_MAX;
  std::vector<std::uint32_t> handles_;    // local index -> engine handle (kNoPlayer: unregistered)
  std::vector<std::uint32_t> by_handle_;  // engine handle -> local index
  bool logging_ = false;                  // a command or event log is written
  bool visiting_ = false;                 // events as views (no event log)
  // What on_event threw (it may not throw into the engine), rethrown once the call is over.
  std::exception_ptr failed_;
  // By strategy index, read once: starts and results visit every member, and a call
  // through Strategy per member (to learn that `uniform` remembers nothing) adds up.
  std::vector<const StrategyInfo*> units_;
  std::vector<char> chooses_;
  bool observed_ = false;                 // some strategy learns from results
  bool identity_ = false;                 // by_handle_[h] == h for every h: no need to read it
};

Shard::Shard(const SimOptions& o, const std::vector<Strategy>& strategies,
             const std::vector<std::uint16_t>& assignment, std::uint32_t index,
             std::uint32_t first, std::uint32_t count, ShardProgress progress)
    : o_(o),
      strategies_(strategies),
      cfg_(o.config),
      first_(first),
      progress_(std::move(progress)),
      picks_(static_cast<std::uint64_t>(o.config.game_time_ms)) {
  cfg_.seed = shard_seed(o.config.seed, index);
  engine_.emplace(cfg_);
  // Players learn from starts and results (and refusals, always built); the other
  // events matter only to an event log, so without one the engine skips building them.
  if (!o.event_log) {
    engine_->set_event_filter(event_bit(EventType::Start) | event_bit(EventType::Result));
  }
  out_.summary.seed = cfg_.seed;
  out_.summary.first_player = first;
  out_.summary.players = count;
  out_.players.resize(count);
  for (std::uint32_t i = 0; i < count; ++i) {
    PlayerState& p = out_.players[i];
    p.rng = stream(o.config.seed, kTagPlayer, first + i);
    p.strategy = assignment[first + i];
  }
  period_ = cfg_.bot_fill_after_ms + cfg_.game_time_ms + 1;
  for (const Strategy& s : strategies_) {
    units_.push_back(&s.unit());
    chooses_.push_back(s.chooses());
    observed_ |= s.unit().observe != nullptr;
  }
  handles_.assign(count, kNoPlayer);
  free_.assign((std::size_t{count} + 63) / 64, ~std::uint64_t{0});
  if (count % 64 != 0) free_.back() = (std::uint64_t{1} << (count % 64)) - 1;
  logging_ = static_cast<bool>(o.command_log) || static_cast<bool>(o.event_log);
  visiting_ = !o.event_log;
}

ShardOut Shard::run() {
  const std::uint32_t n = static_cast<std::uint32_t>(out_.players.size());
  // The engine's records and uid index take every player at once, not by doubling.
  engine_->reserve(n);
  by_handle_.reserve(n);
  std::vector<std::string> names;
  for (const Strategy& st : strategies_) names.push_back(st.name());
  // Everyone says hello at time 0; the name shows the strategy in event logs.
  Command hello = Command::hello({});
  for (std::uint32_t i = 0; i < n; ++i) {
    set_uid(hello.from, i);
    hello.name = names[out_.players[i].strategy];
    // A new uid's handle is its registration index (PlayerHandle): the count of
    // players before it, if the engine registered it.
    const std::uint64_t registered = engine_->stats().players;
    const bool refused = send(hello, 0);
    std::optional<PlayerHandle> handle;
    if (!refused && engine_->stats().players == registered + 1) {
      handle = PlayerHandle{static_cast<std::uint32_t>(registered)};
    } else {
      handle = engine_->find_player(hello.from);
    }
    // A refused hello (a name over max_name_bytes, max_players reached) leaves the
    // player without a handle: its commands go by uid and are refused as they would be.
    if (handle) {
      handles_[i] = handle->index;
      if (by_handle_.size() <= handle->index) by_handle_.resize(handle->index + 1, kNoPlayer);
      by_handle_[handle->index] = i;
    }
  }
  identity_ = true;
  for (std::uint32_t h = 0; h < by_handle_.size(); ++h) identity_ &= by_handle_[h] == h;
  const Time end = static_cast<Time>(o_.rounds) * period_ - 1;
  std::uint32_t next_round = 0;
  // The engine's next deadline, read again only after a tick or a round of joins: a
  // choice (all the rest) schedules and cancels no timer.
  Time td = engine_->next_deadline().value_or(kNever);
  for (;;) {
    assert(td == engine_->next_deadline().value_or(kNever));
    const Time tw = picks_.next();
    const Time tj = next_round < o_.rounds ? static_cast<Time>(next_round) * period_ : kNever;
    const Time t = std::min({tj, td, tw});
    if (t > end) break;
    if (td == t) {
      // A server ticks exactly when its next timer is due; so does the simulator.
      tick(td);
      td = engine_->next_deadline().value_or(kNever);
    } else if (tj == t) {
      if (next_round > 0) report(next_round);
      round_ = next_round++;
      join_round(t);
      td = engine_->next_deadline().value_or(kNever);
    } else {
      // Every pick due before the next timer and the next round: a choice schedules no
      // timer and no pick, so nothing else can come first.
      const Time limit = std::min({tj, td, end + 1});
      Time at = t;
      do {
        // Picks name players by engine handle (only players with one are scheduled).
        const auto [handle, choice] = picks_.pop();
        // Choices come in random player order, each a cold player and seat: start
        // loading those a few picks ahead so the engine does not wait on memory.
        engine_->prefetch(PlayerHandle{picks_.ahead(kPrefetchFar)});
        engine_->prefetch(PlayerHandle{picks_.ahead(kPrefetchNear)}, true);
        send_as(handle, CommandType::Choice, static_cast<std::int64_t>(choice), at);
        at = picks_.next();
      } while (at < limit);
    }
  }
  report(o_.rounds);
  flush_logs(true);
  out_.summary.events += engine_->filtered_events();  // sent, whether built or not
  out_.summary.rooms_settled = engine_->stats().rooms_settled;
  out_.summary.digest = engine_->digest();
  out_.summary.end_time = engine_->now();
  return std::move(out_);
}

void Shard::join_round(Time t) {
  order_.clear();
  for (std::size_t w = 0; w < free_.size(); ++w) {
    for (std::uint64_t bits = free_[w]; bits != 0; bits &= bits - 1) {
      order_.push_back(static_cast<std::uint32_t>(w * 64 + static_cast<unsigned>(std::countr_zero(bits))));
    }
  }
  if (o_.pairing == Pairing::Random) {
    Rng rng = stream(cfg_.seed, kTagShuffle, round_);
    for (std::size_t i = order_.size(); i > 1; --i) {
      std::swap(order_[i - 1], order_[rng.below(i)]);
    }
  } else if (o_.pairing == Pairing::Swiss) {
    const auto& ps = out_.players;
    std::stable_sort(order_.begin(), order_.end(), [&](std::uint32_t a, std::uint32_t b) {
      return ps[a].total > ps[b].total;
    });
  }
  for (std::uint32_t i : order_) {
    if (handles_[i] == kNoPlayer) {
      send_joins(t);  // in order: the batch so far first
      if (!send(i, CommandType::Join, 0, t)) set_free(i, false);
      continue;
    }
    // Seated unless refused: a refusal's error event frees the player again (on_error),
    // as it would after a single call.
    set_free(i, false);
    ++out_.summary.commands;
    if (logging_) [[unlikely]] log_as(handles_[i], CommandType::Join, 0, t);
    joins_.push_back({PlayerHandle{handles_[i]}, CommandType::Join, 0});
    if (joins_.size() == kJoinBatch) send_joins(t);
  }
  send_joins(t);
}

// The joins gathered (counted and logged already) as one batch; after a refusal, the
// rest as another.
void Shard::send_joins(Time t) {
  std::span<const HandleCommand> rest(joins_);
  while (!rest.empty()) {
    const BatchResult r = visiting_ ? engine_->handle(rest, t, *this) : engine_->handle(rest, t, events_);
    consume();
    rest = rest.subspan(r.handled);
  }
  joins_.clear();
}

void Shard::tick(Time t) {
  ++out_.summary.commands;
  if (o_.command_log) {
    cmd_log_ += encode_tick_line(t);
    cmd_log_ += '\n';
  }
  if (visiting_) {
    engine_->tick(t, *this);
  } else {
    engine_->tick(t, events_);
  }
  consume();
}

// Returns true when the engine refused the command.
bool Shard::send(const Command& c, Time t) {
  ++out_.summary.commands;
  if (o_.command_log) {
    cmd_log_ += encode_command_line(c, t);
    cmd_log_ += '\n';
  }
  const bool refused = (visiting_ ? engine_->handle(c, t, *this) : engine_->handle(c, t, events_)).has_value();
  consume();
  return refused;
}

// Local player `player` by its handle: no uid is built or looked up unless it is logged
// (or the player has no handle: then by uid, and the engine refuses it).
bool Shard::send(std::uint32_t player, CommandType type, std::int64_t value, Time t) {
  const std::uint32_t handle = handles_[player];
  if (handle == kNoPlayer) {
    logged_.type = type;
    logged_.value = value;
    set_uid(logged_.from, player);
    return send(logged_, t);
  }
  return send_as(handle, type, value, t);
}

void Shard::log_as(std::uint32_t handle, CommandType type, std::int64_t value, Time t) {
  if (!o_.command_log) return;
  logged_.type = type;
  logged_.value = value;
  set_uid(logged_.from, by_handle_[handle]);
  cmd_log_ += encode_command_line(logged_, t);
  cmd_log_ += '\n';
}

// A player that has a handle, by its handle (the uid is built only for the log).
inline bool Shard::send_as(std::uint32_t handle, CommandType type, std::int64_t value, Time t) {
  ++out_.summary.commands;
  if (logging_) [[unlikely]] log_as(handle, type, value, t);
  const PlayerHandle who{handle};
  const bool refused = (visiting_ ? engine_->handle(who, type, value, t, *this)
                                  : engine_->handle(who, type, value, t, events_)).has_value();
  consume();
  return refused;
}

// Write the uid of local player i into `s` (no lookup: players are visited in
// random order, and a table of uids would cost a cache miss each time).
void Shard::set_uid(std::string& s, std::uint32_t i) const { assign_player_uid(s, first_ + i); }

std::uint32_t Shard::local(std::uint32_t handle) const noexcept {
  // Bots and strangers have no handle of ours.
  if (handle >= by_handle_.size()) return kNoPlayer;
  return identity_ ? handle : by_handle_[handle];
}

void Shard::consume_events() {
  out_.summary.events += events_.size();
  for (const Event& e : events_) {
    switch (e.type()) {
      case EventType::Start: {
        const auto& scores = std::get<StartData>(e.data).scores;
        on_start(e.at, {scores.begin(), scores.size()});
        break;
      }
      case EventType::Result: {
        const ResultData& r = std::get<ResultData>(e.data);
        on_result(r.room, {r.rows.begin(), r.rows.size()});
        break;
      }
      case EventType::Error: on_error(e.to.single ? &e.to.single : nullptr); break;
      default: break;
    }
    if (o_.event_log) {
      append_event_json(e, ev_log_);
      ev_log_ += '\n';
    }
  }
  events_.clear();
}

void Shard::on_event(const EventView& e) noexcept {
  if (failed_) return;  // the run is over: the exception leaves once the call returns
  ++out_.summary.events;
  try {
    switch (e.type) {
      case EventType::Start: on_start(e.at, e.scores); break;
      case EventType::Result: on_result(e.room, e.rows); break;
      case EventType::Error: on_error(e.single); break;
      default: break;
    }
  } catch (...) {
    failed_ = std::current_exception();
  }
}

void Shard::on_error(const ProfileRef* to) {
  ++out_.summary.errors;
  // A refused requeue leaves the player in the lobby.
  if (to != nullptr) {
    if (const std::uint32_t i = local((*to)->handle()); i != kNoPlayer) set_free(i, true);
  }
}

void Shard::on_start(Time at, std::span<const StartScore> scores) {
  const auto game = static_cast<std::uint64_t>(cfg_.game_time_ms);
  // By the scores' handles: the members' profiles stay unread (a cache miss each).
  for (const StartScore& score : scores) {
    const std::uint32_t i = local(score.handle);
    if (i == kNoPlayer) continue;  // a bot
    PlayerState& p = out_.players[i];
    if (!chooses_[p.strategy]) continue;
    // Like a bot, a player picks at a moment within the countdown (before the deadline).
    // It decides now: until then it learns nothing (movements do not reveal choices),
    // and members are visited in join order here, which is kinder to the cache.
    const auto offset = static_cast<std::uint32_t>(p.rng.below(game));
    picks_.add(at, offset, score.handle, strategies_[p.strategy].choose(p.mem, p.rng));
  }
}

void Shard::on_result(std::uint64_t room, std::span<const ResultRow> rows) {
  StrategyObservation obs;
  if (observed_) {
    for (const ResultRow& row : rows) obs.room.add(row.choice);
  }
  for (const ResultRow& row : rows) {
    const std::uint32_t i = local(row.handle);
    if (i == kNoPlayer) continue;  // a bot
    PlayerState& p = out_.players[i];
    const std::int64_t x = row.tally.base();
    p.wins += x > 0;
    p.losses += x < 0;
    p.draws += x == 0;
    ++p.played;
    p.total = row.total_score;
    p.streak = row.win_streak;
    p.best_streak = std::max(p.best_streak, row.win_streak);
    p.best_round = std::max(p.best_round, row.round_score);
    set_free(i, !cfg_.requeue);
    if (const auto observe = units_[p.strategy]->observe) {
      obs.own = row.choice;
      obs.tally = row.tally;
      obs.round_score = row.round_score;
      observe(p.mem, obs);
    }
    ++out_.summary.player_rounds;
    if (o_.history) {
      out_.history.push_back({round_, first_ + i, room, row.choice, row.tally.wins,
                              row.tally.losses, row.round_score, row.total_score,
                              row.win_streak});
    }
  }
}

void Shard::flush_logs(bool final) {
  if (o_.command_log && (final || cmd_log_.size() >= kLogChunk) && !cmd_log_.empty()) {
    o_.command_log(cmd_log_);
    cmd_log_.clear();
  }
  if (o_.event_log && (final || ev_log_.size() >= kLogChunk) && !ev_log_.empty()) {
    o_.event_log(ev_log_);
    ev_log_.clear();
  }
}

}  // namespace

ShardOut play_shard(const SimOptions& o, const std::vector<Strategy>& strategies,
                    const std::vector<std::uint16_t>& assignment, std::uint32_t index,
                    std::uint32_t first, std::uint32_t count, ShardProgress progress) {
  Shard shard(o, strategies, assignment, index, first, count, std::move(progress));
  return shard.run();
}

}  // namespace sim_detail
}  // namespace roshambo
