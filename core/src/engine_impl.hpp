#pragma once
// Private state of roshambo::Engine, shared by engine.cpp and state.cpp.

#include <cstdint>
#include <memory>
#include <set>
#include <span>
#include <string>
#include <tuple>
#include <type_traits>
#include <vector>

#include "mix.hpp"
#include "timer_queue.hpp"
#include "roshambo/engine.hpp"

namespace roshambo {
namespace detail {

inline constexpr std::uint32_t kNone = UINT32_MAX;
/// Player ids with this bit set index the bot pool; the rest index humans, whose
/// order is registration order because humans are never removed.
inline constexpr std::uint32_t kBotBit = 0x80000000u;

/// Outcome of a player's last settled round, kept so verify() can check streaks.
enum class Outcome : std::uint8_t { None, Win, Draw, Loss };

struct PlayerRec {
  ProfileRef profile;
  std::int64_t total = 0;
  std::uint32_t streak = 0;
  std::uint32_t room = kNone;  // room slot
  std::uint32_t seat = 0;      // index in the room's seats
  std::uint32_t grace_gen = 0; // bumped on every drop; a Grace timer of an older drop is stale
  // The room's block while seated: a choice reaches its seat and the room's members
  // without reading the room record (one cache miss fewer on the hottest command).
  MemberList* block = nullptr;
  bool online = false;
  bool live = false;           // bot pool slot in use
  Outcome last = Outcome::None;
};

struct Seat {
  std::uint32_t player;
  Choice choice;
  bool playing;  // the room's phase, here so a choice need not read the room record
};
static_assert(std::is_trivially_copyable_v<Seat> && alignof(Seat) <= 8);

/// One cache line: a choice touches the player, this, and the room's block.
struct alignas(64) RoomRec {
  std::uint64_t number = 0;  // 0: free slot
  Time opened = 0;
  Time deadline = 0;
  // Members (shared with events; see MemberList) and seats in one allocation. A closed
  // slot keeps the block an event still holds, for reuse once the event is gone.
  MemberListRef block;
  std::uint32_t gen = 0;     // bumped on every phase change; stale timers compare it
  std::uint32_t humans = 0;
  std::uint32_t prev = kNone, next = kNone;  // waiting list, in creation order
  Phase phase = Phase::Waiting;

  /// Members seated now (open rooms only).
  std::uint32_t size() const noexcept { return block->size(); }
  /// The seats, in join order (open rooms only).
  std::span<Seat> seats() noexcept { return {static_cast<Seat*>(block->seat_data()), block->size()}; }
  std::span<const Seat> seats() const noexcept {
    return {static_cast<const Seat*>(block->seat_data()), block->size()};
  }
};

std::uint64_t hash_bytes(std::string_view s, std::uint64_t key) noexcept;

/// A bot's stream, derived from (seed, room, seat) so bots share no generator. Bots
/// draw by modulo (see Rng::modulo).
Rng bot_rng(std::uint64_t seed, std::uint64_t room, std::uint32_t seat) noexcept;

}  // namespace detail

struct Engine::Impl {
  using PlayerRec = detail::PlayerRec;
  using RoomRec = detail::RoomRec;
  using Timer = detail::Timer;

  explicit Impl(Config c);
  Impl(const Impl& other);

  Config cfg;
  ScoringRules rules;
  std::uint64_t hash_key = 0;
  std::uint64_t config_digest = 0;  // hash of cfg.to_json(): the config never changes
  Time now = 0;

  std::vector<PlayerRec> humans;
  std::vector<PlayerRec> bots;
  std::vector<std::uint32_t> free_bots;
  std::vector<std::uint32_t> index;  // open addressing: human id + 1, 0 = empty
  std::uint64_t online = 0;
  std::uint64_t live_bots = 0;

  std::vector<RoomRec> rooms;
  std::vector<std::uint32_t> free_rooms;
  std::uint64_t open_rooms = 0;
  std::uint64_t waiting_rooms = 0;
  std::uint32_t wait_head = detail::kNone, wait_tail = detail::kNone;
  // Fullest policy only: (free seats, room number, slot).
  std::set<std::tuple<std::uint32_t, std::uint64_t, std::uint32_t>> by_free;

  detail::TimerQueue timers;
  std::size_t sweep_at = 64;  // queue size at which push_timer next sweeps out cancelled timers
  const EventSink* sink = nullptr;  // set for the length of one streaming call
  std::uint64_t next_seq = 0;
  std::uint64_t next_room = 1;
  std::uint64_t next_bot = 1;
  std::uint64_t rooms_settled = 0;
  std::uint64_t bad_settlements = 0;  // rooms whose base scores did not sum to 0

  // --- players
  PlayerRec& P(std::uint32_t id) noexcept {
    return (id & detail::kBotBit) ? bots[id & ~detail::kBotBit] : humans[id];
  }
  const PlayerRec& P(std::uint32_t id) const noexcept {
    return (id & detail::kBotBit) ? bots[id & ~detail::kBotBit] : humans[id];
  }
  std::uint32_t find(std::string_view uid) const noexcept;
  void index_insert(std::uint32_t id);
  std::uint32_t new_bot();
  void free_bot(std::uint32_t id) noexcept;

  // --- rooms
  std::uint32_t open_room(Time at);
  void close_room(std::uint32_t slot) noexcept;
  void wait_link(std::uint32_t slot);
  void wait_unlink(std::uint32_t slot) noexcept;
  void fullest_update(std::uint32_t slot, std::size_t old_size, bool was_waiting);
  std::uint32_t pick_waiting_room() const noexcept;
  void add_member(std::uint32_t slot, std::uint32_t player);
  MemberView view(const RoomRec& r) const;
  void push_timer(Timer t);
  bool live(const Timer& t) const noexcept;
  void prune() noexcept;

  // --- rules in motion
  void fire_due(Time now, std::vector<Event>& out);
  void fire(const Timer& t, std::vector<Event>& out);
  bool join(std::uint32_t player, Time at, std::vector<Event>& out, ErrorCode* err,
            std::string* msg);
  void start(std::uint32_t slot, Time at, std::vector<Event>& out);
  void settle_room(std::uint32_t slot, Time at, std::vector<Event>& out);
  void remove_member(std::uint32_t player, Time at, std::vector<Event>& out);
  /// A member drops with the grace on: offline, seat kept, Grace timer set.
  void drop(std::uint32_t player, Time at, std::vector<Event>& out);
  /// A dropped member says hello within the grace: `resume` to them, `presence` to the rest.
  void resume(std::uint32_t player, Time at, std::vector<Event>& out);
  void emit_presence(const RoomRec& r, std::uint32_t seat, bool online, Time at,
                     std::vector<Event>& out);
  void emit_room(const RoomRec& r, Time at, std::vector<Event>& out);
  /// An event to every member of a room (its block) but seat `seat`. By block, so a
  /// seated player's command need not read the room record.
  static void emit_to_others(const MemberList& block, std::uint32_t seat, Event::Data data, Time at,
                             std::vector<Event>& out);
  /// `movement` of seat `seat` (a choice when face is 0) to the other members.
  static void emit_movement(const MemberList& block, std::uint32_t seat, std::uint8_t face, Time at,
                            std::vector<Event>& out);

  // --- state.cpp
  std::string snapshot() const;
  static std::unique_ptr<Impl> restore(std::string_view json);
  std::uint64_t digest() const;
  void verify() const;
};

}  // namespace roshambo
