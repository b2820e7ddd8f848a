#include "roshambo/version.hpp"

namespace roshambo {

// ROSHAMBO_VERSION is the CMake project version, defined for this file by the build.
const char* version() noexcept { return ROSHAMBO_VERSION; }

}  // namespace roshambo
