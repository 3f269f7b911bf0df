#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# CPU cost per transaction, a figure that load on the machine barely moves (unlike tps): pgbench
# -S -M prepared -c 8 at a fixed RATE through pgbouncer (session pooling) and through
# doppel-proxy with capture on and off, 1 and 2 workers, one after the other; the user+system
# CPU time each proxy process used is read from /proc/PID/stat around its run.
#
# usage: run_cpu_per_tx.sh BIN_DIR LAB_DIR [SECONDS] [RATE]
set -euo pipefail
bin=${1:?usage: run_cpu_per_tx.sh BIN_DIR LAB_DIR [SECONDS] [RATE]}; lab=${2:?LAB_DIR}; secs=${3:-20}; rate=${4:-2000}
. "$(dirname "$0")/lib.sh"
lab_settings "$lab"
bench_start
start_pgbouncer "$port" "$password"
bp=$bouncer_port
bpid=$bouncer_pid
declare -A pp pid
for v in "cap2:--workers 2 --capture-dir $work/c2" "cap1:--workers 1 --capture-dir $work/c1" "off2:--workers 2" "off1:--workers 1"; do
  n=${v%%:*}; a=${v#*:}; pp[$n]=$(free_port)
  $bin/doppel-proxy --listen 127.0.0.1:${pp[$n]} --upstream "host=127.0.0.1 port=$port" $a 2>/dev/null & pids+=($!); pid[$n]=$!; wait_port ${pp[$n]}
done
pp[bouncer]=$bp; pid[bouncer]=$bpid
ticks() { awk '{print $14 + $15}' /proc/$1/stat; }
for n in bouncer cap2 cap1 off2 off1; do
  t0=$(ticks ${pid[$n]})
  out=$(pgbench -n -S -M prepared -c 8 -j 2 -R $rate -T $secs "host=127.0.0.1 port=${pp[$n]} dbname=pgbench user=doppel" 2>&1)
  t1=$(ticks ${pid[$n]})
  tx=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' <<<"$out")
  lat=$(sed -n 's/^latency average = \([0-9.]*\).*/\1/p' <<<"$out")
  echo "$n: tx=$tx cpu_ticks=$((t1-t0)) us_cpu_per_tx=$(awk -v t=$((t1-t0)) -v x=$tx -v hz=$(getconf CLK_TCK) 'BEGIN{printf "%.1f", t*1e6/hz/x}') lat_avg=$lat"
done
