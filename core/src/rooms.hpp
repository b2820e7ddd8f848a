#pragma once
// The engine's rooms: a record per slot, and the waiting rooms a join may fill.

#include <cassert>
#include <cstdint>
#include <set>
#include <span>
#include <string>
#include <tuple>
#include <type_traits>
#include <vector>

#include "player_table.hpp"
#include "roshambo/config.hpp"
#include "roshambo/engine.hpp"
#include "roshambo/event.hpp"

namespace roshambo::detail {

/// The engine's side of MemberList: a room's block borrows its members' profiles from
/// the players' records (no count each, so a join and a close touch no profile) for as
/// long as the engine alone holds it. share() makes the list own them before any event
/// holds it; a member whose record drops its profile while seated (a rename) must have
/// the list own them first (own()).
struct MemberListAccess {
  /// A new block that borrows its members.
  static MemberListRef make(std::uint32_t capacity, std::uint32_t seat_bytes) {
    MemberListRef r = MemberList::make(capacity, seat_bytes);
    r->borrowed_ = 1;
    return r;
  }
  /// Empty a block no one else holds, to borrow again (inline: a borrowing block, the
  /// usual one, has no count to drop).
  static void reset(MemberList& l) noexcept {
    if (l.borrowed_) [[likely]] {
      l.size_ = 0;
    } else {
      l.clear();
      l.borrowed_ = 1;
    }
  }
  /// Append `p`: borrowed while the list borrows, its owner keeping it alive.
  static void push(MemberList& l, const ProfileRef& p) noexcept { l.push_borrowed(p); }
  /// The list takes a count on each member (a no-op once it owns them).
  static void own(const MemberList& l) noexcept {
    if (l.borrowed_) l.own();
  }
  static bool borrows(const MemberList& l) noexcept { return l.borrowed_; }
};

struct Seat {
  std::uint32_t player;
  Choice choice;
  bool playing;  // the room's phase, here so a choice need not read the room record
};
static_assert(std::is_trivially_copyable_v<Seat> && alignof(Seat) <= 8);

/// 48 bytes: a choice reaches its seat through the player's block pointer, so the
/// record is read by joins, starts and settlements only, and its size is most of what
/// an open room costs beyond its seats.
struct RoomRec {
  std::uint64_t number = 0;  // 0: free slot
  Time opened = 0;
  Time deadline = 0;
  // Members (shared with events; see MemberList) and seats in one allocation. A closed
  // slot keeps the block an event still holds, for reuse once the event is gone.
  MemberListRef block;
  std::uint32_t gen = 0;     // bumped on every phase change; stale timers compare it
  // Waiting list (WaitingRooms), in creation order; a free slot's `next` is the next
  // free one (Engine::Impl::free_rooms).
  std::uint32_t prev = kNone, next = kNone;
  std::uint16_t humans = 0;  // capacity <= 1024
  Phase phase = Phase::Waiting;

  /// Members seated now (open rooms only).
  std::uint32_t size() const noexcept { return block->size(); }
  /// The seats, in join order (open rooms only).
  std::span<Seat> seats() noexcept { return {static_cast<Seat*>(block->seat_data()), block->size()}; }
  std::span<const Seat> seats() const noexcept {
    return {static_cast<const Seat*>(block->seat_data()), block->size()};
  }
};
static_assert(sizeof(RoomRec) == 48);

/// The engine's room records by slot, in one array: a record is found by its slot with
/// no indirection (rooms in chunks cost a round ~8 % of its time: a dependent load and
/// an index split on every lookup, ~6 a room). Slots are reused, never removed, so the
/// array is the high-water mark of open rooms; it grows by an eighth, so under an
/// eighth of it is unused (a doubling left up to as much again), and growing moves
/// the records: nobody holds a record across an open.
class RoomSlots {
 public:
  std::size_t size() const noexcept { return recs_.size(); }
  bool empty() const noexcept { return recs_.empty(); }
  RoomRec& operator[](std::size_t i) noexcept { return recs_[i]; }
  const RoomRec& operator[](std::size_t i) const noexcept { return recs_[i]; }
  RoomRec& back() noexcept { return recs_.back(); }
  /// A new free slot at the end.
  RoomRec& emplace_back() {
    if (recs_.size() == recs_.capacity()) recs_.reserve(recs_.size() + recs_.size() / 8 + 16);
    return recs_.emplace_back();
  }
  std::size_t capacity() const noexcept { return recs_.capacity(); }
  /// Room for `n` records in all, allocated once.
  void reserve(std::size_t n) { recs_.reserve(n); }
  auto begin() noexcept { return recs_.begin(); }
  auto end() noexcept { return recs_.end(); }
  auto begin() const noexcept { return recs_.begin(); }
  auto end() const noexcept { return recs_.end(); }

 private:
  std::vector<RoomRec> recs_;
};

/// The rooms still waiting for players, and the fill policy that picks the one a join
/// fills (docs/RULES.md, fill_policy): a list in creation order through the records'
/// prev/next links (oldest: its head; newest: its tail) and, under `fullest`, an index
/// by (free seats, room number). The records live in the engine's slots, passed
/// to every call.
class WaitingRooms {
 public:
  WaitingRooms(FillPolicy policy, std::uint32_t capacity) noexcept : policy_(policy), capacity_(capacity) {}

  // Inline up to the `fullest` index, out of line: every join and start passes here.

  /// Room `slot` starts waiting: after every waiting room in creation order.
  /// `oldest`: the policy is known to be FillPolicy::Oldest (a plain round's).
  template <bool oldest = false>
  void link(RoomSlots& rooms, std::uint32_t slot) {
    RoomRec& r = rooms[slot];
    // The index first: it is the only step that allocates, so a failure links nothing.
    assert(!oldest || policy_ == FillPolicy::Oldest);
    if (!oldest && policy_ == FillPolicy::Fullest) index(r, slot);
    r.prev = tail_;
    r.next = kNone;
    if constexpr (oldest) {
      // A plain round opens a room only when none waits (it fills the oldest first).
      if (tail_ == kNone) [[likely]] head_ = slot; else rooms[tail_].next = slot;
    } else {
      if (tail_ != kNone) rooms[tail_].next = slot; else head_ = slot;
    }
    tail_ = slot;
    ++count_;
  }
  /// Room `slot` stops waiting (it starts or closes). Its size must be the one the
  /// list last saw (at link() or resized()).
  void unlink(RoomSlots& rooms, std::uint32_t slot) noexcept {
    RoomRec& r = rooms[slot];
    if (r.prev != kNone) rooms[r.prev].next = r.next; else head_ = r.next;
    if (r.next != kNone) rooms[r.next].prev = r.prev; else tail_ = r.prev;
    r.prev = r.next = kNone;
    --count_;
    if (policy_ == FillPolicy::Fullest) unindex(r, slot);
  }
  /// unlink() of the oldest waiting room, the policy known to be FillPolicy::Oldest.
  void unlink_oldest(RoomSlots& rooms) noexcept {
    assert(policy_ == FillPolicy::Oldest && head_ != kNone);
    RoomRec& r = rooms[head_];  // its prev is kNone
    head_ = r.next;
    // Under `oldest` the room that starts was the only one waiting, as a rule.
    if (head_ == kNone) [[likely]] tail_ = kNone; else rooms[head_].prev = kNone;
    r.next = kNone;
    --count_;
  }
  /// Waiting room `slot` had `old_size` members and has rooms[slot].size() now.
  void resized(const RoomSlots& rooms, std::uint32_t slot, std::size_t old_size) {
    if (policy_ == FillPolicy::Fullest) reindex(rooms[slot], slot, old_size);
  }
  /// The waiting room a join fills, or kNone when none is waiting.
  std::uint32_t pick() const noexcept {
    if (policy_ == FillPolicy::Fullest) return fullest();
    return policy_ == FillPolicy::Newest ? tail_ : head_;
  }
  /// The oldest waiting room (pick() under `oldest`), or kNone.
  std::uint32_t oldest() const noexcept { return head_; }
  /// Rooms waiting.
  std::uint64_t size() const noexcept { return count_; }

  /// The list's own invariants against the records: waiting rooms only, in creation
  /// order, as many as counted, each in the `fullest` index under its free seats.
  /// Calls `fail(message)`, which must not return, on the first broken one.
  template <class Fail>
  void verify(const RoomSlots& rooms, Fail&& fail) const;

 private:
  using Key = std::tuple<std::uint32_t, std::uint64_t, std::uint32_t>;  // free seats, number, slot
  Key key(const RoomRec& r, std::uint32_t slot, std::size_t size) const noexcept {
    return {capacity_ - static_cast<std::uint32_t>(size), r.number, slot};
  }

  void index(const RoomRec& r, std::uint32_t slot);
  void unindex(const RoomRec& r, std::uint32_t slot) noexcept;
  void reindex(const RoomRec& r, std::uint32_t slot, std::size_t old_size);
  std::uint32_t fullest() const noexcept;

  FillPolicy policy_;
  std::uint32_t capacity_;
  std::uint32_t head_ = kNone, tail_ = kNone;
  std::uint64_t count_ = 0;
  std::set<Key> by_free_;  // fullest policy only
};

template <class Fail>
void WaitingRooms::verify(const RoomSlots& rooms, Fail&& fail) const {
  std::uint64_t listed = 0, last = 0;
  std::uint32_t prev = kNone;
  for (std::uint32_t s = head_; s != kNone; s = rooms[s].next) {
    if (s >= rooms.size()) fail("waiting list names no room");
    const RoomRec& r = rooms[s];
    if (r.number == 0 || r.phase != Phase::Waiting || r.number <= last) fail("waiting list out of order");
    if (r.prev != prev) fail("waiting list links disagree");
    if (policy_ == FillPolicy::Fullest && !by_free_.count(key(r, s, r.size()))) {
      fail("room-" + std::to_string(r.number) + " missing from the fullest index");
    }
    last = r.number;
    prev = s;
    if (++listed > count_) fail("waiting list cycle");
  }
  if (prev != tail_) fail("waiting list tail");
  if (listed != count_) fail("waiting list length");
  if (policy_ == FillPolicy::Fullest ? by_free_.size() != count_ : !by_free_.empty()) fail("fullest index size");
}

}  // namespace roshambo::detail
