#!/usr/bin/env bash
# The etcd engine's floor (not part of CI): starts a 3-member etcd cluster on loopback (data on /dev/shm), runs
# io.slate.etcd.EtcdFloorBench against it (raw jetcd put -> watch round trip and raw Txn throughput at 1..4 writers,
# next to the Slate engine's commit -> tailer and commit throughput), prints a markdown table, stops the cluster.
#
#   scripts/bench-etcd-floor.sh [--samples 2000] [--seconds 3] [--writers 4] [--value-bytes 64] [--rounds 3] [--members 3]
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
members=3
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --members) members="${2:?--members needs a number}"; shift 2 ;;
    *) args+=("$1"); shift ;;
  esac
done

cp_file="etcd/target/floor-classpath.txt"
if [ ! -f "$cp_file" ] || [ -n "$(find pom.xml core/pom.xml etcd/pom.xml core/src/main etcd/src/main -newer "$cp_file" -type f -print -quit 2>/dev/null)" ]; then
  echo "bench-etcd-floor.sh: building the etcd module" >&2
  # one reactor run: packages core and etcd, then writes etcd's runtime class path (core's jar included)
  mvn -q -B -pl etcd -am package dependency:build-classpath -DskipTests -Dmdep.includeScope=runtime \
    -Dmdep.outputFile="$root/$cp_file"
fi
classpath="etcd/target/classes:$(cat "$cp_file")"
# the record flyweight is Agrona's: the JVM flags from their one place (the parent pom, via core's JvmFlags)
mapfile -t flags < <(java -cp "$classpath" io.slate.internal.JvmFlags)

dir="$(mktemp -d /dev/shm/slate-etcd-floor.XXXXXX)"
# a base port with 2 x members free ports
base=""
for _ in $(seq 1 50); do
  p=$((20000 + 2 * (RANDOM % 10000)))
  free=1
  for q in $(seq "$p" $((p + 2 * members - 1))); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$q") 2>/dev/null; then free=0; break; fi
  done
  if [ $free -eq 1 ]; then base=$p; break; fi
done
[ -n "$base" ] || { echo "bench-etcd-floor.sh: no free port range found" >&2; exit 1; }
trap 'scripts/etcd-cluster.sh stop --dir "$dir" --purge >/dev/null' EXIT
scripts/etcd-cluster.sh start --members "$members" --dir "$dir" --base-port "$base" >&2
endpoints="$(scripts/etcd-cluster.sh status --dir "$dir" | awk '/ running$/ {print $2}' | paste -sd, -)"
echo "etcd: $(etcd --version | head -1), $members members on loopback, data in $dir (tmpfs)"
java "${flags[@]}" -Xmx512m -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$classpath" io.slate.etcd.EtcdFloorBench --endpoints "$endpoints" "${args[@]}"
