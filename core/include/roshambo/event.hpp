#pragma once
// Events the engine emits (docs/RULES.md §3). Events are self-contained values: they share
// the immutable member list of their room instead of copying it, so a movement in a
// 1000-seat room costs O(1) to produce, and they stay valid after the engine moves on.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <algorithm>
#include <initializer_list>
#include <memory>
#include <new>
#include <stdexcept>
#include <utility>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

#include "roshambo/profile.hpp"
#include "roshambo/rules.hpp"
#include "roshambo/types.hpp"

namespace roshambo {

class MemberList;
namespace detail {
struct MemberListAccess;
}

/// Owning handle to a MemberList (intrusive count, one pointer wide). The count is
/// atomic, so events holding lists may be copied and released on any thread.
class MemberListRef {
 public:
  MemberListRef() noexcept = default;
  MemberListRef(const MemberListRef& o) noexcept;
  MemberListRef(MemberListRef&& o) noexcept : p_(o.p_) { o.p_ = nullptr; }
  MemberListRef& operator=(const MemberListRef& o) noexcept;
  MemberListRef& operator=(MemberListRef&& o) noexcept;
  ~MemberListRef() { release(); }

  MemberList* get() const noexcept { return p_; }
  MemberList& operator*() const noexcept { return *p_; }
  MemberList* operator->() const noexcept { return p_; }
  explicit operator bool() const noexcept { return p_ != nullptr; }

 private:
  friend class MemberList;
  void release() noexcept;
  MemberList* p_ = nullptr;
};

/// Members of a room in join order, in one allocation with `seat_bytes` per seat of the
/// owner's own data (the engine keeps each seat's player and choice there, so a room's
/// seats and members cost one allocation and one cache miss). Shared by the room and
/// the events made from it; only ever appended to while shared (a removal then makes a
/// fresh list), so every view taken earlier keeps its contents. A list with a second
/// handle (from share() or a copy) holds a count on each member's profile.
class MemberList {
 public:
  /// A list with room for `capacity` members and `seat_bytes` of owner data per seat.
  static MemberListRef make(std::uint32_t capacity, std::uint32_t seat_bytes = 0);
  MemberList(const MemberList&) = delete;
  MemberList& operator=(const MemberList&) = delete;

  std::uint32_t size() const noexcept { return size_; }
  std::uint32_t capacity() const noexcept { return capacity_; }
  const Profile& operator[](std::uint32_t i) const noexcept { return *members()[i]; }
  const ProfileRef& ref(std::uint32_t i) const noexcept { return members()[i]; }
  /// A new handle to this list (for an owner that keeps a plain pointer to it). A list
  /// whose members were borrowed takes a count on each of them first.
  MemberListRef share() const noexcept;
  /// True when no handle but the caller's holds the list.
  bool unique() const noexcept { return refs_.load(std::memory_order_acquire) == 1; }

  /// Append a member; its seat data is left as it was. Requires size() < capacity().
  void push_back(ProfileRef p) noexcept;
  /// Remove member `i` and its seat data, moving the later ones down. Unshared lists only.
  void erase(std::uint32_t i) noexcept;
  /// Remove every member. Unshared lists only.
  void clear() noexcept;
  /// A new list with the same capacity and every member and seat but `i` (borrowing
  /// its members as this list does).
  MemberListRef copy_without(std::uint32_t i) const;
  /// A new list with the same members and seats.
  MemberListRef copy() const;
  /// The owner's bytes: seat_bytes per seat, `capacity()` seats, aligned for any
  /// trivially copyable type of at most 8-byte alignment.
  void* seat_data() noexcept { return reinterpret_cast<char*>(this) + seat_offset(capacity_); }
  const void* seat_data() const noexcept { return reinterpret_cast<const char*>(this) + seat_offset(capacity_); }
  /// Where seat_data() starts in a list of `capacity`, from the list's address: lets an
  /// owner that knows the capacity find a seat without reading the list (a prefetch).
  static constexpr std::size_t seat_offset(std::uint32_t capacity) noexcept {
    return sizeof(MemberList) + std::size_t{capacity} * sizeof(ProfileRef);
  }

 private:
  friend class MemberListRef;
  friend struct detail::MemberListAccess;
  MemberList(std::uint32_t capacity, std::uint32_t seat_bytes) noexcept
      : capacity_(capacity), seat_bytes_(seat_bytes) {}
  ~MemberList();
  static void destroy(MemberList* p) noexcept;
  ProfileRef* members() noexcept { return reinterpret_cast<ProfileRef*>(this + 1); }
  const ProfileRef* members() const noexcept { return reinterpret_cast<const ProfileRef*>(this + 1); }
  /// Give each borrowed member a count of its own: the list owns its members from now on.
  void own() const noexcept;
  /// Append `p` without a count when the list borrows (else with one, as push_back).
  void push_borrowed(const ProfileRef& p) noexcept;
  /// Count one more handle (share() and handle copies): a second handle may leave the
  /// engine, so a borrowing list owns its members first.
  void retain() const noexcept;

  mutable std::atomic<std::uint32_t> refs_{1};
  std::uint32_t capacity_;
  std::uint32_t seat_bytes_ : 31;
  // Set (by the engine, through detail::MemberListAccess) while the members hold no
  // counts: their owners keep them alive, and the list is the engine's alone.
  mutable std::uint32_t borrowed_ : 1 = 0;
  std::uint32_t size_ = 0;
};
static_assert(sizeof(MemberList) % alignof(ProfileRef) == 0 && sizeof(ProfileRef) == 8);

inline MemberListRef::MemberListRef(const MemberListRef& o) noexcept : p_(o.p_) {
  if (p_) p_->retain();
}
inline MemberListRef& MemberListRef::operator=(const MemberListRef& o) noexcept {
  if (p_ != o.p_) {
    if (o.p_) o.p_->retain();
    release();
    p_ = o.p_;
  }
  return *this;
}
inline MemberListRef& MemberListRef::operator=(MemberListRef&& o) noexcept {
  if (this != &o) {
    release();
    p_ = o.p_;
    o.p_ = nullptr;
  }
  return *this;
}
inline void MemberList::retain() const noexcept {
  if (borrowed_) [[unlikely]] own();
  refs_.fetch_add(1, std::memory_order_relaxed);
}
// Inline: every join of the engine appends this way, and a host that links without LTO
// called it out of line.
inline void MemberList::push_borrowed(const ProfileRef& p) noexcept {
  // Read first: `p` might be the slot itself as far as the compiler knows, which kept
  // the empty handle's store alive.
  Profile* const q = p.p_;
  ProfileRef* slot = new (members() + size_++) ProfileRef();
  slot->p_ = q;
  if (!borrowed_) [[unlikely]] slot->retain();  // the engine's blocks borrow
}
inline MemberListRef MemberList::share() const noexcept {
  retain();
  MemberListRef r;
  r.p_ = const_cast<MemberList*>(this);
  return r;
}
inline void MemberListRef::release() noexcept {
  if (p_ != nullptr && p_->refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) MemberList::destroy(p_);
  p_ = nullptr;
}

/// Tag: a SharedArray whose maker builds its elements itself.
struct Uninitialised {};

/// An immutable array shared by the events that hold it: count, reference count and
/// elements in one allocation (a `shared_ptr<vector>` took two and its control block).
/// The count is atomic, so events holding arrays may be copied and released on any
/// thread. An array may hold an anchor, a member list its elements point into, alive
/// as long as the array. An empty array allocates nothing.
template <class T>
class SharedArray {
 public:
  static_assert(alignof(T) <= alignof(std::max_align_t));

  SharedArray() noexcept = default;
  /// An array of `n` value-initialised elements, writable through data() until copied.
  explicit SharedArray(std::size_t n, MemberListRef anchor = {}) {
    if (n == 0) return;
    void* mem = ::operator new(kOffset + n * sizeof(T));
    h_ = ::new (mem) Header{};
    h_->anchor = std::move(anchor);
    T* first = elements();
    std::size_t built = 0;
    try {
      for (; built < n; ++built) ::new (first + built) T();
    } catch (...) {
      std::destroy_n(first, built);
      h_->~Header();
      ::operator delete(mem);
      h_ = nullptr;
      throw;
    }
    h_->size = n;
  }
  /// An array of `n` elements not yet built, for a maker that builds every one of them
  /// (with placement new at data()) before anything reads or shares the array; for
  /// trivially destructible types only, so an array dropped half built is no leak.
  /// Skips value-initialising what is written over at once.
  SharedArray(std::size_t n, MemberListRef anchor, Uninitialised) {
    static_assert(std::is_trivially_destructible_v<T>);
    if (n == 0) return;
    void* mem = ::operator new(kOffset + n * sizeof(T));
    h_ = ::new (mem) Header{};
    h_->anchor = std::move(anchor);
    h_->size = n;
  }
  SharedArray(std::initializer_list<T> items) : SharedArray(items.size()) {
    std::copy(items.begin(), items.end(), data());
  }
  SharedArray(const SharedArray& o) noexcept : h_(o.h_) {
    if (h_) h_->refs.fetch_add(1, std::memory_order_relaxed);
  }
  SharedArray(SharedArray&& o) noexcept : h_(o.h_) { o.h_ = nullptr; }
  SharedArray& operator=(SharedArray o) noexcept {
    std::swap(h_, o.h_);
    return *this;
  }
  ~SharedArray() {
    if (h_ != nullptr && h_->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      std::destroy_n(elements(), h_->size);
      h_->~Header();
      ::operator delete(static_cast<void*>(h_));
    }
  }

  std::size_t size() const noexcept { return h_ ? h_->size : 0; }
  bool empty() const noexcept { return size() == 0; }
  const T& operator[](std::size_t i) const noexcept { return elements()[i]; }
  /// Bounds-checked element access (std::out_of_range).
  const T& at(std::size_t i) const {
    if (i >= size()) throw std::out_of_range("SharedArray::at");
    return elements()[i];
  }
  const T& front() const noexcept { return elements()[0]; }
  const T& back() const noexcept { return elements()[size() - 1]; }
  const T* begin() const noexcept { return h_ ? elements() : nullptr; }
  const T* end() const noexcept { return begin() + size(); }
  /// The elements, for the one who made the array to fill in before sharing it.
  T* data() noexcept { return h_ ? elements() : nullptr; }

 private:
  struct Header {
    std::atomic<std::uint32_t> refs{1};
    std::size_t size = 0;
    MemberListRef anchor;
  };
  static constexpr std::size_t kOffset = (sizeof(Header) + alignof(T) - 1) / alignof(T) * alignof(T);
  T* elements() const noexcept {
    return std::launder(reinterpret_cast<T*>(reinterpret_cast<char*>(h_) + kOffset));
  }

  Header* h_ = nullptr;
};

/// A prefix of a MemberList: the room's members at the moment the event was made.
struct MemberView {
  MemberListRef list;
  std::uint32_t count = 0;

  std::uint32_t size() const noexcept { return count; }
  const Profile& operator[](std::uint32_t i) const noexcept { return (*list)[i]; }
};

/// Who receives an event: the members of a view (minus one seat), or one player.
/// Bots are members but receive nothing; the serialisers leave them out of `to`.
struct Audience {
  MemberView room;                      ///< used when `single` is empty
  std::uint32_t except = UINT32_MAX;    ///< seat in `room` left out (the actor)
  ProfileRef single;                    ///< one recipient (hi, error); may be uid-only
  bool nobody = false;                  ///< an error with no known sender
};

/// `hi`: reply to hello.
struct HiData {
  std::uint64_t nearby = 0;  ///< humans online now, the sender included
};

/// `room`: membership of a room after a change.
struct RoomData {
  std::uint64_t room = 0;  ///< room number: the wire id is "room-<n>"
  bool full = false;
  MemberView users;        ///< members in join order (also the audience, but for a re-join)
};

/// Score of a member when the room started.
struct StartScore {
  std::int64_t total_score = 0;
  std::uint32_t win_streak = 0;
  /// The member's Profile::handle(), set by the engine (kNoHandle for bots): lets a host
  /// map a start to its own players without reading each member's profile.
  std::uint32_t handle = Profile::kNoHandle;
};
static_assert(sizeof(StartScore) == 16, "the handle fills the padding");

/// `start`: a full room begins its countdown. Users are the audience's view.
struct StartData {
  std::uint64_t room = 0;
  std::int64_t game_time_ms = 0;  ///< serialised as seconds
  Time deadline = 0;
  SharedArray<StartScore> scores;  ///< one per member
};

/// `movement`: a member chose (without revealing what) or sent a face. The mover is the
/// seat the audience leaves out (mover()): the event holds no profile of its own, so
/// making one touches nothing but the room.
struct MovementData {
  std::uint8_t face = 0;  ///< 0 for a choice movement, 1..4 for a face
};

/// `leave`: a member left the room.
struct LeaveData {
  ProfileRef who;
};

/// One member's line in a `result`.
struct ResultRow {
  /// The member, as the room lists it: a profile of the room's member list, which the
  /// rows' array keeps alive (its anchor), so a row costs no reference count.
  const Profile* who = nullptr;
  Choice choice = Choice::None;
  PairTally tally;
  std::int64_t round_score = 0;
  std::int64_t total_score = 0;
  std::uint32_t win_streak = 0;
  /// who->handle(), set by the engine: lets a host map rows to its own players without
  /// reading each member's profile.
  std::uint32_t handle = Profile::kNoHandle;
};
static_assert(sizeof(ResultRow) == 48, "the handle fills the padding");

/// `result`: the settlement of a room, in join order.
struct ResultData {
  std::uint64_t room = 0;
  SharedArray<ResultRow> rows;
};

/// `error`: a refused command or log line.
struct ErrorData {
  ErrorCode code = ErrorCode::Malformed;
  std::string message;
};

/// `presence`: a member dropped (keeping the seat) or came back (docs/RULES.md §11).
struct PresenceData {
  ProfileRef who;
  bool online = false;
};

/// `resume`: where a player who came back within the grace stands (docs/RULES.md §11).
struct ResumeData {
  std::uint64_t room = 0;
  bool playing = false;   ///< phase "playing", else "waiting"
  bool full = false;
  Time deadline = 0;      ///< written only when playing
  Choice choice = Choice::None;
  MemberView users;       ///< members in join order
};

/// Wire event types, in the order of Event::Data's alternatives (append only).
enum class EventType : std::uint8_t {
  Hi, Room, Start, Movement, Leave, Result, Error, Presence, Resume
};

/// Wire name of an event type: "hi", "room", ...
std::string_view to_string(EventType t) noexcept;

/// A set of event types: event_bit() of each, or'ed (Engine::set_event_filter).
using EventFilter = std::uint32_t;
/// The set holding only `t`.
constexpr EventFilter event_bit(EventType t) noexcept { return EventFilter{1} << static_cast<unsigned>(t); }
/// Every event type.
inline constexpr EventFilter kAllEvents = (EventFilter{1} << (static_cast<unsigned>(EventType::Resume) + 1)) - 1;

/// One event: when, to whom, what.
struct Event {
  using Data = std::variant<HiData, RoomData, StartData, MovementData, LeaveData, ResultData,
                            ErrorData, PresenceData, ResumeData>;
  Time at = 0;
  Audience to;
  Data data;

  /// User-provided, so `out.emplace_back()` runs the member initialisers only instead
  /// of zeroing the whole event first.
  Event() noexcept {}

  EventType type() const noexcept { return static_cast<EventType>(data.index()); }
};

/// The member a `movement` event is about: the seat its audience leaves out.
inline const Profile& mover(const Event& e) noexcept { return e.to.room[e.to.except]; }

/// Call `fn(const Profile&)` for every human recipient of `e`, in join order.
template <class Fn>
void for_each_recipient(const Event& e, Fn&& fn) {
  if (e.to.nobody) return;
  if (e.to.single) {
    fn(*e.to.single);
    return;
  }
  for (std::uint32_t i = 0; i < e.to.room.count; ++i) {
    if (i == e.to.except) continue;
    const Profile& p = e.to.room[i];
    if (!p.bot()) fn(p);
  }
}

}  // namespace roshambo
