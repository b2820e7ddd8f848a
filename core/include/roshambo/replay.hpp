#pragma once
// Replay of a command log into an engine (docs/RULES.md §9), shared by the CLI and the binding.

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "roshambo/detail/decode.hpp"
#include "roshambo/engine.hpp"

namespace roshambo {

/// Feeds command-log lines to an engine. A bad line becomes an `error` event and the
/// replay goes on.
class Replayer {
 public:
  /// `digest_every` > 0 adds a line {"at":T,"to":[],"type":"digest","data":{...}}
  /// after every that many input lines.
  explicit Replayer(Engine& engine, std::uint64_t digest_every = 0)
      : engine_(engine), digest_every_(digest_every) {}

  /// Apply one line (without its newline); append the events to `events`.
  void feed(std::string_view line, std::vector<Event>& events);
  /// Apply one line and append the event-log lines (each ending in '\n') to `out`.
  void feed(std::string_view line, std::string& out);

  /// As feed(line, events), streaming the events of due timers to `sink` in chunks
  /// (see EventSink), so a line that jumps far in time costs bounded memory.
  void feed(std::string_view line, std::vector<Event>& events, const EventSink& sink);
  /// As feed(line, out), streaming: whenever `out` reaches kFlushBytes (while the
  /// line's timers fire, and at the end), `flush(out)` is called to write it out, then
  /// `out` is cleared; so on return `out` holds less than kFlushBytes. An exception
  /// from `flush` leaves the call (see EventSink).
  void feed(std::string_view line, std::string& out, const std::function<void(std::string&)>& flush);
  static constexpr std::size_t kFlushBytes = 1 << 16;

  /// Lines fed so far (blank lines are skipped and not counted).
  std::uint64_t lines() const noexcept { return lines_; }

  /// A reader may cut a longer line to its first line_prefix_bytes() bytes: the cut
  /// line is refused exactly as the whole one (capacity_exceeded), so a reader never
  /// needs to hold more. That is max_command_bytes, the '\r' of a "\r\n" ending, and
  /// one byte to be over the limit.
  std::size_t line_prefix_bytes() const noexcept {
    return std::size_t{engine_.config().max_command_bytes} + 2;
  }

 private:
  Engine& engine_;
  std::uint64_t digest_every_;
  std::uint64_t lines_ = 0;
  std::vector<Event> scratch_;
  detail::Decoded decoded_;  // kept, so its strings are reused line after line
};

/// Digest line written by Replayer every `digest_every` lines.
std::string digest_line(Time at, std::uint64_t lines, std::uint64_t digest);

}  // namespace roshambo
