#!/usr/bin/env bash
# Runs the Slate quick-start demo: agent JVMs sharing one /dev/shm space (see README.md).
# Options: --agents N (default 4), --increments N (default 20000), --space NAME|DIR, --clean
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar="$root/ipc-demo/target/slate.jar"
java="${JAVA:-${JAVA_HOME:+$JAVA_HOME/bin/}java}"
if [ ! -f "$jar" ]; then
  echo "building Slate (first run only)..." >&2
  (cd "$root" && mvn -q -B -DskipTests install -pl ipc-demo -am) >&2
fi
# the JVM flags Chronicle needs come from the one list in the parent pom, built into the jar
mapfile -t flags < <("$java" -cp "$jar" io.slate.internal.JvmFlags)
exec "$java" "${flags[@]}" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$jar" io.slate.demo.CounterDemo "$@"
