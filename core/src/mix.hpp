#pragma once
// The 64-bit finaliser (splitmix64's) behind every hash and random stream in the core.

#include <cstdint>

namespace roshambo::detail {

/// Bijective mix of 64 bits: consecutive inputs give unrelated outputs.
inline std::uint64_t mix64(std::uint64_t x) noexcept {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

}  // namespace roshambo::detail
