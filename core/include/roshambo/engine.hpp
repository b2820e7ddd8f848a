#pragma once
// The rules engine (docs/RULES.md §2–§8): one lobby shard, driven by commands and host time.
// No I/O, no clock, no threads, no globals: not thread-safe, so run one per thread.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "roshambo/command.hpp"
#include "roshambo/config.hpp"
#include "roshambo/event.hpp"
#include "roshambo/event_view.hpp"
#include "roshambo/types.hpp"

namespace roshambo {

/// Read-only copy of one player's state.
struct PlayerInfo {
  std::string uid, name, avatar;
  std::int64_t total_score = 0;
  std::uint32_t win_streak = 0;
  bool online = false;
  bool bot = false;
  std::optional<std::uint64_t> room;  ///< room number when in a room
};

/// Room phases; a closed room no longer exists.
enum class Phase : std::uint8_t { Waiting, Playing };

/// Read-only copy of one open room.
struct RoomInfo {
  std::uint64_t number = 0;  ///< wire id "room-<number>"
  Phase phase = Phase::Waiting;
  Time opened_at = 0;
  std::optional<Time> deadline;  ///< when playing
  std::vector<std::string> members;  ///< uids in join order
  std::vector<Choice> choices;       ///< per member, in join order
};

/// Counters for hosts and benchmarks.
struct EngineStats {
  std::uint64_t players = 0;       ///< registered humans
  std::uint64_t online = 0;        ///< humans online
  std::uint64_t bots = 0;          ///< bots alive
  std::uint64_t rooms = 0;         ///< open rooms
  std::uint64_t waiting_rooms = 0;
  std::uint64_t rooms_settled = 0; ///< since creation
  std::uint64_t timers = 0;        ///< queued timer entries: the live ones and cancelled ones not
                                   ///< yet dropped (swept out whenever the queue doubles)
};

/// A registered human's dense handle: its index in registration order. Humans are never
/// removed, so it is stable for the life of the engine, its copies and the engines
/// restored from its snapshots. Trusted hosts (a server's connection, the simulator)
/// keep it to skip the uid lookup every uid command starts with.
struct PlayerHandle {
  std::uint32_t index = UINT32_MAX;
  friend bool operator==(PlayerHandle, PlayerHandle) = default;
};

/// One command of a batch by handle (the batch overloads of Engine::handle): `type`
/// with `value` from `who`, as the single handle overloads take them.
struct HandleCommand {
  PlayerHandle who;
  CommandType type = CommandType::Join;
  std::int64_t value = 0;  ///< the choice or face code
};

/// How far a batch went: its first `handled` commands were handled. When `refused` is
/// set, the last of them was refused with that code and the batch stopped there; pass
/// the rest again to go on.
struct BatchResult {
  std::size_t handled = 0;
  std::optional<ErrorCode> refused;
};

/// Receives the events of one call in chunks while it runs (the handle/tick/reject
/// overloads that take one), so that a long jump in time, which fires every timer on
/// the way, streams to the host in bounded memory. It is given the call's `out`
/// vector; the engine clears it afterwards. It must not call the engine. If it throws,
/// the exception leaves the call: the timers fired so far stay fired, now() is the
/// time of the last of them, and the command is not applied.
using EventSink = std::function<void(std::vector<Event>& chunk)>;

/// The engine. Copyable (a deep copy is a fork of the lobby) and movable.
class Engine {
 public:
  /// With a sink, `out` is handed over once it holds this many events and every timer
  /// due at the same moment has fired (a single moment's events are never split, so
  /// they are bounded by the lobby's size, not by the jump's length).
  static constexpr std::size_t kEventChunk = 1024;

  /// Throws ConfigError when the config is invalid.
  explicit Engine(Config config = {});
  Engine(const Engine&);
  Engine& operator=(const Engine&);
  Engine(Engine&&) noexcept;
  Engine& operator=(Engine&&) noexcept;
  ~Engine();

  const Config& config() const noexcept;

  /// Fire every timer due at or before `now`, then apply `cmd`; append the events to
  /// `out`. Returns the error code when the command was refused: the refusal is also
  /// an `error` event in `out`, and the command changed nothing (the timers due by
  /// `now` still fire, except on time_went_backwards, which changes nothing at all).
  std::optional<ErrorCode> handle(const Command& cmd, Time now, std::vector<Event>& out);
  /// As above, streaming the events of due timers to `sink` in chunks (EventSink);
  /// the rest stays in `out`.
  std::optional<ErrorCode> handle(const Command& cmd, Time now, std::vector<Event>& out,
                                  const EventSink& sink);
  /// As above, returning the events.
  std::vector<Event> handle(const Command& cmd, Time now);
  /// As handle(), but a refusal throws CommandError (its events are still in `out`).
  void handle_or_throw(const Command& cmd, Time now, std::vector<Event>& out);

  /// As handle(cmd, …), for the player `who` with no uid to look up: `type` with `value`
  /// (the choice or face code; ignored by the other commands). Events and errors are
  /// those of the uid command; hello re-sends the player's current name and avatar (a
  /// reconnect), and a handle the engine never issued is refused as unknown_player
  /// with no recipient. Behaviour and logs are those of the uid API, byte for byte.
  std::optional<ErrorCode> handle(PlayerHandle who, CommandType type, std::int64_t value, Time now,
                                  std::vector<Event>& out);
  /// As above, streaming the events of due timers to `sink` in chunks (EventSink).
  std::optional<ErrorCode> handle(PlayerHandle who, CommandType type, std::int64_t value, Time now,
                                  std::vector<Event>& out, const EventSink& sink);

  /// As the handle overloads above, giving each event to `visitor` as a borrowed view
  /// (EventView, valid during its call) instead of appending it to a vector: the same
  /// events in the same order, the same state, for a host that reads each event once
  /// and copies what it keeps. A room's common events (room, start, movement, result)
  /// are never built as Events: no reference is counted, nothing is allocated.
  std::optional<ErrorCode> handle(const Command& cmd, Time now, EventVisitor& visitor);
  std::optional<ErrorCode> handle(PlayerHandle who, CommandType type, std::int64_t value, Time now,
                                  EventVisitor& visitor);

  /// As the handle overload for `who` above, for each command of `batch` in order, all at
  /// `now`, up to and including the first one refused: the same events in the same
  /// order, the same state and the same refusals as that many calls, with a call's
  /// fixed costs (entry, the visitor's scope, the time check) paid once. For a trusted
  /// host with a moment's commands in hand: a round's joins, a server's tick of queued
  /// messages. A refused time refuses the first command only, as its own call would;
  /// an empty batch does nothing (not even check the time). Should a command throw
  /// (std::bad_alloc), the exception leaves the batch as it would leave that command's
  /// call, and the commands before it stay applied.
  BatchResult handle(std::span<const HandleCommand> batch, Time now, std::vector<Event>& out);
  /// As above, giving each event to `visitor` as a borrowed view (see handle).
  BatchResult handle(std::span<const HandleCommand> batch, Time now, EventVisitor& visitor);

  /// A hint for a host that knows its next commands (the simulator does): start loading
  /// what a command from `who` will touch, some commands before it is sent. A shallow
  /// hint loads the player's record; a deep one reads that record and loads the
  /// player's seat, so give it a few commands after the shallow one, once the record
  /// has arrived. Changes nothing; a handle the engine never issued is ignored.
  void prefetch(PlayerHandle who, bool deep = false) const noexcept;

  /// The same for a host of uid commands that knows its next ones (a queue of messages,
  /// a log): start loading the first line the uid's lookup reads. Changes nothing.
  void prefetch(std::string_view uid) const noexcept;

  /// Room for `players` registered humans in all: their records and the uid index are
  /// sized once, instead of growing (copying, re-indexing) as hellos arrive, and so
  /// are the records of the rooms that seat them all at once. For a host that knows
  /// its lobby's size (the simulator). Changes nothing observable; may throw
  /// std::bad_alloc (then nothing changed, or only the players' share) and std::length_error.
  void reserve(std::size_t players);

  /// The handle of a registered human (online or not), or nullopt: one uid lookup.
  std::optional<PlayerHandle> find_player(std::string_view uid) const noexcept;
  /// A registered human's uid; the handle must come from this engine (or its copies).
  std::string_view uid_of(PlayerHandle who) const;

  /// Fire the timers due at or before `now`. A `now` in the past yields one error
  /// event (no recipient) and changes nothing. O(1) when nothing is due.
  std::optional<ErrorCode> tick(Time now, std::vector<Event>& out);
  /// As above, streaming the events to `sink` in chunks (EventSink); the rest stays
  /// in `out`.
  std::optional<ErrorCode> tick(Time now, std::vector<Event>& out, const EventSink& sink);
  /// As above, returning the events.
  std::vector<Event> tick(Time now);
  /// As above, giving each event to `visitor` as a borrowed view (see handle).
  std::optional<ErrorCode> tick(Time now, EventVisitor& visitor);

  /// Refuse a command that never reached the engine (a bad log line): fire the timers
  /// due by `now` when `now` is valid, then emit one error event to `from` and return
  /// its code. The time is checked first, as for any command: a `now` before the
  /// engine's time is refused as time_went_backwards (and one beyond 2^62 as
  /// invalid_field) instead of `code`, and fires nothing.
  ErrorCode reject(std::string_view from, std::optional<Time> now, ErrorCode code,
                   std::string message, std::vector<Event>& out);
  /// As above, streaming the events of due timers to `sink` in chunks (EventSink).
  ErrorCode reject(std::string_view from, std::optional<Time> now, ErrorCode code,
                   std::string message, std::vector<Event>& out, const EventSink& sink);

  /// Build only events of these types (event_bit() of each, or'ed; kAllEvents by
  /// default). Error events are always built. For hosts that read only some events: the
  /// simulator, without an event log, reads starts and results and skips building the
  /// rest. The rules and the state are the same whatever the filter: it is not part of
  /// snapshots or digests; copies and restore() keep it.
  void set_event_filter(EventFilter types) noexcept;
  /// The current filter.
  EventFilter event_filter() const noexcept;
  /// Events the filter kept from being built, since creation (a copy starts from its
  /// original's count; restore() keeps the count).
  std::uint64_t filtered_events() const noexcept;

  /// When the next timer is due, if any.
  std::optional<Time> next_deadline() const noexcept;
  /// The latest time the engine has seen (starts at 0).
  Time now() const noexcept;

  /// The whole state as JSON, with a format version.
  std::string snapshot() const;
  /// Rebuild an engine from snapshot(). Throws SnapshotError on any defect.
  static Engine from_snapshot(std::string_view json);
  /// Replace this engine's state with a snapshot; on error nothing changes.
  void restore(std::string_view json);

  /// 64-bit hash of the whole logical state (independent of memory layout).
  std::uint64_t digest() const;
  /// Check every invariant of docs/RULES.md §8; throws InvariantError on the first broken one.
  void verify() const;

  /// A copy of one player's state (bots included), or nullopt.
  std::optional<PlayerInfo> player(std::string_view uid) const;
  /// Copies of every player (bots included), in registration order.
  std::vector<PlayerInfo> players() const;
  /// A copy of one open room, or nullopt.
  std::optional<RoomInfo> room(std::uint64_t number) const;
  /// Copies of every open room, by room number.
  std::vector<RoomInfo> rooms() const;
  /// Counters.
  EngineStats stats() const noexcept;

  struct Impl;

 private:
  explicit Engine(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace roshambo
