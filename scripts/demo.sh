#!/usr/bin/env bash
# Runs the Slate demo: a fleet of agent JVMs (sensors, responders, a planner) on one /dev/shm space (see ipc-demo/README.md),
# plus a Python and a Node responder that join through the Redis-protocol gateway (slate serve) when python3-redis and
# clients/node/node_modules (npm ci) are there.
# Options: --agents N --duration S --rate R --space NAME|DIR --clean --json FILE --chaos [--chaos-victim jvm|python|node]
# --cpu N|auto --idle spin|yield|backoff
# --jvm-only (no gateway, no Python or Node agent); --scenario counter runs the shared-counter demo instead (its options:
# --agents N --increments N --space --clean); --scenario langgraph runs two Node LangGraph agents on one thread and a JVM
# watching it (scripts/demo-langgraph.sh; options --rounds N --keep)
# --backend etcd runs the fleet on an etcd space instead: a 3-member etcd cluster on loopback (scripts/etcd-cluster.sh,
# free ports, a fresh directory under ${TMPDIR:-/tmp}), the agents given its etcd://... address, a default rate of 25
# alerts/s per sensor (each alert is a handful of etcd commits of ~1 ms), JVM agents only; --chaos also SIGKILLs the
# etcd leader mid-run. The cluster is stopped and its directory removed when the demo ends, fails or is interrupted.
# SLATE_CLASSPATH (a class path holding the demo, as tests give it) replaces ipc-demo/target/slate.jar.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ "${1:-}" = "--scenario" ] && [ "${2:-}" = "langgraph" ]; then
  shift 2
  exec "$root/scripts/demo-langgraph.sh" "$@"
fi
jar="${SLATE_CLASSPATH:-$root/ipc-demo/target/slate.jar}"
java="${JAVA:-${JAVA_HOME:+$JAVA_HOME/bin/}java}"
if [ -z "${SLATE_CLASSPATH:-}" ] && [ ! -f "$jar" ]; then
  echo "building Slate (first run only)..." >&2
  (cd "$root" && mvn -q -B -DskipTests install -pl ipc-demo -am) >&2
fi
args=()
polyglot=1
backend=shm
space_name=""
while [ $# -gt 0 ]; do
  a="$1"
  shift
  case "$a" in
    --jvm-only) polyglot=0 ;;
    --backend)
      backend="${1:?--backend needs shm or etcd}"
      shift
      case "$backend" in shm|etcd) ;; *) echo "demo: --backend '$backend': use shm or etcd" >&2; exit 2 ;; esac
      ;;
    --space)
      space_name="${1:?--space needs a name}"
      shift
      ;;
    *)
      args+=("$a")
      if [ "$a" = "--scenario" ]; then polyglot=0; fi
      ;;
  esac
done
if [ "$backend" = shm ] && [ -n "$space_name" ]; then
  args+=(--space "$space_name")
fi
if [ "$backend" = etcd ]; then polyglot=0; fi
if [ "$polyglot" = 1 ]; then
  if /usr/bin/python3 -c 'import redis' >/dev/null 2>&1 && command -v node >/dev/null 2>&1 \
      && [ -d "$root/clients/node/node_modules/redis" ]; then
    args+=(--polyglot "$root")
  else
    echo "demo: running JVM agents only (the Python and Node agents need /usr/bin/python3 with python3-redis, node, and 'npm ci' in clients/node)" >&2
  fi
fi
# the JVM flags Chronicle needs come from the one list in the parent pom, built into the jar
mapfile -t flags < <("$java" -cp "$jar" io.slate.launch.JvmOptions)
# SLATE_JAVA_OPTS: more JVM options, e.g. -Dslate.etcd.leaseTtlSeconds=2 (the demo passes -Dslate.etcd.* on to its agents)
read -r -a extra <<< "${SLATE_JAVA_OPTS:-}"
flags+=(${extra[@]+"${extra[@]}"})
if [ "$backend" = shm ]; then
  exec "$java" "${flags[@]}" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$jar" io.slate.demo.FleetDemo ${args[@]+"${args[@]}"}
fi

# ---- --backend etcd: a cluster of our own for this run, always stopped and removed
case "$space_name" in
  ''|*/*|*:*) [ -z "$space_name" ] || { echo "demo: --space with --backend etcd is a space name (no '/' or ':'), not '$space_name'" >&2; exit 2; } ;;
esac
space_name="${space_name:-fleet-$$}"
work="$(mktemp -d "${TMPDIR:-/tmp}/slate-demo-etcd.XXXXXX")"
cluster="$work/cluster"
demo_pid=""
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [ -n "$demo_pid" ] && kill -0 "$demo_pid" 2>/dev/null; then
    kill -TERM "$demo_pid" 2>/dev/null || true
    wait "$demo_pid" 2>/dev/null || true
  fi
  if [ -f "$cluster/cluster.env" ]; then
    "$root/scripts/etcd-cluster.sh" stop --dir "$cluster" --purge >&2 || true
  fi
  rm -rf "$work"
  echo "demo: etcd cluster stopped, $work removed" >&2
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
# six consecutive free loopback ports (client and peer port of each member); etcd-cluster.sh refuses taken ones
started=0
for attempt in 1 2 3 4 5; do
  base=$((20000 + (RANDOM % 1200) * 10)) # below the ephemeral ports (32768-)
  if "$root/scripts/etcd-cluster.sh" start --members 3 --dir "$cluster" --base-port "$base" --timeout 60 >"$work/start.log" 2>&1; then
    started=1
    break
  fi
  if grep -q "is taken" "$work/start.log"; then
    rm -rf "$cluster"
    continue
  fi
  cat "$work/start.log" >&2
  exit 1
done
if [ "$started" != 1 ]; then
  echo "demo: no free range of loopback ports for the etcd cluster after 5 tries" >&2
  cat "$work/start.log" >&2
  exit 1
fi
eps="127.0.0.1:$base,127.0.0.1:$((base + 2)),127.0.0.1:$((base + 4))"
echo "etcd: 3 members on $eps (data in $cluster)"
# not exec: this shell stays to stop the cluster; the demo runs in the background so that a signal reaches the trap at once
"$java" "${flags[@]}" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$jar" io.slate.demo.FleetDemo \
  --space "etcd://$eps/$space_name" --etcd-cluster "$cluster" --clean ${args[@]+"${args[@]}"} &
demo_pid=$!
set +e
wait "$demo_pid"
rc=$?
set -e
demo_pid=""
exit "$rc"
