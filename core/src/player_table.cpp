#include "player_table.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>

namespace roshambo::detail {

namespace {

// Equal bytes, inline for the short strings uids are (a memcmp call was ~3 % of a uid
// command): two overlapping loads from each end cover 4 to 16 bytes.
bool same_bytes(std::string_view a, std::string_view b) noexcept {
  const std::size_t n = a.size();
  if (n != b.size()) return false;
  const char* x = a.data();
  const char* y = b.data();
  if (n >= 8 && n <= 16) {
    std::uint64_t x0, x1, y0, y1;
    std::memcpy(&x0, x, 8);
    std::memcpy(&x1, x + n - 8, 8);
    std::memcpy(&y0, y, 8);
    std::memcpy(&y1, y + n - 8, 8);
    return ((x0 ^ y0) | (x1 ^ y1)) == 0;
  }
  if (n >= 4 && n < 8) {
    std::uint32_t x0, x1, y0, y1;
    std::memcpy(&x0, x, 4);
    std::memcpy(&x1, x + n - 4, 4);
    std::memcpy(&y0, y, 4);
    std::memcpy(&y1, y + n - 4, 4);
    return ((x0 ^ y0) | (x1 ^ y1)) == 0;
  }
  return n == 0 || std::memcmp(x, y, n) == 0;
}

}  // namespace

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
  return id;
}

void PlayerTable::index_insert(std::uint32_t id) {
  // Keep the load at most 1/2: probes stay short and a slot is only 4 bytes.
  auto place = [this](std::uint32_t v) {
    const std::size_t mask = index_.size() - 1;
    const std::uint64_t h = hash_bytes(humans_[v].profile->uid(), key_);
    std::size_t i = h & mask;
    while (index_[i] != 0) i = (i + 1) & mask;
    index_[i] = (v + 1) | tag_of(h, static_cast<std::uint32_t>(mask));
  };
  if (humans_.size() * 2 > index_.size()) {
    std::vector<std::uint32_t> bigger(std::max<std::size_t>(16, index_.size() * 2), 0);
    index_.swap(bigger);
    // Every registered player again, in id order: records and profiles were allocated
    // in that order, so hashing their uids reads memory front to back (in the old
    // index's slot order each uid was a miss). Where a uid lands within its probe run
    // is not observable.
    for (std::uint32_t v = 0; v < id; ++v) place(v);
  }
  place(id);
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
