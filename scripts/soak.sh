#!/usr/bin/env bash
# The soak (not part of CI): agent JVMs (half producers, half consumers of task tuples, all also writing key/value
# state, a compare-and-set counter, a mutex and a semaphore) work one space, created with the DEFAULT options (a
# bounded journal: 256 MiB of five-minute cycles, snapshots), at a fixed rate while the memory of each JVM, the
# space's use of its file system and the handoff latency per interval are recorded. At the end it checks that every
# task was handed off exactly once and that a fresh tuple space handle opens fast. Prints a summary and writes
# bench/results/soak-<timestamp>/ (summary.txt, summary.json, soak.csv, soak.png, one log per agent).
# Exits 0 when no agent reported an error, every JVM's memory stayed flat, /dev/shm use stayed bounded after the
# warm-up, every task was handed off once, and the tuple space opened within a second at the end.
#
#   scripts/soak.sh [--duration SECONDS] [--agents N] [--rate PER_SECOND] [--interval SECONDS] [--dir PARENT] [--out DIR]
#
#   defaults: 600 s, 6 agents, 200 tasks/s per producer (about 3,000 journal records a second, the fleet demo's
#   rate), a sample every 5 s, the space under /dev/shm (--dir: e.g. a 512 MiB tmpfs you mounted)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
source scripts/lib/bench-jar.sh soak
exec java "${flags[@]}" -Djava.awt.headless=true -cp "$jar" io.slate.bench.soak.Soak "$@"
