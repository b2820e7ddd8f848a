#pragma once
// The engine's timers in firing order: earliest due first, then creation order.

#include <algorithm>
#include <array>
#include <cassert>
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

/// The player a room timer (bot fill, deadline) gives: none (the engine's kNone).
inline constexpr std::uint32_t kNoTimerPlayer = std::numeric_limits<std::uint32_t>::max();

struct Timer {
  Time due;
  std::uint64_t seq;
  std::uint32_t room;
  std::uint32_t gen;     // the room's gen; for Grace, the player's grace_gen
  std::uint32_t player;  // BotPick: the bot; Grace: the dropped player; else kNoTimerPlayer
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

/// Timers in blocks linked front to back, each block sized to an eighth of the store
/// when it was allocated (kMinBlock to kMaxBlock entries), with one spare kept: a steady
/// store (as many entries added as taken) allocates nothing, a full one has under an
/// eighth to spare (the power-of-two ring this replaced held 131 072 slots for 100 000
/// rooms' deadlines), and most entries sit in a few large blocks, not between the
/// engine's per-room allocations (small blocks there cost settlements ~20 % in the heap
/// layout they made). A drained store keeps at most its last block and the spare: no
/// high-water mark (a vector's showed as RSS steps in the soak).
template <class T>
class BlockFifo {
 public:
  static constexpr std::size_t kMinBlock = 32, kMaxBlock = 4096;

  BlockFifo() = default;
  BlockFifo(const BlockFifo& o) : BlockFifo() { o.for_each([this](const T& t) { emplace() = t; }); }
  BlockFifo& operator=(const BlockFifo& o) {
    if (this != &o) {
      BlockFifo copy(o);
      swap(copy);
    }
    return *this;
  }
  BlockFifo(BlockFifo&& o) noexcept { swap(o); }
  BlockFifo& operator=(BlockFifo&& o) noexcept {
    swap(o);
    return *this;
  }
  ~BlockFifo() { release_after(nullptr); }

  bool empty() const noexcept { return size_ == 0; }
  std::size_t size() const noexcept { return size_; }
  std::size_t capacity() const noexcept { return slots_; }
  const T& front() const noexcept { return head_->t()[head_i_]; }
  const T& back() const noexcept { return next_[-1]; }
  /// A new entry at the back, for the caller to fill.
  T& emplace() {
    if (next_ == end_) {  // no tail block, or a full one
      Block* b = take_block();
      if (tail_ != nullptr) tail_->next = b; else head_ = b;
      tail_ = b;
      next_ = b->t();
      end_ = b->t() + b->cap;
    }
    ++size_;
    return *next_++;
  }
  /// emplace() when the tail block has room (no allocation); else null.
  T* try_emplace() noexcept {
    if (next_ == end_) return nullptr;
    // Not null, as they differ: said, so a caller's null test folds away.
    if (next_ == nullptr) __builtin_unreachable();
    ++size_;
    return next_++;
  }
  void pop() noexcept {
    --size_;
    if (size_ == 0) {
      // The one block left (the tail) is reused from its start.
      head_i_ = 0;
      next_ = tail_->t();
    } else if (++head_i_ == head_->cap) {
      Block* done = head_;
      head_ = done->next;
      head_i_ = 0;
      give_block(done);
    }
  }
  /// Keep, front to back, the entries `keep(entry, kept)` accepts, as it rewrites them
  /// into `kept`; the rest are dropped. Returns how many are kept.
  template <class Keep>
  std::size_t filter(Keep& keep) {
    if (head_ == nullptr) return 0;
    Block* wb = head_;  // the kept entries move to the front, in order
    std::size_t wi = head_i_;
    const Block* rb = head_;
    std::size_t ri = head_i_;
    std::size_t kept = 0;
    for (std::size_t n = 0; n < size_; ++n) {
      if (ri == rb->cap) {
        rb = rb->next;
        ri = 0;
      }
      T out;
      if (!keep(rb->t()[ri++], out)) continue;
      if (wi == wb->cap) {
        wb = wb->next;
        wi = 0;
      }
      wb->t()[wi++] = out;
      ++kept;
    }
    size_ = kept;
    release_after(wb);
    tail_ = wb;
    next_ = wb->t() + wi;
    end_ = wb->t() + wb->cap;
    if (kept == 0) {
      head_i_ = 0;
      next_ = wb->t();
    }
    return size_;
  }
  /// `fn(entry)` for each entry, front to back.
  template <class Fn>
  void for_each(Fn&& fn) const {
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

 private:
  struct Block {
    Block* next;
    std::size_t cap;
    T* t() noexcept { return reinterpret_cast<T*>(this + 1); }
    const T* t() const noexcept { return reinterpret_cast<const T*>(this + 1); }
  };
  static_assert(sizeof(Block) % alignof(T) == 0 && std::is_trivially_copyable_v<T>);
  Block* take_block() {
    std::size_t cap = kMinBlock;
    while (cap < kMaxBlock && cap * 16 <= size_) cap *= 2;  // ~ size/8, a power of two
    Block* b = spare_;
    if (b != nullptr && b->cap == cap) {
      spare_ = nullptr;
    } else {
      b = static_cast<Block*>(::operator new(sizeof(Block) + cap * sizeof(T)));
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
    if (last != nullptr) {
      last->next = nullptr;
    } else {
      head_ = tail_ = nullptr;
      next_ = end_ = nullptr;
    }
    while (b != nullptr) {
      Block* next = b->next;
      slots_ -= b->cap;
      ::operator delete(b);
      b = next;
    }
    ::operator delete(spare_);
    spare_ = nullptr;
  }
  void swap(BlockFifo& o) noexcept {
    std::swap(head_, o.head_);
    std::swap(tail_, o.tail_);
    std::swap(spare_, o.spare_);
    std::swap(head_i_, o.head_i_);
    std::swap(next_, o.next_);
    std::swap(end_, o.end_);
    std::swap(size_, o.size_);
    std::swap(slots_, o.slots_);
  }

  Block* head_ = nullptr;  // null exactly when tail_ is
  Block* tail_ = nullptr;
  Block* spare_ = nullptr;
  std::size_t head_i_ = 0;  // front's index in head_ (< its cap)
  // The tail's next free entry and its end: equal when there is no tail or it is full,
  // so an append tests one pair.
  T* next_ = nullptr;
  T* end_ = nullptr;
  std::size_t size_ = 0;
  std::size_t slots_ = 0;   // the blocks' capacity, the spare not counted
};

/// One kind of room timer (bot fills, or deadlines) in firing order, 16 bytes a timer
/// where a Timer takes 32: a round's deadlines are most of the queue, and settlement
/// streams them (17.6 -> 16.9 ns a player at capacity 2 with half the bytes). An entry
/// keeps its room and gen and its due and seq as steps from the entry before it (the
/// first entry's steps are spent: the front is kept whole). A timer that cannot follow
/// the back with steps of 32 bits (out of order, a seq not after the back's, ~49 days
/// after it) does not fit: the queue's heap takes it, so any order of pushes keeps the
/// firing order.
class RoomTimerLane {
 public:
  explicit RoomTimerLane(TimerKind kind) noexcept : kind_(kind) {}

  bool empty() const noexcept { return entries_.empty(); }
  std::size_t size() const noexcept { return entries_.size(); }
  std::size_t capacity() const noexcept { return entries_.capacity(); }
  /// The lane's first timer, whole. Not empty(). By value, from its fields: a Timer
  /// read whole right after pop() wrote them one by one waited on store forwarding.
  Timer front() const noexcept { return Timer{front_due_, front_seq_, front_room_, front_gen_, kNoTimerPlayer, 0, kind_}; }
  /// front().due, alone.
  Time front_due() const noexcept { return front_due_; }
  /// Whether a timer (due, seq) can follow the back.
  bool fits(Time due, std::uint64_t seq) const noexcept { return empty() || follows(due, seq); }
  /// Append a timer that fits().
  void append(Time due, std::uint64_t seq, std::uint32_t room, std::uint32_t gen) {
    write(entries_.emplace(), due, seq, room, gen);
  }
  /// append() when it fits and needs no allocation; else false, and nothing changed.
  bool try_append(Time due, std::uint64_t seq, std::uint32_t room, std::uint32_t gen) noexcept {
    // A drained lane keeps its last back: the engine's next timer follows it too.
    if (!follows(due, seq)) return false;
    Entry* e = entries_.try_emplace();
    if (e == nullptr) return false;
    write(*e, due, seq, room, gen);
    return true;
  }
  /// Remove front(). Not empty().
  void pop() noexcept {
    entries_.pop();
    if (entries_.empty()) return;
    const Entry& e = entries_.front();
    front_due_ += e.due_step;
    front_seq_ += e.seq_step;
    front_room_ = e.room;
    front_gen_ = e.gen;
  }
  /// `fn(timer)` for each timer, whole, in firing order.
  template <class Fn>
  void for_each(Fn&& fn) const {
    Decoder d{front()};
    entries_.for_each([&](const Entry& e) { fn(d.next(e)); });
  }
  /// Keep the timers `keep` accepts, in order; `spill(timer)` takes each kept one that
  /// no longer fits after the one kept before it (steps add up over dropped ones).
  template <class Keep, class Spill>
  void filter(Keep& keep, Spill& spill) {
    Decoder d{front()};
    bool any = false;
    Time last_due = 0;
    std::uint64_t last_seq = 0;
    auto step = [&](const Entry& in, Entry& out) {
      const Timer& t = d.next(in);
      if (!keep(t)) return false;
      if (!any) {
        set_front(t.due, t.seq, t.room, t.gen);  // whole: its entry's steps are spent
        last_due = t.due;
        last_seq = t.seq;
      } else if (!follows(t.due, t.seq, last_due, last_seq)) {
        spill(t);
        return false;
      }
      out = Entry{static_cast<std::uint32_t>(t.due - last_due), static_cast<std::uint32_t>(t.seq - last_seq), t.room,
                  t.gen};
      any = true;
      last_due = t.due;
      last_seq = t.seq;
      return true;
    };
    entries_.filter(step);
    if (any) {
      back_due_ = last_due;
      back_seq_ = last_seq;
    }
  }

 private:
  struct Entry {
    std::uint32_t due_step, seq_step, room, gen;
  };
  static_assert(sizeof(Entry) == 16);
  static constexpr std::uint64_t kMaxStep = std::numeric_limits<std::uint32_t>::max();

  /// Whether (due, seq) follows (after_due, after_seq) by steps of 32 bits: a due not
  /// before it, a seq after it. Unsigned differences, so a due before it or a seq not
  /// after it wraps to a step too large.
  static bool follows(Time due, std::uint64_t seq, Time after_due, std::uint64_t after_seq) noexcept {
    return static_cast<std::uint64_t>(due) - static_cast<std::uint64_t>(after_due) <= kMaxStep &&
           seq - after_seq - 1 < kMaxStep;
  }
  /// follows() the back (the last one pushed, even if popped since).
  bool follows(Time due, std::uint64_t seq) const noexcept { return follows(due, seq, back_due_, back_seq_); }

  /// The entries' timers in order, whole: the first is the front (its steps spent),
  /// each next one the one before it plus its entry's steps.
  struct Decoder {
    Timer t;
    bool first = true;
    const Timer& next(const Entry& e) noexcept {
      if (!first) {
        t.due += e.due_step;
        t.seq += e.seq_step;
        t.room = e.room;
        t.gen = e.gen;
      }
      first = false;
      return t;
    }
  };

  void write(Entry& e, Time due, std::uint64_t seq, std::uint32_t room, std::uint32_t gen) noexcept {
    // A first entry's steps are spent (from a back since popped, or none): only its
    // room and gen are read.
    e = Entry{static_cast<std::uint32_t>(due - back_due_), static_cast<std::uint32_t>(seq - back_seq_), room, gen};
    if (entries_.size() == 1) [[unlikely]] set_front(due, seq, room, gen);
    back_due_ = due;
    back_seq_ = seq;
  }

  void set_front(Time due, std::uint64_t seq, std::uint32_t room, std::uint32_t gen) noexcept {
    front_due_ = due;
    front_seq_ = seq;
    front_room_ = room;
    front_gen_ = gen;
  }

  BlockFifo<Entry> entries_;
  // The front, whole, while not empty.
  Time front_due_ = 0;
  std::uint64_t front_seq_ = 0;
  std::uint32_t front_room_ = 0, front_gen_ = 0;
  TimerKind kind_;
  Time back_due_ = 0;  // the last pushed timer's due and seq, even if popped since
  std::uint64_t back_seq_ = 0;
};

/// Bot fills, deadlines and graces each last one duration fixed by the config, and
/// host time never goes back, so each kind arrives already in firing order: a FIFO
/// lane per kind, O(1) to push and pop and read front to back (the bulk of a round's
/// timers). Bot picks come at random moments within a countdown: a binary heap. The
/// queue's front is the first of the lanes' fronts and the heap's top. A timer that
/// would break its lane's order (only a hand-made snapshot can ask for one) goes to
/// the heap, so the order holds whatever is pushed. Bot fills and deadlines name a
/// room and no player: their lanes keep them in 16 bytes (RoomTimerLane), and the
/// queue gives them back with the player kNoTimerPlayer and seat 0, whatever it was given.
class TimerQueue {
 public:
  void push(const Timer& t) { emplace(t.due, t.seq, t.room, t.gen, t.player, t.seat, t.kind); }
  /// push() of a timer with these fields, written in place in its lane's slot (a Timer
  /// built by the caller and copied in stalled on store forwarding).
  [[gnu::noinline]] void emplace(Time due, std::uint64_t seq, std::uint32_t room, std::uint32_t gen, std::uint32_t player,
               std::uint16_t seat, TimerKind kind) {
    std::uint8_t where = lane_index(kind);
    if (where < kGraces) {  // a room timer: the same wherever it waits
      player = kNoTimerPlayer;
      seat = 0;
    }
    if (where < kGraces && room_lanes_[where].fits(due, seq)) {
      room_lanes_[where].append(due, seq, room, gen);
    } else if (where == kGraces && (graces_.empty() || !fires_before_key(due, seq, graces_.back()))) {
      graces_.emplace() = Timer{due, seq, room, gen, player, seat, kind};
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
    if (where < kGraces) {
      if (!room_lanes_[where].try_append(due, seq, room, gen)) [[unlikely]] {
        return emplace(due, seq, room, gen, player, seat, kind);
      }
    } else {
      Timer* slot = where == kGraces && (graces_.empty() || due >= graces_.back().due) ? graces_.try_emplace() : nullptr;
      if (slot == nullptr) [[unlikely]] return emplace(due, seq, room, gen, player, seat, kind);
      slot->due = due;
      slot->seq = seq;
      slot->room = room;
      slot->gen = gen;
      slot->player = player;
      slot->seat = seat;
      slot->kind = kind;
    }
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
  /// every simulator step makes.
  Time next_due() const noexcept { return front_due_; }
  static constexpr Time kNoTimer = std::numeric_limits<Time>::max();
  std::size_t size() const noexcept { return size_; }
  /// The next timer to fire. Not empty(). O(1): the queue keeps where its front is,
  /// since the engine asks for it several times a command.
  Timer front() const noexcept {
    if (front_ < kGraces) return room_lanes_[front_].front();
    return front_ == kGraces ? graces_.front() : heap_.front();
  }
  /// Remove front(). Not empty().
  void pop() noexcept {
    --size_;
    if (front_ < kGraces) {
      RoomTimerLane& l = room_lanes_[front_];
      l.pop();
      // A lane's next timer due before every other source's front is the front: a
      // round's deadlines, which share one due, pop without a look at the others.
      if (!l.empty() && l.front_due() < rest_due_) {
        front_due_ = l.front_due();
        return;
      }
    } else if (front_ == kGraces) {
      graces_.pop();
      if (!graces_.empty() && graces_.front().due < rest_due_) {
        front_due_ = graces_.front().due;
        return;
      }
    } else {
      std::pop_heap(heap_.begin(), heap_.end(), later);
      heap_.pop_back();
    }
    find_front();
  }
  /// emplace_newest() of a deadline when the queue holds deadlines only (a plain
  /// round's): its lane's back, and the front only if the queue was empty.
  void push_deadline(Time due, std::uint64_t seq, std::uint32_t room, std::uint32_t gen) {
    RoomTimerLane& l = room_lanes_[1];
    if (!deadlines_only() || !l.try_append(due, seq, room, gen)) [[unlikely]] {
      return emplace(due, seq, room, gen, kNoTimerPlayer, 0, TimerKind::Deadline);
    }
    if (size_++ == 0) {
      front_ = 1;
      front_due_ = due;
    }
  }
  /// True when every queued timer waits in the deadline lane (a hand-made snapshot's
  /// deadline out of order waits in the heap).
  bool deadlines_only() const noexcept { return size_ == room_lanes_[1].size(); }
  /// Pop every timer due by `t`, in order, each given to `fire(timer)`, when
  /// deadlines_only() and `fire` touches no timer: the deadline lane alone, with the
  /// queue's counts and front set once at the end (or as `fire` throws).
  template <class Fire>
  void fire_deadlines(Time t, Fire&& fire) {
    RoomTimerLane& l = room_lanes_[1];
    assert(deadlines_only());
    auto sync = [&]() noexcept {
      size_ = l.size();
      front_ = l.empty() ? kHeap : 1;
      front_due_ = l.empty() ? kNoTimer : l.front_due();
    };
    try {
      while (!l.empty() && l.front_due() <= t) {
        const Timer timer = l.front();
        l.pop();
        fire(timer);
      }
    } catch (...) {
      sync();  // the timers fired so far stay popped
      throw;
    }
    sync();
  }
  /// Drop every timer `keep` refuses; the order of the rest is unchanged.
  template <class Keep>
  void filter(Keep keep) {
    auto spill = [this](const Timer& t) { heap_.push_back(t); };
    std::erase_if(heap_, [&keep](const Timer& t) { return !keep(t); });
    for (RoomTimerLane& l : room_lanes_) l.filter(keep, spill);
    auto keep_grace = [&keep](const Timer& in, Timer& out) {
      if (!keep(in)) return false;
      out = in;
      return true;
    };
    graces_.filter(keep_grace);
    std::make_heap(heap_.begin(), heap_.end(), later);
    size_ = heap_.size() + graces_.size();
    for (const RoomTimerLane& l : room_lanes_) size_ += l.size();
    find_front();
  }
  /// Entries a lane's block holds: an eighth of the lane, within these bounds.
  static constexpr std::size_t kMinBlock = BlockFifo<Timer>::kMinBlock, kMaxBlock = BlockFifo<Timer>::kMaxBlock;
  /// Timers the lanes' blocks have room for (memory follows live timers).
  std::size_t lane_capacity() const noexcept {
    std::size_t c = graces_.capacity();
    for (const RoomTimerLane& l : room_lanes_) c += l.capacity();
    return c;
  }
  /// Every queued timer, in no particular order.
  template <class Fn>
  void for_each(Fn fn) const {
    for (const RoomTimerLane& l : room_lanes_) l.for_each(fn);
    graces_.for_each(fn);
    for (const Timer& t : heap_) fn(t);
  }

 private:
  static bool later(const Timer& a, const Timer& b) noexcept { return fires_before(b, a); }
  // front_: a room lane's index (bot fills 0, deadlines 1), the graces' lane, or the heap.
  static constexpr std::uint8_t kGraces = 2, kHeap = 3;
  /// Where a kind's timers go first: its lane, or kHeap.
  static constexpr std::uint8_t lane_index(TimerKind k) noexcept {
    switch (k) {
      case TimerKind::BotFill: return 0;
      case TimerKind::Deadline: return 1;
      case TimerKind::Grace: return kGraces;
      default: return kHeap;
    }
  }
  /// The front, and rest_due_, from every source's own front. Out of line: pop() stays
  /// small enough to inline, and a round's deadlines pop without it.
  [[gnu::noinline]] void find_front() noexcept {
    const bool has[4] = {!room_lanes_[0].empty(), !room_lanes_[1].empty(), !graces_.empty(), !heap_.empty()};
    Timer fronts[4] = {};
    for (std::uint8_t i = 0; i < 4; ++i) {
      if (has[i]) fronts[i] = i < kGraces ? room_lanes_[i].front() : i == kGraces ? graces_.front() : heap_.front();
    }
    front_ = kHeap;
    bool any = false;
    for (std::uint8_t i = 0; i < 4; ++i) {
      if (has[i] && (!any || fires_before(fronts[i], fronts[front_]))) {
        front_ = i;
        any = true;
      }
    }
    front_due_ = any ? fronts[front_].due : kNoTimer;
    rest_due_ = kNoTimer;
    for (std::uint8_t i = 0; i < 4; ++i) {
      if (i != front_ && has[i]) rest_due_ = std::min(rest_due_, fronts[i].due);
    }
  }

  std::array<RoomTimerLane, 2> room_lanes_{RoomTimerLane(TimerKind::BotFill), RoomTimerLane(TimerKind::Deadline)};
  BlockFifo<Timer> graces_;
  std::vector<Timer> heap_;
  std::size_t size_ = 0;
  Time front_due_ = kNoTimer;
  // At most the due of every source's front but front_'s (kNoTimer: none queued): a
  // lane's next timer due before it is the next front without a look at the others.
  Time rest_due_ = kNoTimer;
  std::uint8_t front_ = kHeap;
};

}  // namespace roshambo::detail
