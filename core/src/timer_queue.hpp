#pragma once
// The engine's timers in firing order: earliest due first, then creation order.

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <new>
#include <type_traits>
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
  [[gnu::noinline]] void emplace(Time due, std::uint64_t seq, std::uint32_t room, std::uint32_t gen, std::uint32_t player,
               std::uint16_t seat, TimerKind kind) {
    std::uint8_t where = lane_index(kind);
    if (where != kHeap && (lanes_[where].empty() || !fires_before_key(due, seq, lanes_[where].back()))) {
      Timer& slot = lanes_[where].emplace();
      slot.due = due;
      slot.seq = seq;
      slot.room = room;
      slot.gen = gen;
      slot.player = player;
      slot.seat = seat;
      slot.kind = kind;
    } else {
      heap_.push_back(Timer{due, seq, room, gen, player, seat, kind});
      std::push_heap(heap_.begin(), heap_.end(), later);
      where = kHeap;
    }
    ++size_;
    // Firing before the front, the new timer is the front of where it went (a lane's
    // back fires last in it unless the lane was empty; the heap's top is its least).
    // By front_due_ first: a later due, the usual case, needs no look at the front.
    // An empty queue's front_due_ is kNoTimer, after any due.
    if (due < front_due_ || (due == front_due_ && seq < front().seq)) {
      // The old front's source joins the rest (unless the new front came to it: only
      // the heap can take a timer before its own front).
      if (where != front_) rest_due_ = std::min(rest_due_, front_due_);
      front_ = where;
      front_due_ = due;
    } else if (where != front_) {
      rest_due_ = std::min(rest_due_, due);
    }
  }
  /// emplace() of a timer whose seq is greater than every queued timer's (the engine's
  /// next one, as every timer it schedules): it fires after any queued timer of the same
  /// due, so its lane's order and the front are decided by due alone. Inline while its
  /// lane's tail block has room; the rest through emplace().
  void emplace_newest(Time due, std::uint64_t seq, std::uint32_t room, std::uint32_t gen, std::uint32_t player,
                      std::uint16_t seat, TimerKind kind) {
    const std::uint8_t where = lane_index(kind);
    Timer* slot = where != kHeap ? lanes_[where].try_append(due) : nullptr;
    if (slot == nullptr) [[unlikely]] return emplace(due, seq, room, gen, player, seat, kind);
    slot->due = due;
    slot->seq = seq;
    slot->room = room;
    slot->gen = gen;
    slot->player = player;
    slot->seat = seat;
    slot->kind = kind;
    ++size_;
    // Appended to a lane, so a new front only when it was empty: its old front, if
    // any, was another source's.
    if (due < front_due_) {
      rest_due_ = std::min(rest_due_, front_due_);
      front_ = where;
      front_due_ = due;
    } else if (where != front_) {
      rest_due_ = std::min(rest_due_, due);
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
    --size_;
    if (front_ != kHeap) {
      Lane& l = lanes_[front_];
      l.pop();
      // A lane's next timer due before every other source's front is the front: a
      // round's deadlines, which share one due, pop without a look at the others.
      if (!l.empty() && l.front().due < rest_due_) {
        front_due_ = l.front().due;
        return;
      }
    } else {
      std::pop_heap(heap_.begin(), heap_.end(), later);
      heap_.pop_back();
    }
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
  /// Timers a lane's block holds: an eighth of the lane, within these bounds.
  static constexpr std::size_t kMinBlock = 32, kMaxBlock = 4096;
  /// Timers the lanes' blocks have room for (memory follows live timers).
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
  // Timers in blocks linked front to back, each block sized to an eighth of the lane
  // when it was allocated (kMinBlock to kMaxBlock timers), with one spare kept: a steady
  // lane (as many timers set as fire) allocates nothing, a full one has under an eighth
  // to spare (the power-of-two ring this replaced held 131 072 slots for 100 000 rooms'
  // deadlines), and most timers sit in a few large blocks, not between the engine's
  // per-room allocations (small blocks there cost settlements ~20 % in the heap layout
  // they made). A drained lane keeps at most its last block and the spare: no high-water
  // mark (a vector's showed as RSS steps in the soak).
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
    ~Lane() { release_after(nullptr); }

    bool empty() const noexcept { return size_ == 0; }
    std::size_t size() const noexcept { return size_; }
    std::size_t capacity() const noexcept { return slots_; }
    const Timer& front() const noexcept { return head_->t()[head_i_]; }
    const Timer& back() const noexcept { return tail_->t()[tail_n_ - 1]; }
    void push(const Timer& t) { emplace() = t; }
    /// A new slot at the back, for the caller to fill.
    Timer& emplace() {
      if (tail_ == nullptr || tail_n_ == tail_->cap) {
        Block* b = take_block();
        if (tail_ != nullptr) tail_->next = b; else head_ = b;
        tail_ = b;
        tail_n_ = 0;
      }
      ++size_;
      return tail_->t()[tail_n_++];
    }
    /// The slot for a timer due at `due` at the back, when the tail block has room and
    /// the back is due no later (the caller's timer being the newest); else null.
    Timer* try_append(Time due) noexcept {
      if (tail_ == nullptr || tail_n_ == tail_->cap || (size_ != 0 && due < back().due)) return nullptr;
      ++size_;
      return &tail_->t()[tail_n_++];
    }
    void pop() noexcept {
      --size_;
      if (size_ == 0) {
        head_i_ = tail_n_ = 0;  // the one block left is reused from its start
      } else if (++head_i_ == head_->cap) {
        Block* done = head_;
        head_ = done->next;
        head_i_ = 0;
        give_block(done);
      }
    }
    template <class Keep>
    std::size_t filter(Keep& keep) {
      if (head_ == nullptr) return 0;
      Block* wb = head_;  // the kept timers move to the front, in order
      std::size_t wi = head_i_;
      const Block* rb = head_;
      std::size_t ri = head_i_;
      std::size_t kept = 0;
      for (std::size_t n = 0; n < size_; ++n) {
        if (ri == rb->cap) {
          rb = rb->next;
          ri = 0;
        }
        const Timer& t = rb->t()[ri++];
        if (!keep(t)) continue;
        if (wi == wb->cap) {
          wb = wb->next;
          wi = 0;
        }
        wb->t()[wi++] = t;
        ++kept;
      }
      size_ = kept;
      release_after(wb);
      tail_ = wb;
      tail_n_ = wi;
      if (kept == 0) head_i_ = tail_n_ = 0;
      return size_;
    }
    template <class Fn>
    void for_each(Fn& fn) const {
      for_each_in_order(fn);
    }

   private:
    struct Block {
      Block* next;
      std::size_t cap;
      Timer* t() noexcept { return reinterpret_cast<Timer*>(this + 1); }
      const Timer* t() const noexcept { return reinterpret_cast<const Timer*>(this + 1); }
    };
    static_assert(sizeof(Block) % alignof(Timer) == 0 && std::is_trivially_copyable_v<Timer>);
    template <class Fn>
    void for_each_in_order(Fn&& fn) const {
      const Block* b = head_;
      std::size_t i = head_i_;
      for (std::size_t n = 0; n < size_; ++n) {
        if (i == b->cap) {
          b = b->next;
          i = 0;
        }
        fn(b->t()[i++]);
      }
    }
    Block* take_block() {
      std::size_t cap = kMinBlock;
      while (cap < kMaxBlock && cap * 16 <= size_) cap *= 2;  // ~ size/8, a power of two
      Block* b = spare_;
      if (b != nullptr && b->cap == cap) {
        spare_ = nullptr;
      } else {
        b = static_cast<Block*>(::operator new(sizeof(Block) + cap * sizeof(Timer)));
        b->cap = cap;
      }
      b->next = nullptr;
      slots_ += cap;
      return b;
    }
    void give_block(Block* b) noexcept {
      slots_ -= b->cap;
      ::operator delete(spare_);
      spare_ = b;
    }
    // Free every block after `last` (every block when null), spare included.
    void release_after(Block* last) noexcept {
      Block* b = last != nullptr ? last->next : head_;
      if (last != nullptr) last->next = nullptr; else head_ = tail_ = nullptr;
      while (b != nullptr) {
        Block* next = b->next;
        slots_ -= b->cap;
        ::operator delete(b);
        b = next;
      }
      ::operator delete(spare_);
      spare_ = nullptr;
    }
    void swap(Lane& o) noexcept {
      std::swap(head_, o.head_);
      std::swap(tail_, o.tail_);
      std::swap(spare_, o.spare_);
      std::swap(head_i_, o.head_i_);
      std::swap(tail_n_, o.tail_n_);
      std::swap(size_, o.size_);
      std::swap(slots_, o.slots_);
    }

    Block* head_ = nullptr;  // null exactly when tail_ is
    Block* tail_ = nullptr;
    Block* spare_ = nullptr;
    std::size_t head_i_ = 0;  // front's index in head_ (< its cap)
    std::size_t tail_n_ = 0;  // timers in tail_ (from its start)
    std::size_t size_ = 0;
    std::size_t slots_ = 0;   // the blocks' capacity, the spare not counted
  };

  static bool later(const Timer& a, const Timer& b) noexcept { return fires_before(b, a); }
  static constexpr std::uint8_t kHeap = 3;  // front_: a lane's index, or the heap
  /// The lane of a kind's timers, or kHeap.
  static constexpr std::uint8_t lane_index(TimerKind k) noexcept {
    switch (k) {
      case TimerKind::BotFill: return 0;
      case TimerKind::Deadline: return 1;
      case TimerKind::Grace: return 2;
      default: return kHeap;
    }
  }
  /// The front, and rest_due_, from every source's own front.
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
    rest_due_ = front_ == kHeap || heap_.empty() ? kNoTimer : heap_.front().due;
    for (std::uint8_t i = 0; i < lanes_.size(); ++i) {
      if (i != front_ && !lanes_[i].empty()) rest_due_ = std::min(rest_due_, lanes_[i].front().due);
    }
  }

  std::array<Lane, 3> lanes_;
  std::vector<Timer> heap_;
  std::size_t size_ = 0;
  Time front_due_ = kNoTimer;
  // At most the due of every source's front but front_'s (kNoTimer: none queued): a
  // lane's next timer due before it is the next front without a look at the others.
  Time rest_due_ = kNoTimer;
  std::uint8_t front_ = kHeap;
};

}  // namespace roshambo::detail
