#include "roshambo/event.hpp"

#include <array>
#include <cstddef>

namespace roshambo {

std::string_view to_string(EventType t) noexcept {
  constexpr std::array<std::string_view, 9> names = {"hi",     "room",  "start",
                                                     "movement", "leave", "result",
                                                     "error",  "presence", "resume"};
  // Like CommandType: a host can hold any enum value; never index out of bounds.
  const auto i = static_cast<std::size_t>(t);
  return i < names.size() ? names[i] : std::string_view{"unknown"};
}

}  // namespace roshambo
