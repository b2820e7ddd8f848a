#pragma once
// The engine's timers in firing order: earliest due first, then creation order.

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <vector>

#include "roshambo/types.hpp"

namespace roshambo::detail {

enum class TimerKind : std::uint8_t { BotFill, Deadline, BotPick, Grace };

struct Timer {
  Time due;
  std::uint64_t seq;
  std::uint32_t room;
  std::uint32_t gen;     // the room's gen; for Grace, the player's grace_gen
  std::uint32_t player;  // BotPick: the bot; Grace: the dropped player
  std::uint32_t seat;    // BotPick: the bot's seat at the start, which seeds its pick
  TimerKind kind;
};

/// Firing order: earliest due first, then creation order.
inline bool fires_before(const Timer& a, const Timer& b) noexcept {
  return a.due != b.due ? a.due < b.due : a.seq < b.seq;
}

/// Bot fills, deadlines and graces each last one duration fixed by the config, and
/// host time never goes back, so each kind arrives already in firing order: a FIFO
/// lane per kind, O(1) to push and pop and read front to back (the bulk of a round's
/// timers). Bot picks come at random moments within a countdown: a binary heap. The
/// queue's front is the first of the lanes' fronts and the heap's top. A timer that
/// would break its lane's order (only a hand-made snapshot can ask for one) goes to
/// the heap, so the order holds whatever is pushed.
class TimerQueue {
 public:
  void push(const Timer& t) {
    Lane* lane = lane_of(t.kind);
    if (lane != nullptr && (lane->empty() || !fires_before(t, lane->back()))) {
      lane->push(t);
    } else {
      heap_.push_back(t);
      std::push_heap(heap_.begin(), heap_.end(), later);
    }
    ++size_;
  }
  bool empty() const noexcept { return size_ == 0; }
  std::size_t size() const noexcept { return size_; }
  /// The next timer to fire. Not empty().
  const Timer& front() const noexcept {
    const Timer* best = heap_.empty() ? nullptr : &heap_.front();
    for (const Lane& l : lanes_) {
      if (!l.empty() && (best == nullptr || fires_before(l.front(), *best))) best = &l.front();
    }
    return *best;
  }
  /// Remove front(). Not empty().
  void pop() noexcept {
    const Timer* f = &front();
    --size_;
    for (Lane& l : lanes_) {
      if (!l.empty() && &l.front() == f) {
        l.pop();
        return;
      }
    }
    std::pop_heap(heap_.begin(), heap_.end(), later);
    heap_.pop_back();
  }
  /// Drop every timer `keep` refuses; the order of the rest is unchanged.
  template <class Keep>
  void filter(Keep keep) {
    size_ = 0;
    for (Lane& l : lanes_) size_ += l.filter(keep);
    std::erase_if(heap_, [&keep](const Timer& t) { return !keep(t); });
    std::make_heap(heap_.begin(), heap_.end(), later);
    size_ += heap_.size();
  }
  /// Every queued timer, in no particular order.
  template <class Fn>
  void for_each(Fn fn) const {
    for (const Lane& l : lanes_) l.for_each(fn);
    for (const Timer& t : heap_) fn(t);
  }

 private:
  // A deque: fixed-size blocks are taken as timers arrive and given back as they fire,
  // so a lane's memory follows its live timers instead of keeping the high-water mark
  // a vector's doubling leaves (which showed as RSS steps in the soak).
  class Lane {
   public:
    bool empty() const noexcept { return q_.empty(); }
    const Timer& front() const noexcept { return q_.front(); }
    const Timer& back() const noexcept { return q_.back(); }
    void push(const Timer& t) { q_.push_back(t); }
    void pop() noexcept { q_.pop_front(); }
    template <class Keep>
    std::size_t filter(Keep& keep) {
      std::erase_if(q_, [&keep](const Timer& t) { return !keep(t); });
      return q_.size();
    }
    template <class Fn>
    void for_each(Fn& fn) const {
      for (const Timer& t : q_) fn(t);
    }

   private:
    std::deque<Timer> q_;
  };

  static bool later(const Timer& a, const Timer& b) noexcept { return fires_before(b, a); }
  Lane* lane_of(TimerKind k) noexcept {
    switch (k) {
      case TimerKind::BotFill: return &lanes_[0];
      case TimerKind::Deadline: return &lanes_[1];
      case TimerKind::Grace: return &lanes_[2];
      default: return nullptr;
    }
  }

  std::array<Lane, 3> lanes_;
  std::vector<Timer> heap_;
  std::size_t size_ = 0;
};

}  // namespace roshambo::detail
