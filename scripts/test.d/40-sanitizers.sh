#!/usr/bin/env bash
# Sanitizer CI: memory errors, leaks, undefined behaviour and data races fail the run.
#   ASan+UBSan: the whole Catch2 suite and the golden replays; leaks fail the run
#               (LeakSanitizer is part of ASan on Linux).
#   TSan:       the sharded simulator (one engine per thread) and events handed to
#               another thread (tests/core/threads_test.cpp) must run race-free.
# Both need clang (Debian's clang + libclang-rt-14-dev, see scripts/setup.sh). Only the
# targets run here are built: the ASan dir is shared with 50-fuzz.sh (scripts/lib/asan-build.sh).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
jobs=${ROSHAMBO_JOBS:-2}
. "$root/scripts/lib/asan-build.sh"
tsan="$root/build-rel-tsan"

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1

echo "40-sanitizers: ASan+UBSan build"
asan_build "$root" "$jobs" roshambo_tests roshambo_cli

echo "40-sanitizers: Catch2 suite under ASan+UBSan"
"$asan/tests/roshambo_tests" --order rand --rng-seed 1
echo "40-sanitizers: golden replays under ASan+UBSan"
(cd "$asan" && ctest --output-on-failure -R '^golden\.')

echo "40-sanitizers: TSan build"
CC=clang CXX=clang++ cmake -S "$root" -B "$tsan" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DROSHAMBO_SANITIZE=thread -DROSHAMBO_BUILD_TESTS=ON -DROSHAMBO_BUILD_CLI=ON \
  -DROSHAMBO_BUILD_BENCH=OFF -DROSHAMBO_BUILD_PYTHON=OFF >/dev/null
cmake --build "$tsan" -j"$jobs" --target roshambo_cli roshambo_thread_tests

echo "40-sanitizers: events across threads under TSan"
"$tsan/tests/roshambo_thread_tests"

echo "40-sanitizers: sharded simulator under TSan"
sim=("$tsan/cli/roshambo" simulate --players 20000 --rounds 10 --shards 4 --capacity 3
     --requeue --quiet --format json --seed 5)
# Threads must not leak into the result: the same run twice gives the same report,
# once the wall-clock fields are left out.
untimed='import json, sys
def strip(v):
    if isinstance(v, dict):
        return {k: strip(x) for k, x in v.items() if k not in ("seconds", "player_rounds_per_s")}
    return [strip(x) for x in v] if isinstance(v, list) else v
print(json.dumps(strip(json.load(sys.stdin)), sort_keys=True))'
a=$("${sim[@]}" | "${PYTHON:-python3}" -c "$untimed")
b=$("${sim[@]}" | "${PYTHON:-python3}" -c "$untimed")
[ -n "$a" ] && [ "$a" = "$b" ] || { echo "40-sanitizers: sharded simulate is not deterministic" >&2; exit 1; }
echo "40-sanitizers: ok"
