#pragma once
// Pieces of `roshambo simulate` shared with `roshambo bench`.

#include <string>

#include "commands.hpp"
#include "roshambo/sim.hpp"

namespace roshambo::cli {

/// Seconds of wall-clock time it took to run `o`, and its result.
double timed_simulate(const SimOptions& o, SimResult& result);

}  // namespace roshambo::cli
