#!/usr/bin/env bash
# Benchmarks `ballast lsp` against dockerfile-language-server-nodejs on the same workload:
# open→diagnostics, edit→diagnostics, completion, hover, semantic tokens and peak RSS, at
# 500, 2,000 and 5,000 generated lines, with the shared benchmark client.
#
# Usage: bench/lsp.sh [WORKDIR]   (default: a new temporary folder)
# Needs: cargo, python3, npm (the Node server is installed into WORKDIR, never globally).
# Both servers run under `unshare -n` when it works, so neither reaches the network.
set -euo pipefail
cd "$(dirname "$0")/.."

work=${1:-$(mktemp -d /tmp/ballast-lsp-bench.XXXXXX)}
mkdir -p "$work"
client=../shared/tools/lsp/client.py
if [ ! -f "$client" ]; then
    echo "benchmark client not found at $client" >&2
    exit 2
fi

cargo build --release --locked --bin ballast
ballast=$PWD/target/release/ballast
if [ -n "${CARGO_TARGET_DIR:-}" ]; then
    ballast=$CARGO_TARGET_DIR/release/ballast
fi

if [ ! -x "$work/node/node_modules/.bin/docker-langserver" ]; then
    npm install --prefix "$work/node" --no-audit --no-fund dockerfile-language-server-nodejs@0.15.0 >/dev/null
fi
node_server=$work/node/node_modules/.bin/docker-langserver

isolate=()
if unshare -n true 2>/dev/null; then
    isolate=(unshare -n)
fi

for lines in 500 2000 5000; do
    for server in ballast node; do
        case $server in
            ballast) command=("$ballast" lsp --stdio) ;;
            node) command=("$node_server" --stdio) ;;
        esac
        out=$work/$server-$lines.json
        python3 "$client" --lines "$lines" --edits 20 --requests 20 --burst 20 --json-out "$out" \
            -- "${isolate[@]}" "${command[@]}" >/dev/null
        python3 - "$out" "$server" "$lines" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
def ms(key):
    v = r.get(key)
    return "-" if v is None else "%.1f" % (v["median_ms"] if isinstance(v, dict) else v)
edit = r.get("edit_to_diagnostics") or {}
tokens = r.get("extra_requests", {}).get("textDocument/semanticTokens/full", {}).get("ms")
rss = r["peak_rss_kb"]["tree_vmhwm_sum"] / 1024
print("| %s | %s | %s | %s / %s | %s | %s | %s | %.1f MiB |" % (
    sys.argv[2], sys.argv[3], ms("open_to_diagnostics_ms"),
    "%.1f" % edit.get("median_ms", float("nan")), "%.1f" % edit.get("max_ms", float("nan")),
    ms("completion"), ms("hover"), "-" if tokens is None else "%.1f" % tokens, rss))
PY
    done
done
echo "raw results: $work"
