#!/usr/bin/env bash
# Fuzz smoke, so a change that lets hostile input crash the engine fails CI: every
# libFuzzer target under ASan+UBSan for a short period, starting from its committed
# seed corpus (tests/fuzz/corpus/<target>, which also holds every crash input found
# so far: replaying them is the regression test).
# Long runs are documented in docs/RELIABILITY.md. Needs clang.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
jobs=${ROSHAMBO_JOBS:-2}
seconds=${ROSHAMBO_FUZZ_SECONDS:-20}
. "$root/scripts/lib/asan-build.sh"  # the build dir is shared with 40-sanitizers.sh

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

asan_build "$root" "$jobs" fuzzers

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
for target in commands snapshot config; do
  echo "50-fuzz: fuzz_$target for ${seconds}s"
  mkdir -p "$scratch/$target"
  # New inputs go to the scratch dir; the committed corpus is only read.
  "$asan/tests/fuzz/fuzz_$target" -max_total_time="$seconds" -max_len=1024 \
    -dict="$root/tests/fuzz/$target.dict" -artifact_prefix="$scratch/" -print_final_stats=1 \
    "$scratch/$target" "$root/tests/fuzz/corpus/$target" 2>"$scratch/$target.log" || {
    tail -n 60 "$scratch/$target.log" >&2
    echo "50-fuzz: fuzz_$target found a crash (input in the log above)" >&2
    exit 1
  }
  grep -E '^stat::(number_of_executed_units|peak_rss_mb)' "$scratch/$target.log" | sed 's/^/  /'
done
echo "50-fuzz: ok"
