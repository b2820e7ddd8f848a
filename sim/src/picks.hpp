#pragma once
// The choices simulated players have decided on but not yet sent, in the order they
// are due (not installed).

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "internal.hpp"
#include "roshambo/types.hpp"

namespace roshambo::sim_detail {

class PickSchedule {
 public:
  /// `game_time_ms`: the countdown, which bounds every pick's offset.
  explicit PickSchedule(std::uint64_t game_time_ms) : game_(game_time_ms) {}

  /// Schedule `player`'s `choice` at `start + offset` (offset < the countdown). Starts
  /// must come in time order.
  void add(Time start, std::uint32_t offset, std::uint32_t player, Choice choice) {
    pending_.push_back({start, offset, player, choice});
  }
  // next() and pop() run once per simulated command: inline, like the loop they serve.

  /// The moment of the earliest pick (kNever when there is none).
  Time next() {
    if (!pending_.empty()) flush_pending();
    earliest_ = nullptr;
    Time tw = kNever;
    for (Wave& w : waves_) {
      const Time t = w.next();
      if (t < tw) {
        tw = t;
        earliest_ = &w;
      }
    }
    return tw;
  }
  /// The player `k` picks after the next one in the earliest wave, or UINT32_MAX: for
  /// prefetch hints only (another wave may come first).
  std::uint32_t ahead(std::size_t k) const noexcept {
    if (earliest_ == nullptr) return UINT32_MAX;
    const std::size_t i = earliest_->pos + k;
    return i < earliest_->picks.size() ? earliest_->picks[i].player : UINT32_MAX;
  }
  /// Take the earliest pick (the one next() found): its player and choice.
  std::pair<std::uint32_t, Choice> pop() {
    Wave& wave = *earliest_;
    const Pick& p = wave.picks[wave.pos];
    const std::pair<std::uint32_t, Choice> pick{p.player, p.choice};
    ++wave.pos;
    if (wave.pos == wave.picks.size()) {
      recycle(wave);
      waves_.erase(waves_.begin() + (&wave - waves_.data()));
      earliest_ = nullptr;  // until next()
    }
    return pick;
  }

 private:
  // Choices of the members of rooms that started at one moment, sorted by when each
  // member picks. Rooms starting at the same moment share a wave.
  // One pick, its fields together: the merge writes each to a random place, one line
  // (three parallel arrays cost a miss each).
  struct Pick {
    std::uint32_t player;  // who picks (the shard's player ids)
    std::uint32_t offset;  // pick moment - start
    Choice choice;         // what they pick
  };
  struct Wave {
    Time start = 0;
    std::vector<Pick> picks;  // by pick moment (offset ascending)
    std::size_t pos = 0;
    Time next() const noexcept { return start + picks[pos].offset; }
  };
  struct PendingPick {
    Time start;
    std::uint32_t offset;
    std::uint32_t player;
    Choice choice;
  };

  void flush_pending();
  void add_to_wave(Wave& w, std::size_t begin, std::size_t end);
  void merge_by_counting(const Wave& w, std::size_t begin, std::size_t end, Wave& into);
  void merge_by_sorting(const Wave& w, std::size_t begin, std::size_t end, Wave& into);
  void recycle(Wave& w);

  std::uint64_t game_;
  Wave* earliest_ = nullptr;  // next()'s wave (null: none, or taken by pop())
  std::vector<PendingPick> pending_;
  std::vector<Wave> waves_, spare_;
  std::vector<std::uint32_t> counts_;
  std::vector<std::uint64_t> keys_;
};

}  // namespace roshambo::sim_detail
