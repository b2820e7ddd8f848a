#!/usr/bin/env bash
# Configures and builds the C++ tree into build/ (Release, CLI + tests + benchmarks).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cmake -S "$root" -B "$root/build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DROSHAMBO_BUILD_CLI=ON -DROSHAMBO_BUILD_TESTS=ON -DROSHAMBO_BUILD_BENCH=ON >/dev/null
cmake --build "$root/build" -j"$(nproc)"
