#include "rooms.hpp"

namespace roshambo::detail {

void WaitingRooms::link(RoomSlots& rooms, std::uint32_t slot) {
  RoomRec& r = rooms[slot];
  // The index first: it is the only step that allocates, so a failure links nothing.
  if (policy_ == FillPolicy::Fullest) by_free_.insert(key(r, slot, r.size()));
  r.prev = tail_;
  r.next = kNone;
  if (tail_ != kNone) rooms[tail_].next = slot; else head_ = slot;
  tail_ = slot;
  ++count_;
}

void WaitingRooms::unlink(RoomSlots& rooms, std::uint32_t slot) noexcept {
  RoomRec& r = rooms[slot];
  if (r.prev != kNone) rooms[r.prev].next = r.next; else head_ = r.next;
  if (r.next != kNone) rooms[r.next].prev = r.prev; else tail_ = r.prev;
  r.prev = r.next = kNone;
  --count_;
  if (policy_ == FillPolicy::Fullest) by_free_.erase(key(r, slot, r.size()));
}

void WaitingRooms::resized(const RoomSlots& rooms, std::uint32_t slot, std::size_t old_size) {
  if (policy_ != FillPolicy::Fullest) return;
  const RoomRec& r = rooms[slot];
  // Reuse the node: re-keying allocates nothing, so the index cannot be left half done.
  auto node = by_free_.extract(key(r, slot, old_size));
  if (node.empty()) return;
  node.value() = key(r, slot, r.size());
  by_free_.insert(std::move(node));
}

std::uint32_t WaitingRooms::pick() const noexcept {
  switch (policy_) {
    case FillPolicy::Newest: return tail_;
    case FillPolicy::Fullest: return by_free_.empty() ? kNone : std::get<2>(*by_free_.begin());
    default: return head_;
  }
}

}  // namespace roshambo::detail
