#include "roshambo/types.hpp"

#include <array>

#include "roshambo/command.hpp"
#include "roshambo/config.hpp"
#include "roshambo/event.hpp"
#include "roshambo/version.hpp"

namespace roshambo {
namespace {
constexpr std::array<std::string_view, 11> kErrorNames = {
    "unknown_player", "not_in_room",   "not_playing",     "game_in_progress",
    "invalid_choice", "invalid_face",  "invalid_field",   "unknown_command",
    "malformed",      "time_went_backwards", "capacity_exceeded",
};
}  // namespace

std::string_view to_string(ErrorCode code) noexcept {
  const auto i = static_cast<std::size_t>(code);
  return i < kErrorNames.size() ? kErrorNames[i] : std::string_view{"unknown"};
}

std::optional<ErrorCode> error_code_from_string(std::string_view s) noexcept {
  for (std::size_t i = 0; i < kErrorNames.size(); ++i) {
    if (kErrorNames[i] == s) return static_cast<ErrorCode>(i);
  }
  return std::nullopt;
}

std::string_view to_string(Choice c) noexcept {
  switch (c) {
    case Choice::Scissors: return "scissors";
    case Choice::Rock: return "rock";
    case Choice::Paper: return "paper";
    default: return "none";
  }
}

std::string_view to_string(CommandType t) noexcept {
  constexpr std::array<std::string_view, 6> names = {"hello", "join", "choice",
                                                     "face", "leave", "disconnect"};
  // A host can build a Command with any enum value; never index out of bounds.
  const auto i = static_cast<std::size_t>(t);
  return i < names.size() ? names[i] : std::string_view{"unknown"};
}

std::string_view to_string(EventType t) noexcept {
  constexpr std::array<std::string_view, 9> names = {"hi",     "room",  "start",
                                                     "movement", "leave", "result",
                                                     "error",  "presence", "resume"};
  const auto i = static_cast<std::size_t>(t);
  return i < names.size() ? names[i] : std::string_view{"unknown"};
}

const char* version() noexcept { return ROSHAMBO_VERSION; }

}  // namespace roshambo
