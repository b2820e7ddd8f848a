// PickSchedule: a sorted wave of picks per start moment, merged in linear time when the
// countdown is short enough for a counting sort.

#include "picks.hpp"

#include <algorithm>

namespace roshambo::sim_detail {

// Turn the picks scheduled since the last call into waves, one per start moment.
void PickSchedule::flush_pending() {
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
void PickSchedule::add_to_wave(Wave& w, std::size_t begin, std::size_t end) {
  const std::size_t n = w.players.size() + (end - begin);
  // Buffers of finished waves are reused: a round's wave is as large as the lobby.
  Wave fresh;
  if (!spare_.empty()) {
    fresh = std::move(spare_.back());
    spare_.pop_back();
  }
  fresh.players.resize(n);
  fresh.offsets.resize(n);
  fresh.choices.resize(n);
  if (game_ <= 4 * n && game_ <= (1u << 22)) {
    merge_by_counting(w, begin, end, fresh);
  } else {
    merge_by_sorting(w, begin, end, fresh);
  }
  w.players.swap(fresh.players);
  w.offsets.swap(fresh.offsets);
  w.choices.swap(fresh.choices);
  recycle(fresh);
}

// Counting sort by offset: linear, and stable.
void PickSchedule::merge_by_counting(const Wave& w, std::size_t begin, std::size_t end,
                                     Wave& into) {
  const std::size_t old = w.players.size();
  counts_.assign(game_ + 1, 0);
  for (std::size_t k = 0; k < old; ++k) ++counts_[w.offsets[k] + 1];
  for (std::size_t k = begin; k < end; ++k) ++counts_[pending_[k].offset + 1];
  for (std::size_t k = 1; k <= game_; ++k) counts_[k] += counts_[k - 1];
  auto place = [&](std::uint32_t off, std::uint32_t player, Choice c) {
    const std::uint32_t at = counts_[off]++;
    into.players[at] = player;
    into.offsets[at] = off;
    into.choices[at] = c;
  };
  for (std::size_t k = 0; k < old; ++k) place(w.offsets[k], w.players[k], w.choices[k]);
  for (std::size_t k = begin; k < end; ++k) {
    place(pending_[k].offset, pending_[k].player, pending_[k].choice);
  }
}

// Sort of (offset, arrival) keys, for countdowns too long to count.
void PickSchedule::merge_by_sorting(const Wave& w, std::size_t begin, std::size_t end,
                                    Wave& into) {
  const std::size_t old = w.players.size();
  keys_.clear();
  for (std::size_t k = 0; k < old; ++k) {
    keys_.push_back((std::uint64_t{w.offsets[k]} << 32) | k);
  }
  for (std::size_t k = begin; k < end; ++k) {
    keys_.push_back((std::uint64_t{pending_[k].offset} << 32) | (old + k - begin));
  }
  std::sort(keys_.begin(), keys_.end());
  for (std::size_t k = 0; k < keys_.size(); ++k) {
    const auto src = static_cast<std::size_t>(keys_[k] & 0xffffffffu);
    into.offsets[k] = static_cast<std::uint32_t>(keys_[k] >> 32);
    into.players[k] = src < old ? w.players[src] : pending_[begin + src - old].player;
    into.choices[k] = src < old ? w.choices[src] : pending_[begin + src - old].choice;
  }
}

void PickSchedule::recycle(Wave& w) {
  w.players.clear();
  w.offsets.clear();
  w.choices.clear();
  w.pos = 0;
  if (w.players.capacity() > 0 && spare_.size() < 4) spare_.push_back(std::move(w));
}

}  // namespace roshambo::sim_detail
