#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Mirroring benchmark: production transactions/s through doppel-proxy with capture on and no
# mirroring, against the same with 10 % mirroring to a running shadow and with 100 % mirroring
# to a shadow whose mirror backends are stopped (SIGSTOP) for the whole run. Rounds are
# interleaved so background noise hits every path alike. Prints a Markdown table with ratios
# against no mirroring. The shadow's backends are always let go (SIGCONT) on exit.
#
# usage: run_mirror_bench.sh BIN_DIR [LAB_DIR] [SECONDS] [ROUNDS]
set -euo pipefail

bin=${1:?usage: run_mirror_bench.sh BIN_DIR [LAB_DIR] [SECONDS] [ROUNDS]}
lab=${2:-${XDG_DATA_HOME:-$HOME/.local/share}/doppel/lab}
secs=${3:-10}
rounds=${4:-2}
clients=8
threads=2

. "$(dirname "$0")/lib.sh"
lab_settings "$lab"
work=$(mktemp -d)
pids=()
stopped=()
cleanup() {
  # run() lets its stopped backends go itself; this catches any left by an interrupted run.
  for p in "${stopped[@]}" $(mirror_backends 2>/dev/null); do kill -CONT "$p" 2>/dev/null || true; done
  bench_cleanup
}
trap cleanup EXIT

shadow_sql() { psql -X -At -h 127.0.0.1 -p "$shadow_port" -U doppel -d "${2:-postgres}" -c "$1"; }

# The shadow needs the benchmark's tables for the mirrored statements to run there; the lab's
# shadow keeps its pgbench database for shadow sync, so the benchmark has a database of its own.
if [ "$(shadow_sql "SELECT count(*) FROM pg_database WHERE datname = 'mirrorbench'")" = 0 ]; then
  scale=$(psql -X -At -h 127.0.0.1 -p "$port" -U doppel -d pgbench -c "SELECT count(*) FROM pgbench_branches")
  shadow_sql "CREATE DATABASE mirrorbench" >/dev/null
  pgbench -i -q -s "$scale" -h 127.0.0.1 -p "$shadow_port" -U doppel mirrorbench >/dev/null 2>&1
fi
shadow="host=127.0.0.1 port=$shadow_port user=doppel dbname=mirrorbench"

declare -A port_of
start_proxy() { # name extra-args...: sets port_of[name]
  local name=$1
  shift
  port_of[$name]=$(free_port)
  "$bin/doppel-proxy" --listen 127.0.0.1:"${port_of[$name]}" --upstream "host=127.0.0.1 port=$port" \
    --capture-dir "$work/capture-$name" "$@" >/dev/null 2>"$work/proxy-$name.log" &
  pids+=($!)
  wait_port "${port_of[$name]}"
}
start_proxy no-mirror
start_proxy mirror-10 --shadow "$shadow" --mirror-rate 0.1 --mirror-by statement
start_proxy mirror-100-stopped --shadow "$shadow" --mirror-rate 1
paths=(no-mirror mirror-10 mirror-100-stopped)

mirror_backends() { shadow_sql "SELECT pid FROM pg_stat_activity WHERE application_name LIKE 'doppel-mirror-%' AND pid NOT IN (${1:-0})"; }

run() { # path -> "tps failed"
  local out
  pgbench -n -h 127.0.0.1 -p "${port_of[$1]}" -U doppel -c $clients -j $threads -T "$secs" -S -M prepared \
    pgbench >"$work/out" 2>&1 &
  local bench=$!
  if [ "$1" = mirror-100-stopped ]; then
    # Stop every shadow backend serving this run's mirror connections as soon as it appears;
    # once all the clients' are stopped, stop looking (psql would cost this path CPU).
    local deadline=$((SECONDS + secs))
    while [ $SECONDS -lt $deadline ] && [ ${#stopped[@]} -lt $clients ] && kill -0 "$bench" 2>/dev/null; do
      local known
      known=$(IFS=,; echo "${stopped[*]:-0}")
      for p in $(mirror_backends "$known"); do kill -STOP "$p" && stopped+=("$p"); done
      sleep 0.2
    done
  fi
  local rc=0
  wait "$bench" || rc=$?
  for p in "${stopped[@]}"; do kill -CONT "$p" 2>/dev/null || true; done
  stopped=()
  [ $rc -eq 0 ] || { echo "pgbench failed on $1: $(cat "$work/out")" >&2; exit 1; }
  out=$(cat "$work/out")
  echo "$(sed -n 's/^tps = \([0-9.]*\) .*/\1/p' <<<"$out") $(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' <<<"$out")"
}

declare -A tps failed
for path in "${paths[@]}"; do tps[$path]=0; failed[$path]=0; done
for r in $(seq "$rounds"); do
  for path in "${paths[@]}"; do
    read -r t f < <(run "$path")
    tps[$path]=$(awk -v a="${tps[$path]}" -v b="$t" -v n="$rounds" 'BEGIN{print a+b/n}')
    failed[$path]=$((${failed[$path]} + ${f:-0}))
  done
done

for p in "${pids[@]}"; do kill -TERM "$p"; done
for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
pids=()

echo "pgbench -S -M prepared -c $clients -j $threads, ${secs}s x $rounds interleaved rounds per path, capture on; $(nproc) cores; lab workload running"
echo
echo "| path | tps | / no mirroring | failed | proxy's mirror summary |"
echo "|---|---:|---:|---:|---|"
for path in "${paths[@]}"; do
  summary=$(grep -o 'mirror: .*' "$work/proxy-$path.log" || echo "-")
  printf '| %s | %.0f | %.2fx | %s | %s |\n' "$path" "${tps[$path]}" \
    "$(awk -v a="${tps[$path]}" -v b="${tps[no-mirror]}" 'BEGIN{print a/b}')" "${failed[$path]}" "$summary"
done
