#pragma once
// Library version, from the CMake project version.

namespace roshambo {
/// "MAJOR.MINOR.PATCH".
const char* version() noexcept;
}  // namespace roshambo
