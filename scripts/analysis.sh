#!/usr/bin/env bash
# Runs every notebook in notebooks/ at full size: writes their figures to docs/analysis/
# (PNG) and the executed notebooks, numbers included, to build-notebooks/ (git-ignored).
# Needs the package installed with its analysis extra: pip install '.[analysis]'.
# A few minutes on 2 free cores.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
py=${PYTHON:-python3}
out=${ROSHAMBO_NB_OUT:-$root/build-notebooks}
mkdir -p "$out" "$root/docs/analysis"
export ROSHAMBO_NB_SCALE=${ROSHAMBO_NB_SCALE:-full}
export ROSHAMBO_NB_FIGURES=$root/docs/analysis
for nb in "$root"/notebooks/*.ipynb; do
  echo "analysis: $(basename "$nb") at $ROSHAMBO_NB_SCALE size"
  "$py" - "$nb" "$out/$(basename "$nb")" <<'PY'
import os
import sys
import time

import nbformat
from nbclient import NotebookClient

src, dst = sys.argv[1], sys.argv[2]
nb = nbformat.read(src, as_version=4)
start = time.perf_counter()
NotebookClient(nb, timeout=3600, kernel_name="python3",
               resources={"metadata": {"path": os.path.dirname(src)}}).execute()
nbformat.write(nb, dst)
print(f"analysis: {os.path.basename(src)} ran in {time.perf_counter() - start:.0f} s; executed copy: {dst}")
PY
done
echo "analysis: figures in $ROSHAMBO_NB_FIGURES"
