# Sourced by the CI steps that run code under ASan+UBSan (scripts/test.d/40-sanitizers.sh,
# 50-fuzz.sh). Both use one build dir, so both must configure it with the same flags:
# a different flag in one would make the other reconfigure and rebuild everything.
#
# asan_build ROOT JOBS TARGET...: configure ROOT/build-rel-asan (clang, RelWithDebInfo,
# ASan+UBSan, tests, CLI and fuzzers) and build TARGET...; sets $asan to that dir.

asan_build() {
  local root=$1 jobs=$2
  shift 2
  asan="$root/build-rel-asan"
  CC=clang CXX=clang++ cmake -S "$root" -B "$asan" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DROSHAMBO_SANITIZE=address,undefined -DROSHAMBO_BUILD_FUZZERS=ON \
    -DROSHAMBO_BUILD_TESTS=ON -DROSHAMBO_BUILD_CLI=ON -DROSHAMBO_BUILD_BENCH=OFF \
    -DROSHAMBO_BUILD_PYTHON=OFF >/dev/null
  cmake --build "$asan" -j"$jobs" --target "$@"
}
