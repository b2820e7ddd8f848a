#pragma once
// The lean round: the floor (floor.hpp) plus the duties of a round that the engine
// cannot skip on its hot path, each done the cheapest way known here. It answers what
// an engine with every rule the floor leaves out of a plain round would cost at best,
// so the gap between the engine and the floor splits in two: what the duties cost (the
// floor to the lean round) and what the engine's own structure costs (the lean round to
// the engine). docs/PERFORMANCE.md gives both.
//
// The duties it does, as the engine does them for a round of handle commands:
// - every command checked: a known, online player; a join from no room; a choice of
//   1..3 from a seat of a playing room; time never going back;
// - rooms by slot, reused, each with its number, opening time, deadline and generation;
//   the waiting rooms a join fills, in creation order (fill_policy `oldest`);
// - each room's members listed by profile (the list an event's audience is), seats
//   with their choices and phase;
// - the deadlines in a queue, in due order, each checked live by generation when due;
// - every event given to a visitor as a view: room, start (scores with handles),
//   movement and result (rows with tallies, scores and handles);
// - the scoring of docs/RULES.md §5, each member's last outcome, the engine's counters.
// Left out, as the round benchmarks do not use them: bots and their timers, the other
// fill policies, reconnection grace, max_rooms, leaving, events in vectors, the event
// filter, refusals' messages, snapshots and uids.

#include <cstdint>
#include <limits>
#include <vector>

#include "floor.hpp"

namespace roshambo::bench {

/// A member's score when their room started, with their handle (as StartScore).
struct LeanStartScore {
  std::int64_t total_score = 0;
  std::uint32_t win_streak = 0;
  std::uint32_t handle = 0;
};

/// Kind of a LeanView.
enum class LeanEventType : std::uint8_t { Room, Start, Movement, Result };

/// One event, borrowed during LeanVisitor::on_event, as the engine's EventView: the
/// first `count` members of `members` but seat `except`, and the type's payload.
struct LeanView {
  LeanEventType type = LeanEventType::Room;
  std::int64_t at = 0;
  std::uint64_t room = 0;
  const void* const* members = nullptr;  // profiles, in seat order
  std::uint32_t count = 0;
  std::uint32_t except = std::numeric_limits<std::uint32_t>::max();
  bool full = false;                    // room
  std::uint8_t face = 0;                // movement
  std::int64_t game_time_ms = 0;        // start
  std::int64_t deadline = 0;            // start
  const LeanStartScore* scores = nullptr;  // start: one per member
  const FloorRow* rows = nullptr;          // result: one per member, `player` its handle
};

/// Receives a lean round's events, one call each.
class LeanVisitor {
 public:
  virtual ~LeanVisitor() = default;
  virtual void on_event(const LeanView& e) noexcept = 0;
};

/// A command by handle: join, or choice `value`.
struct LeanCommand {
  enum Type : std::uint8_t { Join = 1, Choice = 2 };
  std::uint32_t who = 0;
  Type type = Join;
  std::uint8_t value = 0;
};

/// `players` online players (handles 0..players-1) in rooms of `capacity`, with a
/// round of `game_time_ms`.
class LeanLobby {
 public:
  LeanLobby(std::size_t players, std::uint32_t capacity, ScoringRules rules = {}, std::int64_t game_time_ms = 5000)
      : cap_(capacity), rules_(rules), game_time_ms_(game_time_ms), players_(players), profiles_(players) {
    for (std::size_t i = 0; i < players; ++i) players_[i].profile = &profiles_[i];
    const std::size_t rooms = players / capacity + 2;
    rooms_.reserve(rooms);
    free_.reserve(rooms);
    seats_.resize(rooms * capacity);
    members_.resize(rooms * capacity);
    deadlines_.resize(rooms + 1);
    scores_.resize(capacity);
    rows_.resize(capacity);
  }

  /// A moment's commands at `now`: the deadlines due first, then each command. Stops at
  /// the first refusal (which changes nothing) and returns false.
  bool handle(const std::vector<LeanCommand>& commands, std::int64_t now, LeanVisitor& v) {
    if (now < now_) return false;
    tick(now, v);
    for (const LeanCommand& c : commands) {
      if (c.who >= players_.size()) [[unlikely]] return false;
      Player& p = players_[c.who];
      if (!p.online) [[unlikely]] return false;
      if (c.type == LeanCommand::Choice) {
        if (c.value < 1 || c.value > 3 || p.room == kNone) [[unlikely]] return false;
        const std::size_t first = std::size_t{p.room} * cap_;
        Seat& s = seats_[first + p.seat];
        if (!s.playing) [[unlikely]] return false;
        s.choice = c.value;
        LeanView& e = movement_;
        e.type = LeanEventType::Movement;
        e.at = now;
        e.members = &members_[first];
        e.count = rooms_[p.room].size;
        e.except = p.seat;
        v.on_event(e);
      } else if (c.type == LeanCommand::Join) {
        if (p.room != kNone) [[unlikely]] return false;
        join(c.who, p, now, v);
      } else {
        return false;
      }
    }
    return true;
  }

  /// Settle every room whose deadline is due by `now`.
  void tick(std::int64_t now, LeanVisitor& v) {
    if (now < now_) return;
    while (head_ != tail_ && deadlines_[head_].due <= now) {
      const Deadline d = deadlines_[head_];
      head_ = head_ + 1 == deadlines_.size() ? 0 : head_ + 1;
      Room& r = rooms_[d.slot];
      if (r.number != 0 && r.gen == d.gen) settle(d.slot, r, d.due, v);
    }
    now_ = now;
  }

  std::int64_t total_score(std::uint32_t id) const noexcept { return players_[id].total; }
  std::uint32_t win_streak(std::uint32_t id) const noexcept { return players_[id].streak; }
  std::uint64_t rooms_settled() const noexcept { return settled_; }
  std::uint64_t open_rooms() const noexcept { return rooms_.size() - free_.size(); }

 private:
  static constexpr std::uint32_t kNone = std::numeric_limits<std::uint32_t>::max();
  struct Profile {  // stands for the engine's: what a view's members point to
    char text[64] = {};
  };
  struct Player {
    std::int64_t total = 0;
    const Profile* profile = nullptr;
    std::uint32_t streak = 0;
    std::uint32_t room = kNone;  // slot
    std::uint16_t seat = 0;
    std::uint8_t last = 0;  // win 1, draw 2, loss 3
    bool online = true;
  };
  struct Seat {
    std::uint32_t player;
    std::uint8_t choice;
    bool playing;
  };
  struct Room {
    std::uint64_t number = 0;  // 0: free slot
    std::int64_t opened = 0, deadline = 0;
    std::uint32_t gen = 0;
    std::uint32_t next = kNone;  // waiting list
    std::uint16_t size = 0, humans = 0;
    bool playing = false;
  };
  struct Deadline {
    std::int64_t due;
    std::uint32_t slot, gen;
  };

  /// `e` (one of the kept views) made a `t` event at `at` to every member of room `r`
  /// (its seats from `first`); the caller sets the type's other fields.
  LeanView& to_room(LeanView& e, LeanEventType t, const Room& r, std::size_t first, std::int64_t at) const noexcept {
    e.type = t;
    e.at = at;
    e.room = r.number;
    e.members = &members_[first];
    e.count = r.size;
    return e;
  }

  void join(std::uint32_t id, Player& p, std::int64_t at, LeanVisitor& v) {
    std::uint32_t slot = waiting_head_;
    if (slot == kNone) slot = open_room(at);
    Room& r = rooms_[slot];
    const std::uint32_t seat = r.size++;
    const std::size_t first = std::size_t{slot} * cap_;
    seats_[first + seat] = {id, 0, false};
    members_[first + seat] = p.profile;
    p.room = slot;
    p.seat = static_cast<std::uint16_t>(seat);
    ++r.humans;
    LeanView& e = to_room(room_, LeanEventType::Room, r, first, at);
    e.full = r.size == cap_;
    v.on_event(e);
    if (r.size == cap_) start(slot, r, at, v);
  }

  std::uint32_t open_room(std::int64_t at) {
    std::uint32_t slot;
    if (!free_.empty()) {
      slot = free_.back();
      free_.pop_back();
    } else {
      slot = static_cast<std::uint32_t>(rooms_.size());
      rooms_.emplace_back();
    }
    Room& r = rooms_[slot];
    r.number = next_room_++;
    ++r.gen;
    r.opened = at;
    r.deadline = 0;
    r.size = r.humans = 0;
    r.playing = false;
    r.next = kNone;
    if (waiting_tail_ != kNone) rooms_[waiting_tail_].next = slot; else waiting_head_ = slot;
    waiting_tail_ = slot;
    return slot;
  }

  void start(std::uint32_t slot, Room& r, std::int64_t at, LeanVisitor& v) {
    // The oldest waiting room is the one that filled.
    waiting_head_ = r.next;
    if (waiting_head_ == kNone) waiting_tail_ = kNone;
    r.next = kNone;
    r.playing = true;
    ++r.gen;
    ++started_;
    r.deadline = at + game_time_ms_;
    deadlines_[tail_] = {r.deadline, slot, r.gen};
    tail_ = tail_ + 1 == deadlines_.size() ? 0 : tail_ + 1;
    const std::size_t first = std::size_t{slot} * cap_;
    for (std::uint32_t i = 0; i < r.size; ++i) {
      Seat& s = seats_[first + i];
      s.playing = true;
      const Player& m = players_[s.player];
      scores_[i] = {m.total, m.streak, s.player};
    }
    LeanView& e = to_room(start_, LeanEventType::Start, r, first, at);
    e.game_time_ms = game_time_ms_;
    e.deadline = r.deadline;
    e.scores = scores_.data();
    v.on_event(e);
  }

  void settle(std::uint32_t slot, Room& r, std::int64_t at, LeanVisitor& v) {
    const std::size_t first = std::size_t{slot} * cap_;
    std::uint32_t n[4] = {0, 0, 0, 0};
    for (std::uint32_t i = 0; i < r.size; ++i) ++n[seats_[first + i].choice];
    std::int64_t base_sum = 0;
    for (std::uint32_t i = 0; i < r.size; ++i) {
      const Seat& s = seats_[first + i];
      Player& p = players_[s.player];
      const PairTally t = floor_tally(s.choice, n, r.size);
      const std::int64_t x = t.base();
      base_sum += x;
      const std::int64_t delta = floor_score(x, p.streak, p.total, rules_);
      p.last = static_cast<std::uint8_t>(2 - (x > 0) + (x < 0));
      p.room = kNone;
      rows_[i] = {delta, p.total, s.player, p.streak, static_cast<std::uint16_t>(t.wins),
                  static_cast<std::uint16_t>(t.losses), s.choice};
    }
    if (base_sum != 0) ++bad_settlements_;
    ++settled_;
    LeanView& e = to_room(result_, LeanEventType::Result, r, first, at);
    e.rows = rows_.data();
    v.on_event(e);
    r.number = 0;
    ++r.gen;
    free_.push_back(slot);
  }

  std::uint32_t cap_;
  ScoringRules rules_;
  std::int64_t game_time_ms_;
  std::int64_t now_ = 0;
  std::vector<Player> players_;
  std::vector<Profile> profiles_;
  std::vector<Room> rooms_;
  std::vector<std::uint32_t> free_;
  std::uint32_t waiting_head_ = kNone, waiting_tail_ = kNone;
  std::vector<Seat> seats_;           // capacity per slot
  std::vector<const void*> members_;  // profiles, capacity per slot
  std::vector<Deadline> deadlines_;   // a ring: one duration, so due order is push order
  std::size_t head_ = 0, tail_ = 0;
  std::vector<LeanStartScore> scores_;  // the visited start's
  std::vector<FloorRow> rows_;           // the visited result's
  std::uint64_t next_room_ = 1, started_ = 0, settled_ = 0, bad_settlements_ = 0;
  LeanView room_, start_, movement_, result_;  // one per type, reused
};

}  // namespace roshambo::bench
