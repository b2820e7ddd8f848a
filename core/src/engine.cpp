// Engine bookkeeping: players, rooms, timers, and the commands that move them.
// The scoring itself lives in rules.cpp; snapshots, digest and verify in state.cpp.

#include <algorithm>
#include <cassert>
#include <cstring>
#include <iterator>
#include <optional>
#include <stdexcept>
#include <utility>

#include "engine_impl.hpp"
#include "rules_inline.hpp"
#include "roshambo/codec.hpp"

namespace roshambo {
namespace detail {

std::uint64_t hash_bytes(std::string_view s, std::uint64_t key) noexcept {
  std::uint64_t h = 0xcbf29ce484222325ULL ^ key;
  std::size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    std::uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    h = mix64(h ^ w);
  }
  // The last 0..7 bytes as a little-endian word, from fixed-size loads: a memcpy of a
  // variable length into `tail` was a library call and a store-forwarding stall, and
  // made every uid lookup ~25 ns slower. Same value as that memcpy on little-endian.
  const auto* p = reinterpret_cast<const unsigned char*>(s.data()) + i;
  const std::size_t n = s.size() - i;
  std::uint64_t tail = 0;
  if (n >= 4) {
    std::uint32_t lo, hi;  // overlapping when n < 8: the shared bytes agree
    std::memcpy(&lo, p, 4);
    std::memcpy(&hi, p + n - 4, 4);
    tail = lo | (std::uint64_t{hi} << (8 * (n - 4)));
  } else if (n > 0) {
    tail = p[0] | (std::uint64_t{p[n / 2]} << (8 * (n / 2))) | (std::uint64_t{p[n - 1]} << (8 * (n - 1)));
  }
  return mix64(h ^ tail ^ (static_cast<std::uint64_t>(s.size()) << 56));
}

Rng bot_rng(std::uint64_t seed, std::uint64_t room, std::uint32_t seat) noexcept {
  return Rng{mix64(seed ^ mix64(room * 0x9e3779b97f4a7c15ULL + seat)) ^ 0x2545F4914F6CDD1DULL, true};
}
}  // namespace detail

using detail::kBotBit;
using detail::kNone;

namespace {
// A player id's Profile::handle(): a human's id is its handle; bots have none.
constexpr std::uint32_t handle_of(std::uint32_t player) noexcept {
  return (player & kBotBit) ? Profile::kNoHandle : player;
}
}  // namespace

Engine::Impl::Impl(Config c)
    : cfg(std::move(c)),
      rules(cfg.scoring_rules()),
      players(detail::mix64(cfg.seed ^ 0x5851f42d4c957f2dULL)),
      waiting(cfg.fill_policy, cfg.capacity) {
  cfg.validate();
  plain_rules = cfg.fill_policy == FillPolicy::Oldest && cfg.bot_fill_after_ms == 0 && !cfg.requeue &&
                cfg.reconnect_grace_ms == 0;
  config_digest = detail::hash_bytes(cfg.to_json(), 1);
}

Engine::Impl::Impl(const Impl& o) = default;

// ---------------------------------------------------------------- players

std::uint32_t Engine::Impl::new_bot() {
  const std::string uid = "bot-" + std::to_string(next_bot);
  const std::uint32_t id = players.add_bot(ProfileRef::make(uid, uid, "", true));
  ++next_bot;
  return id;
}

// ---------------------------------------------------------------- rooms

MemberView Engine::Impl::view(const RoomRec& r) const {
  return MemberView{r.block->share(), r.size()};
}

template <class R>
inline std::uint32_t Engine::Impl::open_room(Time at) {
  std::uint32_t slot;
  if (free_rooms != kNone) {
    slot = free_rooms;
    free_rooms = rooms[slot].next;  // link() below sets it for the waiting list
  } else {
    slot = static_cast<std::uint32_t>(rooms.size());
    rooms.emplace_back();
  }
  RoomRec& r = rooms[slot];
  r.number = next_room++;
  ++r.gen;
  r.phase = Phase::Waiting;
  r.humans = 0;
  r.opened = at;
  r.deadline = 0;
  // Reuse the block when no event still holds it; its capacity is fixed, so a shared
  // list is only ever appended to, never reallocated.
  if (r.block && r.block->unique()) [[likely]] {
    detail::MemberListAccess::reset(*r.block);
  } else {
    r.block = detail::MemberListAccess::make(cfg.capacity, sizeof(detail::Seat));
  }
  ++open_rooms;
  waiting.link<R::kPlain>(rooms, slot);
  if (!R::kPlain && cfg.bot_fill_after_ms > 0) {
    push_timer(at + cfg.bot_fill_after_ms, slot, r.gen, detail::TimerKind::BotFill);
  }
  return slot;
}

void Engine::Impl::close_room(std::uint32_t slot, bool released) noexcept {
  RoomRec& r = rooms[slot];
  if (r.phase == Phase::Waiting) waiting.unlink(rooms, slot);
  // A room of humans only, released: no seat to visit.
  if (!released || r.humans != r.size()) {
    for (const auto& s : r.seats()) {
      if (s.player & kBotBit) {
        players.free_bot(s.player);
      } else if (!released) {
        players.human(s.player).room = kNone;
        players.human(s.player).block = nullptr;
      }
    }
  }
  free_slot(r, slot);
}

// A cancelled timer waits in the queue until it reaches the front, which for a closed
// room's may be a day away behind a live one. push_timer() sweeps them all out each
// time the queue has doubled since the last sweep: amortised O(1) a timer, the queue
// never holds more than twice the live timers the last sweep found (or 64), so the
// limits on rooms and players bound it. (due, seq) orders every timer, so the firing
// order is unchanged; a cancelled timer never becomes live again, so dropping it early
// changes nothing.
void Engine::Impl::sweep_timers() {
  timers.filter([this](const Timer& x) { return live(x); });
  sweep_at = std::max<std::size_t>(64, 2 * timers.size());
}

template <class Data>
void Engine::Impl::emit_to_room(const RoomRec& r, Data data, Time at, std::vector<Event>& out) const {
  // Built in place: a local Event moved in cost a 100-byte move and a destructor visit.
  Event& e = out.emplace_back();
  e.at = at;
  e.to.room = view(r);
  e.data.template emplace<Data>(std::move(data));
}

void Engine::Impl::visit_pending(std::vector<Event>& out) noexcept {
  for (const Event& e : out) visitor->on_event(view_of(e));
  out.clear();
}

// The visited forms of the hot events, out of line: the emitters stay small enough to
// inline into the commands, where a filtered event costs one test.
template <class R>
void Engine::Impl::visit_room(const RoomRec& r, Time at, std::vector<Event>& out) noexcept {
  EventView& v = to_room<R::kPlain>(view_room_, r, at);
  v.users = v.members;
  v.users_count = v.count;
  v.full = r.size() == cfg.capacity;
  visit<R>(v, out);
}

template <class R>
void Engine::Impl::visit_movement(const MemberList& block, std::uint32_t seat, std::uint8_t face, Time at,
                                  std::vector<Event>& out) noexcept {
  movement_view<R>(block, seat, face, at, out);
}

void Engine::Impl::build_room(const RoomRec& r, Time at, std::vector<Event>& out) {
  emit_to_room(r, RoomData{r.number, r.size() == cfg.capacity, view(r)}, at, out);
}

template <class Data>
void Engine::Impl::emit_to_others(const MemberList& block, std::uint32_t seat, Data data, Time at,
                                  std::vector<Event>& out) {
  Event& e = out.emplace_back();
  e.at = at;
  e.to.room = MemberView{block.share(), block.size()};
  e.to.except = seat;
  e.data.emplace<Data>(std::move(data));
}

template <class R>
void Engine::Impl::emit_movement(const MemberList& block, std::uint32_t seat, std::uint8_t face, Time at,
                                 std::vector<Event>& out) {
  if (!emits<R>(EventType::Movement)) return;
  if constexpr (R::kPlain) return movement_view<R>(block, seat, face, at, out);
  if (visitor) return visit_movement<R>(block, seat, face, at, out);
  emit_to_others(block, seat, MovementData{face}, at, out);
}

// ---------------------------------------------------------------- rules in motion

// Nothing due (fire_due's inline check): the queue is as the last call left it, its
// front live (every call ends with prune()), so there is nothing to prune either.
template <class R>
void Engine::Impl::fire_due_from(Time t, std::vector<Event>& out) {
  if constexpr (R::kPlain) {
    // Deadlines only, and a settlement queues no timer: from their lane alone, unless
    // a restored snapshot left one in the heap (the general loop, valid in any call).
    if (!timers.deadlines_only()) [[unlikely]] return fire_due_from<GeneralRound>(t, out);
    timers.fire_deadlines(t, [&](const Timer& timer) {
      if (live<R>(timer)) settle_room<R>(timer.room, timer.due, out);
    });
    prune<R>();
  } else {
    while (!timers.empty() && timers.front().due <= t) {
      const Timer timer = timers.front();
      timers.pop();
      if (live(timer)) fire(timer, out);
      // Streaming: hand a full chunk over once this moment is done, so a long jump
      // costs time, not memory. The state is then exactly a tick to timer.due, should
      // the sink throw: cancelled timers at the front go first, as a tick's end would
      // drop them.
      if (sink && out.size() >= kEventChunk) {
        prune();
        if (timers.empty() || timers.front().due > timer.due) {
          now = timer.due;
          (*sink)(out);
          out.clear();
        }
      }
    }
    prune();
  }
}

void Engine::Impl::fire(const Timer& t, std::vector<Event>& out) {
  switch (t.kind) {
    case detail::TimerKind::BotFill: {
      const std::size_t before = rooms[t.room].size();
      while (rooms[t.room].size() < cfg.capacity) {
        add_member(t.room, new_bot());
      }
      waiting.resized(rooms, t.room, before);
      // One `room` event for the whole fill: bots arrive together.
      emit_room(rooms[t.room], t.due, out);
      start<GeneralRound>(t.room, t.due, out);
      break;
    }
    case detail::TimerKind::BotPick: {
      RoomRec& r = rooms[t.room];
      PlayerRec& b = P(t.player);
      Rng rng = detail::bot_rng(cfg.seed, r.number, t.seat);
      rng.next();  // the first draw chose the moment
      StrategyMemory memory;  // stateless: a bot plays one round
      r.seats()[b.seat].choice = cfg.bot_strategy.choose(memory, rng);
      emit_movement(*r.block, b.seat, 0, t.due, out);
      break;
    }
    case detail::TimerKind::Deadline:
      settle_room<GeneralRound>(t.room, t.due, out);
      break;
    case detail::TimerKind::Grace:
      // Still away: gone exactly as by `leave`.
      remove_member(t.player, t.due, out);
      break;
  }
}

template <class R>
inline void Engine::Impl::start(std::uint32_t slot, Time at, std::vector<Event>& out) {
  RoomRec& r = rooms[slot];
  // A plain round fills its oldest waiting room, so that is the one that starts.
  if constexpr (R::kPlain) {
    assert(waiting.oldest() == slot);
    waiting.unlink_oldest(rooms);
  } else {
    waiting.unlink(rooms, slot);
  }
  r.phase = Phase::Playing;
  ++r.gen;
  ++rooms_started;
  r.deadline = at + cfg.game_time_ms;
  push_deadline<R>(r.deadline, slot, r.gen);
  const std::span<detail::Seat> seats = seats_of(r);
  if constexpr (R::kPlain) {
    // Humans, every event visited: the seats and the start's scores in one pass.
    StartScore* scores = view_buffer(seats.size(), view_scores);
    for (std::uint32_t i = 0; detail::Seat& s : seats) {
      s.playing = true;
      const PlayerRec& p = players.human(s.player);
      ::new (scores + i++) StartScore{p.total, p.streak, s.player};
    }
    return visit_start<R>(r, at, out);
  }
  // A room of humans (the usual one), or bots that never choose: no pick to schedule.
  if (r.humans == seats.size() || !cfg.bot_strategy.chooses()) {
    for (detail::Seat& s : seats) s.playing = true;
  } else {
    for (std::uint32_t i = 0; i < seats.size(); ++i) {
      seats[i].playing = true;
      if (!(seats[i].player & kBotBit)) continue;
      // The bot's moment and choice come from (seed, room, seat): no shared generator.
      Rng rng = detail::bot_rng(cfg.seed, r.number, i);
      const Time when = at + static_cast<Time>(rng.below(static_cast<std::uint64_t>(cfg.game_time_ms)));
      push_timer(when, slot, r.gen, detail::TimerKind::BotPick, seats[i].player, static_cast<std::uint16_t>(i));
    }
  }
  if (!emits(EventType::Start)) return;
  // Apart from the state change: only the vector form needs the frame of a shared array.
  if (visitor) return visit_start<R>(r, at, out);
  build_start(r, at, out);
}

void Engine::Impl::start_scores(const RoomRec& r, StartScore* scores) const noexcept {
  for (std::uint32_t i = 0; const detail::Seat& s : r.seats()) {
    const PlayerRec& p = P(s.player);
    ::new (scores + i++) StartScore{p.total, p.streak, handle_of(s.player)};
  }
}

template <class R>
void Engine::Impl::visit_start(const RoomRec& r, Time at, std::vector<Event>& out) {
  if constexpr (!R::kPlain) start_scores(r, view_buffer(r.size(), view_scores));  // else start() wrote them
  EventView& v = to_room<R::kPlain>(view_start_, r, at);
  if constexpr (R::kPlain) assert(v.game_time_ms == cfg.game_time_ms);  // preset_plain_views()
  else v.game_time_ms = cfg.game_time_ms;
  v.deadline = r.deadline;
  v.scores = {view_scores.data(), r.size()};
  visit<R>(v, out);
}

void Engine::Impl::build_start(const RoomRec& r, Time at, std::vector<Event>& out) {
  SharedArray<StartScore> scores(r.size(), MemberListRef{}, Uninitialised{});
  start_scores(r, scores.data());
  emit_to_room(r, StartData{r.number, cfg.game_time_ms, r.deadline, std::move(scores)}, at, out);
}

template <class R>
void Engine::Impl::settle_room(std::uint32_t slot, Time at, std::vector<Event>& out) {
  RoomRec& r = rooms[slot];
  ChoiceCounts counts;
  const std::span<const detail::Seat> seats = seats_of(r);
  for (const auto& s : seats) counts.add(s.choice);
  const bool event = emits<R>(EventType::Result);
  // Rows point into the members (their array's anchor); each is built in place below.
  ResultRow* row = !event    ? nullptr
                   : R::kPlain ? view_buffer(r.size(), view_rows)
                               : event_array(r.size(), view_rows, result_rows, *r.block);
  const bool visited = event && (R::kPlain || visitor);
  if (visited) {
    // The view before the rows: what it reads of the room is then not held across the
    // seats' loop (it was kept in eight spilled registers, ~16 instructions a room).
    EventView& v = to_room(view_result_, r, at);
    v.rows = {view_rows.data(), r.size()};
  }
  std::uint32_t i = 0;
  std::int64_t base_sum = 0;
  for (const auto& s : seats) {
    PlayerRec& p = member<R>(s.player);
    const PairTally t = detail::tally(s.choice, counts);
    const std::int64_t x = t.base();
    base_sum += x;
    const RoundScore rs = detail::score(x, p.streak, rules);
    p.streak = rs.win_streak;
    p.total = detail::add_saturating(p.total, rs.round_score);
    // Win 1, Draw 2, Loss 3, without branches on the round's outcome.
    p.last = static_cast<detail::Outcome>(2 - (x > 0) + (x < 0));
    // Out of the room here, while the record is at hand: close_room need not come back.
    p.room = kNone;
    p.block = nullptr;
    if (!event) continue;
    ::new (row++) ResultRow{&(*r.block)[i++], s.choice, t, rs.round_score, p.total, p.streak,
                            R::kPlain ? s.player : handle_of(s.player)};
  }
  if (base_sum != 0) ++bad_settlements;
  ++rooms_settled;
  if (visited) {
    visit<R>(view_result_, out);
  } else if (event) {
    emit_to_room(r, ResultData{r.number, std::move(result_rows)}, at, out);
  }

  if (R::kPlain || !cfg.requeue) {
    // Humans only (the usual room), already out of it: nothing to visit, so inline.
    if (R::kPlain || r.humans == r.size()) [[likely]] return free_slot(r, slot);
    close_room(slot, true);
    return;
  }
  std::vector<std::uint32_t> again;
  again.reserve(r.humans);
  for (const auto& s : r.seats()) {
    // Bots leave with the room; a dropped player waits for no new room.
    if (!(s.player & kBotBit) && players.human(s.player).online) again.push_back(s.player);
  }
  close_room(slot, true);
  for (std::uint32_t id : again) {
    if (const auto code = join(id, at, out)) {
      Event err;
      err.at = at;
      err.to.single = players.human(id).profile;
      err.data = ErrorData{*code, join_refusal(*code, id)};
      out.push_back(std::move(err));
    }
  }
}

std::string Engine::Impl::join_refusal(ErrorCode code, std::uint32_t player) const {
  if (code == ErrorCode::GameInProgress) return "a game is in progress in " + room_id(rooms[P(player).room].number);
  return "max_rooms reached (" + std::to_string(cfg.max_rooms) + " open rooms)";
}

std::optional<ErrorCode> Engine::Impl::rejoin(const PlayerRec& p, Time at, std::vector<Event>& out) {
  const RoomRec& r = rooms[p.room];
  if (r.phase == Phase::Playing) return ErrorCode::GameInProgress;
  // Idempotent: tell the sender where they are again.
  if (!emits(EventType::Room)) return std::nullopt;
  MemberView v = view(r);
  Event e;
  e.at = at;
  e.to.single = p.profile;
  e.data = RoomData{r.number, false, std::move(v)};
  out.push_back(std::move(e));
  return std::nullopt;
}

// Inline into its callers (the accepted lane, the general path, requeueing): a call
// saved and restored six registers and built a frame every join.
template <class R>
[[gnu::always_inline]] inline std::optional<ErrorCode> Engine::Impl::join(std::uint32_t player, Time at,
                                                                          std::vector<Event>& out) {
  const PlayerRec& p = member<R>(player);  // a join is a human's
  if (p.room != kNone) [[unlikely]] {
    const auto refused = rejoin(p, at, out);
    // A plain call visits no event it built later than a hot one.
    if (R::kPlain && !out.empty()) visit_pending(out);
    return refused;
  }
  std::uint32_t slot = R::kPlain ? waiting.oldest() : waiting.pick();
  if (slot == kNone) {
    if (cfg.max_rooms != 0 && open_rooms >= cfg.max_rooms) return ErrorCode::CapacityExceeded;
    slot = open_room<R>(at);
  }
  RoomRec& r = add_member<R>(slot, player);
  const std::uint32_t size = r.size();
  if (!R::kPlain) waiting.resized(rooms, slot, size - 1);
  emit_room<R>(r, at, out);
  if (size == cfg.capacity) start<R>(slot, at, out);
  return std::nullopt;
}

void Engine::Impl::emit_presence(const RoomRec& r, std::uint32_t seat, bool online, Time at,
                                 std::vector<Event>& out) {
  if (!emits(EventType::Presence)) return;
  emit_to_others(*r.block, seat, PresenceData{r.block->ref(seat), online}, at, out);
}

void Engine::Impl::drop(std::uint32_t player, Time at, std::vector<Event>& out) {
  PlayerRec& p = players.human(player);
  ++p.grace_gen;
  push_timer(at + cfg.reconnect_grace_ms, p.room, p.grace_gen, detail::TimerKind::Grace, player);
  emit_presence(rooms[p.room], p.seat, false, at, out);
}

void Engine::Impl::resume(std::uint32_t player, Time at, std::vector<Event>& out) {
  const PlayerRec& p = players.human(player);
  const RoomRec& r = rooms[p.room];
  if (!emits(EventType::Resume)) return emit_presence(r, p.seat, true, at, out);
  Event e;
  e.at = at;
  e.to.single = p.profile;
  e.data = ResumeData{r.number,
                      r.phase == Phase::Playing,
                      r.size() == cfg.capacity,
                      r.deadline,
                      r.seats()[p.seat].choice,
                      view(r)};
  out.push_back(std::move(e));
  emit_presence(r, p.seat, true, at, out);
}

void Engine::Impl::remove_member(std::uint32_t player, Time at, std::vector<Event>& out) {
  PlayerRec& p = P(player);
  const std::uint32_t slot = p.room;
  RoomRec& r = rooms[slot];
  const std::uint32_t seat = p.seat;
  const ProfileRef who = r.block->ref(seat);
  const std::size_t before = r.size();
  if (r.block->unique()) {
    r.block->erase(seat);
  } else {
    // Events hold the old list: copy, so their views keep what they saw.
    r.block = r.block->copy_without(seat);
    for (const detail::Seat& s : r.seats()) P(s.player).block = r.block.get();
  }
  for (std::uint32_t i = seat; i < r.size(); ++i) P(r.seats()[i].player).seat = static_cast<std::uint16_t>(i);
  p.room = kNone;
  p.block = nullptr;
  --r.humans;  // only humans leave
  if (r.humans == 0) {
    // Nobody left to tell: close without a result (bots go with the room).
    if (r.phase == Phase::Waiting) waiting.resized(rooms, slot, before);
    close_room(slot);
    return;
  }
  if (r.phase == Phase::Waiting) waiting.resized(rooms, slot, before);
  if (emits(EventType::Leave)) {
    Event e;
    e.at = at;
    e.to.room = view(r);
    e.data = LeaveData{who};
    out.push_back(std::move(e));
  }
  if (r.phase == Phase::Waiting) emit_room(r, at, out);
}

// ---------------------------------------------------------------- public API

namespace {

// Points the engine at a sink for the length of one call.
class SinkScope {
 public:
  SinkScope(Engine::Impl& m, const EventSink& sink) : m_(m) { m_.sink = sink ? &sink : nullptr; }
  ~SinkScope() { m_.sink = nullptr; }
  SinkScope(const SinkScope&) = delete;
  SinkScope& operator=(const SinkScope&) = delete;

 private:
  Engine::Impl& m_;
};

[[gnu::noinline]] void drop(std::vector<Event>& events) noexcept { events.clear(); }

// Points the engine at a visitor for the length of one call. Events a call that threw
// left pending are dropped with it (the vector API would leave them in `out`).
class VisitorScope {
 public:
  VisitorScope(Engine::Impl& m, EventVisitor& v) : m_(m) {
    m_.size_view_buffers();
    m_.visitor = &v;
  }
  ~VisitorScope() {
    m_.visitor = nullptr;
    if (!m_.pending.empty()) [[unlikely]] drop(m_.pending);
  }
  VisitorScope(const VisitorScope&) = delete;
  VisitorScope& operator=(const VisitorScope&) = delete;

 private:
  Engine::Impl& m_;
};

Event error_event(Time at, std::string_view to, std::uint32_t max_uid, ErrorCode code,
                  std::string message) {
  Event e;
  e.at = at;
  if (!to.empty() && to.size() <= max_uid && valid_utf8(to)) {
    e.to.single = ProfileRef::make(to, "", "");
  } else {
    e.to.nobody = true;
  }
  e.data = ErrorData{code, std::move(message)};
  return e;
}

std::optional<std::string> check_text(std::string_view field, std::string_view s,
                                      std::size_t min, std::size_t max) {
  if (s.size() < min) return std::string(field) + ": must not be empty";
  if (s.size() > max) {
    return std::string(field) + ": longer than " + std::to_string(max) + " bytes";
  }
  if (!valid_utf8(s)) return std::string(field) + ": not valid UTF-8";
  return std::nullopt;
}


// ---------------------------------------------------------------- one handler per command

/// Why a command was refused: the one error event it gets.
struct Refusal {
  ErrorCode code;
  std::string message;
};
using Verdict = std::optional<Refusal>;

/// What every handler works on.
struct Call {
  Engine::Impl& m;
  std::int64_t value;  // the choice or face code
  Time now;
  std::vector<Event>& out;
  // Set by a handler whose command cancelled no timer: the queue's front is still the
  // live timer the last call's prune() left, so this call need not prune.
  bool timers_kept = false;
};

// A registered player says hello: online again, `hi`, and `resume` when it was dropped
// within the grace.
void greet(Engine::Impl& m, std::uint32_t id, Time now, std::vector<Event>& out) {
  Engine::Impl::PlayerRec& p = m.players.human(id);
  // Offline yet still seated: dropped within the grace, so this hello resumes.
  const bool back = !p.online && p.room != kNone;
  if (!p.online) {
    p.online = true;
    ++m.online;
  }
  if (m.emits(EventType::Hi)) {
    Event e;
    e.at = now;
    e.to.single = p.profile;
    e.data = HiData{m.online};
    out.push_back(std::move(e));
  }
  if (back) m.resume(id, now, out);  // its Grace timer is cancelled: prune() follows
}

Verdict on_hello(Call& c, const Command& cmd) {
  Engine::Impl& m = c.m;
  if (cmd.from.rfind("bot-", 0) == 0) {
    return Refusal{ErrorCode::InvalidField, "user.uid: the prefix \"bot-\" is reserved for engine bots"};
  }
  if (auto bad = check_text("user.uname", cmd.name, 0, m.cfg.max_name_bytes)) {
    return Refusal{ErrorCode::InvalidField, *bad};
  }
  if (auto bad = check_text("user.uavatar", cmd.avatar, 0, m.cfg.max_avatar_bytes)) {
    return Refusal{ErrorCode::InvalidField, *bad};
  }
  std::uint32_t id = m.players.find(cmd.from);
  if (id == kNone) {
    if (m.cfg.max_players != 0 && m.players.human_count() >= m.cfg.max_players) {
      return Refusal{ErrorCode::CapacityExceeded,
                     "max_players reached (" + std::to_string(m.cfg.max_players) + " players)"};
    }
    id = m.players.next_human_id();
    detail::PlayerRec rec;
    rec.profile = m.players.make_human_profile(cmd.from, cmd.name, cmd.avatar);
    m.players.add_human(std::move(rec));
  } else {
    Engine::Impl::PlayerRec& p = m.players.human(id);
    if (p.profile->name() != cmd.name || p.profile->avatar() != cmd.avatar) {
      // Seated, the member keeps the profile it joined with: the room's block, which
      // may borrow it from this record, takes a count of its own first.
      if (p.block != nullptr) detail::MemberListAccess::own(*p.block);
      p.profile = m.players.make_human_profile(id, cmd.from, cmd.name, cmd.avatar);
    }
  }
  greet(m, id, c.now, c.out);
  return std::nullopt;
}

// The handlers below act for a registered player who is online: `id`.

[[gnu::noinline]] Verdict join_refused(const Engine::Impl& m, ErrorCode code, std::uint32_t id) {
  return Refusal{code, m.join_refusal(code, id)};
}

// Only a start cancels a timer in a join (the room's bot fill, by its new gen; without
// bot fills, none); a room opened in a closed slot revives none, and the joiner,
// online, has no live grace. `started`: rooms_started before the join.
template <class R = GeneralRound>
inline bool join_kept_timers(const Engine::Impl& m, std::uint64_t started) noexcept {
  return R::kPlain || m.rooms_started == started || m.cfg.bot_fill_after_ms == 0;
}

[[gnu::always_inline]] inline Verdict on_join(Call& c, std::uint32_t id) {
  const std::uint64_t started = c.m.rooms_started;
  if (const auto code = c.m.join(id, c.now, c.out)) [[unlikely]] return join_refused(c.m, *code, id);
  c.timers_kept = join_kept_timers(c.m, started);
  return std::nullopt;
}

// A choice's refusals, out of line: the command runs inline in dispatch().
[[gnu::noinline]] Verdict bad_choice(std::int64_t v) {
  return Refusal{ErrorCode::InvalidChoice,
                 "choice must be 1 (scissors), 2 (rock) or 3 (paper), got " + std::to_string(v)};
}
[[gnu::noinline]] Verdict not_in_room() { return Refusal{ErrorCode::NotInRoom, "not in a room"}; }
[[gnu::noinline]] Verdict not_playing(const Engine::Impl& m, std::uint32_t slot) {
  return Refusal{ErrorCode::NotPlaying, room_id(m.rooms[slot].number) + " has not started"};
}

// Whether the rules accept a choice `v` by `p`, and if not why: the one place its
// conditions are written, for the accepted lane and the refusals alike.
enum class ChoiceCheck : std::uint8_t { Accepted, BadChoice, NotInRoom, NotPlaying };

// `seat` is set when accepted. The seat and the members come through the player's
// block: the room record stays cold.
[[gnu::always_inline]] inline ChoiceCheck check_choice(Engine::Impl& m, const Engine::Impl::PlayerRec& p,
                                                       std::int64_t v, detail::Seat*& seat) {
  if (v < 1 || v > 3) [[unlikely]] return ChoiceCheck::BadChoice;
  if (p.room == kNone) [[unlikely]] return ChoiceCheck::NotInRoom;
  seat = &m.seat_at(*p.block, p.seat);
  return seat->playing ? ChoiceCheck::Accepted : ChoiceCheck::NotPlaying;
}

[[gnu::noinline]] Verdict choice_refusal(const Engine::Impl& m, const Engine::Impl::PlayerRec& p, std::int64_t v,
                                         ChoiceCheck why) {
  if (why == ChoiceCheck::BadChoice) return bad_choice(v);
  if (why == ChoiceCheck::NotInRoom) return not_in_room();
  return not_playing(m, p.room);
}

// The accepted choice: no phase, membership or presence changes, so no timer either.
template <class R = GeneralRound>
[[gnu::always_inline]] inline void accept_choice(Engine::Impl& m, const Engine::Impl::PlayerRec& p, detail::Seat& seat,
                                                 std::int64_t v, Time now, std::vector<Event>& out) {
  seat.choice = static_cast<Choice>(v);
  m.emit_movement<R>(*p.block, p.seat, 0, now, out);
}

[[gnu::always_inline]] inline Verdict on_choice(Call& c, std::uint32_t id) {
  const Engine::Impl::PlayerRec& p = c.m.players.human(id);
  detail::Seat* seat = nullptr;
  const ChoiceCheck why = check_choice(c.m, p, c.value, seat);
  if (why != ChoiceCheck::Accepted) [[unlikely]] return choice_refusal(c.m, p, c.value, why);
  accept_choice(c.m, p, *seat, c.value, c.now, c.out);
  c.timers_kept = true;
  return std::nullopt;
}

Verdict on_face(Call& c, std::uint32_t id) {
  const std::int64_t v = c.value;
  if (v < 1 || v > 4) return Refusal{ErrorCode::InvalidFace, "face must be 1..4, got " + std::to_string(v)};
  const Engine::Impl::PlayerRec& p = c.m.players.human(id);
  if (p.room == kNone) return Refusal{ErrorCode::NotInRoom, "not in a room"};
  c.m.emit_movement(*p.block, p.seat, static_cast<std::uint8_t>(v), c.now, c.out);
  c.timers_kept = true;
  return std::nullopt;
}

Verdict on_leave(Call& c, std::uint32_t id) {
  if (c.m.players.human(id).room == kNone) return Refusal{ErrorCode::NotInRoom, "not in a room"};
  c.m.remove_member(id, c.now, c.out);
  return std::nullopt;
}

Verdict on_disconnect(Call& c, std::uint32_t id) {
  Engine::Impl::PlayerRec& p = c.m.players.human(id);
  if (p.room != kNone) {
    if (c.m.cfg.reconnect_grace_ms > 0) {
      c.m.drop(id, c.now, c.out);
    } else {
      c.m.remove_member(id, c.now, c.out);
    }
  }
  p.online = false;
  --c.m.online;
  return std::nullopt;
}

using PlayerHandler = Verdict (*)(Call&, std::uint32_t);
/// By CommandType. hello has a path of its own: its sender may be new or offline.
constexpr PlayerHandler kPlayerHandlers[] = {nullptr, on_join, on_choice, on_face, on_leave, on_disconnect};
static_assert(std::size(kPlayerHandlers) == static_cast<std::size_t>(CommandType::Disconnect) + 1);

}  // namespace

Engine::Engine(Config config) : impl_(std::make_unique<Impl>(std::move(config))) {}
Engine::Engine(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Engine::Engine(const Engine& o) : impl_(std::make_unique<Impl>(*o.impl_)) {
  // Member lists are shared with events; a fork must not append to the original's.
  // Copying the records' handles made the original's borrowing lists own their members
  // (a second handle may leave the engine): invisible, but a write to `o`, which like
  // any engine is for one thread at a time.
  for (auto& r : impl_->rooms) {
    if (r.number != 0) {
      r.block = r.block->copy();
      for (const detail::Seat& s : r.seats()) impl_->P(s.player).block = r.block.get();
    } else {
      r.block = {};  // a closed slot's block may be an event's: never reuse it here
    }
  }
}
Engine& Engine::operator=(const Engine& o) {
  if (this != &o) *this = Engine(o);
  return *this;
}
Engine::Engine(Engine&&) noexcept = default;
Engine& Engine::operator=(Engine&&) noexcept = default;
Engine::~Engine() = default;

const Config& Engine::config() const noexcept { return impl_->cfg; }
Time Engine::now() const noexcept { return impl_->now; }

std::optional<Time> Engine::next_deadline() const noexcept {
  const Time due = impl_->timers.next_due();
  if (due == detail::TimerQueue::kNoTimer) return std::nullopt;
  return due;
}

namespace {

// Why a command's time is refused; out of line, as almost every command is on time.
[[gnu::noinline]] Refusal late(const Engine::Impl& m, Time now) {
  if (now < m.now) {
    return Refusal{ErrorCode::TimeWentBackwards,
                   "time went backwards: " + std::to_string(now) + " < " + std::to_string(m.now)};
  }
  return Refusal{ErrorCode::InvalidField, "at: larger than 2^62"};
}

// The time check every command starts with, then the timers due by `now` fire. False
// when the time is refused (late() says why), and nothing changed.
template <class R = GeneralRound>
inline bool advance(Engine::Impl& m, Time now, std::vector<Event>& out) {
  if (now < m.now || now > kMaxTime) [[unlikely]] return false;
  m.fire_due<R>(now, out);
  m.now = now;
  return true;
}

Refusal offline(std::string_view uid) {
  return Refusal{ErrorCode::UnknownPlayer,
                 "unknown or offline player \"" + std::string(uid) + "\": send hello first"};
}

// Every command but a round's two (a join and a choice a player), out of line. It takes
// its own Call, so that the hot path's stays in registers (one whose address left for
// a call was built in memory every command); `kept` is its timers_kept.
[[gnu::noinline]] Verdict dispatch_rest(Call c, bool* kept, std::uint32_t id, CommandType type,
                                        const Command* hello) {
  Verdict v;
  if (type == CommandType::Hello) {
    if (hello) {
      v = on_hello(c, *hello);
    } else {
      greet(c.m, id, c.now, c.out);
    }
  } else if (const Engine::Impl::PlayerRec& p = c.m.players.human(id); !p.online) {
    v = offline(p.profile->uid());
  } else {
    v = kPlayerHandlers[static_cast<std::size_t>(type)](c, id);
  }
  *kept = c.timers_kept;
  return v;
}

// After the sender is known: hello, or the player's handler when it is online.
[[gnu::always_inline]] inline Verdict dispatch(Call& c, std::uint32_t id, CommandType type, const Command* hello) {
  if (type == CommandType::Choice || type == CommandType::Join) [[likely]] {
    if (c.m.players.human(id).online) [[likely]] {
      return type == CommandType::Choice ? on_choice(c, id) : on_join(c, id);
    }
  }
  bool kept = false;
  Verdict v = dispatch_rest(c, &kept, id, type, hello);
  c.timers_kept = kept;
  return v;
}

// A handle command's one error event, to the player the handle names (the uid API's
// recipient, by uid). Out of line, as are the refusals it is given: the accepted
// path stays short.
[[gnu::noinline]] std::optional<ErrorCode> refuse_handle(Engine::Impl& m, PlayerHandle who, Refusal r,
                                                         std::vector<Event>& out) {
  Event e;
  e.at = m.now;
  if (who.index < m.players.human_count()) {
    e.to.single = m.players.human(who.index).profile;
  } else {
    e.to.nobody = true;
  }
  e.data = ErrorData{r.code, std::move(r.message)};
  out.push_back(std::move(e));
  return r.code;
}

[[gnu::noinline]] Refusal unknown_handle(PlayerHandle who) {
  return Refusal{ErrorCode::UnknownPlayer, "unknown player handle " + std::to_string(who.index)};
}

[[gnu::noinline]] Refusal unknown_command() { return Refusal{ErrorCode::UnknownCommand, "unknown command"}; }

// A round's two commands, accepted, without the general path's verdicts: true when
// `c` was a join or a choice of an online player that the rules accept, and is done
// (as handle_by() would have done it); false when it is anything else or refused, and
// changed nothing but firing the timers due by `now`, for handle_by() to take it.
// `on_time`: the caller has found `now` a time the engine takes (a batch checks once);
// in a plain call it has also advanced the engine to `now`, and no command of a plain
// call queues a timer due by then (a deadline is at least a millisecond away).
// `R`: PlainRound when the call is plain (Engine::Impl::plain_call()).
template <bool on_time = false, class R = GeneralRound>
[[gnu::always_inline]] inline bool handle_accepted(Engine::Impl& m, const HandleCommand& c, Time now,
                                                   std::vector<Event>& out) {
  if (c.type != CommandType::Choice && c.type != CommandType::Join) [[unlikely]] return false;
  if (c.who.index >= m.players.human_count()) [[unlikely]] return false;
  if (!on_time && (now < m.now || now > kMaxTime)) [[unlikely]] return false;
  if constexpr (on_time && R::kPlain) {
    assert(m.now == now && m.timers.next_due() > now);
  } else {
    m.fire_due<R>(now, out);
    m.now = now;
  }
  const Engine::Impl::PlayerRec& p = m.players.human(c.who.index);
  if (!p.online) [[unlikely]] return false;
  if (c.type == CommandType::Choice) {
    detail::Seat* seat = nullptr;
    if (check_choice(m, p, c.value, seat) != ChoiceCheck::Accepted) [[unlikely]] return false;
    accept_choice<R>(m, p, *seat, c.value, now, out);
    return true;
  }
  const std::uint64_t started = m.rooms_started;
  // A refused join changes nothing: handle_by() runs it again for its message.
  if (m.join<R>(c.who.index, now, out)) [[unlikely]] return false;
  if (!join_kept_timers<R>(m, started)) m.prune<R>();
  return true;
}

}  // namespace

std::optional<ErrorCode> Engine::handle(const Command& cmd, Time now, std::vector<Event>& out) {
  Impl& m = *impl_;
  // A join or a choice by a registered uid that the rules accept: the handle path's
  // (everything else, and a refusal, as below; the lookup is then done again).
  if (cmd.type == CommandType::Choice || cmd.type == CommandType::Join) [[likely]] {
    const std::uint32_t id = m.players.find(cmd.from);
    if (id != kNone && handle_accepted(m, {PlayerHandle{id}, cmd.type, cmd.value}, now, out)) return std::nullopt;
  }
  auto refuse = [&](Refusal r) {
    out.push_back(error_event(m.now, cmd.from, m.cfg.max_uid_bytes, r.code, std::move(r.message)));
    return std::optional<ErrorCode>(r.code);
  };
  if (!advance(m, now, out)) return refuse(late(m, now));
  // What the command is comes next, then who sent it (docs/RULES.md §7, check order).
  if (static_cast<std::size_t>(cmd.type) >= std::size(kPlayerHandlers)) return refuse(unknown_command());
  // A registered uid passed this very check at its hello (or at restore), and the limit
  // is the config's, fixed for the engine: so a sender found in the index needs no
  // second look at its bytes, and the lookup goes first.
  const std::uint32_t id = cmd.type == CommandType::Hello ? kNone : m.players.find(cmd.from);
  if (id == kNone) {
    if (auto bad = check_text("from", cmd.from, 1, m.cfg.max_uid_bytes)) {
      return refuse({ErrorCode::InvalidField, std::move(*bad)});
    }
    if (cmd.type != CommandType::Hello) return refuse(offline(cmd.from));
  }
  Call call{m, cmd.value, now, out};
  if (Verdict v = dispatch(call, id, cmd.type, &cmd)) return refuse(std::move(*v));
  if (!call.timers_kept) m.prune();
  return std::nullopt;
}

namespace {

// The handle API's command, for the vector and the visiting calls alike.
[[gnu::always_inline]] inline std::optional<ErrorCode> handle_by(Engine::Impl& m, PlayerHandle who,
                                                                 CommandType type, std::int64_t value,
                                                                 Time now, std::vector<Event>& out) {
  if (!advance(m, now, out)) return refuse_handle(m, who, late(m, now), out);
  if (static_cast<std::size_t>(type) >= std::size(kPlayerHandlers)) [[unlikely]] {
    return refuse_handle(m, who, unknown_command(), out);
  }
  if (who.index >= m.players.human_count()) [[unlikely]] return refuse_handle(m, who, unknown_handle(who), out);
  Call call{m, value, now, out};
  if (Verdict v = dispatch(call, who.index, type, nullptr)) [[unlikely]] {
    return refuse_handle(m, who, std::move(*v), out);
  }
  if (!call.timers_kept) m.prune();
  return std::nullopt;
}

// A batch by handle: each command exactly as its own call, in one call.
template <class R = GeneralRound>
BatchResult handle_batch(Engine::Impl& m, std::span<const HandleCommand> batch, Time now,
                         std::vector<Event>& out) {
  // A time refused is the first command's refusal (handle_by() says so); a time taken
  // stays taken: the engine's clock is `now` from the first command on.
  if (batch.empty()) return {0, std::nullopt};
  if (now < m.now || now > kMaxTime) [[unlikely]] {
    const HandleCommand& c = batch[0];
    return {1, handle_by(m, c.who, c.type, c.value, now, out)};
  }
  // A plain batch fires what is due once: its commands queue deadlines only.
  if constexpr (R::kPlain) {
    advance<R>(m, now, out);
    m.preset_plain_views(now);
  }
  for (std::size_t i = 0; i < batch.size(); ++i) {
    const HandleCommand& c = batch[i];
    if (handle_accepted<true, R>(m, c, now, out)) [[likely]] continue;
    if (const auto refused = handle_by(m, c.who, c.type, c.value, now, out)) return {i + 1, refused};
    if constexpr (R::kPlain) {
      // A plain call's hot events are visited without a look at `out` (the pending ones).
      if (!out.empty()) m.visit_pending(out);
      m.preset_plain_views(now);
    }
  }
  return {batch.size(), std::nullopt};
}

}  // namespace

BatchResult Engine::handle(std::span<const HandleCommand> batch, Time now, std::vector<Event>& out) {
  return handle_batch(*impl_, batch, now, out);
}

BatchResult Engine::handle(std::span<const HandleCommand> batch, Time now, EventVisitor& visitor) {
  Impl& m = *impl_;
  VisitorScope scope(m, visitor);
  const BatchResult result = m.plain_call() ? handle_batch<PlainRound>(m, batch, now, m.pending)
                                            : handle_batch(m, batch, now, m.pending);
  if (!m.pending.empty()) m.visit_pending(m.pending);
  return result;
}

std::optional<ErrorCode> Engine::handle(PlayerHandle who, CommandType type, std::int64_t value,
                                        Time now, std::vector<Event>& out) {
  if (handle_accepted(*impl_, {who, type, value}, now, out)) return std::nullopt;
  return handle_by(*impl_, who, type, value, now, out);
}

std::optional<ErrorCode> Engine::handle(PlayerHandle who, CommandType type, std::int64_t value,
                                        Time now, std::vector<Event>& out, const EventSink& sink) {
  SinkScope scope(*impl_, sink);
  return handle(who, type, value, now, out);
}

// The visiting calls run the vector ones with the engine's `pending` vector, which only
// ever holds the events not visited directly (rare: errors, hi, leave, presence,
// resume), handed over in order.
std::optional<ErrorCode> Engine::handle(const Command& cmd, Time now, EventVisitor& visitor) {
  VisitorScope scope(*impl_, visitor);
  const auto refused = handle(cmd, now, impl_->pending);
  if (!impl_->pending.empty()) impl_->visit_pending(impl_->pending);
  return refused;
}

std::optional<ErrorCode> Engine::handle(PlayerHandle who, CommandType type, std::int64_t value, Time now,
                                        EventVisitor& visitor) {
  Impl& m = *impl_;
  VisitorScope scope(m, visitor);
  std::optional<ErrorCode> refused;
  const HandleCommand c{who, type, value};
  const bool plain = m.plain_call();
  if (plain) m.preset_plain_views(now);
  if (!(plain ? handle_accepted<false, PlainRound>(m, c, now, m.pending) : handle_accepted(m, c, now, m.pending))) {
    refused = handle_by(m, who, type, value, now, m.pending);
  }
  if (!m.pending.empty()) m.visit_pending(m.pending);
  return refused;
}

std::optional<ErrorCode> Engine::tick(Time now, EventVisitor& visitor) {
  Impl& m = *impl_;
  VisitorScope scope(m, visitor);
  std::optional<ErrorCode> refused;
  // A time refused changes nothing: tick() then refuses it with its message.
  if (!(m.plain_call() && advance<PlainRound>(m, now, m.pending))) refused = tick(now, m.pending);
  if (!impl_->pending.empty()) impl_->visit_pending(impl_->pending);
  return refused;
}

void Engine::prefetch(PlayerHandle who, bool deep) const noexcept {
  const Impl& m = *impl_;
  if (who.index >= m.players.human_count()) return;
  const detail::PlayerRec& p = m.players.human(who.index);
  if (!deep) {
    // A record may straddle two lines; the block pointer the deep hint reads may be in
    // either.
    __builtin_prefetch(&p);
    __builtin_prefetch(reinterpret_cast<const char*>(&p + 1) - 1);
  } else if (p.block != nullptr) {
    // Addresses only: reading the block here would wait for the very line being fetched.
    // The count and size a movement's view takes; with movements filtered nothing reads
    // them, and a choice already waits on more lines than the core keeps in flight.
    if (m.event_filter & event_bit(EventType::Movement)) __builtin_prefetch(p.block);
    __builtin_prefetch(&m.seat_at(*p.block, p.seat), 1);
  }
}

void Engine::prefetch(std::string_view uid) const noexcept { impl_->players.prefetch(uid); }

void Engine::reserve(std::size_t players) {
  Impl& m = *impl_;
  m.players.reserve_humans(players);
  // Growing by an eighth moves the records ~70 times on the way to a 100 k lobby's
  // rooms, each move a fresh allocation and a freed one: two shards ran at 1.73x one
  // instead of 1.96x with the rooms reserved.
  m.rooms.reserve(players / m.cfg.capacity + 1);
}

std::optional<PlayerHandle> Engine::find_player(std::string_view uid) const noexcept {
  const std::uint32_t id = impl_->players.find(uid);
  if (id == kNone) return std::nullopt;
  return PlayerHandle{id};
}

std::string_view Engine::uid_of(PlayerHandle who) const {
  if (who.index >= impl_->players.human_count()) {
    throw std::out_of_range("uid_of: no player has handle " + std::to_string(who.index));
  }
  return impl_->players.human(who.index).profile->uid();
}

std::optional<ErrorCode> Engine::handle(const Command& cmd, Time now, std::vector<Event>& out,
                                        const EventSink& sink) {
  SinkScope scope(*impl_, sink);
  return handle(cmd, now, out);
}

std::vector<Event> Engine::handle(const Command& cmd, Time now) {
  std::vector<Event> out;
  handle(cmd, now, out);
  return out;
}

void Engine::handle_or_throw(const Command& cmd, Time now, std::vector<Event>& out) {
  if (auto code = handle(cmd, now, out)) {
    throw CommandError(*code, std::get<ErrorData>(out.back().data).message);
  }
}

std::optional<ErrorCode> Engine::tick(Time now, std::vector<Event>& out) {
  Impl& m = *impl_;
  if (now < m.now || now > kMaxTime) {
    const ErrorCode code = now < m.now ? ErrorCode::TimeWentBackwards : ErrorCode::InvalidField;
    out.push_back(error_event(m.now, {}, 0, code,
                              now < m.now ? "time went backwards: " + std::to_string(now) +
                                                " < " + std::to_string(m.now)
                                          : std::string("at: larger than 2^62")));
    return code;
  }
  m.fire_due(now, out);
  m.now = now;
  return std::nullopt;
}

std::optional<ErrorCode> Engine::tick(Time now, std::vector<Event>& out, const EventSink& sink) {
  SinkScope scope(*impl_, sink);
  return tick(now, out);
}

std::vector<Event> Engine::tick(Time now) {
  std::vector<Event> out;
  tick(now, out);
  return out;
}

ErrorCode Engine::reject(std::string_view from, std::optional<Time> now, ErrorCode code,
                         std::string message, std::vector<Event>& out) {
  Impl& m = *impl_;
  // A readable time is checked first, as for a command that decoded: a bad line from
  // the past is time_went_backwards, whatever else is wrong with it.
  if (now && *now > kMaxTime) {
    code = ErrorCode::InvalidField;
    message = "at: larger than 2^62";
  } else if (now && *now < m.now) {
    code = ErrorCode::TimeWentBackwards;
    message = "time went backwards: " + std::to_string(*now) + " < " + std::to_string(m.now);
  } else if (now) {
    m.fire_due(*now, out);
    m.now = *now;
  }
  out.push_back(error_event(m.now, from, m.cfg.max_uid_bytes, code, std::move(message)));
  return code;
}

ErrorCode Engine::reject(std::string_view from, std::optional<Time> now, ErrorCode code,
                         std::string message, std::vector<Event>& out, const EventSink& sink) {
  SinkScope scope(*impl_, sink);
  return reject(from, now, code, std::move(message), out);
}

std::string Engine::snapshot() const { return impl_->snapshot(); }
Engine Engine::from_snapshot(std::string_view json) { return Engine(Impl::restore(json)); }
void Engine::restore(std::string_view json) {
  std::unique_ptr<Impl> fresh = Impl::restore(json);
  // The host's choices about events are not state: they outlive the state they filter.
  fresh->event_filter = impl_->event_filter;
  fresh->filtered_events = impl_->filtered_events;
  impl_ = std::move(fresh);
}

void Engine::set_event_filter(EventFilter types) noexcept { impl_->event_filter = types & kAllEvents; }
EventFilter Engine::event_filter() const noexcept { return impl_->event_filter; }
std::uint64_t Engine::filtered_events() const noexcept { return impl_->filtered_events; }
std::uint64_t Engine::digest() const { return impl_->digest(); }
void Engine::verify() const { impl_->verify(); }

EngineStats Engine::stats() const noexcept {
  const Impl& m = *impl_;
  return EngineStats{m.players.human_count(), m.online,         m.players.live_bots(), m.open_rooms,
                     m.waiting.size(), m.rooms_settled, m.timers.size()};
}

}  // namespace roshambo
