#pragma once
// Basic vocabulary shared by every layer: time, choices, error codes, exceptions.

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace roshambo {

/// Host time in milliseconds. The engine never reads a clock; the host passes this in.
using Time = std::int64_t;

/// Largest `now` the engine accepts; keeps every `now + duration` clear of overflow.
inline constexpr Time kMaxTime = Time{1} << 62;

/// Wire codes of docs/RULES.md §3: 0 means "no choice".
enum class Choice : std::uint8_t { None = 0, Scissors = 1, Rock = 2, Paper = 3 };

/// Stable error codes of docs/RULES.md §7. The order is part of the ABI; append only.
enum class ErrorCode : std::uint8_t {
  UnknownPlayer,
  NotInRoom,
  NotPlaying,
  GameInProgress,
  InvalidChoice,
  InvalidFace,
  InvalidField,
  UnknownCommand,
  Malformed,
  TimeWentBackwards,
  CapacityExceeded,
};

/// The stable wire string of a code, e.g. "unknown_player".
std::string_view to_string(ErrorCode code) noexcept;
/// Inverse of to_string; nullopt for an unknown string.
std::optional<ErrorCode> error_code_from_string(std::string_view s) noexcept;

/// Wire name of a choice: "none", "scissors", "rock", "paper".
std::string_view to_string(Choice c) noexcept;

/// A command the engine refused. Only thrown by the *_or_throw entry points.
class CommandError : public std::runtime_error {
 public:
  CommandError(ErrorCode code, const std::string& message)
      : std::runtime_error(message), code_(code) {}
  /// The docs/RULES.md §7 code.
  ErrorCode code() const noexcept { return code_; }

 private:
  ErrorCode code_;
};

/// An invalid configuration; the message names the field.
class ConfigError : public std::invalid_argument {
 public:
  ConfigError(std::string field, const std::string& message)
      : std::invalid_argument(message), field_(std::move(field)) {}
  /// The offending field, e.g. "capacity".
  const std::string& field() const noexcept { return field_; }

 private:
  std::string field_;
};

/// A snapshot that cannot be restored; the engine it was meant for is unchanged.
class SnapshotError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

/// verify() found a broken invariant: always a bug in roshambo.
class InvariantError : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

}  // namespace roshambo
