#pragma once
// Internal header, not a stable API: it may change in any release. It is installed
// only because the Python binding and roshambo/replay.hpp include it.
//
// The one command decoder. The JSON Lines codec reads log lines with it and the
// Python binding reads command dicts with it, each through its own field reader, so
// the checks, their order and their messages exist once and a dict and its JSON line
// are refused identically.

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "roshambo/codec.hpp"
#include "roshambo/command.hpp"
#include "roshambo/config.hpp"
#include "roshambo/types.hpp"

namespace roshambo::detail {

/// The fields a command is read from.
enum class Field : std::uint8_t { At, From, Type, Data, User, Uid, Uname, Uavatar, Choice, Face };
inline constexpr std::size_t kFieldCount = 10;

/// Wire name of a field, e.g. "uavatar".
constexpr const char* field_name(Field f) noexcept {
  constexpr const char* kNames[kFieldCount] = {"at",  "from",    "type",    "data",   "user",
                                               "uid", "uname", "uavatar", "choice", "face"};
  return kNames[static_cast<std::size_t>(f)];
}

/// A reader's own refusal of a whole command, checked after the sender is read and
/// before any field (e.g. the binding's size and depth limits of a dict).
struct Refusal {
  ErrorCode code = ErrorCode::Malformed;
  std::string message;
};

/// How a value reads as an int64.
enum class IntRead : std::uint8_t {
  Ok,          ///< an integer within int64
  OutOfRange,  ///< a whole number beyond int64 (2^64-1, 1e19): refused, never clamped
  NotInteger,  ///< anything else (a string, 1.5, 2.0, a bool, null, ...)
};

/// A value of a command as the decoder sees it: an absent field converts to false.
/// `find` is only called on objects; `text` only on strings and returns their UTF-8
/// bytes (in `scratch` if it must convert); `integer` reads a number as its JSON text
/// would read; `may_fit(n)` is false only when a string is certainly longer than n
/// bytes, so a huge sender is never copied; `refusal` is the reader's own check of the
/// whole command. kCarriesTime: the command has its own "at" (log lines) instead of a
/// time given beside it (dicts).
template <class R>
concept FieldReader = std::default_initializable<R> && requires(const R& r, Field f,
                                                                std::string& scratch,
                                                                std::int64_t& i,
                                                                const Config& limits) {
  { static_cast<bool>(r) } -> std::same_as<bool>;
  { r.find(f) } -> std::same_as<R>;
  { r.is_null() } -> std::same_as<bool>;
  { r.is_string() } -> std::same_as<bool>;
  { r.is_object() } -> std::same_as<bool>;
  { r.integer(i) } -> std::same_as<IntRead>;
  { r.text(scratch) } -> std::convertible_to<std::string_view>;
  { r.may_fit(std::size_t{}) } -> std::same_as<bool>;
  { r.refusal(limits) } -> std::same_as<std::optional<Refusal>>;
  { R::kCarriesTime } -> std::convertible_to<bool>;
};

/// A decoded command, tick or refusal.
struct Decoded {
  enum class Kind : std::uint8_t { Command, Tick, Refused };
  Kind kind = Kind::Command;
  std::optional<Time> at;           ///< when the reader carries time and it was valid
  std::string from;                 ///< the sender a refusal goes to ("" for nobody)
  bool from_read = false;           ///< `from` was a string that could be read
  Command command;                  ///< kind == Command
  ErrorCode code = ErrorCode::Malformed;  ///< kind == Refused
  std::string message;                    ///< kind == Refused
};

/// Decode one command object. Checks, in order: the reader's own refusal, "at" (when
/// carried), type, a known type name ("tick" needs nothing else), from, data, then the
/// type's fields. Field lengths and values are the engine's to check.
template <FieldReader R>
void decode_command(const R& root, const Config& limits, Decoded& out) {
  out.kind = Decoded::Kind::Command;
  out.at.reset();
  out.from.clear();
  out.from_read = false;
  auto refuse = [&out](ErrorCode code, std::string message) {
    out.kind = Decoded::Kind::Refused;
    out.code = code;
    out.message = std::move(message);
  };
  auto invalid = [&refuse](std::string path, const char* what) {
    path += ": ";
    path += what;
    refuse(ErrorCode::InvalidField, std::move(path));
  };
  std::string scratch;

  // What addresses an error is read first, so even a bad command reaches its sender.
  [[maybe_unused]] R at;
  std::int64_t at_value = 0;
  if constexpr (R::kCarriesTime) {
    at = root.find(Field::At);
    if (at && at.integer(at_value) == IntRead::Ok && at_value <= kMaxTime) out.at = at_value;
  }
  const R from = root.find(Field::From);
  if (from && from.is_string() && from.may_fit(limits.max_command_bytes)) {
    out.from.assign(from.text(scratch));
    out.from_read = true;
  }

  if (std::optional<Refusal> r = root.refusal(limits)) return refuse(r->code, std::move(r->message));
  if constexpr (R::kCarriesTime) {
    if (!out.at) return invalid("at", at ? "must be an integer in 0..2^62" : "missing");
  }
  const R type = root.find(Field::Type);
  if (!type) return invalid("type", "missing");
  if (!type.is_string()) return invalid("type", "must be a string");
  const std::string_view name = type.text(scratch);
  if (name == "tick") {
    out.kind = Decoded::Kind::Tick;
    return;
  }
  const std::optional<CommandType> parsed = command_type_from_string(name);
  if (!parsed) return refuse(ErrorCode::UnknownCommand, unknown_command_message(name));
  if (!from) return invalid("from", "missing");
  if (!from.is_string()) return invalid("from", "must be a string");

  R data = root.find(Field::Data);
  if (data && data.is_null()) data = R{};
  if (data && !data.is_object()) return invalid("data", "must be an object");

  Command& c = out.command;
  c.type = *parsed;
  c.from.assign(from.text(scratch));
  c.name.clear();
  c.avatar.clear();
  c.value = 0;
  auto integer = [&](Field f) {
    const R v = data ? data.find(f) : R{};
    const IntRead got = v ? v.integer(c.value) : IntRead::NotInteger;
    if (got == IntRead::Ok) return;
    const std::string path = std::string("data.") + field_name(f);
    if (!v) return invalid(path, "missing");
    invalid(path, got == IntRead::OutOfRange ? "must be an integer in -2^63..2^63-1"
                                             : "must be an integer");
  };
  switch (c.type) {
    case CommandType::Hello: {
      const R user = data ? data.find(Field::User) : R{};
      if (!user) return invalid("data.user", "missing");
      if (!user.is_object()) return invalid("data.user", "must be an object");
      // Each text field may be absent or null (keeping its default) or a string.
      auto text = [&](Field f, std::string& dst) {
        const R v = user.find(f);
        if (!v || v.is_null()) return true;
        if (!v.is_string()) {
          invalid(std::string("data.user.") + field_name(f), "must be a string");
          return false;
        }
        dst.assign(v.text(scratch));
        return true;
      };
      std::string uid = c.from;
      if (!text(Field::Uid, uid)) return;
      if (uid != c.from) return invalid("data.user.uid", "must equal from");
      if (!text(Field::Uname, c.name)) return;
      if (!text(Field::Uavatar, c.avatar)) return;
      break;
    }
    case CommandType::Choice:
      integer(Field::Choice);
      break;
    case CommandType::Face:
      integer(Field::Face);
      break;
    default:
      break;
  }
}

/// Decode one command-log line (no trailing newline) into `out`, reusing its strings:
/// the text's own checks (length, valid JSON, an object), then decode_command. What
/// roshambo::decode_command_line does, without building a result per line.
void decode_command_line(std::string_view line, const Config& limits, Decoded& out);

}  // namespace roshambo::detail
