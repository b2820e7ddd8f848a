#!/usr/bin/env bash
# Notebooks: execute every notebook in notebooks/ top to bottom (nbmake) at small size,
# against the installed package (30-python has just pip-installed it).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
py=${PYTHON:-python3}
export ROSHAMBO_NB_SCALE=small
unset ROSHAMBO_NB_FIGURES  # CI never rewrites docs/analysis
cd "$root"
set +e
"$py" -m pytest -q -p no:cacheprovider --nbmake --nbmake-timeout=300 notebooks/
rc=$?
set -e
if [ "$rc" -eq 5 ]; then
  echo "80-notebooks: no notebook found" >&2
  exit 1
fi
exit "$rc"
