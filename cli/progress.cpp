#include "progress.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace roshambo::cli {

ProgressBar::ProgressBar(bool enabled) : enabled_(enabled), start_(Clock::now()) {
  // ROSHAMBO_PROGRESS_DELAY_MS overrides the one-second grace (0: draw at once).
  if (const char* env = std::getenv("ROSHAMBO_PROGRESS_DELAY_MS")) {
    char* end = nullptr;
    const long ms = std::strtol(env, &end, 10);
    if (end != env && *end == '\0' && ms >= 0) delay_s_ = static_cast<double>(ms) / 1000.0;
  }
}
ProgressBar::~ProgressBar() { finish(); }

bool ProgressBar::stderr_is_terminal() { return ::isatty(STDERR_FILENO) == 1; }

void ProgressBar::update(const SimProgress& p) {
  if (!enabled_ || p.rounds_total == 0) return;
  const auto now = Clock::now();
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  // Short runs stay silent; long ones redraw at most every 100 ms.
  if (elapsed < delay_s_ || (drawn_ && now - last_draw_ < std::chrono::milliseconds(100))) return;
  last_draw_ = now;
  const double frac = static_cast<double>(p.rounds_done) / static_cast<double>(p.rounds_total);
  constexpr int kWidth = 30;
  const int fill = static_cast<int>(frac * kWidth);
  std::string bar(static_cast<std::size_t>(fill), '#');
  bar.append(static_cast<std::size_t>(kWidth - fill), '.');
  const double rate = static_cast<double>(p.player_rounds) / elapsed;
  const double eta = frac > 0 ? elapsed * (1 - frac) / frac : 0;
  std::fprintf(stderr, "\r[%s] %llu/%llu rounds  %.2f M player-rounds/s  ETA %.0f s   ",
               bar.c_str(), static_cast<unsigned long long>(p.rounds_done),
               static_cast<unsigned long long>(p.rounds_total), rate / 1e6, eta);
  std::fflush(stderr);
  drawn_ = true;
}

void ProgressBar::finish() {
  if (!drawn_) return;
  std::fprintf(stderr, "\r%80s\r", "");
  std::fflush(stderr);
  drawn_ = false;
}

}  // namespace roshambo::cli
