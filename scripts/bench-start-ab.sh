#!/usr/bin/env bash
# bench-start-ab.sh: two builds' fresh-JVM reopen, alternating A, B, A, B... in one sitting, so that the machine's
# changes of speed fall on both alike (issue 17). Each probe JVM reopens an existing space and does one kv.get
# (scripts/lib/StartProbe.java, public API only), with a class-data archive recorded for its own jar first.
#
#   scripts/bench-start-ab.sh JAR_A JAR_B [RUNS]      (RUNS per jar, default 15)
#
# Prints, per jar, the median CPU (user + system, whole JVM, to the microsecond: scripts/lib/cputime.py) and the median
# Space.open time (ms from main).
set -euo pipefail
ROOT="$(cd -P "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
[ $# -ge 2 ] || { echo "usage: scripts/bench-start-ab.sh JAR_A JAR_B [RUNS]" >&2; exit 2; }
JARS=("$1" "$2")
RUNS="${3:-15}"
for j in "${JARS[@]}"; do [ -f "$j" ] || { echo "bench-start-ab.sh: no jar '$j'" >&2; exit 2; }; done
WORK="$(mktemp -d /tmp/bench-start-ab.XXXXXX)"
SPACE_ROOT="/dev/shm/slate/bench-start-ab-$$"
trap 'rm -rf "$WORK" "$SPACE_ROOT"' EXIT
mkdir -p "$SPACE_ROOT"
javac -d "$WORK/probe" -cp "${JARS[0]}" "$ROOT/scripts/lib/StartProbe.java"
jar cf "$WORK/probe.jar" -C "$WORK/probe" .
mapfile -t FLAGS < <(java -cp "${JARS[0]}" io.slate.internal.JvmFlags)
probe() { # INDEX MODE DIR [extra JVM options...]
    local i="$1" mode="$2" dir="$3"; shift 3
    java "${FLAGS[@]}" "$@" -cp "${JARS[$i]}:$WORK/probe.jar" StartProbe "$mode" "$dir"
}
for i in 0 1; do
    probe "$i" train "$SPACE_ROOT/cds$i" -XX:ArchiveClassesAtExit="$WORK/$i.jsa" >/dev/null 2>&1
    probe "$i" put "$SPACE_ROOT/s$i" -XX:SharedArchiveFile="$WORK/$i.jsa" -Xlog:cds=off -Xlog:cds+dynamic=off >/dev/null 2>&1
    : > "$WORK/cpu$i"; : > "$WORK/open$i"
done
for _ in $(seq 1 "$RUNS"); do
    for i in 0 1; do
        /usr/bin/python3 "$ROOT/scripts/lib/cputime.py" "$WORK/time" java "${FLAGS[@]}" -XX:SharedArchiveFile="$WORK/$i.jsa" -Xlog:cds=off \
            -Xlog:cds+dynamic=off -cp "${JARS[$i]}:$WORK/probe.jar" StartProbe open "$SPACE_ROOT/s$i" > "$WORK/out" 2>/dev/null
        awk '{printf "%.1f\n", ($1 + $2) * 1000}' "$WORK/time" >> "$WORK/cpu$i"
        awk '{print $1}' "$WORK/out" >> "$WORK/open$i"
    done
done
median() { sort -g "$1" | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg); $RUNS reopen probes per jar, alternating"
for i in 0 1; do
    echo "${JARS[$i]}: CPU median $(median "$WORK/cpu$i") ms, Space.open median $(median "$WORK/open$i") ms"
done
