#!/usr/bin/env bash
# bench-gateway.sh: the Redis-protocol gateway (slate serve) against Debian's redis-server, in the same run, on this
# machine: redis-benchmark GET, SET and INCR with 50 clients at -P 1 and -P 16, then the round trip of the Python
# (python3-redis) and Node (npm redis) clients, one request at a time. Every write through the gateway is a Slate
# write: versioned and journaled. Two redis-servers run beside it: one as Redis runs by default for such comparisons
# (no persistence), and one that also journals every write (its append-only file on tmpfs, as Slate's journal is, and
# not fsynced, as Slate's is not): the equal-terms baseline for writes. Next to ops/s it reports each server's CPU time
# per command (all its threads, user and system, from /proc/PID/stat): on a machine shared with other work ops/s follow
# the load, CPU per command much less.
#
# Usage: scripts/bench-gateway.sh [--quick] [--requests N] [--out DIR]
#   --quick        20,000 requests per redis-benchmark case at -P 1 and 2,000 client round trips (default 200,000 and
#                  20,000); at -P 16 ten times as many requests, so that a case lasts about as long as at -P 1
#   --out DIR      where to write results.csv, results.md and throughput.svg (default docs/bench/gateway)
# Needs: java, redis-server, redis-benchmark (redis-tools), /usr/bin/python3 with python3-redis, node and
# clients/node/node_modules (npm ci). Prints the machine's load before and after: the numbers mean little on a busy host.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
requests=200000
trips=20000
out="$root/docs/bench/gateway"
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) requests=20000; trips=2000 ;;
    --requests) requests="$2"; shift ;;
    --out) out="$2"; shift ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "bench-gateway: unknown option '$1'" >&2; exit 2 ;;
  esac
  shift
done
for tool in redis-server redis-benchmark node; do
  command -v "$tool" >/dev/null || { echo "bench-gateway: $tool is missing" >&2; exit 2; }
done
/usr/bin/python3 -c 'import redis' 2>/dev/null || { echo "bench-gateway: /usr/bin/python3 lacks python3-redis" >&2; exit 2; }
[ -d "$root/clients/node/node_modules/redis" ] || { echo "bench-gateway: run 'npm ci' in clients/node" >&2; exit 2; }
jar="$root/ipc-demo/target/slate.jar"
if [ ! -f "$jar" ]; then
  echo "bench-gateway: building $jar..." >&2
  (cd "$root" && mvn -q -B -DskipTests package -pl ipc-demo -am) >&2
fi

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
work="$(mktemp -d /tmp/slate-bench-gw.XXXXXX)"
space="/dev/shm/slate/bench-gw-$$"
aof_dir="$(mktemp -d /dev/shm/slate-bench-gw-aof.XXXXXX)"
redis_pid=""
aof_pid=""
gw_pid=""
cleanup() {
  [ -n "$gw_pid" ] && kill "$gw_pid" 2>/dev/null && wait "$gw_pid" 2>/dev/null || true
  [ -n "$redis_pid" ] && kill "$redis_pid" 2>/dev/null && wait "$redis_pid" 2>/dev/null || true
  [ -n "$aof_pid" ] && kill "$aof_pid" 2>/dev/null && wait "$aof_pid" 2>/dev/null || true
  rm -rf "$work" "$space" "$aof_dir"
}
trap cleanup EXIT

redis_port=$(free_port)
redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --dir "$work" --loglevel warning > "$work/redis.log" 2>&1 &
redis_pid=$!
# every write appended to the append-only file (written once per event-loop pass, never fsynced), on tmpfs
aof_port=$(free_port)
redis-server --port "$aof_port" --bind 127.0.0.1 --save "" --appendonly yes --appendfsync no --dir "$aof_dir" --loglevel warning \
  > "$work/redis-aof.log" 2>&1 &
aof_pid=$!
gw_port=$(free_port)
"$root/scripts/slate" serve --space "$space" --port "$gw_port" > "$work/gw.log" 2>&1 &
gw_pid=$!
for _ in $(seq 1 600); do
  if redis-cli -p "$gw_port" PING >/dev/null 2>&1 && redis-cli -p "$redis_port" PING >/dev/null 2>&1 \
     && redis-cli -p "$aof_port" PING >/dev/null 2>&1; then break; fi
  sleep 0.1
done
redis-cli -p "$gw_port" PING >/dev/null || { echo "bench-gateway: the gateway did not start:"; cat "$work/gw.log"; exit 3; } >&2
for p in "$redis_port" "$aof_port"; do
  redis-cli -p "$p" PING >/dev/null || { echo "bench-gateway: redis-server on :$p did not start:"; cat "$work"/redis*.log; exit 3; } >&2
done

load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load average before: $load_before"
echo "redis-server $(redis-server --version | grep -o 'v=[^ ]*' | cut -c3-) on :$redis_port, with its append-only file on :$aof_port; slate serve on :$gw_port (space $space)"
echo "server,pipeline,test,rps,avg_ms,min_ms,p50_ms,p95_ms,p99_ms,max_ms,cpu_us_per_op" > "$work/results.csv"
# CPU time (user + system, all threads) a process has used so far, in clock ticks
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
ticks_per_s="$(getconf CLK_TCK)"
# warm-up, not recorded: a gateway is a long-running server, and its JIT takes about two million pipelined commands to
# settle on two CPUs (-XX:+PrintCompilation: 3,751 compilations during the first million pipelined SETs, 51 during the
# fourth; throughput 0.52, 0.79, 0.89, 0.87 M/s). At least 100,000 commands per case at -P 1, a million at -P 16.
warm1=$((requests / 4 > 100000 ? requests / 4 : 100000))
warm16=$((requests * 5 > 1000000 ? requests * 5 : 1000000))
for pipeline in 1 16; do
  warm=$warm1; [ "$pipeline" = 16 ] && warm=$warm16
  for port in "$redis_port" "$aof_port" "$gw_port"; do
    redis-benchmark -p "$port" -c 50 -n "$warm" -P "$pipeline" -t set,get,incr -q > /dev/null
  done
done
# the servers alternate case by case, so a change in the machine's load hits all alike
for pipeline in 1 16; do
  for test in set get incr; do
    for server in redis redis-aof slate; do
      port=$redis_port; pid=$redis_pid
      [ "$server" = redis-aof ] && { port=$aof_port; pid=$aof_pid; }
      [ "$server" = slate ] && { port=$gw_port; pid=$gw_pid; }
      before=$(cpu_ticks "$pid")
      # at -P 16 a case of N requests lasts a tenth of one at -P 1 (0.15 s for 200,000): ten times as many
      n=$requests; [ "$pipeline" = 16 ] && n=$((requests * 10))
      line="$(redis-benchmark -p "$port" -c 50 -n "$n" -P "$pipeline" -t "$test" --csv | tail -n +2 | tr -d '"')"
      after=$(cpu_ticks "$pid")
      cpu="$(awk -v t=$((after - before)) -v hz="$ticks_per_s" -v n="$n" 'BEGIN { printf "%.3f", t * 1e6 / hz / n }')"
      echo "$server,$pipeline,$line,$cpu" >> "$work/results.csv"
    done
  done
done

# client round trips: one SET then one GET at a time, N times; microseconds per command, p50 and p99
cat > "$work/rt.py" <<'PY'
import sys, time, redis
r = redis.Redis(port=int(sys.argv[1])); n = int(sys.argv[2]); lat = []
for i in range(n // 10): r.set("rt:k", i); r.get("rt:k")
for i in range(n):
    t = time.perf_counter_ns(); r.set("rt:k", i); r.get("rt:k"); lat.append((time.perf_counter_ns() - t) / 2000)
lat.sort(); print("%.1f,%.1f" % (lat[len(lat) // 2], lat[int(len(lat) * 0.99)]))
PY
cat > "$work/rt.js" <<'JS'
const { createClient } = require('redis');
(async () => {
  const c = createClient({ socket: { host: '127.0.0.1', port: Number(process.argv[2]) } }); await c.connect();
  const n = Number(process.argv[3]); const lat = [];
  for (let i = 0; i < n / 10; i++) { await c.set('rt:k', String(i)); await c.get('rt:k'); }
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint(); await c.set('rt:k', String(i)); await c.get('rt:k');
    lat.push(Number(process.hrtime.bigint() - t) / 2000);
  }
  lat.sort((a, b) => a - b); console.log(`${lat[lat.length >> 1].toFixed(1)},${lat[Math.floor(lat.length * 0.99)].toFixed(1)}`);
  await c.quit();
})();
JS
echo "client,server,p50_us,p99_us" > "$work/roundtrip.csv"
for server in redis slate; do
  port=$redis_port; [ "$server" = slate ] && port=$gw_port
  echo "python3-redis,$server,$(/usr/bin/python3 "$work/rt.py" "$port" "$trips")" >> "$work/roundtrip.csv"
  echo "node-redis,$server,$(NODE_PATH="$root/clients/node/node_modules" node "$work/rt.js" "$port" "$trips")" >> "$work/roundtrip.csv"
done
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"
journal="$(redis-cli -p "$gw_port" XLEN slate:journal)"

mkdir -p "$out"
cp "$work/results.csv" "$out/results.csv"
cp "$work/roundtrip.csv" "$out/roundtrip.csv"
/usr/bin/python3 - "$out" "$requests" "$trips" "$load_before" "$load_after" "$journal" "$(nproc)" <<'PY'
import csv, sys
out, requests, trips, before, after, journal, cpus = sys.argv[1:8]
rows = list(csv.DictReader(open(out + "/results.csv")))
rt = list(csv.DictReader(open(out + "/roundtrip.csv")))
by = {(r["server"], r["pipeline"], r["test"]): r for r in rows}
lines = ["redis-benchmark, 50 clients, %s requests per case at -P 1 and ten times as many at -P 16 (after at least 100,000 of warm-up per case at -P 1 and 1,000,000 at -P 16); %s CPUs, load average %s before, %s after; "
         "%s journal records written through the gateway. redis: redis-server without persistence; redis AOF: redis-server appending every write "
         "to its append-only file (on tmpfs, not fsynced), as the gateway journals every write. CPU: the server process's user + system time per command, all threads"
         % (format(int(requests), ","), cpus, before, after, format(int(journal), ",")), "",
         "| test | -P | redis ops/s | redis AOF ops/s | slate serve ops/s | slate / redis | slate / redis AOF | redis p50 ms | redis AOF p50 ms | slate p50 ms "
         "| redis CPU us/op | redis AOF CPU us/op | slate CPU us/op |",
         "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
bars = []
for p in ("1", "16"):
    for t in ("SET", "GET", "INCR"):
        r, a, s = by.get(("redis", p, t)), by.get(("redis-aof", p, t)), by.get(("slate", p, t))
        if not r or not a or not s:
            continue
        ops = lambda x: format(round(float(x["rps"])), ",")
        lines.append("| %s | %s | %s | %s | %s | %.2f | %.2f | %s | %s | %s | %s | %s | %s |" % (
            t, p, ops(r), ops(a), ops(s), float(s["rps"]) / float(r["rps"]), float(s["rps"]) / float(a["rps"]),
            r["p50_ms"], a["p50_ms"], s["p50_ms"], r["cpu_us_per_op"], a["cpu_us_per_op"], s["cpu_us_per_op"]))
        bars.append(("%s -P %s" % (t, p), float(r["rps"]), float(a["rps"]), float(s["rps"])))
lines += ["", "Client round trip (one SET and one GET at a time, %s times; microseconds per command):" % format(int(trips), ","), "",
          "| client | redis-server p50 | slate serve p50 | redis-server p99 | slate serve p99 |", "|---|---|---|---|---|"]
for c in ("python3-redis", "node-redis"):
    r = [x for x in rt if x["client"] == c and x["server"] == "redis"][0]
    s = [x for x in rt if x["client"] == c and x["server"] == "slate"][0]
    lines.append("| %s | %s | %s | %s | %s |" % (c, r["p50_us"], s["p50_us"], r["p99_us"], s["p99_us"]))
open(out + "/results.md", "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
# a bar chart, stdlib only
w, h, left, top, bottom = 760, 360, 70, 30, 60
top_v = max(max(b[1:]) for b in bars) * 1.1
bw = (w - left - 20) / len(bars)
svg = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" font-size="11">' % (w, h),
       '<text x="%d" y="18" font-size="13">ops/s, 50 clients: redis-server (grey), redis-server with its append-only file (dark grey), slate serve (blue)</text>' % left]
for i in range(5):
    v = top_v * i / 4
    y = h - bottom - (h - top - bottom) * i / 4
    svg.append('<line x1="%d" x2="%d" y1="%.0f" y2="%.0f" stroke="#ddd"/><text x="%d" y="%.0f" text-anchor="end">%s</text>'
               % (left, w - 20, y, y, left - 5, y + 4, format(int(v), ",")))
for i, (label, rv, av, sv) in enumerate(bars):
    x = left + i * bw
    for j, (v, color) in enumerate(((rv, "#999"), (av, "#555"), (sv, "#3b7dd8"))):
        bh = (h - top - bottom) * v / top_v
        svg.append('<rect x="%.0f" y="%.0f" width="%.0f" height="%.0f" fill="%s"/>' % (x + 8 + j * (bw - 16) / 3, h - bottom - bh, (bw - 16) / 3 - 2, bh, color))
    svg.append('<text x="%.0f" y="%d" text-anchor="middle">%s</text>' % (x + bw / 2, h - bottom + 16, label))
svg.append("</svg>")
open(out + "/throughput.svg", "w").write("\n".join(svg) + "\n")
PY
echo "written: $out/results.csv, roundtrip.csv, results.md, throughput.svg"
