#!/usr/bin/env bash
# bench-start.sh: how fast a fresh JVM joins a space (issue 17). Each figure is min / median / max over RUNS runs.
#
#   create      fresh JVM: Space.open of a new space (ms from main), then its first kv.put (ms)
#   reopen      fresh JVM: Space.open of an existing space, then its first kv.get
#   wall, cpu   the whole probe process, JVM start to exit (create and reopen): wall time, and user+system CPU time
#               (CPU time says what the start costs even when the machine is loaded by others), both to the
#               microsecond (scripts/lib/cputime.py: GNU time gives CPU to 10 ms only)
#   cli get     `slate get k` wall time (hyperfine)
#   N at once   N agent JVMs started together: launch to the last one ready (open + one put); N=1 is one alone. Each
#               stays open once ready, as agents do, until all are (their close and exit are not in the figure)
#   stall       an agent at work (put/get/increment, timing each) while N agents start at once, work and close, and
#               another process holds the space's .lock: its worst operation (issue 17 wants < 100 ms)
#
# Usage: scripts/bench-start.sh [--runs R] [--agents N] [--jar JAR] [--cli "COMMAND"] [--cds yes|no] [--java-opts "OPTS"]
#   --jar        the slate.jar measured (default ipc-demo/target/slate.jar, built when missing)
#   --cli        the command line measured for 'get' (default scripts/slate)
#   --cds        probe JVMs use a class-data-sharing archive recorded first by one training run of the probe (creates a
#                space, reopens it, puts and gets), as an agent deployment would record one from a run of its agent
#                (-XX:ArchiveClassesAtExit once, then -XX:SharedArchiveFile); default yes
#   --java-opts  extra JVM options of the probe JVMs
# Prints a Markdown table (with the machine's load, from uptime, before and after) on stdout.
set -euo pipefail

ROOT="$(cd -P "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUNS=10
AGENTS=8
JAR="$ROOT/ipc-demo/target/slate.jar"
CLI="$ROOT/scripts/slate"
CDS=yes
JAVA_OPTS=""
while [ $# -gt 0 ]; do
    case "$1" in
        --runs) RUNS="$2"; shift 2 ;;
        --agents) AGENTS="$2"; shift 2 ;;
        --jar) JAR="$2"; shift 2 ;;
        --cli) CLI="$2"; shift 2 ;;
        --cds) CDS="$2"; shift 2 ;;
        --java-opts) JAVA_OPTS="$2"; shift 2 ;;
        *) echo "bench-start.sh: unknown argument '$1'" >&2; exit 2 ;;
    esac
done
command -v hyperfine >/dev/null || { echo "bench-start.sh: hyperfine is needed (apt-get install hyperfine)" >&2; exit 2; }
if [ ! -f "$JAR" ]; then
    (cd "$ROOT" && mvn -q -B -DskipTests package -pl ipc-demo -am) >&2
fi

WORK="$(mktemp -d /tmp/bench-start.XXXXXX)"
SPACE_ROOT="/dev/shm/slate/bench-start-$$"
BACKGROUND=() # pids of the stall phase's worker and lock holder, killed by pid on exit
trap 'for p in "${BACKGROUND[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$WORK" "$SPACE_ROOT"' EXIT
mkdir -p "$SPACE_ROOT"
javac -d "$WORK/probe" -cp "$JAR" "$ROOT/scripts/lib/StartProbe.java"
jar cf "$WORK/probe.jar" -C "$WORK/probe" . # class-data sharing needs a class path of jars only
mapfile -t FLAGS < <(java -cp "$JAR" io.slate.internal.JvmFlags)
# shellcheck disable=SC2206 # JAVA_OPTS is a list of options, split on purpose
probe=(java "${FLAGS[@]}" $JAVA_OPTS -cp "$JAR:$WORK/probe.jar" StartProbe)
if [ "$CDS" = yes ]; then
    # shellcheck disable=SC2206
    java "${FLAGS[@]}" $JAVA_OPTS -XX:ArchiveClassesAtExit="$WORK/probe.jsa" -cp "$JAR:$WORK/probe.jar" StartProbe train "$SPACE_ROOT/cds" \
        >/dev/null 2>&1
    rm -rf "$SPACE_ROOT/cds"
    # shellcheck disable=SC2206
    probe=(java "${FLAGS[@]}" $JAVA_OPTS -XX:SharedArchiveFile="$WORK/probe.jsa" -Xlog:cds=off -Xlog:cds+dynamic=off -cp "$JAR:$WORK/probe.jar" StartProbe)
    JAVA_OPTS="$JAVA_OPTS -XX:SharedArchiveFile=(recorded by a training run)"
fi

now_ms() { date +%s%3N; }
# min / median / max of the numbers on stdin, one per line
stats() { sort -g | awk '{v[NR]=$1} END {if (NR==0) {print "-"; exit} m=(NR%2)?v[(NR+1)/2]:(v[NR/2]+v[NR/2+1])/2; printf "%.0f / %.0f / %.0f", v[1], m, v[NR]}'; }

load_before="$(uptime | sed 's/.*load average: //')"
: > "$WORK/create_open"; : > "$WORK/create_op"; : > "$WORK/create_wall"; : > "$WORK/create_cpu"
: > "$WORK/reopen_open"; : > "$WORK/reopen_op"; : > "$WORK/reopen_wall"; : > "$WORK/reopen_cpu"
# one probe run: MODE DIR NAME -> appends open, first op, wall and CPU (ms) to NAME_*
run_probe() {
    local o f
    if ! /usr/bin/python3 "$ROOT/scripts/lib/cputime.py" "$WORK/time" "${probe[@]}" "$1" "$2" > "$WORK/out" 2> "$WORK/err" || ! read -r o f < "$WORK/out"; then
        echo "bench-start.sh: probe '$1 $2' failed:" >&2
        grep -v "INFO" "$WORK/err" | head -20 >&2
        exit 1
    fi
    echo "$o" >> "$WORK/$3_open"; echo "$f" >> "$WORK/$3_op"
    awk '{printf "%.1f\n", ($1 + $2) * 1000}' "$WORK/time" >> "$WORK/$3_cpu"
    awk '{printf "%.1f\n", $3 * 1000}' "$WORK/time" >> "$WORK/$3_wall"
}
for i in $(seq 1 "$RUNS"); do
    dir="$SPACE_ROOT/s$i"
    run_probe put "$dir" create
    run_probe open "$dir" reopen
    rm -rf "$dir"
done

cli_space="$SPACE_ROOT/cli"
"${probe[@]}" put "$cli_space" >/dev/null 2>&1
# shellcheck disable=SC2086 # CLI may be a command with arguments
$CLI put k v --space "$cli_space" >/dev/null
hyperfine -N --warmup 2 --runs "$RUNS" --export-json "$WORK/cli.json" "$CLI get k --space $cli_space" >/dev/null 2>&1
cli_get="$(/usr/bin/python3 -c 'import json,sys,statistics as s; r=json.load(open(sys.argv[1]))["results"][0]; t=[x*1000 for x in r["times"]]; print("%.0f / %.0f / %.0f (mean CPU %.0f)" % (min(t), s.median(t), max(t), (r["user"] + r["system"]) * 1000))' "$WORK/cli.json")"

# N agents started at once: launch time to the moment the last is ready (each prints when it is). Agents stay open
# once ready, as agents do, until all are: no agent's close or exit competes with the start of the others.
at_once() {
    local n="$1" dir="$2" out="$WORK/ready.$1" stop="$WORK/stop-ready.$1"
    : > "$out"; rm -f "$stop"
    local t0 pids=() lines=() i
    t0=$(now_ms)
    for _ in $(seq 1 "$n"); do
        "${probe[@]}" ready "$dir" "$stop" >> "$out" 2>/dev/null &
        pids+=($!)
    done
    for i in $(seq 1 1200); do # up to 120 s
        mapfile -t lines < "$out"
        [ "${#lines[@]}" -ge "$n" ] && break
        sleep 0.1
    done
    touch "$stop"
    for p in "${pids[@]}"; do wait "$p"; done
    [ "$(wc -l < "$out")" = "$n" ] || { echo "bench-start.sh: an agent of $n failed" >&2; exit 1; }
    echo $(( $(sort -n "$out" | tail -1) - t0 ))
}
: > "$WORK/one"; : > "$WORK/many"
for i in $(seq 1 "$RUNS"); do
    dir="$SPACE_ROOT/n$i"
    "${probe[@]}" put "$dir" >/dev/null 2>&1
    at_once 1 "$dir" >> "$WORK/one"
    at_once "$AGENTS" "$dir" >> "$WORK/many"
    rm -rf "$dir"
done
# an agent at work while N start at once, with .lock held by another process (python's lockf: the same POSIX lock
# Java's FileChannel.lock takes): the worker's worst operation per run
: > "$WORK/stall"; stall_ops=0; stall_slow=0
wait_for() { # FILE WORD: waits up to 60 s for WORD in FILE
    local i
    for i in $(seq 1 600); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
    echo "bench-start.sh: no '$2' in $1 after 60 s" >&2; exit 1
}
for i in $(seq 1 "$RUNS"); do
    dir="$SPACE_ROOT/w$i"
    "${probe[@]}" put "$dir" >/dev/null 2>&1
    /usr/bin/python3 -c 'import fcntl, sys, time
f = open(sys.argv[1], "r+"); fcntl.lockf(f, fcntl.LOCK_EX); print("HELD", flush=True); time.sleep(600)' "$dir/.lock" > "$WORK/held" &
    holder=$!
    "${probe[@]}" work "$dir" "$WORK/stop.$i" > "$WORK/worker" 2> "$WORK/worker.err" &
    worker=$!
    BACKGROUND=("$holder" "$worker")
    wait_for "$WORK/held" HELD
    wait_for "$WORK/worker" WORKING
    at_once "$AGENTS" "$dir" > /dev/null
    touch "$WORK/stop.$i"
    wait "$worker" || { echo "bench-start.sh: the working agent failed:" >&2; grep -v INFO "$WORK/worker.err" | head -20 >&2; exit 1; }
    kill "$holder"; wait "$holder" 2>/dev/null || true
    BACKGROUND=()
    read -r max ops slow < <(sed -n 2p "$WORK/worker")
    echo "$max" >> "$WORK/stall"; stall_ops=$((stall_ops + ops)); stall_slow=$((stall_slow + slow))
    rm -rf "$dir"
done
one_med="$(stats < "$WORK/one" | awk -F' / ' '{print $2}')"
many_med="$(stats < "$WORK/many" | awk -F' / ' '{print $2}')"
load_after="$(uptime | sed 's/.*load average: //')"

echo "| measure (ms, min / median / max of $RUNS) | value |"
echo "|---|---|"
echo "| create: Space.open in a fresh JVM | $(stats < "$WORK/create_open") |"
echo "| create: first kv.put | $(stats < "$WORK/create_op") |"
echo "| create: probe JVM wall | $(stats < "$WORK/create_wall") |"
echo "| create: probe JVM CPU (user+sys) | $(stats < "$WORK/create_cpu") |"
echo "| reopen: Space.open in a fresh JVM | $(stats < "$WORK/reopen_open") |"
echo "| reopen: first kv.get | $(stats < "$WORK/reopen_op") |"
echo "| reopen: probe JVM wall | $(stats < "$WORK/reopen_wall") |"
echo "| reopen: probe JVM CPU (user+sys) | $(stats < "$WORK/reopen_cpu") |"
echo "| \`slate get k\` wall (hyperfine), mean CPU | $cli_get |"
echo "| 1 agent alone: launch to ready | $(stats < "$WORK/one") |"
echo "| $AGENTS agents at once: launch to last ready | $(stats < "$WORK/many") |"
echo "| $AGENTS at once / 1 alone (medians) | $(awk -v a="$many_med" -v b="$one_med" 'BEGIN {printf "%.1fx", a / b}') |"
echo "| working agent's worst op while $AGENTS start at once, .lock held | $(stats < "$WORK/stall") ($stall_ops ops timed, $stall_slow over 100 ms) |"
echo
echo "Load average (1, 5, 15 min) before: $load_before; after: $load_after. Probe JVM options: $(printf '%s ' "${FLAGS[@]}" | tr ' ' '\n' | grep '^-X' | tr '\n' ' ')(start options, from io.slate.internal.JvmFlags)${JAVA_OPTS:+ $JAVA_OPTS}. $(java -version 2>&1 | head -1)."
