#include "roshambo/profile.hpp"

#include <cstdlib>
#include <cstring>
#include <new>
#include <stdexcept>

#include "profile_arena.hpp"

namespace roshambo {
namespace {

std::size_t varint_size(std::uint32_t v) noexcept {
  std::size_t n = 1;
  while (v >= 0x80u) {
    v >>= 7;
    ++n;
  }
  return n;
}

std::uint8_t* put_varint(std::uint8_t* out, std::uint32_t v) noexcept {
  while (v >= 0x80u) {
    *out++ = static_cast<std::uint8_t>(v | 0x80u);
    v >>= 7;
  }
  *out++ = static_cast<std::uint8_t>(v);
  return out;
}

const std::uint8_t* get_varint(const std::uint8_t* in, std::uint32_t& v) noexcept {
  v = 0;
  for (unsigned shift = 0;; shift += 7) {
    const std::uint8_t b = *in++;
    v |= static_cast<std::uint32_t>(b & 0x7fu) << shift;
    if ((b & 0x80u) == 0) return in;
  }
}

void check(std::string_view uid, std::string_view name, std::string_view avatar, std::uint32_t handle) {
  if (uid.size() > 0xffff || name.size() > 0xffff || avatar.size() > 0xffff) {
    throw std::invalid_argument("profile text too long");
  }
  if (handle >= Profile::kMaxHandle && handle != Profile::kNoHandle) {
    throw std::invalid_argument("profile handle out of range");
  }
}

// A profile's bytes in a slab: rounded up to 4, the count being an atomic word.
std::size_t block_size(std::size_t profile_bytes) noexcept { return (profile_bytes + 3) & ~std::size_t{3}; }

}  // namespace

Profile::Lens Profile::lens_slow() const noexcept {
  Lens l{};
  const std::uint8_t* m = get_varint(meta(), l.uid);
  l.uid >>= 1;
  m = get_varint(m, l.name);
  m = get_varint(m, l.avatar);
  l.text = reinterpret_cast<const char*>(m);
  return l;
}

std::size_t Profile::size_for(std::string_view uid, std::string_view name, std::string_view avatar) noexcept {
  const auto u = static_cast<std::uint32_t>(uid.size());
  const auto n = static_cast<std::uint32_t>(name.size());
  const auto a = static_cast<std::uint32_t>(avatar.size());
  return sizeof(Profile) + varint_size(u << 1) + varint_size(n) + varint_size(a) + u + n + a;
}

Profile* Profile::construct(void* mem, std::string_view uid, std::string_view name, std::string_view avatar,
                            bool bot, std::uint32_t handle, bool in_arena) noexcept {
  auto* p = new (mem) Profile();
  p->word_ = (handle == kNoHandle ? kHandleBits : handle) | (in_arena ? kInArena : 0u);
  auto* m = reinterpret_cast<std::uint8_t*>(p + 1);
  m = put_varint(m, static_cast<std::uint32_t>(uid.size()) << 1 | (bot ? 1u : 0u));
  m = put_varint(m, static_cast<std::uint32_t>(name.size()));
  m = put_varint(m, static_cast<std::uint32_t>(avatar.size()));
  for (std::string_view s : {uid, name, avatar}) {
    if (!s.empty()) std::memcpy(m, s.data(), s.size());
    m += s.size();
  }
  return p;
}

std::size_t Profile::block_bytes() const noexcept {
  const Lens l = lens();
  return block_size(static_cast<std::size_t>(l.text - reinterpret_cast<const char*>(this)) + l.uid + l.name +
                    l.avatar);
}

ProfileRef ProfileRef::make(std::string_view uid, std::string_view name, std::string_view avatar, bool bot,
                            std::uint32_t handle) {
  check(uid, name, avatar, handle);
  return make_checked(Profile::size_for(uid, name, avatar), uid, name, avatar, bot, handle);
}

ProfileRef ProfileRef::make_checked(std::size_t bytes, std::string_view uid, std::string_view name,
                                    std::string_view avatar, bool bot, std::uint32_t handle) {
  void* mem = std::malloc(bytes);
  if (mem == nullptr) throw std::bad_alloc();
  ProfileRef r;
  r.p_ = Profile::construct(mem, uid, name, avatar, bot, handle, false);
  return r;
}

void ProfileRef::destroy(Profile* p) noexcept {
  if (p->word_ & Profile::kInArena) {
    detail::ProfileArena::free_in_slab(p);
  } else {
    p->~Profile();
    std::free(p);
  }
}

namespace detail {

// What a slab's blocks return to. Counted by the arena and by each slab.
struct ProfileArena::Shared {
  std::atomic<Profile*> returned{nullptr};  // stack of dead blocks, or closed()
  std::atomic<std::uint32_t> refs{1};
};

struct ProfileArena::Slab {
  std::atomic<std::uint32_t> live;  // blocks in use or waiting for reuse, plus one while filled
  std::uint32_t unused;
  Shared* shared;
};

namespace {
// With glibc a request of this size is a chunk of exactly kSlabBytes, so slabs
// allocated one after another tile the heap with no gap between them.
constexpr std::size_t kSlabAlloc = ProfileArena::kSlabBytes - 8;
constexpr std::size_t kMaxInSlab = ProfileArena::kSlabBytes / 8;
// The stack's mark once its arena is gone (no block is at this address).
Profile* closed() noexcept { return reinterpret_cast<Profile*>(alignof(Profile)); }

// A dead block's link, in its first bytes (its count and handle are no longer read;
// its lengths stay, and give its size).
Profile* next_of(const Profile* p) noexcept {
  Profile* n;
  std::memcpy(&n, static_cast<const void*>(p), sizeof n);
  return n;
}
void set_next(Profile* p, Profile* n) noexcept { std::memcpy(static_cast<void*>(p), &n, sizeof n); }
}  // namespace

ProfileArena::ProfileArena(ProfileArena&& o) noexcept
    : shared_(o.shared_), slab_(o.slab_), used_(o.used_), free_(std::move(o.free_)) {
  o.shared_ = nullptr;
  o.slab_ = nullptr;
  o.used_ = 0;
  o.free_.clear();
}

ProfileArena& ProfileArena::operator=(ProfileArena&& o) noexcept {
  if (this != &o) {
    close();
    shared_ = o.shared_;
    slab_ = o.slab_;
    used_ = o.used_;
    free_ = std::move(o.free_);
    o.shared_ = nullptr;
    o.slab_ = nullptr;
    o.used_ = 0;
    o.free_.clear();
  }
  return *this;
}

void ProfileArena::collect() noexcept {
  Profile* p = shared_->returned.exchange(nullptr, std::memory_order_acquire);
  while (p != nullptr) {
    Profile* next = next_of(p);
    Profile*& head = free_[p->block_bytes() / 4];
    set_next(p, head);
    head = p;
    p = next;
  }
}

ProfileRef ProfileArena::make(std::string_view uid, std::string_view name, std::string_view avatar, bool bot,
                              std::uint32_t handle, bool grow) {
  check(uid, name, avatar, handle);
  const std::size_t exact = Profile::size_for(uid, name, avatar);
  const std::size_t bytes = block_size(exact);
  if (bytes > kMaxInSlab) return ProfileRef::make_checked(exact, uid, name, avatar, bot, handle);
  ProfileRef r;
  if (shared_ != nullptr) {
    if (shared_->returned.load(std::memory_order_relaxed) != nullptr) collect();
    if (Profile*& head = free_[bytes / 4]; head != nullptr) {
      Profile* p = head;
      head = next_of(p);
      r.p_ = Profile::construct(p, uid, name, avatar, bot, handle, true);  // its slab still counts it
      return r;
    }
  } else if (grow) {
    free_.assign(kMaxInSlab / 4 + 1, nullptr);
    shared_ = new Shared;
  }
  if (!grow) return ProfileRef::make_checked(exact, uid, name, avatar, bot, handle);
  if (slab_ == nullptr || used_ + bytes > kSlabAlloc) {
    void* mem = nullptr;
    if (posix_memalign(&mem, kSlabBytes, kSlabAlloc) != 0) throw std::bad_alloc();
    // The rest of the old slab is too small for this profile: it stays unused.
    if (slab_ != nullptr) unref(slab_);
    slab_ = new (mem) Slab{{1}, 0, shared_};
    shared_->refs.fetch_add(1, std::memory_order_relaxed);
    used_ = sizeof(Slab);
  }
  char* at = reinterpret_cast<char*>(slab_) + used_;
  used_ += static_cast<std::uint32_t>(bytes);
  slab_->live.fetch_add(1, std::memory_order_relaxed);  // the arena's own hold keeps it alive
  r.p_ = Profile::construct(at, uid, name, avatar, bot, handle, true);
  return r;
}

ProfileArena::Slab* ProfileArena::slab_of(const Profile* p) noexcept {
  return reinterpret_cast<Slab*>(reinterpret_cast<std::uintptr_t>(p) & ~(std::uintptr_t{kSlabBytes} - 1));
}

void ProfileArena::unref(Slab* s) noexcept {
  if (s->live.fetch_sub(1, std::memory_order_acq_rel) == 1) {
    Shared* sh = s->shared;
    s->~Slab();
    std::free(s);
    if (sh->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) delete sh;
  }
}

void ProfileArena::close() noexcept {
  if (shared_ == nullptr) return;
  // From here on a dying block goes to its slab; those already returned are dropped here.
  Profile* p = shared_->returned.exchange(closed(), std::memory_order_acq_rel);
  while (p != nullptr) {
    Profile* next = next_of(p);
    unref(slab_of(p));
    p = next;
  }
  for (Profile* head : free_) {
    while (head != nullptr) {
      Profile* next = next_of(head);
      unref(slab_of(head));
      head = next;
    }
  }
  free_.clear();
  free_.shrink_to_fit();
  if (slab_ != nullptr) unref(slab_);
  slab_ = nullptr;
  used_ = 0;
  Shared* sh = shared_;
  shared_ = nullptr;
  if (sh->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) delete sh;
}

void ProfileArena::free_in_slab(Profile* p) noexcept {
  Slab* s = slab_of(p);
  // Read before the push: once pushed, the arena may reuse the block and free nothing,
  // but the slab (which holds its Shared) lives while it counts this block.
  Shared* sh = s->shared;
  Profile* head = sh->returned.load(std::memory_order_relaxed);
  for (;;) {
    if (head == closed()) {
      unref(s);
      return;
    }
    set_next(p, head);
    if (sh->returned.compare_exchange_weak(head, p, std::memory_order_release, std::memory_order_relaxed)) return;
  }
}

}  // namespace detail
}  // namespace roshambo
