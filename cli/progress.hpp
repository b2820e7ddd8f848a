#pragma once
// Progress bar on stderr for long simulations: only on a terminal, only once a run
// has lasted about a second (ROSHAMBO_PROGRESS_DELAY_MS sets that delay), redrawn at
// most ten times a second, erased at the end.

#include <chrono>
#include <cstdint>

#include "roshambo/sim.hpp"

namespace roshambo::cli {

class ProgressBar {
 public:
  /// `enabled` false (a pipe, --quiet) makes every call a no-op.
  explicit ProgressBar(bool enabled);
  ~ProgressBar();
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  /// Report progress (called from the simulator, serialised by it).
  void update(const SimProgress& p);
  /// Erase the bar if it was drawn.
  void finish();

  /// True when stderr is a terminal.
  static bool stderr_is_terminal();

 private:
  using Clock = std::chrono::steady_clock;
  bool enabled_;
  bool drawn_ = false;
  double delay_s_ = 1.0;  ///< runs shorter than this never show the bar
  Clock::time_point start_;
  Clock::time_point last_draw_{};
};

}  // namespace roshambo::cli
