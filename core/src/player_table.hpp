#pragma once
// The engine's players: registered humans, found by uid, and the pool of bots.

#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "profile_arena.hpp"
#include "roshambo/event.hpp"

namespace roshambo::detail {

inline constexpr std::uint32_t kNone = UINT32_MAX;
/// Player ids with this bit set index the bot pool; the rest index humans, whose
/// order is registration order because humans are never removed.
inline constexpr std::uint32_t kBotBit = 0x80000000u;

/// Outcome of a player's last settled round, kept so verify() can check streaks.
enum class Outcome : std::uint8_t { None, Win, Draw, Loss };

/// 40 bytes: a player is the bulk of an idle lobby's memory.
struct PlayerRec {
  ProfileRef profile;
  std::int64_t total = 0;
  // The room's block while seated: a choice reaches its seat and the room's members
  // without reading the room record (one cache miss fewer on the hottest command).
  MemberList* block = nullptr;
  std::uint32_t streak = 0;
  std::uint32_t room = kNone;  // room slot
  std::uint32_t grace_gen = 0; // bumped on every drop; a Grace timer of an older drop is stale
  std::uint16_t seat = 0;      // index in the room's seats (capacity <= 1024)
  bool online : 1 = false;
  bool live : 1 = false;       // bot pool slot in use
  // A byte of its own (the record's last spare one): every settled member writes it,
  // and a bit-field's read-modify-write cost four instructions more.
  Outcome last = Outcome::None;
};
static_assert(sizeof(PlayerRec) == 40);

std::uint64_t hash_bytes(std::string_view s, std::uint64_t key) noexcept;

// Equal bytes, inline for the short strings uids are (a memcmp call was ~3 % of a uid
// command): two overlapping loads from each end cover 4 to 16 bytes.
inline bool same_bytes(std::string_view a, std::string_view b) noexcept {
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

/// Humans in registration order (their id is their index and their PlayerHandle; they
/// are never removed) with an open-addressing uid index, and bots in a pool of slots
/// reused as rooms close. The game state in the records (rooms, scores, presence) is
/// the engine's; the table keeps ids, the index and the pool consistent.
class PlayerTable {
 public:
  /// `hash_key` seeds the uid hash (from the engine's seed: the probe order, never
  /// visible in output, differs between engines).
  explicit PlayerTable(std::uint64_t hash_key = 0) noexcept : key_(hash_key) {}
  /// A copy keeps the free list's reserve (see add_bot), so free_bot() never allocates.
  PlayerTable(const PlayerTable& o)
      : key_(o.key_), humans_(o.humans_), count_(o.count_), index_(o.index_), bots_(o.bots_), live_bots_(o.live_bots_) {
    free_bots_.reserve(o.free_bots_.capacity());
    free_bots_ = o.free_bots_;
  }
  PlayerTable& operator=(const PlayerTable&) = delete;
  PlayerTable(PlayerTable&&) noexcept = default;
  PlayerTable& operator=(PlayerTable&&) noexcept = default;

  /// The record of human or bot `id` (a bot's id carries kBotBit).
  PlayerRec& operator[](std::uint32_t id) noexcept {
    return (id & kBotBit) ? bots_[id & ~kBotBit] : humans_[id];
  }
  const PlayerRec& operator[](std::uint32_t id) const noexcept {
    return (id & kBotBit) ? bots_[id & ~kBotBit] : humans_[id];
  }

  // --- humans
  std::size_t human_count() const noexcept { return count_; }
  PlayerRec& human(std::uint32_t id) noexcept { return humans_[id]; }
  const PlayerRec& human(std::uint32_t id) const noexcept { return humans_[id]; }
  /// Every human, by id.
  std::span<const PlayerRec> humans() const noexcept { return humans_; }
  /// The id the next add_human() gives (its profile carries it as its handle).
  std::uint32_t next_human_id() const noexcept { return static_cast<std::uint32_t>(humans_.size()); }
  /// The id of the human with this uid, or kNone. One hash, then slots of 4 bytes;
  /// those whose tag matches are compared through the record's profile.
  std::uint32_t find(std::string_view uid) const noexcept;
  /// Start loading the index slot find(uid) reads first (its likeliest miss).
  void prefetch(std::string_view uid) const noexcept {
    if (!index_.empty()) __builtin_prefetch(&index_[hash_bytes(uid, key_) & (index_.size() - 1)]);
  }
  /// A profile for the human add_human() registers next (its handle is
  /// next_human_id()), packed with the other players' profiles.
  ProfileRef make_human_profile(std::string_view uid, std::string_view name, std::string_view avatar) {
    return arena_.make(uid, name, avatar, false, next_human_id(), true);
  }
  /// A new profile for human `id` (a rename): in a dead profile's block if one of its
  /// size is free, else from malloc (see ProfileArena).
  ProfileRef make_human_profile(std::uint32_t id, std::string_view uid, std::string_view name,
                                std::string_view avatar) {
    return arena_.make(uid, name, avatar, false, id, false);
  }
  /// Register a human; `rec.profile` names it and carries next_human_id() as its handle,
  /// and its uid is not registered yet. Returns the id.
  std::uint32_t add_human(PlayerRec rec);
  /// Room for `n` humans: records, and an index that holds them without growing.
  void reserve_humans(std::size_t n);

  // --- bots
  /// A live bot in a free slot (or a new one), with this profile, online. Returns its id.
  std::uint32_t add_bot(ProfileRef profile);
  /// Give bot `id`'s slot back to the pool.
  void free_bot(std::uint32_t id) noexcept;
  std::size_t live_bots() const noexcept { return live_bots_; }
  /// Pool slots, live or free (a bot's id is its slot | kBotBit).
  std::size_t bot_slots() const noexcept { return bots_.size(); }
  const PlayerRec& bot_slot(std::uint32_t slot) const noexcept { return bots_[slot]; }

  /// The table's own invariants: every human found at its id by its uid and nothing
  /// else in the index, profiles that name their player, the pool's free list and live
  /// count. Calls `fail(message)`, which must not return, on the first broken one.
  template <class Fail>
  void verify(Fail&& fail) const;

 private:
  void index_insert(std::uint32_t id);
  /// Index human `id` (its uid not indexed yet) in a slot of its own.
  void place(std::uint32_t id) noexcept;
  /// A new index of `slots` (a power of two) holding humans 0..ids-1.
  void rehash(std::size_t slots, std::uint32_t ids);
  /// A slot holds id + 1 in the bits below the index's size (ids stay under half of
  /// it) and, above them, a tag: those bits of the uid's hash that do not pick the slot.
  /// A probe past a slot whose tag differs reads no record and no profile, which makes a
  /// new player's unsuccessful lookup cost the index alone. No tag bits are left only
  /// for an index of 2^32 slots.
  static std::uint32_t tag_of(std::uint64_t hash, std::uint32_t id_bits) noexcept {
    return static_cast<std::uint32_t>(hash >> 32) & ~id_bits;
  }

  std::uint64_t key_;
  std::vector<PlayerRec> humans_;
  // humans_.size(), kept apart: every handle command checks its handle against it, and
  // a vector's size is a division by the record's 40 bytes.
  std::uint32_t count_ = 0;
  std::vector<std::uint32_t> index_;  // open addressing, load at most 1/2: tag | human id + 1, 0 = empty
  std::vector<PlayerRec> bots_;
  std::vector<std::uint32_t> free_bots_;
  std::size_t live_bots_ = 0;
  ProfileArena arena_;  // the humans' profiles; a copy starts its own
};

template <class Fail>
void PlayerTable::verify(Fail&& fail) const {
  std::size_t indexed = 0;
  for (std::uint32_t v : index_) indexed += v != 0;
  if (count_ != humans_.size()) fail("human count out of step");
  if (indexed != humans_.size()) fail("uid index holds " + std::to_string(indexed) + " entries for " +
                                      std::to_string(humans_.size()) + " players");
  if (!humans_.empty() && humans_.size() * 2 > index_.size()) fail("uid index over half full");
  for (std::uint32_t id = 0; id < humans_.size(); ++id) {
    const Profile& p = *humans_[id].profile;
    const std::string uid(p.uid());
    if (find(uid) != id) fail("uid index does not find '" + uid + "'");
    if (p.bot() || p.handle() != id) fail("profile of '" + uid + "' does not name its player");
    if (humans_[id].live) fail("'" + uid + "' marked as a bot slot");
  }
  std::vector<char> is_free(bots_.size(), 0);
  for (std::uint32_t s : free_bots_) {
    if (s >= bots_.size() || is_free[s]) fail("bot pool free list");
    is_free[s] = 1;
  }
  std::size_t live = 0;
  for (std::uint32_t s = 0; s < bots_.size(); ++s) {
    const PlayerRec& b = bots_[s];
    if (b.live == static_cast<bool>(is_free[s])) fail("bot slot both live and free, or neither");
    if (!b.live) continue;
    ++live;
    if (!b.profile || !b.profile->bot() || !b.online) fail("live bot slot without an online bot profile");
  }
  if (live != live_bots_) fail("bot count");
}

}  // namespace roshambo::detail
