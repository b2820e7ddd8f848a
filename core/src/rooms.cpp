#include "rooms.hpp"

namespace roshambo::detail {

void WaitingRooms::index(const RoomRec& r, std::uint32_t slot) { by_free_.insert(key(r, slot, r.size())); }

void WaitingRooms::unindex(const RoomRec& r, std::uint32_t slot) noexcept { by_free_.erase(key(r, slot, r.size())); }

void WaitingRooms::reindex(const RoomRec& r, std::uint32_t slot, std::size_t old_size) {
  // Reuse the node: re-keying allocates nothing, so the index cannot be left half done.
  auto node = by_free_.extract(key(r, slot, old_size));
  if (node.empty()) return;
  node.value() = key(r, slot, r.size());
  by_free_.insert(std::move(node));
}

std::uint32_t WaitingRooms::fullest() const noexcept {
  return by_free_.empty() ? kNone : std::get<2>(*by_free_.begin());
}

}  // namespace roshambo::detail
