#pragma once
// The engine's timers in firing order: earliest due first, then creation order.

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <new>
#include <utility>
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
  std::uint16_t seat;    // BotPick: the bot's seat at the start, which seeds its pick (capacity <= 1024)
  TimerKind kind;
};
static_assert(sizeof(Timer) == 32, "two timers a cache line");

/// Firing order: earliest due first, then creation order.
/// The same for a timer not built yet, given by its (due, seq).
inline bool fires_before_key(Time due, std::uint64_t seq, const Timer& b) noexcept {
  return due != b.due ? due < b.due : seq < b.seq;
}
inline bool fires_before(const Timer& a, const Timer& b) noexcept { return fires_before_key(a.due, a.seq, b); }

/// Bot fills, deadlines and graces each last one duration fixed by the config, and
/// host time never goes back, so each kind arrives already in firing order: a FIFO
/// lane per kind, O(1) to push and pop and read front to back (the bulk of a round's
/// timers). Bot picks come at random moments within a countdown: a binary heap. The
/// queue's front is the first of the lanes' fronts and the heap's top. A timer that
/// would break its lane's order (only a hand-made snapshot can ask for one) goes to
/// the heap, so the order holds whatever is pushed.
class TimerQueue {
 public:
  void push(const Timer& t) { emplace(t.due, t.seq, t.room, t.gen, t.player, t.seat, t.kind); }
  /// push() of a timer with these fields, written in place in its lane's slot (a Timer
  /// built by the caller and copied in stalled on store forwarding).
  void emplace(Time due, std::uint64_t seq, std::uint32_t room, std::uint32_t gen, std::uint32_t player,
               std::uint16_t seat, TimerKind kind) {
    Lane* lane = lane_of(kind);
    std::uint8_t where = kHeap;
    const Timer* t;
    if (lane != nullptr && (lane->empty() || !fires_before_key(due, seq, lane->back()))) {
      Timer& slot = lane->emplace();
      slot.due = due;
      slot.seq = seq;
      slot.room = room;
      slot.gen = gen;
      slot.player = player;
      slot.seat = seat;
      slot.kind = kind;
      t = &slot;
      where = static_cast<std::uint8_t>(lane - lanes_.data());
    } else {
      heap_.push_back(Timer{due, seq, room, gen, player, seat, kind});
      std::push_heap(heap_.begin(), heap_.end(), later);
      t = &heap_.front();  // the new timer if it fires first, which is all that is asked below
    }
    ++size_;
    // Firing before the front, the new timer is the front of where it went (a lane's
    // back fires last in it unless the lane was empty; the heap's top is its least).
    if (size_ == 1 || fires_before(*t, front())) {
      front_ = where;
      front_due_ = due;
    } else if (front_ == kHeap) {
      front_due_ = heap_.front().due;  // the heap's top may be the new timer
    }
  }
  bool empty() const noexcept { return size_ == 0; }
  /// front().due, or kNoTimer when empty: one load, for the check every command and
  /// every simulator step makes (front() is a chain of four).
  Time next_due() const noexcept { return front_due_; }
  static constexpr Time kNoTimer = std::numeric_limits<Time>::max();
  std::size_t size() const noexcept { return size_; }
  /// The next timer to fire. Not empty(). O(1): the queue keeps where its front is,
  /// since the engine asks for it several times a command.
  const Timer& front() const noexcept { return front_ == kHeap ? heap_.front() : lanes_[front_].front(); }
  /// Remove front(). Not empty().
  void pop() noexcept {
    if (front_ == kHeap) {
      std::pop_heap(heap_.begin(), heap_.end(), later);
      heap_.pop_back();
    } else {
      lanes_[front_].pop();
    }
    --size_;
    find_front();
  }
  /// Drop every timer `keep` refuses; the order of the rest is unchanged.
  template <class Keep>
  void filter(Keep keep) {
    size_ = 0;
    for (Lane& l : lanes_) size_ += l.filter(keep);
    std::erase_if(heap_, [&keep](const Timer& t) { return !keep(t); });
    std::make_heap(heap_.begin(), heap_.end(), later);
    size_ += heap_.size();
    find_front();
  }
  /// Timers the lanes have room for without allocating (memory follows live timers).
  std::size_t lane_capacity() const noexcept {
    std::size_t c = 0;
    for (const Lane& l : lanes_) c += l.capacity();
    return c;
  }
  /// Every queued timer, in no particular order.
  template <class Fn>
  void for_each(Fn fn) const {
    for (const Lane& l : lanes_) l.for_each(fn);
    for (const Timer& t : heap_) fn(t);
  }

 private:
  // A ring buffer of a power-of-two capacity: pushing and popping allocate nothing (a
  // deque took and gave back a block every dozen timers, and the allocator's
  // consolidation of those blocks was ~10 % of a full round). Memory still follows the
  // live timers: the ring halves when a pop leaves it a quarter full, so a drained lane
  // keeps no high-water mark (a vector's did, and showed as RSS steps in the soak).
  class Lane {
   public:
    Lane() = default;
    Lane(const Lane& o) : Lane() { o.for_each_in_order([this](const Timer& t) { push(t); }); }
    Lane& operator=(const Lane& o) {
      if (this != &o) {
        Lane copy(o);
        swap(copy);
      }
      return *this;
    }
    Lane(Lane&& o) noexcept { swap(o); }
    Lane& operator=(Lane&& o) noexcept {
      swap(o);
      return *this;
    }
    ~Lane() { delete[] buf_; }

    bool empty() const noexcept { return size_ == 0; }
    std::size_t size() const noexcept { return size_; }
    std::size_t capacity() const noexcept { return mask_ + (buf_ != nullptr); }
    const Timer& front() const noexcept { return buf_[head_]; }
    const Timer& back() const noexcept { return buf_[(head_ + size_ - 1) & mask_]; }
    void push(const Timer& t) { emplace() = t; }
    /// A new slot at the back, for the caller to fill.
    Timer& emplace() {
      if (size_ == capacity()) resize(capacity() == 0 ? kMinCapacity : 2 * capacity());
      return buf_[(head_ + size_++) & mask_];
    }
    void pop() noexcept {
      head_ = (head_ + 1) & mask_;
      --size_;
      // Shrinking allocates; a failed allocation leaves the ring as it is.
      if (capacity() > kMinCapacity && size_ <= capacity() / 4) try_resize(capacity() / 2);
    }
    template <class Keep>
    std::size_t filter(Keep& keep) {
      std::size_t kept = 0;
      for (std::size_t i = 0; i < size_; ++i) {
        const Timer& t = buf_[(head_ + i) & mask_];
        if (keep(t)) buf_[(head_ + kept++) & mask_] = t;
      }
      size_ = kept;
      std::size_t cap = capacity();
      while (cap > kMinCapacity && size_ <= cap / 4) cap /= 2;
      if (cap != capacity()) try_resize(cap);
      return size_;
    }
    template <class Fn>
    void for_each(Fn& fn) const {
      for_each_in_order(fn);
    }

   private:
    static constexpr std::size_t kMinCapacity = 16;
    template <class Fn>
    void for_each_in_order(Fn&& fn) const {
      for (std::size_t i = 0; i < size_; ++i) fn(buf_[(head_ + i) & mask_]);
    }
    void resize(std::size_t cap) {
      Timer* fresh = new Timer[cap];
      for (std::size_t i = 0; i < size_; ++i) fresh[i] = buf_[(head_ + i) & mask_];
      delete[] buf_;
      buf_ = fresh;
      head_ = 0;
      mask_ = cap - 1;
    }
    void try_resize(std::size_t cap) noexcept {
      try {
        resize(cap);
      } catch (const std::bad_alloc&) {
      }
    }
    void swap(Lane& o) noexcept {
      std::swap(buf_, o.buf_);
      std::swap(head_, o.head_);
      std::swap(size_, o.size_);
      std::swap(mask_, o.mask_);
    }

    Timer* buf_ = nullptr;
    std::size_t head_ = 0, size_ = 0;
    std::size_t mask_ = 0;  // capacity - 1 (0 with no buffer: capacity() adds the 1 back)
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

  static constexpr std::uint8_t kHeap = 3;  // front_: a lane's index, or the heap
  void find_front() noexcept {
    const Timer* best = heap_.empty() ? nullptr : &heap_.front();
    front_ = kHeap;
    for (std::uint8_t i = 0; i < lanes_.size(); ++i) {
      const Lane& l = lanes_[i];
      if (!l.empty() && (best == nullptr || fires_before(l.front(), *best))) {
        best = &l.front();
        front_ = i;
      }
    }
    front_due_ = best == nullptr ? kNoTimer : best->due;
  }

  std::array<Lane, 3> lanes_;
  std::vector<Timer> heap_;
  std::size_t size_ = 0;
  Time front_due_ = kNoTimer;
  std::uint8_t front_ = kHeap;
};

}  // namespace roshambo::detail
