#!/usr/bin/env bash
# End-to-end tests of the roshambo CLI (tests/cli, pytest) against build/cli/roshambo,
# or $ROSHAMBO_BIN when set.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
export ROSHAMBO_BIN=${ROSHAMBO_BIN:-$root/build/cli/roshambo}
py=${PYTHON:-python3}
cd "$root"
exec "$py" -m pytest -q -p no:cacheprovider "$root/tests/cli"
