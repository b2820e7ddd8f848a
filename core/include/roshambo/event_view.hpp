#pragma once
// Borrowed events, for trusted hosts that read each event once (a server forwarding it,
// the simulator): Engine::handle and Engine::tick given an EventVisitor call it with
// each event as an EventView instead of appending an Event to a vector. A view points
// into the engine (the room's members, profiles, scores and rows), so making one counts
// no reference and allocates nothing; it is valid only during the call. What a visitor
// keeps, it copies: plain values, or to_event() for an owning Event, which (like every
// Event) may then go to another thread.

#include <cstdint>
#include <span>
#include <string_view>

#include "roshambo/event.hpp"
#include "roshambo/types.hpp"

namespace roshambo {

/// One event, borrowed: everything it points to is valid only during the
/// EventVisitor::on_event call that gives it. The audience is as Event::to; the payload
/// fields are those of the type's Data struct, the others left at their defaults.
struct EventView {
  EventType type = EventType::Hi;
  Time at = 0;

  /// Audience: the first `count` members of `members` but seat `except`, or `single`
  /// when set, or nobody (an error with no known sender).
  const MemberList* members = nullptr;
  std::uint32_t count = 0;
  std::uint32_t except = UINT32_MAX;
  const ProfileRef* single = nullptr;
  bool nobody = false;

  std::uint64_t room = 0;        ///< room, start, result, resume: the room number
  bool full = false;             ///< room, resume
  bool online = false;           ///< presence
  bool playing = false;          ///< resume
  std::uint8_t face = 0;         ///< movement: 0 for a choice, 1..4 a face
  std::uint64_t nearby = 0;      ///< hi
  std::int64_t game_time_ms = 0; ///< start
  Time deadline = 0;             ///< start, resume
  Choice choice = Choice::None;  ///< resume
  /// room, resume: the members listed (the audience's list, but for a re-join's `room`
  /// and a `resume`, which go to one player): the first `users_count` of `users`.
  const MemberList* users = nullptr;
  std::uint32_t users_count = 0;
  std::span<const StartScore> scores;  ///< start: one per member
  std::span<const ResultRow> rows;     ///< result: one per member, `who` into `members`
  const ProfileRef* who = nullptr;     ///< leave, presence
  ErrorCode code = ErrorCode::Malformed;  ///< error
  std::string_view message;               ///< error
};

/// Receives the events of one Engine call, in the order the vector API would list them.
/// on_event must not call the engine and cannot throw (the engine is mid-command).
class EventVisitor {
 public:
  virtual ~EventVisitor() = default;
  /// One event, valid until this call returns.
  virtual void on_event(const EventView& e) noexcept = 0;
};

/// The borrowed form of `e`, valid while `e` lives and is unchanged.
EventView view_of(const Event& e) noexcept;

/// An owning Event with the same content as `v` (it shares the members' list and
/// profiles, counting references, and copies scores and rows): what a visitor keeps.
Event to_event(const EventView& v);

}  // namespace roshambo
