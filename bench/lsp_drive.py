"""Sends a language server steady-state edits of the benchmark's generated Dockerfile.

Usage: python3 bench/lsp_drive.py [--client-edits] LINES EDITS SERVER-COMMAND...

The edits cycle through eight kinds, each pair leaving the file as it was. They type a
character at the end of a RUN line and delete it (twice), lower-case the keyword of the COPY
below and restore it, and insert a RUN line and remove it. After each edit the script waits
for the diagnostics.

With --client-edits the edits are instead those of the benchmark client's `make_edits`, the
sequence `bench/lsp.sh` times: type two characters into a RUN, add a RUN line, lower-case
its keyword, and again, so the file grows. The script then also waits 1 s after the last
edit, so that every run ends with the same ShellCheck pass.
It prints the median and 90th percentile of the time from sending an edit to receiving them.
Wrapped in `valgrind --tool=callgrind`, the server's instruction count over many edits is a
measure of its work per edit that does not vary with the machine's load. valgrind does not
follow the restart with which `ballast lsp` sets glibc's malloc tunables, so under valgrind
the script sets GLIBC_TUNABLES to the server's own value beforehand, unless it is set.

Needs the shared benchmark client (../shared/tools/lsp/client.py beside the repository).
"""

import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "shared", "tools", "lsp"))
import client  # noqa: E402

# The value `ballast lsp` restarts itself with (MALLOC_TUNABLES in src/commands/lsp.rs).
MALLOC_TUNABLES = ("glibc.malloc.tcache_count=1000:glibc.malloc.trim_threshold=16777216:"
                   "glibc.malloc.mmap_threshold=4194304")


def main():
    arguments = sys.argv[1:]
    client_edits = arguments[:1] == ["--client-edits"]
    if client_edits:
        arguments = arguments[1:]
    if len(arguments) < 3:
        sys.exit(__doc__)
    lines, count, command = int(arguments[0]), int(arguments[1]), arguments[2:]
    text, _ = client.generate_dockerfile(lines)
    folder = "/tmp/lspbench-work"
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "Dockerfile"), "w") as file:
        file.write(text)
    uri = "file://" + os.path.join(folder, "Dockerfile")

    if os.path.basename(command[0]) == "valgrind":
        os.environ.setdefault("GLIBC_TUNABLES", MALLOC_TUNABLES)
    connection = client.LspConnection(command)
    capabilities = {"textDocument": {"publishDiagnostics": {
        "relatedInformation": True, "versionSupport": True, "tagSupport": {"valueSet": [1, 2]},
        "codeDescriptionSupport": True, "dataSupport": True}}}
    connection.request("initialize", {"processId": os.getpid(), "rootUri": "file://" + folder,
                                      "capabilities": capabilities})
    connection.notify("initialized", {})
    connection.notify("textDocument/didOpen", {"textDocument": {
        "uri": uri, "languageId": "dockerfile", "version": 1, "text": text}})
    connection.wait_notification("textDocument/publishDiagnostics", uri, 30)
    # The list with ShellCheck's findings follows after a pause; it is not part of the edits.
    time.sleep(1.5)
    connection.drain_notifications()

    rows = text.split("\n")
    runs = [index for index, row in enumerate(rows) if row.startswith("RUN set -eux")]
    target = runs[len(runs) // 2]
    column = len(rows[target]) - 2
    keyword = rows[target + 4][:4]
    edits = [
        ((target, column), (target, column), "x"),
        ((target, column), (target, column + 1), ""),
        ((target, column), (target, column), "y"),
        ((target, column), (target, column + 1), ""),
        ((target + 4, 0), (target + 4, len(keyword)), keyword.lower()),
        ((target + 4, 0), (target + 4, len(keyword)), keyword),
        ((target + 6, 0), (target + 6, 0), "RUN echo inserted\n"),
        ((target + 6, 0), (target + 7, 0), ""),
    ]
    if client_edits:
        changes = [{"range": span, "text": new_text}
                   for span, new_text in client.make_edits(text, count)]
    else:
        changes = []
        for number in range(count):
            (start_line, start_column), (end_line, end_column), new_text = edits[number % len(edits)]
            changes.append({"range": {"start": {"line": start_line, "character": start_column},
                                      "end": {"line": end_line, "character": end_column}},
                            "text": new_text})
    version, latencies = 1, []
    for change in changes:
        version += 1
        sent = connection.notify("textDocument/didChange", {
            "textDocument": {"uri": uri, "version": version}, "contentChanges": [change]})
        received, _ = connection.wait_notification(
            "textDocument/publishDiagnostics", uri, 30, after=sent)
        latencies.append(received - sent)
        time.sleep(0.002)
    if client_edits:
        time.sleep(1.0)
    if latencies:
        latencies.sort()
        print("edits %d median %.3f ms p90 %.3f ms" % (
            count, latencies[count // 2] * 1000, latencies[int(count * 0.9)] * 1000))
    connection.request("shutdown", None)
    connection.notify("exit", None)
    connection.proc.wait(timeout=60)


if __name__ == "__main__":
    main()
