#!/usr/bin/env bash
# Runs Slate's cross-process benchmark: Slate's journal, key/value, tuple and mutex handoff between two JVMs against
# raw Chronicle Queue, Agrona's ring buffer, Aeron IPC, Unix domain and TCP sockets and Redis, in the same run; then
# throughput with 1 to 4 writer JVMs. Results go to bench/results/<timestamp>/ (results.json, results.md,
# latency.png, throughput.png, hgrm/).
#
#   scripts/bench-ipc.sh [--quick | --smoke] [--out DIR] [--only CASE,...] [--payload BYTES] [--rate PER_SECOND] [--compare DIR] [--housekeeping] [--jvm-arg ARG]...
#
#   (default)  about ten minutes;  --quick  about one;  --smoke  a few hundred messages per case (checks it runs)
#   --only     cases by name: slate-journal slate-kv slate-kv-await slate-tuple slate-mutex chronicle-queue chronicle-queue-record
#              chronicle-queue-take agrona-ring aeron-ipc uds tcp redis
#              etcd-raw etcd-raw-pair etcd-raw-take etcd-raw-queue etcd-kv etcd-journal etcd-tuple etcd-mutex
#   --compare  a previous run's directory (its results.json): its figures beside this run's, with the ratio now / then
#   --housekeeping  the latency pairs' JVMs may take the space's snapshot and retention duty (default: they leave it,
#              as agents spinning on pinned CPUs should; on 2 CPUs its thread stalls a spinning one)
#   --jvm-arg  added to every child JVM, e.g. --jvm-arg -XX:StartFlightRecording=filename=/tmp/jfr/ to profile them
#
# Redis is included when redis-server is on the PATH (Debian: apt-get install redis-server); otherwise the run says
# it skipped it. The etcd cases (Slate's key/value, journal, tuple and mutex cases between two JVMs on a space opened by
# etcd:// address, next to raw jetcd put -> watch and raw Txn throughput at 1..N writers: the engine's floor; and raw
# jetcd round trips between two JVMs as Slate's cases run, alone, with a take commit per message (the tuple's floor)
# and with a queue commit off the path per message (the mutex's floor)) run on a
# 3-member loopback cluster the run starts on free ports and always stops, when etcd is on the PATH (or SLATE_ETCD_BIN;
# Debian: apt-get install etcd-server); otherwise the run says "skipped: etcd not found". Builds bench/target/benchmarks.jar first (reactor build, no install) when it is missing or older
# than the sources.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

source scripts/lib/bench-jar.sh bench-ipc
exec java "${flags[@]}" -Djava.awt.headless=true -cp "$jar" io.slate.bench.ipc.IpcBench "$@"
