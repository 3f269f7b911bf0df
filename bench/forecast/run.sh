#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Forecasting benchmark: Doppel (auto, ets, arima) against R's forecast (ets, auto.arima, stlf)
# and prophet on R's datasets, last horizon held out, plus the speed runs; prints markdown.
# Needs scripts/install-bench-deps.sh and a build of bench_forecast:
#   BUILD=/path/to/build [LAB_REPO=repo.sqlite] bench/forecast/run.sh [N-series-for-batch]
# LAB_REPO adds the lab's own metrics (record them first with bench/forecast/record_lab.sh).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
build="${BUILD:-$here/../../build}"
bin="$build/bench/forecast/bench_forecast"
[ -x "$bin" ] || bin="$build/bin/bench_forecast"
[ -x "$bin" ] || { echo "run.sh: bench_forecast not found under $build (set BUILD)" >&2; exit 1; }
count="${1:-10000}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
Rscript "$here/export_series.R" "$work/data"
# The lab's own metrics, when a repository recorded by record_lab.sh is given: LAB_REPO, with
# LAB_DAY (the compressed day it was recorded with, s) and LAB_INTERVAL (monitor's, s).
if [ -n "${LAB_REPO:-}" ]; then
  day=${LAB_DAY:-600}
  interval=${LAB_INTERVAL:-5}
  period=$((day / interval))
  for metric in pg_tps cpu_percent pg_connections_active; do
    "$build/bin/doppelctl" --repo "$LAB_REPO" metrics --host lab-production --metric "$metric" \
      --last 30d --csv | awk -F, 'NR == 1 {print "\"value\""; next} {print $2}' \
      >"$work/data/lab_$metric.csv"
    echo "lab_$metric,$period,$period,1,$interval" >>"$work/data/series.csv"
  done
fi
"$bin" sample "$work/speed-sample.csv"
"$bin" accuracy "$work/data" "$work/doppel.csv"
Rscript "$here/bench_r.R" "$work/data" "$work/r.csv" "$work/speed-sample.csv"
"$bin" speed "$work/speed.csv" "$count"
Rscript "$here/report.R" "$work/doppel.csv" "$work/r.csv" "$work/speed.csv"
