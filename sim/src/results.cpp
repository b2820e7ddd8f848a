// The result of a run: the shards' players as columns in player order, per-strategy
// figures, the leaderboard and the merged history.

#include <algorithm>
#include <cmath>

#include "internal.hpp"

namespace roshambo::sim_detail {
namespace {

void add_player_columns(SimResult& r, const std::vector<ShardOut>& outs, std::uint32_t n) {
  r.uid.reserve(n);
  r.strategy.reserve(n);
  for (auto* col : {&r.wins, &r.losses, &r.draws, &r.rounds_played, &r.best_streak, &r.win_streak,
                    &r.shard}) {
    col->reserve(n);
  }
  r.total.reserve(n);
  r.best_round.reserve(n);
  for (std::uint32_t s = 0; s < outs.size(); ++s) {
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
}

// The k-th smallest of t (0-based), by selection: linear, where a sort was n log n
// on the single thread that merges the shards.
std::int64_t kth(std::vector<std::int64_t>& t, std::size_t k) {
  std::nth_element(t.begin(), t.begin() + static_cast<std::ptrdiff_t>(k), t.end());
  return t[k];
}

// The q-quantile by nearest rank.
std::int64_t quantile_nearest_rank(std::vector<std::int64_t>& t, double q) {
  auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(t.size())));
  rank = std::clamp<std::size_t>(rank, 1, t.size());
  return kth(t, rank - 1);
}

// Mean, median and p90 of one strategy's totals (reordered here).
void summarise_totals(std::vector<std::int64_t>& t, StrategySummary& sum) {
  if (t.empty()) return;
  // Summed exactly, so the order (selection leaves it unsorted) does not matter; the
  // same as the sorted double sum whenever that one was exact (|totals| summing below 2^53).
  __extension__ using Wide = __int128;  // GCC and Clang; -Wpedantic knows it as an extension
  Wide acc = 0;
  for (auto v : t) acc += v;
  sum.mean_total = static_cast<double>(acc) / static_cast<double>(t.size());
  const std::size_t m = t.size() / 2;
  const auto upper = static_cast<double>(kth(t, m));
  if (t.size() % 2) {
    sum.median_total = upper;
  } else {
    // The lower middle is the largest of the half that selection left below it.
    const auto lower = static_cast<double>(*std::max_element(t.begin(), t.begin() + static_cast<std::ptrdiff_t>(m)));
    sum.median_total = (lower + upper) / 2;
  }
  sum.p90_total = static_cast<double>(quantile_nearest_rank(t, 0.9));
}

void add_strategy_summary(SimResult& r) {
  const std::size_t strategies = r.strategies.size();
  std::vector<std::vector<std::int64_t>> totals(strategies);
  r.summary.resize(strategies);
  std::vector<std::uint64_t> wins(strategies);
  std::vector<double> round_score_sum(strategies, 0.0);
  for (std::size_t i = 0; i < r.strategy.size(); ++i) {
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
  for (std::size_t s = 0; s < strategies; ++s) {
    StrategySummary& sum = r.summary[s];
    sum.strategy = r.strategies[s];
    summarise_totals(totals[s], sum);
    if (sum.rounds_played > 0) {
      sum.win_rate = static_cast<double>(wins[s]) / static_cast<double>(sum.rounds_played);
      sum.mean_round_score = round_score_sum[s] / static_cast<double>(sum.rounds_played);
    }
  }
}

// Leaderboard: total desc, wins desc, player number asc; `top` long (0: everyone).
void add_leaderboard(SimResult& r, std::uint32_t top_option) {
  const auto n = static_cast<std::uint32_t>(r.total.size());
  std::vector<std::uint32_t> idx(n);
  for (std::uint32_t i = 0; i < n; ++i) idx[i] = i;
  auto better = [&](std::uint32_t a, std::uint32_t b) {
    if (r.total[a] != r.total[b]) return r.total[a] > r.total[b];
    if (r.wins[a] != r.wins[b]) return r.wins[a] > r.wins[b];
    return a < b;
  };
  const std::size_t top = top_option == 0 ? n : std::min<std::size_t>(top_option, n);
  std::partial_sort(idx.begin(), idx.begin() + static_cast<std::ptrdiff_t>(top), idx.end(), better);
  idx.resize(top);
  r.leaderboard = std::move(idx);
}

void push_row(SimHistory& h, const HistoryRow& row) {
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

SimHistory merge_history(const std::vector<ShardOut>& outs, std::uint32_t rounds) {
  SimHistory h;
  std::size_t rows = 0;
  for (const auto& out : outs) rows += out.history.size();
  for (auto* col : {&h.round, &h.player, &h.wins, &h.losses, &h.win_streak}) col->reserve(rows);
  h.room.reserve(rows);
  h.choice.reserve(rows);
  h.round_score.reserve(rows);
  h.total_score.reserve(rows);
  // Round by round, then shard by shard: each shard's rows are already in round order.
  std::vector<std::size_t> cursor(outs.size(), 0);
  for (std::uint32_t round = 0; round < rounds; ++round) {
    for (std::size_t s = 0; s < outs.size(); ++s) {
      const auto& src = outs[s].history;
      for (auto& c = cursor[s]; c < src.size() && src[c].round == round; ++c) push_row(h, src[c]);
    }
  }
  return h;
}

}  // namespace

SimResult assemble_result(const SimOptions& options, const std::vector<Strategy>& strategies,
                          const std::vector<ShardOut>& outs) {
  SimResult r;
  r.options = options;
  r.options.command_log = nullptr;
  r.options.event_log = nullptr;
  r.options.progress = nullptr;
  for (const auto& s : strategies) r.strategies.push_back(s.name());
  add_player_columns(r, outs, options.players);
  add_strategy_summary(r);
  add_leaderboard(r, options.top);
  if (options.history) r.history = merge_history(outs, options.rounds);
  return r;
}

}  // namespace roshambo::sim_detail
