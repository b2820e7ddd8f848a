#!/usr/bin/env bash
# Long libFuzzer run of one target (docs/RELIABILITY.md): one worker, a fixed number of
# executions, bounded in time. Usage: long-run.sh BUILD_DIR TARGET RUNS SECONDS [MAX_LEN]
# BUILD_DIR must be configured with CC=clang CXX=clang++ -DROSHAMBO_BUILD_FUZZERS=ON.
# The corpus grows in BUILD_DIR/fuzz-long/TARGET; crashes land in BUILD_DIR/fuzz-long/.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$1 target=$2 runs=$3 seconds=$4 max_len=${5:-1024}
out="$build/fuzz-long"
mkdir -p "$out/$target"
exec "$build/tests/fuzz/fuzz_$target" -runs="$runs" -max_total_time="$seconds" \
  -max_len="$max_len" -dict="$here/$target.dict" -print_final_stats=1 \
  -artifact_prefix="$out/" "$out/$target" "$here/corpus/$target"
