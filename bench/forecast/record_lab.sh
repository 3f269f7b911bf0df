#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Records the lab's own metrics for the forecasting benchmark: a fresh lab whose workload
# follows a compressed day (DAY seconds: a night trough and a busy hour, as production load
# does), `doppelctl monitor` every INTERVAL seconds for MINUTES, into REPO. Then:
#   LAB_REPO=REPO LAB_DAY=DAY LAB_INTERVAL=INTERVAL BUILD=... bench/forecast/run.sh
#
# usage: record_lab.sh BUILD REPO [MINUTES] [DAY] [INTERVAL]
set -euo pipefail
build=${1:?usage: record_lab.sh BUILD REPO [MINUTES] [DAY] [INTERVAL]}
repo=${2:?usage: record_lab.sh BUILD REPO [MINUTES] [DAY] [INTERVAL]}
minutes=${3:-80}
day=${4:-600}
interval=${5:-5}
lab=$(mktemp -d)
trap '"$build/bin/doppelctl" --repo "$repo" lab down --dir "$lab" >/dev/null 2>&1 || true; rm -rf "$lab"' EXIT
"$build/bin/doppelctl" --repo "$repo" lab up --dir "$lab" --day "${day}s"
"$build/bin/doppelctl" --repo "$repo" monitor --duration "$((minutes * 60))s" --interval "${interval}s"
