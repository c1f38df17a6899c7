#!/usr/bin/env bash
# Runs the Slate demo: a fleet of agent JVMs (sensors, responders, a planner) on one /dev/shm space (see ipc-demo/README.md).
# Options: --agents N --duration S --rate R --space NAME|DIR --clean --json FILE --chaos --cpu N|auto --idle spin|yield|backoff;
# --scenario counter runs the shared-counter demo instead (its options: --agents N --increments N --space --clean);
# --scenario langgraph runs two Node LangGraph agents on one thread and a JVM watching it (scripts/demo-langgraph.sh)
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
# the JVM flags Chronicle needs come from the one list in the parent pom, built into the jar
mapfile -t flags < <("$java" -cp "$jar" io.slate.internal.JvmFlags)
exec "$java" "${flags[@]}" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$jar" io.slate.demo.FleetDemo "$@"
