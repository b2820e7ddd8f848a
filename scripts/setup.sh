#!/usr/bin/env bash
# Installs whatever this machine is missing to build and test roshambo: Debian
# packages for the C++ side, Python packages for the binding. Safe to run again.
set -euo pipefail

debs=(cmake ninja-build g++ catch2 nlohmann-json3-dev libcli11-dev libbenchmark-dev
      clang libclang-rt-14-dev)
# Install Debian packages by name (nothing when the list is empty).
apt_install() {
  (($#)) || return 0
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "setup: installing $*" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

missing=()
for p in "${debs[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
apt_install "${missing[@]}"

# pip only reaches the registry for what is missing or too old (a second or two when
# everything is there), so always asking it also catches stubs that import checks miss.
py=${PYTHON:-python3}
"$py" -m pip install -q --disable-pip-version-check -r "$(dirname "$0")/../requirements-dev.txt" \
  2> >(grep -v "Running pip as the 'root' user" >&2)

# --- roshambo-server (tests/server) -------------------------------------------------
# Debian's chromium for the browser test, and the Node packages pinned in
# package-lock.json: socket.io-client (the page's client, served by roshambo-server)
# and playwright-core, which drives that system chromium (no browser is downloaded).
server_debs=()
command -v chromium >/dev/null 2>&1 || server_debs+=(chromium)
dpkg -s fonts-noto-color-emoji >/dev/null 2>&1 || server_debs+=(fonts-noto-color-emoji)  # the page's emoji
command -v npm >/dev/null 2>&1 || server_debs+=(nodejs npm)
# Scale-out tests and load runs start their own redis-server on a loopback port.
command -v redis-server >/dev/null 2>&1 || server_debs+=(redis-server)
apt_install "${server_debs[@]}"
root=$(cd "$(dirname "$0")/.." && pwd)
lock_sum=$(sha256sum "$root/package-lock.json" | cut -d' ' -f1)
if [ "$(cat "$root/node_modules/.roshambo-lock" 2>/dev/null)" != "$lock_sum" ]; then
  echo "setup: npm ci" >&2
  (cd "$root" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null)
  echo "$lock_sum" > "$root/node_modules/.roshambo-lock"
fi
# --- end roshambo-server ------------------------------------------------------------
