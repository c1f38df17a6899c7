# Sourced by scripts/bench-langgraph.sh and scripts/demo-langgraph.sh: the slate jar (built without install when
# missing), node with clients/node/langgraph's packages, a free port, and `slate serve` started and stopped by its pid.
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
jar="$root/ipc-demo/target/slate.jar"
pkg="$root/clients/node/langgraph"
java="${JAVA:-${JAVA_HOME:+$JAVA_HOME/bin/}java}"
if [ ! -f "$jar" ]; then
  echo "building Slate (first run only)..." >&2
  (cd "$root" && mvn -q -B -DskipTests package -pl ipc-demo -am) >&2
fi
if ! command -v node >/dev/null 2>&1; then
  echo "node is missing (Debian: apt-get install nodejs npm)" >&2
  exit 3
fi
if [ ! -d "$pkg/node_modules/@langchain/langgraph" ]; then
  echo "installing clients/node/langgraph's packages from its lockfile (npm ci)..." >&2
  (cd "$pkg" && npm ci --no-audit --no-fund) >&2
fi
mapfile -t flags < <("$java" -cp "$jar" io.slate.internal.JvmFlags)

free_port() {
  /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# start_serve SPACE_DIR LOG: starts `slate serve` on a free port; sets serve_pid and serve_port
start_serve() {
  "$java" "${flags[@]}" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$jar" io.slate.cli.SlateCli serve --space "$1" --port 0 >"$2" 2>&1 &
  serve_pid=$!
  serve_port=""
  for _ in $(seq 1 600); do
    serve_port="$(sed -n 's/^slate serve: listening on 127\.0\.0\.1:\([0-9]*\) .*/\1/p' "$2")"
    [ -n "$serve_port" ] && return 0
    kill -0 "$serve_pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "slate serve did not start:" >&2
  cat "$2" >&2
  return 1
}
