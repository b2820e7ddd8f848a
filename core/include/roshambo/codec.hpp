#pragma once
// JSON Lines codec of docs/RULES.md §9: command-log lines in, event-log lines out. Field
// names follow the original protocol (docs/RULES.md §3). Output is compact JSON with keys in
// a fixed order, so equal events give equal bytes.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "roshambo/command.hpp"
#include "roshambo/config.hpp"
#include "roshambo/event.hpp"

namespace roshambo {

/// A command-log line that decoded cleanly.
struct LogLine {
  Time at = 0;
  bool tick = false;   ///< {"type": "tick"}: no command, only time passing
  Command command;     ///< when !tick
};

/// A command-log line that did not decode. What could be read is kept so the error
/// event can go to the sender at the right time.
struct DecodeError {
  std::optional<Time> at;
  std::optional<std::string> from;
  ErrorCode code = ErrorCode::Malformed;
  std::string message;
};

/// Decode one line (no trailing newline). Lines longer than `limits.max_command_bytes`
/// are refused before parsing; uid/name/avatar lengths are checked against `limits`.
std::variant<LogLine, DecodeError> decode_command_line(std::string_view line,
                                                       const Config& limits);

/// The command type of a wire name ("hello", "join", ...); nullopt for anything else,
/// "tick" included.
std::optional<CommandType> command_type_from_string(std::string_view name) noexcept;

/// The `unknown_command` message for a type name: quotes at most its first 64 bytes,
/// cut before a character, never inside one.
std::string unknown_command_message(std::string_view name);

/// Encode a command as a command-log line (no newline), the inverse of decoding.
std::string encode_command_line(const Command& cmd, Time at);
/// Encode a tick line: {"at":T,"type":"tick"}.
std::string encode_tick_line(Time at);

/// Append `e` as one event-log line (no newline).
void append_event_json(const Event& e, std::string& out);
/// `e` as one event-log line (no newline).
std::string event_to_json(const Event& e);

/// Wire room id: "room-<n>".
std::string room_id(std::uint64_t number);

/// Append `s` as a JSON string literal, escaped as nlohmann::json and Python's
/// json.dumps(ensure_ascii=False) do. `s` must be valid UTF-8.
void append_json_string(std::string_view s, std::string& out);

/// True when `s` is valid UTF-8 (no overlongs, no surrogates).
bool valid_utf8(std::string_view s) noexcept;

}  // namespace roshambo
