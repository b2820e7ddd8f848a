#pragma once
// Immutable, reference-counted player identity (uid, name, avatar) shared by the
// engine and the events it emits, so an event never copies strings or member lists.

#include <atomic>
#include <cstdint>
#include <string_view>

namespace roshambo {

/// One allocation holding uid, name and avatar. Never changes after creation; a new
/// `hello` with another name makes a new Profile.
class Profile {
 public:
  std::string_view uid() const noexcept { return {data(), uid_len_}; }
  std::string_view name() const noexcept { return {data() + uid_len_, name_len_}; }
  std::string_view avatar() const noexcept {
    return {data() + uid_len_ + name_len_, avatar_len_};
  }
  /// True for players the engine created to fill rooms.
  bool bot() const noexcept { return bot_; }
  /// The player's handle in the engine that registered it (PlayerHandle::index), or
  /// kNoHandle for bots and for error recipients the engine does not know; lets a host
  /// map an event's players back to its own tables without reading uids.
  std::uint32_t handle() const noexcept { return handle_; }

  /// handle() of a profile that names no registered player.
  static constexpr std::uint32_t kNoHandle = UINT32_MAX;

 private:
  friend class ProfileRef;
  Profile() = default;
  const char* data() const noexcept { return reinterpret_cast<const char*>(this + 1); }

  mutable std::atomic<std::uint32_t> refs_{1};
  std::uint32_t handle_ = kNoHandle;
  std::uint16_t uid_len_ = 0;
  std::uint16_t avatar_len_ = 0;
  std::uint8_t name_len_ = 0;
  bool bot_ = false;
};

/// Owning handle to a Profile (intrusive count: one pointer wide).
class ProfileRef {
 public:
  ProfileRef() noexcept = default;
  /// Allocate a profile. Lengths must fit: uid < 64 KiB, name < 256, avatar < 64 KiB.
  /// `handle` is the registered player's index (Profile::handle()).
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
  void retain() const noexcept {
    if (p_) p_->refs_.fetch_add(1, std::memory_order_relaxed);
  }
  // Inline: every event and member list drops handles, and most drops do not free.
  void release() noexcept {
    if (p_ != nullptr && p_->refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) destroy(p_);
    p_ = nullptr;
  }
  static void destroy(Profile* p) noexcept;
  Profile* p_ = nullptr;
};

}  // namespace roshambo
