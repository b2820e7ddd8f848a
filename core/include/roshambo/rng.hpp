#pragma once
// The one seeded generator behind every random choice: engine bots and simulated
// players. splitmix64: tiny state, so every bot and every player stream is a value
// derived from (seed, what it is for), never a shared generator's call order.

#include <cstdint>

namespace roshambo {

/// splitmix64's finaliser: a bijective mix of 64 bits.
constexpr std::uint64_t mix64(std::uint64_t x) noexcept {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

/// splitmix64 with bounded draws.
struct Rng {
  std::uint64_t state = 0;
  /// Bounded draws by modulo instead of multiply-shift. Engine bots draw this way so
  /// that every seed keeps the bot games it has always had; simulated players use the
  /// faster multiply-shift. Both are unbiased to within n / 2^64.
  bool modulo = false;

  /// Next 64 random bits.
  constexpr std::uint64_t next() noexcept {
    state += 0x9e3779b97f4a7c15ULL;
    return mix64(state);
  }
  /// Uniform in [0, n); n > 0.
  constexpr std::uint64_t below(std::uint64_t n) noexcept {
    if (modulo) return next() % n;
    __extension__ using u128 = unsigned __int128;  // GCC and Clang; -Wpedantic-clean
    return static_cast<std::uint64_t>((static_cast<u128>(next()) * n) >> 64);
  }
};

}  // namespace roshambo
