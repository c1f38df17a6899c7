#!/usr/bin/env bash
# The LangGraph demo (scripts/demo.sh --scenario langgraph): two Node processes run a LangGraph.js graph on ONE thread
# at the same time, their checkpoints in a Slate space through `slate serve`; a JVM agent (io.slate.demo.LangGraphWatch)
# follows the thread's checkpoints through the journal. A step that lost the race for the thread is refused and redone
# from the latest checkpoint, so the history stays one line. Options: --rounds N (per agent, default 5), --keep (leave
# the space for `scripts/slate tail --space DIR`).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/langgraph-env.sh"

rounds=5
keep=no
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds="$2"; shift 2 ;;
    --keep) keep=yes; shift ;;
    *) echo "unknown option '$1' (options: --rounds N, --keep)" >&2; exit 2 ;;
  esac
done

space="/dev/shm/slate/langgraph-demo-$$"
work="$(mktemp -d)"
serve_pid=""
watch_pid=""
cleanup() {
  [ -n "$watch_pid" ] && kill "$watch_pid" 2>/dev/null && wait "$watch_pid" 2>/dev/null || true
  [ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null && wait "$serve_pid" 2>/dev/null || true
  [ "$keep" = yes ] || rm -rf "$space"
  rm -rf "$work"
}
trap cleanup EXIT

start_serve "$space" "$work/serve.log"
thread="trip-$$"
echo "slate serve on port $serve_port over $space; thread '$thread'"
# (the process substitution keeps $! the JVM's own pid, so cleanup stops the JVM itself)
"$java" "${flags[@]}" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$jar" io.slate.demo.LangGraphWatch "$space" "$thread" 300 \
  > >(sed -u 's/^/  [jvm watcher] /') &
watch_pid=$!
cd "$pkg"
node example/agent.js "$serve_port" "$thread" alice "$rounds" > >(sed -u 's/^/  [node alice]  /') &
alice=$!
node example/agent.js "$serve_port" "$thread" bob "$rounds" | sed -u 's/^/  [node bob]    /'
wait "$alice"
sleep 1
echo
echo "The thread, as any agent reads it back:"
node example/check.js "$serve_port" "$thread" | grep -v '^HISTORY' | sed 's/^/  /'
[ "$keep" = yes ] && echo "Replay it:  scripts/slate tail --space $space --from-start"
exit 0
