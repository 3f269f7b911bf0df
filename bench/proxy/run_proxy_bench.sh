#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Capture proxy benchmark: pgbench against the lab's production directly, through pgbouncer
# (Debian package, session pooling) and through doppel-proxy with capture off and on, side by
# side in one run. Runs are interleaved round by round so background noise hits every path
# alike. Prints a Markdown table of tps and p99 latency with ratios against pgbouncer.
#
# usage: run_proxy_bench.sh BIN_DIR [LAB_DIR] [SECONDS] [ROUNDS]
set -euo pipefail

bin=${1:?usage: run_proxy_bench.sh BIN_DIR [LAB_DIR] [SECONDS] [ROUNDS]}
lab=${2:-${XDG_DATA_HOME:-$HOME/.local/share}/doppel/lab}
secs=${3:-10}
rounds=${4:-2}
clients=8
threads=2

. "$(dirname "$0")/lib.sh"
lab_settings "$lab"
bench_start

start_pgbouncer "$port" "$password" "max_client_conn = 200" "default_pool_size = 20"

start_doppel_proxy "$bin" "$work/proxy-off.log"
off_port=$proxy_port
start_doppel_proxy "$bin" "$work/proxy-on.log" --capture-dir "$work/capture"
on_port=$proxy_port
on_pid=$proxy_pid

declare -A port_of=([direct]=$port [pgbouncer]=$bouncer_port [proxy-off]=$off_port [proxy-capture]=$on_port)
paths=(direct pgbouncer proxy-off proxy-capture)
declare -A tps p99 failed

run() { # path script mode [rate] -> "tps p99_ms failed p50_ms"
  local args=(-n -h 127.0.0.1 -p "${port_of[$1]}" -U doppel -c $clients -j $threads -T "$secs" -M "$3" -l --log-prefix="$work/log")
  [ -n "${4:-}" ] && args+=(-R "$4")
  [ "$2" = select-only ] && args+=(-S)
  rm -f "$work"/log.*
  local out
  out=$(pgbench "${args[@]}" pgbench 2>&1) || { echo "pgbench failed on $1: $out" >&2; exit 1; }
  local t f p
  t=$(sed -n 's/^tps = \([0-9.]*\) .*/\1/p' <<<"$out")
  f=$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' <<<"$out")
  # Per-transaction log: field 3 is the latency in microseconds.
  local sorted="$work/latencies"
  cat "$work"/log.* | awk '{print $3}' | sort -n >"$sorted"
  p=$(awk '{a[NR]=$1} END {i=int(NR*0.99); if (i<1) i=1; printf "%.3f", a[i]/1000}' "$sorted")
  local p50
  p50=$(awk '{a[NR]=$1} END {i=int(NR*0.5); if (i<1) i=1; printf "%.3f", a[i]/1000}' "$sorted")
  echo "$t $p ${f:-0} $p50"
}

for script in select-only tpcb; do
  for mode in simple extended prepared; do
    [ "$script" = tpcb ] && [ "$mode" != prepared ] && continue
    for path in "${paths[@]}"; do tps[$script,$mode,$path]=0; p99[$script,$mode,$path]=0; failed[$script,$mode,$path]=0; done
    for r in $(seq "$rounds"); do
      for path in "${paths[@]}"; do
        read -r t p f _ < <(run "$path" "$script" "$mode")
        tps[$script,$mode,$path]=$(awk -v a="${tps[$script,$mode,$path]}" -v b="$t" 'BEGIN{print a+b}')
        p99[$script,$mode,$path]=$(awk -v a="${p99[$script,$mode,$path]}" -v b="$p" 'BEGIN{print (b>a)?b:a}')
        failed[$script,$mode,$path]=$(( ${failed[$script,$mode,$path]} + f ))
      done
    done
  done
done

# Below saturation: a fixed rate of 4000 tps, where the proxy's cost shows as added latency.
declare -A p50r
for path in direct pgbouncer proxy-capture; do
  p50r[$path]=0
  for r in $(seq "$rounds"); do
    read -r _ _ f p50 < <(run "$path" select-only prepared 4000)
    p50r[$path]=$(awk -v a="${p50r[$path]}" -v b="$p50" -v n="$rounds" 'BEGIN{print a+b/n}')
  done
done

peak_rss=$(awk '/VmHWM/ {print $2 " " $3}' "/proc/$on_pid/status" 2>/dev/null || echo unknown)
kill -TERM "$on_pid"; wait "$on_pid" 2>/dev/null || true
captured=$(grep -o 'capture: [0-9]* records written, [0-9]* dropped' "$work/proxy-on.log" || true)

echo "pgbench -c $clients -j $threads, ${secs}s x $rounds interleaved rounds per path; $(nproc) cores; lab workload running"
echo
echo "| script | mode | direct tps | pgbouncer tps | proxy (capture off) tps | proxy (capture on) tps | capture on / pgbouncer | capture on / direct | p99 ms direct / pgbouncer / off / on | failed |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for script in select-only tpcb; do
  for mode in simple extended prepared; do
    [ "$script" = tpcb ] && [ "$mode" != prepared ] && continue
    d=$(awk -v a="${tps[$script,$mode,direct]}" -v r="$rounds" 'BEGIN{printf "%.0f", a/r}')
    b=$(awk -v a="${tps[$script,$mode,pgbouncer]}" -v r="$rounds" 'BEGIN{printf "%.0f", a/r}')
    o=$(awk -v a="${tps[$script,$mode,proxy-off]}" -v r="$rounds" 'BEGIN{printf "%.0f", a/r}')
    c=$(awk -v a="${tps[$script,$mode,proxy-capture]}" -v r="$rounds" 'BEGIN{printf "%.0f", a/r}')
    f=$(( ${failed[$script,$mode,direct]} + ${failed[$script,$mode,pgbouncer]} + ${failed[$script,$mode,proxy-off]} + ${failed[$script,$mode,proxy-capture]} ))
    printf '| %s | %s | %s | %s | %s | %s | %.2fx | %.2fx | %s / %s / %s / %s | %s |\n' "$script" "$mode" "$d" "$b" "$o" "$c" \
      "$(awk -v c="$c" -v b="$b" 'BEGIN{print c/b}')" "$(awk -v c="$c" -v d="$d" 'BEGIN{print c/d}')" \
      "${p99[$script,$mode,direct]}" "${p99[$script,$mode,pgbouncer]}" "${p99[$script,$mode,proxy-off]}" "${p99[$script,$mode,proxy-capture]}" "$f"
  done
done
echo
printf 'At -R 4000 (select-only, prepared): p50 latency direct %.3f ms, pgbouncer %.3f ms, doppel-proxy with capture %.3f ms: the proxy adds %.3f ms (pgbouncer %.3f ms).\n' \
  "${p50r[direct]}" "${p50r[pgbouncer]}" "${p50r[proxy-capture]}" \
  "$(awk -v a="${p50r[proxy-capture]}" -v b="${p50r[direct]}" 'BEGIN{print a-b}')" \
  "$(awk -v a="${p50r[pgbouncer]}" -v b="${p50r[direct]}" 'BEGIN{print a-b}')"
echo
echo "doppel-proxy $captured; peak RSS of the capturing proxy over the whole run: $peak_rss"
echo
# Mirroring: production tps with 10 % mirroring and with 100 % mirroring to a stopped shadow.
"$(dirname "$0")/run_mirror_bench.sh" "$bin" "$lab" "$secs" "$rounds"
