#pragma once
// Commands a player sends (docs/RULES.md §3). `from` is the sender's uid, authenticated by
// the host; the engine trusts it and checks everything else.

#include <cstdint>
#include <string>
#include <string_view>

namespace roshambo {

/// Wire command types.
enum class CommandType : std::uint8_t { Hello, Join, Choice, Face, Leave, Disconnect };

/// Wire name of a command type: "hello", "join", ...
std::string_view to_string(CommandType t) noexcept;

/// One command. Build with the named constructors.
struct Command {
  CommandType type = CommandType::Join;
  std::string from;    ///< sender uid
  std::string name;    ///< hello: uname
  std::string avatar;  ///< hello: uavatar
  std::int64_t value = 0;  ///< choice code (1..3) or face code (1..4)

  static Command hello(std::string uid, std::string name = {}, std::string avatar = {}) {
    return {CommandType::Hello, std::move(uid), std::move(name), std::move(avatar), 0};
  }
  static Command join(std::string uid) { return {CommandType::Join, std::move(uid), {}, {}, 0}; }
  static Command choice(std::string uid, std::int64_t code) {
    return {CommandType::Choice, std::move(uid), {}, {}, code};
  }
  static Command face(std::string uid, std::int64_t code) {
    return {CommandType::Face, std::move(uid), {}, {}, code};
  }
  static Command leave(std::string uid) { return {CommandType::Leave, std::move(uid), {}, {}, 0}; }
  static Command disconnect(std::string uid) {
    return {CommandType::Disconnect, std::move(uid), {}, {}, 0};
  }
};

}  // namespace roshambo
