#pragma once
// Private state of roshambo::Engine, shared by engine.cpp and state.cpp.

#include <cassert>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include "mix.hpp"
#include "rooms.hpp"
#include "timer_queue.hpp"
#include "roshambo/engine.hpp"
#include "roshambo/event_view.hpp"

namespace roshambo {
namespace detail {

/// A bot's stream, derived from (seed, room, seat) so bots share no generator. Bots
/// draw by modulo (see Rng::modulo).
Rng bot_rng(std::uint64_t seed, std::uint64_t room, std::uint32_t seat) noexcept;

}  // namespace detail

/// What a call's hot path may take as known: nothing (GeneralRound, every rule's test
/// runs), or that the call is plain (PlainRound; see Engine::Impl::plain_call()), so the
/// tests for the rules it cannot meet compile away.
struct GeneralRound {
  static constexpr bool kPlain = false;
};
struct PlainRound {
  static constexpr bool kPlain = true;
};

struct Engine::Impl {
  using PlayerRec = detail::PlayerRec;
  using RoomRec = detail::RoomRec;
  using Timer = detail::Timer;

  explicit Impl(Config c);
  Impl(const Impl& other);

  Config cfg;
  ScoringRules rules;
  // The config has no rule beyond the round itself: fill policy `oldest`, no bot fill,
  // no requeue, no reconnection grace (see plain_call()).
  bool plain_rules = false;
  std::uint64_t config_digest = 0;  // hash of cfg.to_json(): the config never changes
  Time now = 0;

  detail::PlayerTable players;
  std::uint64_t online = 0;

  detail::RoomSlots rooms;
  // Free slots, last freed first, linked through their records' `next` (a free room
  // waits in no list): freeing a slot allocates nothing, so free_slot() cannot throw.
  std::uint32_t free_rooms = detail::kNone;
  std::uint64_t open_rooms = 0;
  detail::WaitingRooms waiting;

  detail::TimerQueue timers;
  std::size_t sweep_at = 64;  // queue size at which push_timer next sweeps out cancelled timers
  const EventSink* sink = nullptr;  // set for the length of one streaming call
  // Set for the length of one visiting call: the hot events (room, start, movement,
  // result) go to it as views; the others are built as Events in `pending` (the call's
  // `out`) and handed over as views before the next view, and at the end
  // (visit_pending()), so the visitor sees every event in order.
  EventVisitor* visitor = nullptr;
  /// Hand the Events waiting in `out` to the visitor as views, and drop them.
  void visit_pending(std::vector<Event>& out) noexcept;
  template <class R = GeneralRound>
  void visit(const EventView& v, std::vector<Event>& out) noexcept {
    if (!R::kPlain && !out.empty()) visit_pending(out);
    visitor->on_event(v);
  }
  /// True when this call may take the plain round (PlainRound): plain rules, no bot
  /// seated (a snapshot may hold some), every event type wanted, all visited, no sink.
  /// Then every queued timer is a deadline (bot fills, bot picks and graces need the
  /// rules or bots it rules out), every member is human, and no built event waits in
  /// `pending` when a hot one is visited (a plain call hands them over as soon as it
  /// builds them). Nothing a call does changes it before the call ends.
  bool plain_call() const noexcept {
    return plain_rules && visitor != nullptr && sink == nullptr && event_filter == kAllEvents &&
           players.live_bots() == 0;
  }
  /// A plain call's room, start and movement events all come at its time `now` (its
  /// settlements' results at their deadlines), its movements are choices (face 0) and
  /// its starts tell the configured game time: their views are given these once, as
  /// the call begins and after a command taken by the general path (which may have
  /// visited a face), not at every event.
  void preset_plain_views(Time now) noexcept {
    view_room_.at = view_start_.at = view_movement_.at = now;
    view_movement_.face = 0;
    view_start_.game_time_ms = cfg.game_time_ms;
  }
  /// Size the visited events' buffers for the largest room (the capacity): done as a
  /// visited call begins, a test a call instead of one a room.
  void size_view_buffers() {
    if (view_rows.size() < cfg.capacity) [[unlikely]] {
      view_scores.resize(cfg.capacity);
      view_rows.resize(cfg.capacity);
    }
  }
  /// The engine's `buffer` for a visited event's `n` scores or rows (a visited call's:
  /// size_view_buffers() made room).
  template <class T>
  T* view_buffer(std::size_t n, std::vector<T>& buffer) noexcept {
    assert(visitor != nullptr && n <= buffer.size());
    (void)n;
    return buffer.data();
  }
  /// Where an event's `n` rows are to be built: for a visitor, the buffer the engine
  /// keeps; else `shared`, made an array of the event's own, anchored to `anchor`.
  template <class T>
  T* event_array(std::size_t n, std::vector<T>& buffer, SharedArray<T>& shared, const MemberList& anchor) {
    if (visitor) return view_buffer(n, buffer);
    shared = SharedArray<T>(n, anchor.share(), Uninitialised{});
    return shared.data();
  }
  /// `v` (one of the kept views, typed) made an event at `at` to every member of room
  /// `r`, for that room; the caller sets the type's other fields.
  /// `at_preset`: a plain call's room or start view, whose time preset_plain_views() set.
  template <bool at_preset = false>
  static EventView& to_room(EventView& v, const RoomRec& r, Time at) noexcept {
    if constexpr (at_preset) assert(v.at == at);
    else v.at = at;
    v.members = r.block.get();
    v.count = r.size();
    v.room = r.number;
    return v;
  }
  template <class R>
  void visit_room(const RoomRec& r, Time at, std::vector<Event>& out) noexcept;
  /// A movement's view, visited. Out of line in general (emit_movement() then stays
  /// small enough to inline into every command that moves), inline in a plain round,
  /// where a choice is the whole command.
  template <class R>
  [[gnu::always_inline]] void movement_view(const MemberList& block, std::uint32_t seat, std::uint8_t face, Time at,
                                            std::vector<Event>& out) noexcept {
    EventView& v = view_movement_;
    if constexpr (R::kPlain) {
      assert(v.at == at && v.face == face);  // preset_plain_views()
    } else {
      v.at = at;
      v.face = face;
    }
    v.members = &block;
    v.count = block.size();
    v.except = seat;
    visit<R>(v, out);
  }
  template <class R>
  [[gnu::noinline]] void visit_movement(const MemberList& block, std::uint32_t seat, std::uint8_t face, Time at,
                                        std::vector<Event>& out) noexcept;
  // Event types the host wants built (Engine::set_event_filter): not game state, so in
  // no snapshot or digest; the events it skips are counted.
  EventFilter event_filter = kAllEvents;
  std::uint64_t filtered_events = 0;
  /// True when an event of type `t` is to be built; else counts it as filtered.
  template <class R = GeneralRound>
  bool emits(EventType t) noexcept {
    if (R::kPlain || (event_filter & event_bit(t))) return true;
    ++filtered_events;
    return false;
  }
  std::uint64_t next_seq = 0;
  std::uint64_t next_room = 1;
  std::uint64_t next_bot = 1;
  std::uint64_t rooms_settled = 0;
  std::uint64_t rooms_started = 0;  // tells a join whether it may have cancelled a timer
  std::uint64_t bad_settlements = 0;  // rooms whose base scores did not sum to 0

  // --- players
  PlayerRec& P(std::uint32_t id) noexcept { return players[id]; }
  const PlayerRec& P(std::uint32_t id) const noexcept { return players[id]; }
  /// A seated member's record: P(), or in a plain round (no bot seated) a human's.
  template <class R>
  PlayerRec& member(std::uint32_t id) noexcept {
    return R::kPlain ? players.human(id) : players[id];
  }
  template <class R>
  const PlayerRec& member(std::uint32_t id) const noexcept {
    return R::kPlain ? players.human(id) : players[id];
  }
  std::uint32_t new_bot();

  // --- rooms
  /// Seat `i` of a room's block, placed by the configured capacity (every room's):
  /// the block's header, a cache line a choice with movements filtered never needs, stays
  /// unread (and a prefetch gets the seat's address without waiting for the block).
  detail::Seat& seat_at(MemberList& block, std::uint32_t i) const noexcept {
    assert(block.capacity() == cfg.capacity);
    char* seats = reinterpret_cast<char*>(&block) + MemberList::seat_offset(cfg.capacity);
    return reinterpret_cast<detail::Seat*>(seats)[i];
  }
  /// A room's seats, placed by the configured capacity as seat_at(): their address
  /// waits on the block's address only, not on its header's capacity too.
  std::span<detail::Seat> seats_of(const RoomRec& r) const noexcept {
    MemberList& block = *r.block;
    return {&seat_at(block, 0), block.size()};
  }
  template <class R>
  [[gnu::always_inline]] std::uint32_t open_room(Time at);
  /// Close room `slot`: its bots leave the pool, its humans are in no room (`released`:
  /// the caller has already said so in their records).
  void close_room(std::uint32_t slot, bool released = false) noexcept;
  /// The end of close_room(), once no member is left to release: slot `slot` (room `r`,
  /// not waiting) is free.
  void free_slot(RoomRec& r, std::uint32_t slot) noexcept {
    // The block stays with the slot as it is: open_room empties it for reuse if no
    // event holds it by then (the usual case: hosts drop events at once), saving an
    // allocation per room and round, and emptying it once, not here too. Until then an
    // owning block's counts keep its members' profiles, as an event holding it would.
    r.number = 0;
    ++r.gen;
    r.humans = 0;
    --open_rooms;
    r.next = free_rooms;
    free_rooms = slot;
  }
  /// Seat `player`, in no room, at room `slot`'s next seat; returns the room. Inline:
  /// every join runs it.
  template <class R = GeneralRound>
  RoomRec& add_member(std::uint32_t slot, std::uint32_t player) noexcept {
    RoomRec& r = rooms[slot];
    MemberList& block = *r.block;
    PlayerRec& p = member<R>(player);
    const std::uint32_t seat = block.size();
    p.room = slot;
    p.seat = static_cast<std::uint16_t>(seat);
    // Appending never disturbs a view an event holds: views are prefixes, and the block
    // never reallocates. The seat is written first: the push makes it part of the room.
    seat_at(block, seat) = {player, Choice::None, false};
    detail::MemberListAccess::push(block, p.profile);
    p.block = &block;
    if (R::kPlain || !(player & detail::kBotBit)) ++r.humans;
    return r;
  }
  MemberView view(const RoomRec& r) const;
  /// Queue a timer (its seq is the next one). `player` and `seat`: see Timer.
  void push_timer(Time due, std::uint32_t room, std::uint32_t gen, detail::TimerKind kind,
                  std::uint32_t player = detail::kNone, std::uint16_t seat = 0) {
    if (timers.size() >= sweep_at) [[unlikely]] sweep_timers();
    // Written field by field into its slot: a Timer built here and copied in stalled on
    // store forwarding (a fifth of start()).
    timers.emplace_newest(due, next_seq++, room, gen, player, seat, kind);
  }
  /// push_timer() of room `room`'s deadline; a plain call's queue holds deadlines only,
  /// so it goes straight to their lane's back.
  template <class R>
  void push_deadline(Time due, std::uint32_t room, std::uint32_t gen) {
    if constexpr (R::kPlain) {
      // No sweep: a plain call cancels no timer, so it cannot add to what a sweep drops.
      timers.push_deadline(due, next_seq++, room, gen);
    } else {
      push_timer(due, room, gen, detail::TimerKind::Deadline);
    }
  }
  /// Drop every cancelled timer (see engine.cpp).
  [[gnu::noinline]] void sweep_timers();
  /// Whether timer `t` still stands (its room or drop unchanged since it was set).
  template <class R = GeneralRound>
  bool live(const Timer& t) const noexcept {
    if (!R::kPlain && t.kind == detail::TimerKind::Grace) {
      // Cancelled by coming back (online), by the room closing, or by a later drop.
      const PlayerRec& p = players.human(t.player);
      return !p.online && p.room == t.room && p.grace_gen == t.gen;
    }
    const RoomRec& r = rooms[t.room];
    return r.number != 0 && r.gen == t.gen;
  }
  /// Drop the cancelled timers at the queue's front.
  template <class R = GeneralRound>
  void prune() noexcept {
    while (!timers.empty() && !live<R>(timers.front())) timers.pop();
  }

  // --- rules in motion
  /// Fire every timer due by `now`. Inline up to the common case, nothing due (once
  /// per command).
  template <class R = GeneralRound>
  void fire_due(Time now, std::vector<Event>& out) {
    if (timers.next_due() <= now) fire_due_from<R>(now, out);
  }
  template <class R>
  [[gnu::noinline]] void fire_due_from(Time now, std::vector<Event>& out);
  /// Fire timer `t`, live (the general loop's; a plain call settles its deadlines).
  void fire(const Timer& t, std::vector<Event>& out);
  /// `player` (online, human) joins; a refusal changes nothing (join_refusal() says why).
  template <class R = GeneralRound>
  std::optional<ErrorCode> join(std::uint32_t player, Time at, std::vector<Event>& out);
  /// The message of join()'s refusal `code` for `player`, in the state that refused it.
  std::string join_refusal(ErrorCode code, std::uint32_t player) const;
  template <class R>
  [[gnu::always_inline]] void start(std::uint32_t slot, Time at, std::vector<Event>& out);
  /// The start event of room `r`: its members' scores written to `scores` (one each;
  /// a plain start() writes its own), visited, or built in `out`.
  void start_scores(const RoomRec& r, StartScore* scores) const noexcept;
  template <class R>
  void visit_start(const RoomRec& r, Time at, std::vector<Event>& out);
  void build_start(const RoomRec& r, Time at, std::vector<Event>& out);
  template <class R>
  void settle_room(std::uint32_t slot, Time at, std::vector<Event>& out);
  void remove_member(std::uint32_t player, Time at, std::vector<Event>& out);
  /// A member drops with the grace on: offline, seat kept, Grace timer set.
  void drop(std::uint32_t player, Time at, std::vector<Event>& out);
  /// A dropped member says hello within the grace: `resume` to them, `presence` to the rest.
  void resume(std::uint32_t player, Time at, std::vector<Event>& out);
  void emit_presence(const RoomRec& r, std::uint32_t seat, bool online, Time at,
                     std::vector<Event>& out);
  template <class R = GeneralRound>
  void emit_room(const RoomRec& r, Time at, std::vector<Event>& out) {
    // Inline up to the filter and the form: a host that filters room events (the
    // simulator) pays a test a join, a visiting one a call.
    if (!emits<R>(EventType::Room)) return;
    if (R::kPlain || visitor) return visit_room<R>(r, at, out);
    build_room(r, at, out);
  }
  void build_room(const RoomRec& r, Time at, std::vector<Event>& out);
  /// join() of a player already in room `p.room`: refused while it plays, else the
  /// room event again, to them alone.
  [[gnu::noinline]] std::optional<ErrorCode> rejoin(const PlayerRec& p, Time at, std::vector<Event>& out);
  /// An event with `data` to every member of room `r`, built in place in `out`.
  template <class Data>
  void emit_to_room(const RoomRec& r, Data data, Time at, std::vector<Event>& out) const;
  /// An event to every member of a room (its block) but seat `seat`. By block, so a
  /// seated player's command need not read the room record.
  template <class Data>
  static void emit_to_others(const MemberList& block, std::uint32_t seat, Data data, Time at,
                             std::vector<Event>& out);
  /// `movement` of seat `seat` (a choice when face is 0) to the other members.
  template <class R = GeneralRound>
  void emit_movement(const MemberList& block, std::uint32_t seat, std::uint8_t face, Time at,
                            std::vector<Event>& out);

  // --- visiting calls' buffers, reused (no game state)
  std::vector<Event> pending;           // events built as Events during the call
  std::vector<StartScore> view_scores;  // a visited start's scores
  std::vector<ResultRow> view_rows;     // a visited result's rows
  // A vector call's result rows between settle_room()'s loop and its event: a local
  // with its destructor cost every settlement a frame slot and a cleanup.
  SharedArray<ResultRow> result_rows;
  // One view per type, typed once: every other field of its type is set at each use
  // (but those a plain call presets, preset_plain_views()), the rest stay at their
  // defaults (a fresh view zeroed ~170 bytes each time).
  static EventView typed(EventType t) noexcept {
    EventView v;
    v.type = t;
    return v;
  }
  EventView view_room_ = typed(EventType::Room), view_start_ = typed(EventType::Start),
            view_movement_ = typed(EventType::Movement), view_result_ = typed(EventType::Result);

  // --- state.cpp
  std::string snapshot() const;
  static std::unique_ptr<Impl> restore(std::string_view json);
  std::uint64_t digest() const;
  void verify() const;
};

}  // namespace roshambo
