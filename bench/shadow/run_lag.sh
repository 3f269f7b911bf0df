#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Steady-state replication lag of a shadow under load, on a lab of its own:
#  1. production database "benchlag" (pgbench -i -s 10 and a probe table), an empty shadow
#     database, `doppelctl shadow setup` between them;
#  2. pgbench TPC-B at RATE transactions/s (about twice the lab workload's busiest hour) for
#     SECONDS, while every second `doppelctl shadow status --json` gives Doppel's lag_seconds and
#     lag_bytes, and a probe measures the peer figure: the time from a commit on production to
#     the row being visible on the shadow (an insert every second, polled on the shadow every 2 ms);
#  3. after the load stops, how long until the lag is back under 1 s and at 0 bytes.
# Usage: bench/shadow/run_lag.sh [BUILD_DIR] [SECONDS] [RATE]   (prints a markdown table)
set -euo pipefail
build=${1:-build}
seconds=${2:-600}
rate=${3:-200}
ctl="$build/bin/doppelctl"
work=$(mktemp -d)
labdir="$work/lab"
"$ctl" --repo "$work/repo.sqlite" lab up --dir "$labdir" --scale 1 --no-workload >/dev/null 2>&1
trap '"$ctl" lab down --dir "$labdir" >/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
status=$("$ctl" lab status --dir "$labdir" --json)
prod=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["production"]["conninfo"])' <<<"$status")
shadow=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["shadow"]["conninfo"])' <<<"$status")
for c in "$prod" "$shadow"; do
  psql -X -q "$c" -c "DROP DATABASE IF EXISTS benchlag WITH (FORCE)" -c "CREATE DATABASE benchlag"
done
pgbench -i -s 10 -q "$prod dbname=benchlag" >/dev/null 2>&1
psql -X -q "$prod dbname=benchlag" -c "CREATE TABLE lag_probe (id int PRIMARY KEY, sent timestamptz)"
pair=(--prod "$prod dbname=benchlag" --shadow "$shadow dbname=benchlag" --name doppel_benchlag)
trap '"$ctl" shadow teardown "${pair[@]}" >/dev/null 2>&1 || true; "$ctl" lab down --dir "$labdir" >/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
"$ctl" shadow setup "${pair[@]}" >/dev/null
# Initial copy done: every table ready.
for _ in $(seq 600); do
  "$ctl" shadow status "${pair[@]}" --json >"$work/s.json" || true
  python3 -c 'import json,sys; t=json.load(open(sys.argv[1]))["tables"]; sys.exit(0 if t and all(x["state"]=="ready" for x in t) else 1)' "$work/s.json" && break
  sleep 1
done

/usr/bin/python3 - "$prod dbname=benchlag" "$shadow dbname=benchlag" "$seconds" >"$work/probe.txt" <<'PY' &
import sys, time, psycopg2
prod = psycopg2.connect(sys.argv[1]); prod.autocommit = True
shadow = psycopg2.connect(sys.argv[2]); shadow.autocommit = True
pc, sc = prod.cursor(), shadow.cursor()
end = time.time() + float(sys.argv[3])
i = 0
while time.time() < end:
    i += 1
    pc.execute("INSERT INTO lag_probe VALUES (%s, now())", (i,))
    t0 = time.time()
    while True:
        sc.execute("SELECT 1 FROM lag_probe WHERE id = %s", (i,))
        if sc.fetchone():
            break
        if time.time() - t0 > 60:
            break
        time.sleep(0.002)
    print(time.time() - t0, flush=True)
    time.sleep(max(0.0, 1.0 - (time.time() - t0)))
PY
probe=$!
pgbench -n -c 4 -j 2 -R "$rate" -T "$seconds" "$prod dbname=benchlag" >"$work/pgbench.txt" 2>&1 &
bench=$!
: >"$work/lag.txt"
while kill -0 "$bench" 2>/dev/null; do
  "$ctl" shadow status "${pair[@]}" --json 2>/dev/null |
    python3 -c 'import json,sys; s=json.load(sys.stdin); print(s["lag_seconds"], s["lag_bytes"])' >>"$work/lag.txt" || true
  sleep 1
done
wait "$bench"
wait "$probe"
stopped=$(date +%s.%N)
caught_up=""
for _ in $(seq 600); do
  read -r ls lb < <("$ctl" shadow status "${pair[@]}" --json | python3 -c 'import json,sys; s=json.load(sys.stdin); print(s["lag_seconds"], s["lag_bytes"])')
  if python3 -c "import sys; sys.exit(0 if $ls < 1 and $lb == 0 else 1)"; then
    caught_up=$(python3 -c "print(round($(date +%s.%N) - $stopped, 2))"); break
  fi
  sleep 0.2
done
tps=$(grep -oP 'tps = \K[0-9.]+' "$work/pgbench.txt" | head -1)
python3 - "$work/lag.txt" "$work/probe.txt" "$seconds" "$rate" "$tps" "${caught_up:-never}" <<'PY'
import sys
def pct(v, p):
    v = sorted(v); k = (len(v) - 1) * p / 100.0; f = int(k); c = min(f + 1, len(v) - 1)
    return v[f] + (v[c] - v[f]) * (k - f)
lag = [tuple(map(float, l.split())) for l in open(sys.argv[1]) if l.strip()]
secs = [a for a, _ in lag]; bts = [b for _, b in lag]
probe = [float(l) for l in open(sys.argv[2]) if l.strip()]
print(f"pgbench TPC-B -c 4 -R {sys.argv[4]} for {sys.argv[3]} s: {sys.argv[5]} tps; "
      f"{len(secs)} status samples, {len(probe)} probes; lag under 1 s and 0 bytes "
      f"{sys.argv[6]} s after the load stopped\n")
print("| measure | p50 | p95 | p99 | max |")
print("|---|---|---|---|---|")
row = lambda name, v, f: print(f"| {name} | " + " | ".join(f.format(pct(v, p)) for p in (50, 95, 99, 100)) + " |")
row("Doppel lag_seconds (s)", secs, "{:.3f}")
row("Doppel lag_bytes", bts, "{:.0f}")
row("probe: commit to visible on the shadow (s)", probe, "{:.3f}")
PY
