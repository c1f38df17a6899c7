#!/usr/bin/env bash
# Runs the Slate demo: a fleet of agent JVMs (sensors, responders, a planner) on one /dev/shm space (see ipc-demo/README.md),
# plus a Python and a Node responder that join through the Redis-protocol gateway (slate serve) when python3-redis and
# clients/node/node_modules (npm ci) are there.
# Options: --agents N --duration S --rate R --space NAME|DIR --clean --json FILE --chaos [--chaos-victim jvm|python|node]
# --cpu N|auto --idle spin|yield|backoff
# --jvm-only (no gateway, no Python or Node agent); --scenario counter runs the shared-counter demo instead (its options:
# --agents N --increments N --space --clean); --scenario langgraph runs two Node LangGraph agents on one thread and a JVM
# watching it (scripts/demo-langgraph.sh; options --rounds N --keep)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ "${1:-}" = "--scenario" ] && [ "${2:-}" = "langgraph" ]; then
  shift 2
  exec "$root/scripts/demo-langgraph.sh" "$@"
fi
jar="$root/ipc-demo/target/slate.jar"
java="${JAVA:-${JAVA_HOME:+$JAVA_HOME/bin/}java}"
if [ ! -f "$jar" ]; then
  echo "building Slate (first run only)..." >&2
  (cd "$root" && mvn -q -B -DskipTests install -pl ipc-demo -am) >&2
fi
args=()
polyglot=1
for a in "$@"; do
  if [ "$a" = "--jvm-only" ]; then polyglot=0; else args+=("$a"); fi
  if [ "$a" = "--scenario" ]; then polyglot=0; fi
done
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
exec "$java" "${flags[@]}" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$jar" io.slate.demo.FleetDemo ${args[@]+"${args[@]}"}
