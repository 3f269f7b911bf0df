#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Log import and replay against pgreplay, side by side in one run on the lab's shadow cluster:
#  1. a pgbench run (select-only, extended protocol; on TPC-B pgreplay falls ever further
#     behind schedule on lock waits) in database "benchwl", logged the way pgreplay needs it
#     (log_statement = all, connections and disconnections) into the lab's csvlog;
#  2. import: `doppelctl capture import` against `pgreplay -f` (its parse-to-file mode) on the
#     same csvlog, repeated REPEAT times so the file is large enough to time (MB/s, ratio);
#  3. replay as fast as possible: `doppelctl replay --speed 0` against `pgreplay -r -s 1000` on
#     the same statements, the database re-initialised before each (statements/s, ratio).
# Usage: bench/workload/run.sh [BUILD_DIR] [SECONDS] [REPEAT]   (prints a markdown table)
set -euo pipefail
build=${1:-build}
seconds=${2:-20}
repeat=${3:-40}
ctl="$build/bin/doppelctl"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
labdir="$work/lab"
"$ctl" --repo "$work/repo.sqlite" lab up --dir "$labdir" --scale 1 --no-workload >/dev/null 2>&1
trap '"$ctl" lab down --dir "$labdir" >/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
status=$("$ctl" lab status --dir "$labdir" --json)
shadow=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["shadow"]["conninfo"])' <<<"$status")
datadir=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["shadow"]["data_dir"])' <<<"$status")
db="$shadow dbname=benchwl"

reset_db() {
  psql -X -q "$shadow" -c "DROP DATABASE IF EXISTS benchwl WITH (FORCE)" -c "CREATE DATABASE benchwl" 2>/dev/null
  pgbench -i -s 10 -q "$db" >/dev/null 2>&1
}

reset_db
# Connection logging is per server (this lab is the benchmark's own); statements per database.
psql -X -q "$shadow" -c "ALTER SYSTEM SET log_connections = on" \
  -c "ALTER SYSTEM SET log_disconnections = on" -c "SELECT pg_reload_conf()" >/dev/null
psql -X -q "$shadow" -c "ALTER DATABASE benchwl SET log_statement = 'all'"
pgbench -n -S -M extended -c 4 -j 2 -T "$seconds" "$db" >"$work/pgbench.txt" 2>&1
psql -X -q "$shadow" -c "ALTER DATABASE benchwl RESET ALL"
sleep 2 # the logging collector writes on its own time
cat "$datadir"/log/*.csv >"$work/one.csv"
for _ in $(seq "$repeat"); do cat "$work/one.csv"; done >"$work/big.csv"
mb=$(python3 -c "import os; print(os.path.getsize('$work/big.csv')/1e6)")

t0=$(date +%s.%N)
"$ctl" capture import --quiet --log "$work/big.csv" --format csvlog --out "$work/big-capture" >"$work/import.txt"
t1=$(date +%s.%N)
pgreplay -f -c -o "$work/big.replay" "$work/big.csv" >/dev/null 2>&1
t2=$(date +%s.%N)
doppel_mbs=$(python3 -c "print($mb/($t1-$t0))")
pgreplay_mbs=$(python3 -c "print($mb/($t2-$t1))")

# Replay: the single run (only benchwl logs statements, and only from the run on).
"$ctl" capture import --quiet --log "$work/one.csv" --format csvlog --out "$work/capture" >/dev/null
pgreplay -f -c -o "$work/one.replay" "$work/one.csv" >/dev/null 2>&1
reset_db
"$ctl" replay --quiet --capture "$work/capture" --target "$db" --speed 0 \
  --report "$work/replay.json" >"$work/replay.txt"
doppel_stmts=$(python3 -c "import json; print(json.load(open('$work/replay.json'))['totals']['statements'])")
doppel_wall=$(python3 -c "import json; print(json.load(open('$work/replay.json'))['totals']['wall_s'])")
doppel_errors=$(python3 -c "import json; print(json.load(open('$work/replay.json'))['totals']['errors'])")
reset_db
export PGPASSFILE="$labdir/pgpass"
port=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["shadow"]["port"])' <<<"$status")
t3=$(date +%s.%N)
timeout 120 pgreplay -r -h 127.0.0.1 -p "$port" -W "$(cut -d: -f5 "$labdir/pgpass" | head -1)" -s 1000 \
  "$work/one.replay" >"$work/pgreplay.txt" 2>&1 || true
t4=$(date +%s.%N)
pgreplay_stmts=$(grep -E 'SQL statements executed' "$work/pgreplay.txt" | grep -oE '[0-9]+' | head -1)
pgreplay_wall=$(python3 -c "print($t4-$t3)")

python3 - "$mb" "$doppel_mbs" "$pgreplay_mbs" "$doppel_stmts" "$doppel_wall" "$doppel_errors" \
  "$pgreplay_stmts" "$pgreplay_wall" <<'PY'
import sys
mb, dm, pm, ds, dw, de, ps, pw = sys.argv[1:]
mb, dm, pm, dw, pw = map(float, (mb, dm, pm, dw, pw))
ds, ps, de = int(ds), int(ps or 0), int(de)
print(f"| measure | Doppel | pgreplay | ratio |")
print(f"| --- | ---: | ---: | ---: |")
print(f"| csvlog import, {mb:.0f} MB (MB/s) | {dm:.0f} | {pm:.0f} | {dm/pm:.2f} |")
print(f"| replay at full speed (statements/s) | {ds/dw:.0f} ({ds} in {dw:.2f} s, {de} errors) | "
      f"{ps/pw:.0f} ({ps} in {pw:.2f} s) | {(ds/dw)/(ps/pw) if ps else float('nan'):.2f} |")
PY
