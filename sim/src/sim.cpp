// Tournament simulator (sim.hpp): one shard = one engine driven by commands and
// simulated time; simulate() runs the shards through the caller's executor (the
// simulator starts no thread) and merges their results in shard order.

#include "roshambo/sim.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <exception>
#include <limits>
#include <mutex>

#include "roshambo/codec.hpp"
#include "roshambo/engine.hpp"
#include "roshambo/rng.hpp"

namespace roshambo {
namespace {

constexpr std::uint32_t kMaxPlayers = 10'000'000;
constexpr std::uint32_t kMaxRounds = 1'000'000;
constexpr std::uint32_t kMaxShards = 256;
constexpr std::size_t kLogChunk = 1 << 16;
constexpr Time kNever = std::numeric_limits<Time>::max();

[[noreturn]] void fail(const std::string& field, const std::string& why) {
  throw ConfigError(field, field + ": " + why);
}

// Independent streams: each is a hash of the run seed and a purpose tag, so adding a
// shard or a player never shifts another stream.
SimRng stream(std::uint64_t seed, std::uint64_t tag, std::uint64_t index) noexcept {
  return SimRng{mix64(seed ^ mix64(tag * 0x9e3779b97f4a7c15ULL ^ mix64(index + 1)))};
}
constexpr std::uint64_t kTagPlayer = 1, kTagAssign = 2, kTagShuffle = 3, kTagShard = 4;

std::string player_uid(std::uint32_t index) {
  std::string uid = "p";
  uid += std::to_string(index + 1);
  return uid;
}

std::size_t decimal_digits(std::uint32_t n) { return std::to_string(n).size(); }

// ------------------------------------------------------------------ one shard

struct PlayerState {
  SimRng rng;
  StrategyMemory mem;
  std::uint16_t strategy = 0;
  bool in_room = false;  // as far as the player knows: joined and not yet settled
  std::int64_t total = 0;
  std::int64_t best_round = std::numeric_limits<std::int64_t>::min();
  std::uint32_t wins = 0, losses = 0, draws = 0, played = 0, best_streak = 0, streak = 0;
};

struct HistoryRow {
  std::uint32_t round, player;
  std::uint64_t room;
  Choice choice;
  std::uint32_t wins, losses;
  std::int64_t round_score, total_score;
  std::uint32_t win_streak;
};

struct ShardOut {
  std::vector<PlayerState> players;
  std::vector<HistoryRow> history;
  ShardSummary summary;
};

// Choices of the members of rooms that started at one moment, sorted by when each
// member picks. Rooms starting at the same moment share a wave.
struct Wave {
  Time start = 0;
  std::vector<std::uint32_t> players;  // local indices, by pick moment
  std::vector<std::uint32_t> offsets;  // pick moment - start, ascending
  std::vector<Choice> choices;         // what each will pick
  std::size_t pos = 0;
  Time next() const noexcept { return start + offsets[pos]; }
};

struct PendingPick {
  Time start;
  std::uint32_t offset;
  std::uint32_t player;
  Choice choice;
};

class Shard {
 public:
  Shard(const SimOptions& o, const std::vector<Strategy>& strategies,
        const std::vector<std::uint16_t>& assignment, std::uint32_t index, std::uint32_t first,
        std::uint32_t count, std::function<void(std::uint64_t, std::uint64_t)> progress)
      : o_(o),
        strategies_(strategies),
        cfg_(o.config),
        first_(first),
        progress_(std::move(progress)) {
    cfg_.seed = shard_seed(o.config.seed, index);
    engine_.emplace(cfg_);
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
  }

  ShardOut run() {
    const std::uint32_t n = static_cast<std::uint32_t>(out_.players.size());
    // Everyone says hello at time 0; the name shows the strategy in event logs.
    for (std::uint32_t i = 0; i < n; ++i) {
      send(Command::hello(player_uid(first_ + i), strategies_[out_.players[i].strategy].name()), 0);
    }
    const Time end = static_cast<Time>(o_.rounds) * period_ - 1;
    std::uint32_t next_round = 0;
    for (;;) {
      flush_pending();
      const Time tj = next_round < o_.rounds ? static_cast<Time>(next_round) * period_ : kNever;
      const Time td = engine_->next_deadline().value_or(kNever);
      std::size_t w = waves_.size();
      Time tw = kNever;
      for (std::size_t i = 0; i < waves_.size(); ++i) {
        if (waves_[i].next() < tw) {
          tw = waves_[i].next();
          w = i;
        }
      }
      const Time t = std::min({tj, td, tw});
      if (t > end) break;
      if (td == t) {
        // A server ticks exactly when its next timer is due; so does the simulator.
        tick(td);
      } else if (tj == t) {
        if (next_round > 0) report(next_round);
        round_ = next_round++;
        join_round(t);
      } else {
        Wave& wave = waves_[w];
        set_uid(choice_.from, wave.players[wave.pos]);
        choice_.value = static_cast<std::int64_t>(wave.choices[wave.pos++]);
        send(choice_, t);
        if (wave.pos == wave.offsets.size()) {
          recycle(wave);
          waves_.erase(waves_.begin() + static_cast<std::ptrdiff_t>(w));
        }
      }
    }
    report(o_.rounds);
    flush_logs(true);
    const EngineStats st = engine_->stats();
    out_.summary.rooms_settled = st.rooms_settled;
    out_.summary.digest = engine_->digest();
    out_.summary.end_time = engine_->now();
    return std::move(out_);
  }

 private:
  void report(std::uint32_t rounds_done) {
    if (progress_) progress_(rounds_done, out_.summary.player_rounds);
  }

  void join_round(Time t) {
    order_.clear();
    for (std::uint32_t i = 0; i < out_.players.size(); ++i) {
      if (!out_.players[i].in_room) order_.push_back(i);
    }
    if (o_.pairing == Pairing::Random) {
      SimRng rng = stream(cfg_.seed, kTagShuffle, round_);
      for (std::size_t i = order_.size(); i > 1; --i) {
        std::swap(order_[i - 1], order_[rng.below(i)]);
      }
    } else if (o_.pairing == Pairing::Swiss) {
      const auto& ps = out_.players;
      std::stable_sort(order_.begin(), order_.end(), [&](std::uint32_t a, std::uint32_t b) {
        return ps[a].total > ps[b].total;
      });
    }
    Command join = Command::join({});
    for (std::uint32_t i : order_) {
      set_uid(join.from, i);
      if (!send(join, t)) out_.players[i].in_room = true;
    }
  }

  void tick(Time t) {
    ++out_.summary.commands;
    if (o_.command_log) {
      cmd_log_ += encode_tick_line(t);
      cmd_log_ += '\n';
    }
    engine_->tick(t, events_);
    consume();
  }

  // Returns true when the engine refused the command.
  bool send(const Command& c, Time t) {
    ++out_.summary.commands;
    if (o_.command_log) {
      cmd_log_ += encode_command_line(c, t);
      cmd_log_ += '\n';
    }
    const bool refused = engine_->handle(c, t, events_).has_value();
    consume();
    return refused;
  }

  // Write the uid of local player i into `s` (no lookup: players are visited in
  // random order, and a table of uids would cost a cache miss each time).
  void set_uid(std::string& s, std::uint32_t i) const {
    char buf[16] = {'p'};
    const auto end = std::to_chars(buf + 1, buf + sizeof buf, first_ + i + 1).ptr;
    s.assign(buf, end);
  }

  std::uint32_t local(const Profile& who) const noexcept {
    // Simulated uids are "p<global index + 1>"; anything else is not ours.
    const std::string_view uid = who.uid();
    std::uint32_t v = 0;
    if (uid.size() < 2 || uid[0] != 'p') return UINT32_MAX;
    const auto [ptr, ec] = std::from_chars(uid.data() + 1, uid.data() + uid.size(), v);
    if (ec != std::errc() || ptr != uid.data() + uid.size() || v <= first_ ||
        v - first_ - 1 >= out_.players.size()) {
      return UINT32_MAX;
    }
    return v - first_ - 1;
  }

  void consume() {
    out_.summary.events += events_.size();
    for (const Event& e : events_) {
      switch (e.type()) {
        case EventType::Start: on_start(e); break;
        case EventType::Result: on_result(std::get<ResultData>(e.data)); break;
        case EventType::Error:
          ++out_.summary.errors;
          if (e.to.single) {
            // A refused requeue leaves the player in the lobby.
            if (const std::uint32_t i = local(*e.to.single); i != UINT32_MAX) {
              out_.players[i].in_room = false;
            }
          }
          break;
        default: break;
      }
      if (o_.event_log) {
        append_event_json(e, ev_log_);
        ev_log_ += '\n';
      }
    }
    events_.clear();
    flush_logs(false);
  }

  void on_start(const Event& e) {
    const MemberView& members = e.to.room;
    const auto game = static_cast<std::uint64_t>(cfg_.game_time_ms);
    for (std::uint32_t s = 0; s < members.size(); ++s) {
      const Profile& who = members[s];
      if (who.bot()) continue;
      const std::uint32_t i = local(who);
      if (i == UINT32_MAX) continue;
      PlayerState& p = out_.players[i];
      if (!strategies_[p.strategy].chooses()) continue;
      // Like a bot, a player picks at a moment within the countdown (before the deadline).
      // It decides now: until then it learns nothing (movements do not reveal choices),
      // and members are visited in join order here, which is kinder to the cache.
      const auto offset = static_cast<std::uint32_t>(p.rng.below(game));
      pending_.push_back({e.at, offset, i, strategies_[p.strategy].choose(p.mem, p.rng)});
    }
  }

  void on_result(const ResultData& r) {
    const auto& rows = *r.rows;
    StrategyObservation obs;
    for (const ResultRow& row : rows) obs.room.add(row.choice);
    for (const ResultRow& row : rows) {
      if (row.who->bot()) continue;
      const std::uint32_t i = local(*row.who);
      if (i == UINT32_MAX) continue;
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
      p.in_room = cfg_.requeue;
      obs.own = row.choice;
      obs.tally = row.tally;
      obs.round_score = row.round_score;
      strategies_[p.strategy].observe(p.mem, obs);
      ++out_.summary.player_rounds;
      if (o_.history) {
        out_.history.push_back({round_, first_ + i, r.room, row.choice, row.tally.wins,
                                row.tally.losses, row.round_score, row.total_score,
                                row.win_streak});
      }
    }
  }

  // Turn the picks scheduled since the last call into waves, one per start moment.
  void flush_pending() {
    if (pending_.empty()) return;
    std::size_t begin = 0;
    // Starts arrive in time order, so equal moments are adjacent.
    while (begin < pending_.size()) {
      std::size_t end = begin;
      const Time start = pending_[begin].start;
      while (end < pending_.size() && pending_[end].start == start) ++end;
      Wave* wave = nullptr;
      for (Wave& w : waves_) {
        if (w.start == start && w.pos == 0) wave = &w;
      }
      if (wave == nullptr) {
        waves_.emplace_back();
        wave = &waves_.back();
        wave->start = start;
      }
      add_to_wave(*wave, begin, end);
      begin = end;
    }
    pending_.clear();
  }

  // Merge pending_[begin, end) into a wave that has not begun, keeping it sorted by
  // moment and, within a moment, by the order the picks were scheduled.
  void add_to_wave(Wave& w, std::size_t begin, std::size_t end) {
    const std::size_t old = w.players.size();
    const std::size_t n = old + (end - begin);
    const auto game = static_cast<std::uint64_t>(cfg_.game_time_ms);
    // Buffers of finished waves are reused: a round's wave is as large as the lobby.
    Wave fresh;
    if (!spare_.empty()) {
      fresh = std::move(spare_.back());
      spare_.pop_back();
    }
    std::vector<std::uint32_t>& players = fresh.players;
    std::vector<std::uint32_t>& offsets = fresh.offsets;
    std::vector<Choice>& choices = fresh.choices;
    players.resize(n);
    offsets.resize(n);
    choices.resize(n);
    if (game <= 4 * n && game <= (1u << 22)) {
      // Counting sort by offset: linear, and stable.
      counts_.assign(game + 1, 0);
      for (std::size_t k = 0; k < old; ++k) ++counts_[w.offsets[k] + 1];
      for (std::size_t k = begin; k < end; ++k) ++counts_[pending_[k].offset + 1];
      for (std::size_t k = 1; k <= game; ++k) counts_[k] += counts_[k - 1];
      auto place = [&](std::uint32_t off, std::uint32_t player, Choice c) {
        const std::uint32_t at = counts_[off]++;
        players[at] = player;
        offsets[at] = off;
        choices[at] = c;
      };
      for (std::size_t k = 0; k < old; ++k) place(w.offsets[k], w.players[k], w.choices[k]);
      for (std::size_t k = begin; k < end; ++k) {
        place(pending_[k].offset, pending_[k].player, pending_[k].choice);
      }
    } else {
      keys_.clear();
      for (std::size_t k = 0; k < old; ++k) {
        keys_.push_back((std::uint64_t{w.offsets[k]} << 32) | k);
      }
      for (std::size_t k = begin; k < end; ++k) {
        keys_.push_back((std::uint64_t{pending_[k].offset} << 32) | (old + k - begin));
      }
      std::sort(keys_.begin(), keys_.end());
      for (std::size_t k = 0; k < n; ++k) {
        const auto src = static_cast<std::size_t>(keys_[k] & 0xffffffffu);
        offsets[k] = static_cast<std::uint32_t>(keys_[k] >> 32);
        players[k] = src < old ? w.players[src] : pending_[begin + src - old].player;
        choices[k] = src < old ? w.choices[src] : pending_[begin + src - old].choice;
      }
    }
    w.players.swap(players);
    w.offsets.swap(offsets);
    w.choices.swap(choices);
    recycle(fresh);
  }

  void recycle(Wave& w) {
    w.players.clear();
    w.offsets.clear();
    w.choices.clear();
    w.pos = 0;
    if (w.players.capacity() > 0 && spare_.size() < 4) spare_.push_back(std::move(w));
  }

  void flush_logs(bool final) {
    if (o_.command_log && (final || cmd_log_.size() >= kLogChunk) && !cmd_log_.empty()) {
      o_.command_log(cmd_log_);
      cmd_log_.clear();
    }
    if (o_.event_log && (final || ev_log_.size() >= kLogChunk) && !ev_log_.empty()) {
      o_.event_log(ev_log_);
      ev_log_.clear();
    }
  }

  const SimOptions& o_;
  const std::vector<Strategy>& strategies_;
  Config cfg_;
  std::uint32_t first_;
  std::function<void(std::uint64_t, std::uint64_t)> progress_;
  std::optional<Engine> engine_;
  ShardOut out_;
  Time period_ = 1;
  std::uint32_t round_ = 0;
  Command choice_ = Command::choice({}, 0);
  std::vector<Event> events_;
  std::vector<PendingPick> pending_;
  std::vector<Wave> waves_, spare_;
  std::vector<std::uint32_t> order_, counts_;
  std::vector<std::uint64_t> keys_;
  std::string cmd_log_, ev_log_;
};

// Players per mix entry: largest remainder, ties to the earlier entry, so the
// counts sum to `players` exactly and follow the weights as closely as possible.
std::vector<std::uint32_t> mix_counts(const std::vector<MixEntry>& mix, std::uint32_t players) {
  double sum = 0;
  for (const auto& m : mix) sum += m.weight;
  std::vector<std::uint32_t> counts(mix.size());
  std::vector<std::pair<double, std::size_t>> rest;
  std::uint64_t given = 0;
  for (std::size_t i = 0; i < mix.size(); ++i) {
    const double quota = mix[i].weight / sum * players;
    counts[i] = static_cast<std::uint32_t>(std::floor(quota));
    given += counts[i];
    rest.emplace_back(quota - counts[i], i);
  }
  std::stable_sort(rest.begin(), rest.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  for (std::size_t k = 0; given < players; ++k, ++given) ++counts[rest[k % rest.size()].second];
  return counts;
}

double quantile_nearest_rank(const std::vector<std::int64_t>& sorted, double q) {
  if (sorted.empty()) return 0;
  auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(sorted.size())));
  rank = std::clamp<std::size_t>(rank, 1, sorted.size());
  return static_cast<double>(sorted[rank - 1]);
}

}  // namespace

// ------------------------------------------------------------------ public

std::string_view to_string(Pairing p) noexcept {
  switch (p) {
    case Pairing::Random: return "random";
    case Pairing::Swiss: return "swiss";
    default: return "arrival";
  }
}

Pairing parse_pairing(std::string_view text) {
  if (text == "arrival") return Pairing::Arrival;
  if (text == "random") return Pairing::Random;
  if (text == "swiss") return Pairing::Swiss;
  fail("pairing", "must be arrival, random or swiss, got '" + std::string(text.substr(0, 64)) + "'");
}

// Weights are relative, but their sum must be a finite double (1e308 + 1e308 is not).
constexpr const char* kMixOverflow = "weights too large: their sum overflows (use smaller numbers, they are relative)";

std::vector<MixEntry> parse_mix(std::string_view text) {
  std::vector<MixEntry> mix;
  if (text.empty()) fail("mix", "must name at least one strategy");
  std::vector<std::string_view> parts;
  for (std::size_t pos = 0;;) {
    const auto comma = text.find(',', pos);
    parts.push_back(text.substr(pos, comma == std::string_view::npos ? comma : comma - pos));
    if (comma == std::string_view::npos) break;
    pos = comma + 1;
  }
  for (std::size_t k = 0; k < parts.size(); ++k) {
    std::string item(parts[k]);
    // "biased:R,P,S[=W]" spans three comma-separated parts.
    if (item.rfind("biased:", 0) == 0 && item.find('=') == std::string::npos) {
      for (int glue = 0; glue < 2 && k + 1 < parts.size(); ++glue) {
        item += ',';
        item += parts[++k];
      }
    }
    const auto eq = item.find('=');
    const std::string name = item.substr(0, eq);
    double weight = 1.0;
    if (eq != std::string::npos) {
      const std::string w = item.substr(eq + 1);
      const auto [ptr, ec] = std::from_chars(w.data(), w.data() + w.size(), weight);
      if (w.empty() || ec != std::errc() || ptr != w.data() + w.size() || !std::isfinite(weight)) {
        fail("mix", "weight of '" + name.substr(0, 64) + "' must be a number, got '" +
                        w.substr(0, 32) + "'");
      }
      if (weight < 0) fail("mix", "weight of '" + name.substr(0, 64) + "' must not be negative");
    }
    const Strategy s = Strategy::parse(name);
    auto same = std::find_if(mix.begin(), mix.end(), [&](const MixEntry& m) { return m.strategy == s; });
    if (same != mix.end()) {
      same->weight += weight;
    } else {
      mix.push_back({s, weight});
    }
  }
  double sum = 0;
  for (const auto& m : mix) sum += m.weight;
  if (!std::isfinite(sum)) fail("mix", kMixOverflow);
  if (!(sum > 0)) fail("mix", "weights must not sum to 0");
  return mix;
}

std::string mix_to_string(const std::vector<MixEntry>& mix) {
  std::string out;
  for (const auto& m : mix) {
    if (!out.empty()) out += ',';
    out += m.strategy.name();
    char buf[64];
    const auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, m.weight);
    out += '=';
    out.append(buf, ec == std::errc() ? ptr : buf);
  }
  return out;
}

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

std::uint64_t shard_seed(std::uint64_t seed, std::uint32_t shard) noexcept {
  return shard == 0 ? seed : stream(seed, kTagShard, shard).next();
}

SimResult simulate(const SimOptions& options, const ShardExecutor& executor) {
  options.validate();
  const std::uint32_t n = options.players;
  const std::uint32_t k = options.shards;

  std::vector<Strategy> strategies;
  for (const auto& m : options.mix) strategies.push_back(m.strategy);
  // Who plays what: exact shares, shuffled by the seed (independent of the shards).
  const std::vector<std::uint32_t> counts = mix_counts(options.mix, n);
  std::vector<std::uint16_t> assignment;
  assignment.reserve(n);
  for (std::size_t s = 0; s < counts.size(); ++s) {
    assignment.insert(assignment.end(), counts[s], static_cast<std::uint16_t>(s));
  }
  SimRng shuffle = stream(options.config.seed, kTagAssign, 0);
  for (std::size_t i = assignment.size(); i > 1; --i) {
    std::swap(assignment[i - 1], assignment[shuffle.below(i)]);
  }

  // Progress from every shard, summed under one lock.
  std::mutex progress_mutex;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> done(k);
  auto progress_for = [&](std::uint32_t s) -> std::function<void(std::uint64_t, std::uint64_t)> {
    if (!options.progress) return {};
    return [&, s](std::uint64_t rounds, std::uint64_t player_rounds) {
      std::lock_guard<std::mutex> lock(progress_mutex);
      done[s] = {rounds, player_rounds};
      SimProgress p;
      p.rounds_total = std::uint64_t{options.rounds} * k;
      for (const auto& d : done) {
        p.rounds_done += d.first;
        p.player_rounds += d.second;
      }
      options.progress(p);
    };
  };

  std::vector<ShardOut> outs(k);
  auto run_shard = [&](std::uint32_t s) {
    const std::uint32_t first = static_cast<std::uint32_t>(std::uint64_t{n} * s / k);
    const std::uint32_t last = static_cast<std::uint32_t>(std::uint64_t{n} * (s + 1) / k);
    Shard shard(options, strategies, assignment, s, first, last - first, progress_for(s));
    outs[s] = shard.run();
  };
  // Each job keeps its own exception, so the executor never sees one.
  std::vector<std::exception_ptr> errors(k);
  auto job = [&](std::uint32_t s) {
    try {
      run_shard(s);
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

  SimResult r;
  r.options = options;
  r.options.command_log = nullptr;
  r.options.event_log = nullptr;
  r.options.progress = nullptr;
  for (const auto& s : strategies) r.strategies.push_back(s.name());
  r.uid.reserve(n);
  r.strategy.reserve(n);
  for (auto* col : {&r.wins, &r.losses, &r.draws, &r.rounds_played, &r.best_streak, &r.win_streak,
                    &r.shard}) {
    col->reserve(n);
  }
  r.total.reserve(n);
  r.best_round.reserve(n);
  for (std::uint32_t s = 0; s < k; ++s) {
    const ShardOut& out = outs[s];
    for (std::size_t i = 0; i < out.players.size(); ++i) {
      const PlayerState& p = out.players[i];
      r.uid.push_back(player_uid(out.summary.first_player + static_cast<std::uint32_t>(i)));
      r.strategy.push_back(p.strategy);
      r.shard.push_back(s);
      r.total.push_back(p.total);
      r.wins.push_back(p.wins);
      r.losses.push_back(p.losses);
      r.draws.push_back(p.draws);
      r.rounds_played.push_back(p.played);
      r.best_streak.push_back(p.best_streak);
      r.win_streak.push_back(p.streak);
      r.best_round.push_back(p.played ? p.best_round : 0);
    }
    r.shards.push_back(out.summary);
    r.player_rounds += out.summary.player_rounds;
    r.rooms_settled += out.summary.rooms_settled;
    r.errors += out.summary.errors;
  }

  // Per-strategy summary.
  std::vector<std::vector<std::int64_t>> totals(strategies.size());
  r.summary.resize(strategies.size());
  std::vector<std::uint64_t> wins(strategies.size()), score_sum_rounds(strategies.size());
  std::vector<double> round_score_sum(strategies.size(), 0.0);
  for (std::uint32_t i = 0; i < n; ++i) {
    const auto s = r.strategy[i];
    StrategySummary& sum = r.summary[s];
    ++sum.players;
    totals[s].push_back(r.total[i]);
    sum.rounds_played += r.rounds_played[i];
    wins[s] += r.wins[i];
    sum.best_streak = std::max(sum.best_streak, r.best_streak[i]);
    // A total is the sum of its round scores (the engine saturates only near 2^63).
    round_score_sum[s] += static_cast<double>(r.total[i]);
  }
  for (std::size_t s = 0; s < strategies.size(); ++s) {
    StrategySummary& sum = r.summary[s];
    sum.strategy = r.strategies[s];
    auto& t = totals[s];
    std::sort(t.begin(), t.end());
    if (!t.empty()) {
      double acc = 0;
      for (auto v : t) acc += static_cast<double>(v);
      sum.mean_total = acc / static_cast<double>(t.size());
      const std::size_t m = t.size() / 2;
      sum.median_total = t.size() % 2 ? static_cast<double>(t[m])
                                      : (static_cast<double>(t[m - 1]) + static_cast<double>(t[m])) / 2;
      sum.p90_total = quantile_nearest_rank(t, 0.9);
    }
    if (sum.rounds_played > 0) {
      sum.win_rate = static_cast<double>(wins[s]) / static_cast<double>(sum.rounds_played);
      sum.mean_round_score = round_score_sum[s] / static_cast<double>(sum.rounds_played);
    }
  }

  // Leaderboard: total desc, wins desc, player number asc.
  std::vector<std::uint32_t> idx(n);
  for (std::uint32_t i = 0; i < n; ++i) idx[i] = i;
  auto better = [&](std::uint32_t a, std::uint32_t b) {
    if (r.total[a] != r.total[b]) return r.total[a] > r.total[b];
    if (r.wins[a] != r.wins[b]) return r.wins[a] > r.wins[b];
    return a < b;
  };
  const std::size_t top = options.top == 0 ? n : std::min<std::size_t>(options.top, n);
  std::partial_sort(idx.begin(), idx.begin() + static_cast<std::ptrdiff_t>(top), idx.end(), better);
  idx.resize(top);
  r.leaderboard = std::move(idx);

  if (options.history) {
    SimHistory h;
    std::size_t rows = 0;
    for (const auto& out : outs) rows += out.history.size();
    for (auto* col : {&h.round, &h.player, &h.wins, &h.losses, &h.win_streak}) col->reserve(rows);
    h.room.reserve(rows);
    h.choice.reserve(rows);
    h.round_score.reserve(rows);
    h.total_score.reserve(rows);
    // Round by round, then shard by shard: each shard's rows are already in round order.
    std::vector<std::size_t> cursor(k, 0);
    for (std::uint32_t round = 0; round < options.rounds; ++round) {
      for (std::uint32_t s = 0; s < k; ++s) {
        const auto& src = outs[s].history;
        for (auto& c = cursor[s]; c < src.size() && src[c].round == round; ++c) {
          const HistoryRow& row = src[c];
          h.round.push_back(row.round);
          h.player.push_back(row.player);
          h.room.push_back(row.room);
          h.choice.push_back(static_cast<std::uint8_t>(row.choice));
          h.wins.push_back(row.wins);
          h.losses.push_back(row.losses);
          h.round_score.push_back(row.round_score);
          h.total_score.push_back(row.total_score);
          h.win_streak.push_back(row.win_streak);
        }
      }
    }
    r.history = std::move(h);
  }
  return r;
}

}  // namespace roshambo
