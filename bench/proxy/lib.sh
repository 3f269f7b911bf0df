# SPDX-License-Identifier: GPL-3.0-or-later
# Shared by the proxy benchmarks (sourced): ports, the lab's settings, and pgbouncer as the peer.
# start_pgbouncer needs `work` and `pids`, which bench_start sets.

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 100); do (echo >/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0; sleep 0.1; done; return 1; }
# lab_port LAB_DIR production|shadow
lab_port() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]]['port'])" "$1/lab.json" "$2"; }
lab_password() { head -1 "$1/pgpass" | cut -d: -f5; }
# lab_settings LAB_DIR: sets port, shadow_port and password, and exports PGPASSWORD.
lab_settings() {
  port=$(lab_port "$1" production)
  shadow_port=$(lab_port "$1" shadow)
  password=$(lab_password "$1")
  export PGPASSWORD=$password
}

# bench_start: a temporary folder `work`, and on exit every process in `pids` stopped and waited
# for and the folder removed.
bench_cleanup() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
bench_start() {
  work=$(mktemp -d)
  pids=()
  trap bench_cleanup EXIT
}

# start_pgbouncer UPSTREAM_PORT PASSWORD [EXTRA_INI_LINE...]: pgbouncer 1.18 (Debian package),
# session pooling, SCRAM pass-through from a userlist with the plain password, in front of
# database pgbench; sets bouncer_port and bouncer_pid.
start_pgbouncer() {
  local upstream=$1 password=$2
  shift 2
  bouncer_port=$(free_port)
  printf '"doppel" "%s"\n' "$password" >"$work/userlist.txt"
  chmod 600 "$work/userlist.txt"
  {
    echo "[databases]"
    echo "pgbench = host=127.0.0.1 port=$upstream dbname=pgbench"
    echo "[pgbouncer]"
    echo "listen_addr = 127.0.0.1"
    echo "listen_port = $bouncer_port"
    echo "unix_socket_dir ="
    echo "auth_type = scram-sha-256"
    echo "auth_file = $work/userlist.txt"
    echo "pool_mode = session"
    echo "logfile = $work/pgbouncer.log"
    echo "pidfile = $work/pgbouncer.pid"
    for line in "$@"; do echo "$line"; done
  } >"$work/pgbouncer.ini"
  local as=()
  [ "$(id -u)" -eq 0 ] && { chown -R postgres "$work"; as=(runuser -u postgres --); }
  "${as[@]}" pgbouncer "$work/pgbouncer.ini" >/dev/null 2>&1 &
  pids+=($!)
  wait_port "$bouncer_port"
  for _ in $(seq 50); do [ -s "$work/pgbouncer.pid" ] && break; sleep 0.1; done
  bouncer_pid=$(cat "$work/pgbouncer.pid")
}

# start_doppel_proxy BIN_DIR LOG [ARGS...]: doppel-proxy on a free port in front of the lab's
# production (`port`, from lab_settings); sets proxy_port and proxy_pid.
start_doppel_proxy() {
  local bin=$1 log=$2
  shift 2
  proxy_port=$(free_port)
  "$bin/doppel-proxy" --listen 127.0.0.1:$proxy_port --upstream "host=127.0.0.1 port=$port" "$@" 2>"$log" &
  pids+=($!)
  proxy_pid=$!
  wait_port "$proxy_port"
}
