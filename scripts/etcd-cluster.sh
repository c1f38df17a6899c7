#!/usr/bin/env bash
# A local etcd cluster on loopback for users and the demo (tests start their own on free ports; see
# etcd/src/test/java/io/slate/etcd/EtcdCluster.java).
#
#   scripts/etcd-cluster.sh start  [--members 3] [--dir DIR] [--base-port 2379] [--timeout 30]
#   scripts/etcd-cluster.sh status [--dir DIR]
#   scripts/etcd-cluster.sh stop   [--dir DIR] [--purge]
#
# Member i (1..N) is named m<i>, listens for clients on 127.0.0.1:<base-port + 2(i-1)> and for peers on the port
# after it, and keeps everything in DIR/m<i>/: data/ (etcd's data dir), etcd.log, etcd.pid. DIR/cluster.env records
# the cluster's shape so that status and stop need only --dir. start waits until every member reports healthy, then
# prints the endpoints and a space address (etcd://.../name). A second start on a running DIR is refused; a start
# on a stopped DIR brings the same members back with their data. stop sends SIGTERM, waits, then SIGKILLs what is
# left; --purge also removes DIR. Default DIR: ${TMPDIR:-/tmp}/slate-etcd.
set -euo pipefail

usage() {
  sed -n '4,6p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

cmd="${1:-}"
[ -n "$cmd" ] || usage
shift
members=3
dir="${TMPDIR:-/tmp}/slate-etcd"
base_port=2379
timeout=30
purge=0
while [ $# -gt 0 ]; do
  case "$1" in
    --members) members="${2:?--members needs a number}"; shift 2 ;;
    --dir) dir="${2:?--dir needs a directory}"; shift 2 ;;
    --base-port) base_port="${2:?--base-port needs a port}"; shift 2 ;;
    --timeout) timeout="${2:?--timeout needs seconds}"; shift 2 ;;
    --purge) purge=1; shift ;;
    -h|--help) usage ;;
    *) echo "etcd-cluster.sh: unknown argument '$1'" >&2; usage ;;
  esac
done
case "$members" in ''|*[!0-9]*) echo "etcd-cluster.sh: --members '$members' is not a number" >&2; exit 2 ;; esac
case "$base_port" in ''|*[!0-9]*) echo "etcd-cluster.sh: --base-port '$base_port' is not a number" >&2; exit 2 ;; esac
case "$timeout" in ''|*[!0-9]*) echo "etcd-cluster.sh: --timeout '$timeout' is not a number" >&2; exit 2 ;; esac
if [ "$members" -lt 1 ] || [ "$members" -gt 9 ]; then
  echo "etcd-cluster.sh: --members $members: use 1 to 9 (3 or 5 for a cluster that survives member loss)" >&2
  exit 2
fi

alive() { # pid file -> 0 when its process runs
  [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null
}

load_env() {
  if [ ! -f "$dir/cluster.env" ]; then
    echo "etcd-cluster.sh: no cluster in $dir (no cluster.env); start one with: $0 start --dir $dir" >&2
    exit 1
  fi
  # shellcheck disable=SC1091
  . "$dir/cluster.env"
}

client_endpoints() {
  local i eps=""
  for i in $(seq 1 "$members"); do
    eps="${eps:+$eps,}127.0.0.1:$((base_port + 2 * (i - 1)))"
  done
  echo "$eps"
}

start() {
  command -v etcd >/dev/null 2>&1 || { echo "etcd-cluster.sh: etcd is not installed (apt-get install etcd-server)" >&2; exit 1; }
  command -v etcdctl >/dev/null 2>&1 || { echo "etcd-cluster.sh: etcdctl is not installed (apt-get install etcd-client)" >&2; exit 1; }
  mkdir -p "$dir"
  if [ -f "$dir/cluster.env" ]; then
    local want_members="$members" want_port="$base_port"
    load_env
    if [ "$want_members" != "$members" ] || [ "$want_port" != "$base_port" ]; then
      echo "etcd-cluster.sh: $dir holds a cluster of $members members from port $base_port; stop --purge it or use another --dir" >&2
      exit 1
    fi
  fi
  local i
  for i in $(seq 1 "$members"); do
    if alive "$dir/m$i/etcd.pid"; then
      echo "etcd-cluster.sh: member m$i of $dir is already running (pid $(cat "$dir/m$i/etcd.pid")); stop it first" >&2
      exit 1
    fi
  done
  local initial=""
  for i in $(seq 1 "$members"); do
    initial="${initial:+$initial,}m$i=http://127.0.0.1:$((base_port + 2 * (i - 1) + 1))"
  done
  for i in $(seq 1 "$members"); do
    local cport=$((base_port + 2 * (i - 1))) pport=$((base_port + 2 * (i - 1) + 1))
    if (exec 3<>"/dev/tcp/127.0.0.1/$cport") 2>/dev/null || (exec 3<>"/dev/tcp/127.0.0.1/$pport") 2>/dev/null; then
      echo "etcd-cluster.sh: port $cport or $pport on 127.0.0.1 is taken; choose another --base-port" >&2
      exit 1
    fi
  done
  printf 'members=%s\nbase_port=%s\n' "$members" "$base_port" > "$dir/cluster.env"
  for i in $(seq 1 "$members"); do
    local m="$dir/m$i" cport=$((base_port + 2 * (i - 1))) pport=$((base_port + 2 * (i - 1) + 1))
    mkdir -p "$m"
    # setsid: the member outlives this shell and gets no terminal signals; its pid is the one we stop later
    setsid etcd --name "m$i" --data-dir "$m/data" \
      --listen-client-urls "http://127.0.0.1:$cport" --advertise-client-urls "http://127.0.0.1:$cport" \
      --listen-peer-urls "http://127.0.0.1:$pport" --initial-advertise-peer-urls "http://127.0.0.1:$pport" \
      --initial-cluster "$initial" --initial-cluster-token "slate-$base_port" --initial-cluster-state new \
      --logger zap --log-outputs stderr \
      </dev/null >>"$m/etcd.log" 2>&1 &
    echo $! > "$m/etcd.pid"
  done
  local eps deadline=$((SECONDS + timeout))
  eps="$(client_endpoints)"
  until etcdctl --endpoints "$eps" --dial-timeout 1s --command-timeout 2s endpoint health >/dev/null 2>&1; do
    for i in $(seq 1 "$members"); do
      if ! alive "$dir/m$i/etcd.pid"; then
        echo "etcd-cluster.sh: member m$i exited during start; last lines of $dir/m$i/etcd.log:" >&2
        tail -n 5 "$dir/m$i/etcd.log" >&2
        stop_members
        exit 1
      fi
    done
    if [ $SECONDS -ge $deadline ]; then
      echo "etcd-cluster.sh: the cluster at $eps was not healthy within ${timeout}s; stopping it (logs in $dir/m*/etcd.log)" >&2
      etcdctl --endpoints "$eps" --dial-timeout 1s --command-timeout 2s endpoint health >&2 || true
      stop_members
      exit 1
    fi
    sleep 0.2
  done
  echo "etcd cluster of $members member(s) healthy in $dir"
  echo "endpoints: $eps"
  echo "space address: etcd://$eps/<name>"
}

status() {
  load_env
  local i running=0
  for i in $(seq 1 "$members"); do
    local cport=$((base_port + 2 * (i - 1)))
    if alive "$dir/m$i/etcd.pid"; then
      echo "m$i  127.0.0.1:$cport  pid $(cat "$dir/m$i/etcd.pid")  running"
      running=$((running + 1))
    else
      echo "m$i  127.0.0.1:$cport  stopped"
    fi
  done
  if [ $running -gt 0 ]; then
    etcdctl --endpoints "$(client_endpoints)" --dial-timeout 1s --command-timeout 2s endpoint status -w table || true
  fi
  [ $running -eq "$members" ]
}

stop_members() {
  local i pid
  for i in $(seq 1 "$members"); do
    if alive "$dir/m$i/etcd.pid"; then
      kill -TERM "$(cat "$dir/m$i/etcd.pid")" 2>/dev/null || true
    fi
  done
  for i in $(seq 1 "$members"); do
    local f="$dir/m$i/etcd.pid" waited=0
    [ -f "$f" ] || continue
    pid="$(cat "$f")"
    while kill -0 "$pid" 2>/dev/null && [ $waited -lt 100 ]; do
      sleep 0.1
      waited=$((waited + 1))
    done
    if kill -0 "$pid" 2>/dev/null; then
      echo "etcd-cluster.sh: m$i (pid $pid) did not stop within 10s; killing it" >&2
      kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$f"
  done
}

stop() {
  load_env
  stop_members
  if [ $purge -eq 1 ]; then
    rm -rf "$dir"
    echo "etcd cluster stopped; $dir removed"
  else
    echo "etcd cluster stopped; data kept in $dir (start again, or stop --purge to remove it)"
  fi
}

case "$cmd" in
  start) start ;;
  status) status ;;
  stop) stop ;;
  *) echo "etcd-cluster.sh: unknown command '$cmd'" >&2; usage ;;
esac
