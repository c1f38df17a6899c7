#!/usr/bin/env bash
# Runs Slate's JMH benchmarks and writes results.json + results.md to bench/results/jmh-<timestamp>/.
#
#   scripts/bench-jmh.sh [--quick] [FILTER]...
#
#   --quick   1 fork, 2 x 1 s warmup, 3 x 1 s measurement (default: 2 forks, 3 x 2 s warmup, 5 x 2 s measurement)
#   FILTER    JMH regex of benchmarks to run, e.g. 'KeyValueBench.get' (default: all)
#
# Any other option is passed to io.slate.bench.BenchMain (e.g. --no-gc, --jvm-arg ARG).
# Builds bench/target/benchmarks.jar first (reactor build, no install) when it is missing or older than the sources.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

source scripts/lib/bench-jar.sh bench-jmh

for arg in "$@"; do
    if [[ "$arg" == "-h" || "$arg" == "--help" ]]; then
        exec java -jar "$jar" --help
    fi
done

out="bench/results/jmh-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$out"
echo "bench-jmh: results go to $root/$out" >&2
java -jar "$jar" --out "$out" "$@" 2>&1 | tee "$out/console.log"
