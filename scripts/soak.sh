#!/usr/bin/env bash
# The soak (not part of CI): agent JVMs (half producers, half consumers of task tuples, all also writing key/value
# state, a compare-and-set counter, a mutex and a semaphore) work one /dev/shm space at a fixed rate while the
# memory of each JVM, the space's /dev/shm use and the handoff latency per interval are recorded. Prints a summary
# and writes bench/results/soak-<timestamp>/ (summary.txt, summary.json, soak.csv, soak.png, one log per agent).
# Exits 0 when no agent reported an error, every JVM's memory stayed flat and /dev/shm use stayed bounded.
#
#   scripts/soak.sh [--duration SECONDS] [--agents N] [--rate PER_SECOND] [--interval SECONDS] [--retain SECONDS] [--out DIR]
#
#   defaults: 600 s, 6 agents, 200 tasks/s per producer, a sample every 5 s, 30 one-second journal cycles kept
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
source scripts/lib/bench-jar.sh soak
exec java "${flags[@]}" -Djava.awt.headless=true -cp "$jar" io.slate.bench.soak.Soak "$@"
