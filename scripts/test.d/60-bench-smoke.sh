#!/usr/bin/env bash
# CI smoke run of the Google Benchmark suite: every benchmark once, with a tiny
# minimum time, to prove they build, run and report no error. The figures of such a
# run mean nothing; docs/PERFORMANCE.md has the real ones and how to get them.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
bench="${ROSHAMBO_BUILD_DIR:-$root/build}/bench/roshambo_bench"  # the build dir can be overridden
if [ ! -x "$bench" ]; then
  echo "60-bench-smoke: $bench is missing: scripts/build.sh builds it (ROSHAMBO_BUILD_BENCH=ON)" >&2
  exit 1
fi
out=$(mktemp)
trap 'rm -f "$out"' EXIT
expected=$("$bench" --benchmark_list_tests | wc -l)
"$bench" --benchmark_min_time=0.001 --benchmark_out="$out" --benchmark_out_format=json >/dev/null
# A SkipWithError still exits 0: read the JSON report to catch it, and check that
# every listed benchmark produced a result.
python3 - "$out" "$expected" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
runs = report["benchmarks"]
bad = [r["name"] + ": " + r.get("error_message", "") for r in runs if r.get("error_occurred")]
if bad:
    sys.exit("benchmark errors:\n  " + "\n  ".join(bad))
if len(runs) != int(sys.argv[2]):
    sys.exit(f"expected {sys.argv[2]} benchmark results, got {len(runs)}")
print(f"60-bench-smoke: {len(runs)} benchmarks ran without error")
PY
