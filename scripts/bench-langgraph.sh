#!/usr/bin/env bash
# The cost of a LangGraph checkpoint put and getTuple: SlateSaver through `slate serve`, next to the official Redis
# saver's command pattern on Debian's redis-server (its JSON.SET/JSON.GET as SET/GET: redis-server has no RedisJSON or
# RediSearch, so the official saver itself cannot run there). See docs/langgraph.md.
#
#   scripts/bench-langgraph.sh [--steps N] [--warmup N]       (default 2000 steps after 300 warm-up)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/langgraph-env.sh"

space="/dev/shm/slate/bench-langgraph-$$"
work="$(mktemp -d)"
serve_pid=""
redis_pid=""
cleanup() {
  [ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null && wait "$serve_pid" 2>/dev/null || true
  [ -n "$redis_pid" ] && kill "$redis_pid" 2>/dev/null && wait "$redis_pid" 2>/dev/null || true
  rm -rf "$space" "$work"
}
trap cleanup EXIT

start_serve "$space" "$work/serve.log"
redis_args=()
if command -v redis-server >/dev/null 2>&1; then
  redis_port="$(free_port)"
  redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --dir "$work" >"$work/redis.log" 2>&1 &
  redis_pid=$!
  for _ in $(seq 1 100); do
    redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break
    sleep 0.1
  done
  redis_args=(--redis "$redis_port")
else
  echo "redis-server is not on the PATH: measuring SlateSaver only (Debian: apt-get install redis-server)" >&2
fi
echo "$(nproc) cores, $(node --version), $(redis-server --version 2>/dev/null | cut -d' ' -f1-3), $("$java" -version 2>&1 | head -1)"
cd "$pkg"
node bench/bench.js --slate "$serve_port" "${redis_args[@]}" "$@"
