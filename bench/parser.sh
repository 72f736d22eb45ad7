#!/usr/bin/env bash
# Benchmark the Dockerfile parser on one core: the whole real corpus, and synthetic files
# of 1,000, 10,000 and 100,000 lines. Arguments go to criterion, for example a filter:
#   bench/parser.sh corpus
# docs/BENCHMARKS.md records the results and the machine they came from.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "machine: $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//'), $(nproc) cores"
echo "rustc: $(rustc --version)"

# Build first, so that only the measurement runs pinned to one core.
cargo bench -p ballast-parser --bench parse_corpus --no-run

if command -v taskset >/dev/null; then
    exec taskset -c 0 cargo bench -p ballast-parser --bench parse_corpus -- "$@"
fi
echo "taskset not found (util-linux): running without pinning to one core" >&2
exec cargo bench -p ballast-parser --bench parse_corpus -- "$@"
