#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Forecasting benchmark: Doppel (auto, ets, arima) against R's forecast (ets, auto.arima, stlf)
# and prophet on R's datasets, last horizon held out, plus the speed runs; prints markdown.
# Needs scripts/install-bench-deps.sh and a build of bench_forecast:
#   BUILD=/path/to/build bench/forecast/run.sh [N-series-for-batch]
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
"$bin" sample "$work/speed-sample.csv"
"$bin" accuracy "$work/data" "$work/doppel.csv"
Rscript "$here/bench_r.R" "$work/data" "$work/r.csv" "$work/speed-sample.csv"
"$bin" speed "$work/speed.csv" "$count"
Rscript "$here/report.R" "$work/doppel.csv" "$work/r.csv" "$work/speed.csv"
