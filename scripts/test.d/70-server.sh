#!/usr/bin/env bash
# roshambo-server (tests/server): pytest with python-socketio clients, then Node's test
# runner with socket.io-client, then Debian's chromium driven by playwright-core. Runs
# against the package scripts/test.d/30-python.sh has just installed, and the CLI that
# scripts/build.sh built (the command-log replay test compares with `roshambo replay`).
# tests/server/test_scaleout.py starts its own redis-server (scripts/setup.sh installs it)
# on a free loopback port for each test, and stops it.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
py=${PYTHON:-python3}
export ROSHAMBO_CLI=${ROSHAMBO_CLI:-$root/build/cli/roshambo}
# The page's Socket.IO client, from the npm packages scripts/setup.sh installed.
export ROSHAMBO_SOCKETIO_JS=${ROSHAMBO_SOCKETIO_JS:-$root/node_modules/socket.io-client/dist/socket.io.min.js}
export ROSHAMBO_SERVER_OUT=${ROSHAMBO_SERVER_OUT:-$root/build/server-test}
mkdir -p "$ROSHAMBO_SERVER_OUT"

where=$(cd / && "$py" -c 'import roshambo.server, os; print(os.path.dirname(roshambo.server.__file__))')
case "$where" in
  "$root"/*) echo "70-server: roshambo imported from the source tree ($where)" >&2; exit 1 ;;
esac
echo "70-server: testing $where"

cd "$root"
set +e
"$py" -m pytest -q -p no:cacheprovider tests/server
rc=$?
set -e
if [ "$rc" -eq 5 ]; then
  echo "70-server: pytest collected no tests" >&2
  exit 1
fi
[ "$rc" -eq 0 ] || exit "$rc"

# Node: the original client's protocol over socket.io-client, and the page in chromium.
# serverproc.mjs starts the same installed server ($PYTHON -m roshambo.server).
export PYTHON=$py
node --test tests/server/*.test.mjs
