#pragma once
// The 64-bit finaliser behind every hash and random stream in the core (rng.hpp).

#include "roshambo/rng.hpp"

namespace roshambo::detail {

using roshambo::mix64;

}  // namespace roshambo::detail
