#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Proxy memory over a long run: doppel-proxy with capture on and 10 % mirroring to the lab's
# shadow, pgbench -S at a fixed rate through it for SECONDS, its resident set sampled every
# 10 s. pgbouncer runs the same load beside it as the peer. Prints the RSS of both at the
# start, middle and end, and the proxy's peak (VmHWM): memory must not grow with run length.
#
# usage: run_rss.sh BIN_DIR LAB_DIR [SECONDS] [RATE]
set -euo pipefail

bin=${1:?usage: run_rss.sh BIN_DIR LAB_DIR [SECONDS] [RATE]}
lab=${2:?usage: run_rss.sh BIN_DIR LAB_DIR [SECONDS] [RATE]}
secs=${3:-600}
rate=${4:-2000}

. "$(dirname "$0")/lib.sh"
lab_settings "$lab"
bench_start
prod_ci="host=127.0.0.1 port=$port dbname=pgbench user=doppel password=$password"
shadow_ci="host=127.0.0.1 port=$shadow_port dbname=pgbench user=doppel password=$password"
# The mirrored reads must find the tables: a shadow not yet set up gets Doppel's own setup
# (schema copy and logical replication from production).
if ! psql -XAtq -d "$shadow_ci" -c "SELECT 1 FROM pgbench_accounts LIMIT 1" >/dev/null 2>&1; then
  "$bin/doppelctl" shadow setup --prod "$prod_ci" --shadow "$shadow_ci" >"$work/setup.log" 2>&1 ||
    { cat "$work/setup.log" >&2; exit 1; }
  for _ in $(seq 600); do
    [ "$(psql -XAtq -d "$shadow_ci" -c "SELECT count(*) FROM pgbench_accounts" 2>/dev/null)" = \
      "$(psql -XAtq -d "$prod_ci" -c "SELECT count(*) FROM pgbench_accounts")" ] && break
    sleep 1
  done
fi
start_pgbouncer "$port" "$password"

proxy_port=$(free_port)
"$bin/doppel-proxy" --listen 127.0.0.1:$proxy_port --upstream "host=127.0.0.1 port=$port" \
  --capture-dir "$work/capture" --shadow "$shadow_ci" \
  --mirror-rate 0.1 --mirror-by statement 2>"$work/proxy.log" &
proxy_pid=$!
pids+=($proxy_pid)
wait_port "$proxy_port"

rss() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
run() { pgbench -n -S -c 8 -j 2 -R "$1" -T "$secs" "host=127.0.0.1 port=$2 dbname=pgbench user=doppel" >"$work/$3.txt" 2>&1; }
# Half the rate each, so that the two loads together stay below what the machine can serve.
run $((rate / 2)) "$proxy_port" proxy &
load1=$!
run $((rate / 2)) "$bouncer_port" bouncer &
load2=$!
samples=()
for ((t = 0; t <= secs; t += 10)); do
  samples+=("$t $(rss "$proxy_pid") $(rss "$bouncer_pid")")
  sleep 10
done
wait $load1 $load2
peak=$(awk '/VmHWM/ {print $2}' "/proc/$proxy_pid/status")
kill -TERM "$proxy_pid"
wait "$proxy_pid" || true
echo "| seconds | doppel-proxy RSS (kB) | pgbouncer RSS (kB) |"
echo "|---:|---:|---:|"
n=${#samples[@]}
for i in 1 $((n / 4)) $((n / 2)) $((3 * n / 4)) $((n - 1)); do
  read -r t a b <<<"${samples[$i]}"
  echo "| $t | $a | $b |"
done
first=$(printf '%s\n' "${samples[@]:1:6}" | awk '$2 > m {m = $2} END {print m}')
last=$(printf '%s\n' "${samples[@]: -6}" | awk '$2 > m {m = $2} END {print m}')
echo
top=$(printf '%s\n' "${samples[@]}" | awk '$2 > m {m = $2} END {print m}')
echo "doppel-proxy peak RSS: VmHWM $peak kB, highest sample $top kB; highest sample of the first minute $first kB, of the last minute $last kB"
grep -h -E "^tps|failed" "$work/proxy.txt" | sed 's/^/proxy: /'
grep -h -E "^tps|failed" "$work/bouncer.txt" | sed 's/^/pgbouncer: /'
records=$(du -sk "$work/capture" | cut -f1)
echo "capture: $records kB written"
grep -E "mirror" "$work/proxy.log" | tail -2 || true
