#pragma once
// Pieces of `roshambo simulate` shared with `roshambo bench`.

#include <string>

#include "roshambo/sim.hpp"

namespace roshambo::cli {

/// Rethrow a ConfigError from the simulator or the engine config as a UsageError
/// that names the command-line flag ("--capacity: must be in 2..1024, got 1").
[[noreturn]] void rethrow_as_flag_error(const ConfigError& e);

/// The command-line flag for a config or option field: "game_time_ms" → "--game-time-ms".
std::string flag_for_field(const std::string& field);

/// Seconds of wall-clock time it took to run `o`, and its result.
double timed_simulate(const SimOptions& o, SimResult& result);

}  // namespace roshambo::cli
