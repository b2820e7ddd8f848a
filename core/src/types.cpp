#include "roshambo/types.hpp"

#include <array>
#include <cstddef>

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

}  // namespace roshambo
