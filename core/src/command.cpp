#include "roshambo/command.hpp"

#include <array>
#include <cstddef>

namespace roshambo {

std::string_view to_string(CommandType t) noexcept {
  constexpr std::array<std::string_view, 6> names = {"hello", "join", "choice",
                                                     "face", "leave", "disconnect"};
  // A host can build a Command with any enum value; never index out of bounds.
  const auto i = static_cast<std::size_t>(t);
  return i < names.size() ? names[i] : std::string_view{"unknown"};
}

}  // namespace roshambo
