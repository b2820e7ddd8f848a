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
  const std::size_t n = w.picks.size() + (end - begin);
  // Buffers of finished waves are reused: a round's wave is as large as the lobby.
  Wave fresh;
  if (!spare_.empty()) {
    fresh = std::move(spare_.back());
    spare_.pop_back();
  }
  fresh.picks.resize(n);
  if (game_ <= 4 * n && game_ <= (1u << 22)) {
    merge_by_counting(w, begin, end, fresh);
  } else {
    merge_by_sorting(w, begin, end, fresh);
  }
  w.picks.swap(fresh.picks);
  recycle(fresh);
}

// Counting sort by offset: linear, and stable.
void PickSchedule::merge_by_counting(const Wave& w, std::size_t begin, std::size_t end,
                                     Wave& into) {
  const std::size_t old = w.picks.size();
  counts_.assign(game_ + 1, 0);
  for (std::size_t k = 0; k < old; ++k) ++counts_[w.picks[k].offset + 1];
  for (std::size_t k = begin; k < end; ++k) ++counts_[pending_[k].offset + 1];
  for (std::size_t k = 1; k <= game_; ++k) counts_[k] += counts_[k - 1];
  auto place = [&](std::uint32_t off, std::uint32_t player, Choice c) {
    into.picks[counts_[off]++] = Pick{player, off, c};
  };
  for (const Pick& p : w.picks) place(p.offset, p.player, p.choice);
  for (std::size_t k = begin; k < end; ++k) {
    place(pending_[k].offset, pending_[k].player, pending_[k].choice);
  }
}

// Sort of (offset, arrival) keys, for countdowns too long to count.
void PickSchedule::merge_by_sorting(const Wave& w, std::size_t begin, std::size_t end,
                                    Wave& into) {
  const std::size_t old = w.picks.size();
  keys_.clear();
  for (std::size_t k = 0; k < old; ++k) {
    keys_.push_back((std::uint64_t{w.picks[k].offset} << 32) | k);
  }
  for (std::size_t k = begin; k < end; ++k) {
    keys_.push_back((std::uint64_t{pending_[k].offset} << 32) | (old + k - begin));
  }
  std::sort(keys_.begin(), keys_.end());
  for (std::size_t k = 0; k < keys_.size(); ++k) {
    const auto src = static_cast<std::size_t>(keys_[k] & 0xffffffffu);
    const auto offset = static_cast<std::uint32_t>(keys_[k] >> 32);
    into.picks[k] = src < old ? w.picks[src]
                              : Pick{pending_[begin + src - old].player, offset, pending_[begin + src - old].choice};
  }
}

void PickSchedule::recycle(Wave& w) {
  w.picks.clear();
  w.pos = 0;
  if (w.picks.capacity() > 0 && spare_.size() < 4) spare_.push_back(std::move(w));
}

}  // namespace roshambo::sim_detail
