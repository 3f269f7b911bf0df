#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Runs the Doppel console on the built-in lab from a fresh clone on Debian 12: installs what it
# needs (apt-get, through sudo when not root), builds, starts the lab (real PostgreSQL 15 x2 and
# an sshd on loopback) and opens the console. Without a display it says so, collects for a
# minute with doppelctl monitor and prints what it collected.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
build=${DOPPEL_BUILD_DIR:-build}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build "$build" -j"$(nproc)"

if [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; then
  exec "$build/bin/doppel" --lab "$@"
fi

echo "No display (neither DISPLAY nor WAYLAND_DISPLAY is set): running the headless console instead."
echo "Starting the lab and collecting for one minute with: doppelctl monitor --duration 60s --interval 5s"
if "$build/bin/doppelctl" lab status --json 2>/dev/null | grep -q '"pid":[1-9]'; then
  echo "The lab is already running."
else
  "$build/bin/doppelctl" lab up
fi
"$build/bin/doppelctl" monitor --duration 60s --interval 5s
echo
echo "The lab keeps running. See a metric:  $build/bin/doppelctl metrics --host lab-production --metric pg_tps --last 1h --csv"
echo "Stop the lab:                        $build/bin/doppelctl lab down"
