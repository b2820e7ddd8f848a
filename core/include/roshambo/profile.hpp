#pragma once
// Immutable, reference-counted player identity (uid, name, avatar) shared by the
// engine and the events it emits, so an event never copies strings or member lists.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace roshambo {

namespace detail {
class ProfileArena;
}

/// One block holding uid, name and avatar. Never changes after creation; a new
/// `hello` with another name makes a new Profile.
///
/// Layout: an 8-byte header (count, handle) then three LEB128 lengths (the uid's
/// carries the bot flag in its low bit; one byte each under 64, 128 and 128 bytes)
/// and the three texts back to back: a player's identity costs its text plus ~11
/// bytes, where fixed 16-bit lengths and a malloc block cost ~35.
class Profile {
 public:
  std::string_view uid() const noexcept {
    const Lens l = lens();
    return {l.text, l.uid};
  }
  std::string_view name() const noexcept {
    const Lens l = lens();
    return {l.text + l.uid, l.name};
  }
  std::string_view avatar() const noexcept {
    const Lens l = lens();
    return {l.text + l.uid + l.name, l.avatar};
  }
  /// True for players the engine created to fill rooms.
  bool bot() const noexcept { return (meta()[0] & 1u) != 0; }
  /// The player's handle in the engine that registered it (PlayerHandle::index), or
  /// kNoHandle for bots and for error recipients the engine does not know; lets a host
  /// map an event's players back to its own tables without reading uids.
  std::uint32_t handle() const noexcept {
    const std::uint32_t h = word_ & kHandleBits;
    return h == kHandleBits ? kNoHandle : h;
  }

  /// handle() of a profile that names no registered player.
  static constexpr std::uint32_t kNoHandle = UINT32_MAX;
  /// Handles are below this (the engine's human ids are).
  static constexpr std::uint32_t kMaxHandle = 0x7fffffffu;

 private:
  friend class ProfileRef;
  friend class detail::ProfileArena;
  static constexpr std::uint32_t kHandleBits = 0x7fffffffu;
  static constexpr std::uint32_t kInArena = 0x80000000u;  // freed through its arena slab

  struct Lens {
    std::uint32_t uid, name, avatar;
    const char* text;
  };
  Profile() = default;
  const std::uint8_t* meta() const noexcept { return reinterpret_cast<const std::uint8_t*>(this + 1); }
  Lens lens() const noexcept {
    const std::uint8_t* m = meta();
    // The meta is at least 3 bytes, so reading them is in bounds whatever they hold.
    if (((m[0] | m[1] | m[2]) & 0x80u) == 0) [[likely]] {
      return {static_cast<std::uint32_t>(m[0] >> 1), m[1], m[2], reinterpret_cast<const char*>(m + 3)};
    }
    return lens_slow();
  }
  Lens lens_slow() const noexcept;
  /// Bytes this profile takes in an arena slab (its size rounded up to 4).
  std::size_t block_bytes() const noexcept;
  /// Bytes a profile of these texts takes (header, lengths, texts).
  static std::size_t size_for(std::string_view uid, std::string_view name, std::string_view avatar) noexcept;
  /// Build a profile in `mem` (size_for bytes, 4-aligned); `handle` is checked by the caller.
  static Profile* construct(void* mem, std::string_view uid, std::string_view name, std::string_view avatar,
                            bool bot, std::uint32_t handle, bool in_arena) noexcept;

  mutable std::atomic<std::uint32_t> refs_{1};
  std::uint32_t word_ = kHandleBits;  // kInArena | handle (kHandleBits: none)
};
static_assert(sizeof(Profile) == 8);

/// Owning handle to a Profile (intrusive count: one pointer wide).
class ProfileRef {
 public:
  ProfileRef() noexcept = default;
  /// Allocate a profile. Each text is under 64 KiB, and `handle` (the registered
  /// player's index, Profile::handle()) is below Profile::kMaxHandle or is kNoHandle;
  /// otherwise std::invalid_argument.
  static ProfileRef make(std::string_view uid, std::string_view name, std::string_view avatar,
                         bool bot = false, std::uint32_t handle = Profile::kNoHandle);
  ProfileRef(const ProfileRef& o) noexcept : p_(o.p_) { retain(); }
  ProfileRef(ProfileRef&& o) noexcept : p_(o.p_) { o.p_ = nullptr; }
  ProfileRef& operator=(const ProfileRef& o) noexcept {
    if (p_ != o.p_) {
      o.retain();
      release();
      p_ = o.p_;
    }
    return *this;
  }
  ProfileRef& operator=(ProfileRef&& o) noexcept {
    if (this != &o) {
      release();
      p_ = o.p_;
      o.p_ = nullptr;
    }
    return *this;
  }
  ~ProfileRef() { release(); }

  const Profile* get() const noexcept { return p_; }
  const Profile& operator*() const noexcept { return *p_; }
  const Profile* operator->() const noexcept { return p_; }
  explicit operator bool() const noexcept { return p_ != nullptr; }

 private:
  friend class detail::ProfileArena;
  friend class MemberList;  // keeps borrowed members: handles that hold no count
  void retain() const noexcept {
    if (p_) p_->refs_.fetch_add(1, std::memory_order_relaxed);
  }
  // Inline: every event and member list drops handles, and most drops do not free.
  void release() noexcept {
    if (p_ != nullptr && p_->refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) destroy(p_);
    p_ = nullptr;
  }
  static void destroy(Profile* p) noexcept;
  /// make() once the texts and handle are checked and `bytes` is Profile::size_for.
  static ProfileRef make_checked(std::size_t bytes, std::string_view uid, std::string_view name,
                                 std::string_view avatar, bool bot, std::uint32_t handle);
  Profile* p_ = nullptr;
};

}  // namespace roshambo
