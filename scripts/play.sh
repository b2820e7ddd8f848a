#!/usr/bin/env bash
# Set up, build, and run a default tournament.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh"
"$root/scripts/build.sh"
if "$root/build/cli/roshambo" simulate --help >/dev/null 2>&1; then
  exec "$root/build/cli/roshambo" simulate "$@"
fi
# Until the simulator lands: replay the bundled example log.
exec "$root/build/cli/roshambo" replay "$root/tests/data/basic.commands.jsonl"
