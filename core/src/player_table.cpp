#include "player_table.hpp"

#include <algorithm>
#include <stdexcept>

namespace roshambo::detail {

std::uint32_t PlayerTable::find(std::string_view uid) const noexcept {
  if (index_.empty()) return kNone;
  const std::size_t mask = index_.size() - 1;
  const std::uint64_t h = hash_bytes(uid, key_);
  const std::uint32_t id_bits = static_cast<std::uint32_t>(mask);
  const std::uint32_t tag = tag_of(h, id_bits);
  for (std::size_t i = h & mask;; i = (i + 1) & mask) {
    const std::uint32_t v = index_[i];
    if (v == 0) return kNone;
    // Only a slot whose tag matches costs the record's and the profile's lines.
    if ((v & ~id_bits) != tag) continue;
    const std::uint32_t id = (v & id_bits) - 1;
    if (same_bytes(humans_[id].profile->uid(), uid)) return id;
  }
}

std::uint32_t PlayerTable::add_human(PlayerRec rec) {
  const std::uint32_t id = next_human_id();
  humans_.push_back(std::move(rec));
  try {
    index_insert(id);
  } catch (...) {
    humans_.pop_back();  // a failed registration leaves the table as it was
    throw;
  }
  ++count_;
  return id;
}

void PlayerTable::place(std::uint32_t id) noexcept {
  const std::size_t mask = index_.size() - 1;
  const std::uint64_t h = hash_bytes(humans_[id].profile->uid(), key_);
  std::size_t i = h & mask;
  while (index_[i] != 0) i = (i + 1) & mask;
  index_[i] = (id + 1) | tag_of(h, static_cast<std::uint32_t>(mask));
}

void PlayerTable::rehash(std::size_t slots, std::uint32_t ids) {
  std::vector<std::uint32_t> bigger(slots, 0);
  index_.swap(bigger);
  // Every registered player again, in id order: records and profiles were allocated
  // in that order, so hashing their uids reads memory front to back (in the old
  // index's slot order each uid was a miss). Where a uid lands within its probe run
  // is not observable.
  for (std::uint32_t v = 0; v < ids; ++v) place(v);
}

void PlayerTable::index_insert(std::uint32_t id) {
  // Keep the load at most 1/2: probes stay short and a slot is only 4 bytes.
  if (humans_.size() * 2 > index_.size()) rehash(std::max<std::size_t>(16, index_.size() * 2), id);
  place(id);
}

void PlayerTable::reserve_humans(std::size_t n) {
  // Human ids are handles: below Profile::kMaxHandle.
  if (n > Profile::kMaxHandle) throw std::length_error("reserve: more players than handles");
  humans_.reserve(n);
  std::size_t slots = std::max<std::size_t>(16, index_.size());
  while (n * 2 > slots) slots *= 2;
  if (slots != index_.size()) rehash(slots, static_cast<std::uint32_t>(humans_.size()));
}

std::uint32_t PlayerTable::add_bot(ProfileRef profile) {
  std::uint32_t slot;
  if (!free_bots_.empty()) {
    slot = free_bots_.back();
    free_bots_.pop_back();
  } else {
    // Room in the free list for every slot, taken before the pool grows: free_bot()
    // then never allocates, and a failure here changes nothing.
    if (free_bots_.capacity() < bots_.size() + 1) {
      free_bots_.reserve(std::max<std::size_t>(16, 2 * (bots_.size() + 1)));
    }
    slot = static_cast<std::uint32_t>(bots_.size());
    bots_.emplace_back();
  }
  PlayerRec& b = bots_[slot];
  b = PlayerRec{};
  b.profile = std::move(profile);
  b.online = true;
  b.live = true;
  ++live_bots_;
  return slot | kBotBit;
}

void PlayerTable::free_bot(std::uint32_t id) noexcept {
  const std::uint32_t slot = id & ~kBotBit;
  bots_[slot] = PlayerRec{};
  free_bots_.push_back(slot);  // within the capacity add_bot() reserved
  --live_bots_;
}

}  // namespace roshambo::detail
