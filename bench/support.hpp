#pragma once
// Shared helpers of the benchmark suite: player ids, prepared command batches and a
// heap probe. Everything here runs outside the timed regions.

#include <malloc.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "floor.hpp"
#include "roshambo/roshambo.hpp"

namespace roshambo::bench {

/// `prefix` followed by `i` in decimal. (Appending, because GCC 12 warns falsely on
/// "literal" + std::to_string(): -Wrestrict.)
inline std::string text(const char* prefix, std::size_t i, const char* suffix = "") {
  std::string s = prefix;
  s += std::to_string(i);
  s += suffix;
  return s;
}

/// Uid of player `i` ("u0", "u1", ...): short, as a host's session ids would be.
inline std::string uid(std::size_t i) { return text("u", i); }

/// A choice code 1..3 for player `i` in round `round`: the floor's (floor.hpp), so
/// the engine and the floor play the same choices.
inline std::int64_t choice_code(std::size_t i, std::uint64_t round) { return floor_choice(i, round); }

/// An engine with `n` humans said hello, plus prebuilt join/choice commands so the
/// timed loops measure the engine, not string building.
struct Lobby {
  explicit Lobby(const Config& cfg, std::size_t n, bool with_choices = true) : engine(cfg) {
    std::vector<Event> out;
    joins.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
      const std::string id = uid(i);
      engine.handle(Command::hello(id, text("Player ", i)), now, out);
      out.clear();
      joins.push_back(Command::join(id));
    }
    // Three choice batches, so consecutive rounds (or iterations) change the choice.
    for (std::uint64_t r = 0; with_choices && r < 3; ++r) {
      auto& batch = choices[r];
      batch.reserve(n);
      for (std::size_t i = 0; i < n; ++i) batch.push_back(Command::choice(uid(i), choice_code(i, r)));
    }
  }
  Engine engine;
  Time now = 0;
  std::vector<Command> joins;
  std::vector<Command> choices[3];
};

/// Bytes the C heap has handed out (arena chunks plus mmapped blocks), chunk headers
/// and padding included: what the process really pays for its allocations.
inline std::size_t heap_bytes() {
  const struct mallinfo2 mi = mallinfo2();
  return mi.uordblks + mi.hblkhd;
}

}  // namespace roshambo::bench
