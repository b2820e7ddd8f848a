#!/usr/bin/env bash
# Python binding: pip-install the repository root (so CI tests the installed package,
# built the way users build it), then run pytest on tests/python against it.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
py=${PYTHON:-python3}
# Build deps (scikit-build-core, pybind11) come from requirements-dev.txt via setup.sh,
# so no isolated build env has to be downloaded; two jobs as everywhere in this repo.
export CMAKE_BUILD_PARALLEL_LEVEL=${CMAKE_BUILD_PARALLEL_LEVEL:-2}
"$py" -m pip install --quiet --disable-pip-version-check --no-build-isolation --force-reinstall --no-deps "$root"

# The package under test must be the installed one, not a source tree.
where=$(cd / && "$py" -c 'import roshambo; print(roshambo.__file__)')
case "$where" in
  "$root"/*) echo "30-python: roshambo imported from the source tree ($where)" >&2; exit 1 ;;
esac
echo "30-python: testing $where"

# scripts/test.sh has just built the CLI: simulate() is checked against it.
export ROSHAMBO_CLI=${ROSHAMBO_CLI:-$root/build/cli/roshambo}

cd "$root"
set +e
"$py" -m pytest -q -p no:cacheprovider tests/python
rc=$?
set -e
if [ "$rc" -eq 5 ]; then
  echo "30-python: pytest collected no tests" >&2
  exit 1
fi
exit "$rc"
