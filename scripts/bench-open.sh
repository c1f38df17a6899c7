#!/usr/bin/env bash
# Open time of a tuple space with 10,000 live tuples after a long journal history (1M, 10M, 50M records by default):
# each point is the median of 5 fresh JVMs that open the space and the tuple space (cold, then warm). Prints CSV.
#
#   scripts/bench-open.sh [--tuples N] [--dir PARENT] [RECORDS...]
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
source scripts/lib/bench-jar.sh bench-open
exec java "${flags[@]}" -cp "$jar" io.slate.bench.OpenAfterHistory "$@"
