#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# `doppelctl diff` end to end on a capture of PAIRS mirrored statements (default 10 million):
# reading the segments, fingerprinting, comparing, writing the JSON report. The peer, in the same
# run: `cat` of the same segment files to /dev/null (the floor of reading them at all).
# Usage: bench/diff/run_capture_diff.sh [BUILD_DIR] [PAIRS]
set -euo pipefail
build=${1:-build}
pairs=${2:-10000000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$build/bin/bench_diff" --write-capture "$work/cap" "$pairs"
bytes=$(du -sb "$work/cap" | cut -f1)
t0=$(date +%s.%N)
cat "$work"/cap/* >/dev/null
t1=$(date +%s.%N)
/usr/bin/time -f "%M" -o "$work/rss" "$build/bin/doppelctl" diff --capture "$work/cap" \
  --report "$work/report.json" >"$work/out.txt" || true # exit 1 when an alert matched
t2=$(date +%s.%N)
python3 - "$t0" "$t1" "$t2" "$bytes" "$pairs" "$(cat "$work/rss")" "$work/report.json" <<'PY'
import json, sys
t0, t1, t2 = map(float, sys.argv[1:4]); size = int(sys.argv[4]); pairs = int(sys.argv[5])
report = json.load(open(sys.argv[7]))
calls = sum(s["calls"] for s in report["statements"])
print(f"{pairs} pairs, {size/1e9:.2f} GB of segments, {len(report['statements'])} fingerprints, "
      f"{calls} statements in the report")
print(f"doppelctl diff: {t2-t1:.2f} s (max RSS {int(sys.argv[6])/1024:.0f} MB); "
      f"peer cat of the segments: {t1-t0:.2f} s; ratio {(t2-t1)/(t1-t0):.1f}; "
      f"goal < 30 s: {'met' if t2-t1 < 30 else 'NOT met'}")
PY
