#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Where the CPU goes at saturation, and what that leaves a proxy: pgbench -S -c 8 -j 2 (each
# -M mode) directly, through pgbouncer and through a capturing doppel-proxy, interleaved. For
# each run: tps, the machine's busy CPU per transaction (/proc/stat), and the proxy's own CPU
# per transaction split into user and kernel time (/proc/PID/task/*/stat). Then the ceiling:
# with its user-space cost at zero and the kernel work of forwarding (two loopback TCP sends and
# receives, and the wake-ups of the peers, per transaction) unchanged, a proxy could reach at
# most CORES / (busy per tx - proxy user per tx) transactions per second.
#
# usage: run_cpu_budget.sh BIN_DIR [LAB_DIR] [SECONDS] [ROUNDS]
set -euo pipefail
bin=${1:?usage: run_cpu_budget.sh BIN_DIR [LAB_DIR] [SECONDS] [ROUNDS]}
lab=${2:-${XDG_DATA_HOME:-$HOME/.local/share}/doppel/lab}
secs=${3:-10}
rounds=${4:-3}
. "$(dirname "$0")/lib.sh"
lab_settings "$lab"
bench_start
start_pgbouncer "$port" "$password" "max_client_conn = 200" "default_pool_size = 20"
start_doppel_proxy "$bin" "$work/proxy.log" --capture-dir "$work/capture"
hz=$(getconf CLK_TCK)
cores=$(nproc)

busy() { awk '/^cpu / {print $2 + $3 + $4 + $7 + $8}' /proc/stat; }
# user and system ticks of every thread of PID (0 0 for none)
own() {
  [ -n "$1" ] || { echo "0 0"; return; }
  cat /proc/"$1"/task/*/stat | awk '{sub(/^.*\) /, ""); u += $12; s += $13} END {print u, s}'
}
# path port pid mode -> "tps busy_us user_us sys_us" per transaction
measure() {
  local b0 b1 o0 o1 out tx t
  b0=$(busy); o0=($(own "$3"))
  out=$(pgbench -n -h 127.0.0.1 -p "$2" -U doppel -c 8 -j 2 -T "$secs" -M "$4" -S pgbench 2>&1)
  b1=$(busy); o1=($(own "$3"))
  tx=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' <<<"$out")
  t=$(sed -n 's/^tps = \([0-9.]*\) .*/\1/p' <<<"$out")
  awk -v t="$t" -v tx="$tx" -v b=$((b1 - b0)) -v u=$((o1[0] - o0[0])) -v s=$((o1[1] - o0[1])) -v hz="$hz" \
    'BEGIN {f = 1e6 / hz / tx; printf "%.0f %.2f %.2f %.2f\n", t, b * f, u * f, s * f}'
}

declare -A sum
echo "pgbench -S -c 8 -j 2, ${secs}s x $rounds interleaved rounds; $cores cores; CPU in µs per transaction"
echo
echo "| mode | path | tps | machine busy / tx | proxy user / tx | proxy kernel / tx |"
echo "|---|---|---:|---:|---:|---:|"
for mode in simple extended prepared; do
  for k in direct pgbouncer doppel-proxy; do for f in t b u s; do sum[$mode,$k,$f]=0; done; done
  for _ in $(seq "$rounds"); do
    for k in direct pgbouncer doppel-proxy; do
      case $k in
        direct) r=($(measure $k "$port" "" "$mode")) ;;
        pgbouncer) r=($(measure $k "$bouncer_port" "$bouncer_pid" "$mode")) ;;
        doppel-proxy) r=($(measure $k "$proxy_port" "$proxy_pid" "$mode")) ;;
      esac
      i=0
      for f in t b u s; do
        sum[$mode,$k,$f]=$(awk -v a="${sum[$mode,$k,$f]}" -v b="${r[$i]}" 'BEGIN {print a + b}')
        i=$((i + 1))
      done
    done
  done
  for k in direct pgbouncer doppel-proxy; do
    awk -v m="$mode" -v k="$k" -v n="$rounds" -v t="${sum[$mode,$k,t]}" -v b="${sum[$mode,$k,b]}" \
      -v u="${sum[$mode,$k,u]}" -v s="${sum[$mode,$k,s]}" \
      'BEGIN {printf "| %s | %s | %.0f | %.1f | %.1f | %.1f |\n", m, k, t/n, b/n, u/n, s/n}'
  done
done
echo
echo "Ceiling with the proxy's user-space cost at zero, against the goal of 1.25x pgbouncer:"
echo
echo "| mode | pgbouncer tps | 1.25x pgbouncer | ceiling: cores / (busy - proxy user) | ceiling / pgbouncer |"
echo "|---|---:|---:|---:|---:|"
for mode in simple extended prepared; do
  awk -v m="$mode" -v n="$rounds" -v c="$cores" -v bt="${sum[$mode,pgbouncer,t]}" \
    -v b="${sum[$mode,doppel-proxy,b]}" -v u="${sum[$mode,doppel-proxy,u]}" \
    'BEGIN {p = bt / n; ceil = c * 1e6 / ((b - u) / n); printf "| %s | %.0f | %.0f | %.0f | %.2fx |\n", m, p, 1.25 * p, ceil, ceil / p}'
done
