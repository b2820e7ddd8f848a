#pragma once
// Where the engine keeps the profiles of the players it registers.

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "roshambo/profile.hpp"

namespace roshambo::detail {

/// Profiles packed back to back in 32 KiB slabs: no malloc header and no rounding to
/// 16 bytes, which is most of what an idle player costs beyond its record.
///
/// A profile dies on whichever thread drops its last reference (events may be handed
/// to other threads and outlive the engine). It then goes back to its arena through a
/// lock-free stack, and the arena, on its own thread, files it by size and reuses it
/// for the next profile of that size (a rename is a new profile), so a lobby whose
/// players rename stays flat. Only a player's first profile may grow the arena: a
/// rename finding no free block of its size goes to malloc, so dead blocks of sizes
/// nobody asks for again (a client renaming through every length) stay bounded by
/// one first profile per player ever registered.
///
/// A slab counts its blocks in use or waiting for reuse, plus one while the arena
/// fills it; when the arena goes, blocks that die later go straight to their slab, and
/// a slab is freed with its last block. A block finds its slab by its address (slabs
/// are aligned to their size), the slab its arena's stack.
class ProfileArena {
 public:
  static constexpr std::size_t kSlabBytes = 32768;

  ProfileArena() noexcept = default;
  /// A copy shares no slab: it starts filling its own.
  ProfileArena(const ProfileArena&) noexcept {}
  ProfileArena& operator=(const ProfileArena&) = delete;
  ProfileArena(ProfileArena&& o) noexcept;
  ProfileArena& operator=(ProfileArena&& o) noexcept;
  ~ProfileArena() { close(); }

  /// As ProfileRef::make, the profile in a dead profile's block of the same size or
  /// else, if `grow`, the current slab (a new one when it is full); otherwise, or when
  /// too large for a slab's eighth, it goes to malloc.
  ProfileRef make(std::string_view uid, std::string_view name, std::string_view avatar, bool bot,
                  std::uint32_t handle, bool grow);

  /// A dead profile that lives in a slab (ProfileRef's destroy), from any thread.
  static void free_in_slab(Profile* p) noexcept;

 private:
  struct Shared;
  struct Slab;
  /// Take back the blocks other threads (or this one) returned, into free_.
  void collect() noexcept;
  /// Give every block and slab back: the arena is gone, blocks die into their slabs.
  void close() noexcept;
  /// The slab a block lives in: its address with the low bits cleared.
  static Slab* slab_of(const Profile* p) noexcept;
  static void unref(Slab* s) noexcept;

  Shared* shared_ = nullptr;  // made with the first slab
  Slab* slab_ = nullptr;      // the slab being filled
  std::uint32_t used_ = 0;    // bytes of slab_ handed out, header included
  // Dead blocks by size / 4, each list linked through its blocks' first 8 bytes (so
  // filing one never allocates); sized with the first slab.
  std::vector<Profile*> free_;
};

}  // namespace roshambo::detail
