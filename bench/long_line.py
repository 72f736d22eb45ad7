"""Times ballast on one RUN line with a finding per word, in every lint format and in the
language server, to show that the work grows with the line and not with its square.

Usage: python3 bench/long_line.py BALLAST [PACKAGES]

Writes two Dockerfiles into a new temporary folder: `ascii.Dockerfile`, whose RUN line
installs PACKAGES unpinned packages (default 100,000; one DL3008 finding each), and
`Dockerfile`, the same with `echo 中文 && ` first, so that columns in characters and UTF-16
units differ from bytes. For each file it prints the time and peak memory of
`ballast lint --no-shellcheck --format F` in each format. Then it starts `ballast lsp` with
ShellCheck off and prints the time from `didOpen` to the first `publishDiagnostics` and the
latency of a code action request over the whole file.

Needs the shared benchmark client (../shared/tools/lsp/client.py beside the repository)
and GNU time at /usr/bin/time.
"""

import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "shared", "tools", "lsp"))
import client  # noqa: E402

FORMATS = ["json", "sarif", "gitlab", "checkstyle", "codeclimate", "github", "gnu"]


def write_files(folder, packages):
    words = " ".join(f"pkg{index}" for index in range(packages))
    texts = {
        "ascii.Dockerfile": "FROM debian:12\nRUN apt-get update && apt-get install -y ",
        "Dockerfile": "FROM debian:12\nRUN echo 中文 && apt-get update && apt-get install -y ",
    }
    paths = []
    for name, start in texts.items():
        path = os.path.join(folder, name)
        with open(path, "w", encoding="utf-8") as file:
            file.write(start + words + "\n")
        paths.append(path)
    return paths


def time_lint(ballast, path, format_name):
    """Returns (seconds, peak KB) of one lint run, its output discarded."""
    result = subprocess.run(
        ["/usr/bin/time", "-f", "%e %M", ballast, "lint", "--no-shellcheck",
         "--format", format_name, path],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=False,
    )
    seconds, kilobytes = result.stderr.strip().splitlines()[-1].split()
    return float(seconds), int(kilobytes)


def time_server(ballast, path):
    """Returns the seconds to the first diagnostics and of a whole-file code action."""
    with open(path, encoding="utf-8") as file:
        text = file.read()
    uri = "file://" + path
    connection = client.LspConnection([ballast, "lsp"])
    capabilities = {"textDocument": {"codeAction": {"codeActionLiteralSupport": {
        "codeActionKind": {"valueSet": ["quickfix", "source"]}}}}}
    # ShellCheck is off, as in the lint runs, so that the times are ballast's own.
    connection.request("initialize", {"processId": os.getpid(), "rootUri": None,
                                      "capabilities": capabilities,
                                      "initializationOptions": {"shellcheck": False}})
    connection.notify("initialized", {})
    start = time.perf_counter()
    connection.notify("textDocument/didOpen", {"textDocument": {
        "uri": uri, "languageId": "dockerfile", "version": 1, "text": text}})
    received, _ = connection.wait_notification("textDocument/publishDiagnostics", uri, 600)
    opened = (received or time.perf_counter()) - start
    last_line = text.count("\n") - 1
    end = len(text.split("\n")[last_line].encode("utf-16-le")) // 2
    whole = {"start": {"line": 0, "character": 0}, "end": {"line": last_line, "character": end}}
    latency, _ = connection.request("textDocument/codeAction", {
        "textDocument": {"uri": uri}, "range": whole, "context": {"diagnostics": []}},
        timeout=600)
    connection.request("shutdown", None)
    connection.notify("exit", None)
    return opened, latency


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    ballast = os.path.abspath(sys.argv[1])
    packages = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
    with tempfile.TemporaryDirectory() as folder:
        for path in write_files(folder, packages):
            name = os.path.basename(path)
            print(f"{name}: {os.path.getsize(path):,} bytes, {packages:,} packages")
            for format_name in FORMATS:
                seconds, kilobytes = time_lint(ballast, path, format_name)
                megabytes = kilobytes / 1024
                print(f"  lint --format {format_name:12s} {seconds:6.2f} s {megabytes:7.1f} MB")
            opened, action = time_server(ballast, path)
            print(f"  lsp didOpen to diagnostics  {opened:6.2f} s")
            print(f"  lsp whole-file codeAction   {action:6.2f} s")


if __name__ == "__main__":
    main()
