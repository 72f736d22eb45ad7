"""Compares ballast's ShellCheck findings with hadolint 2.15.1's on the real-world corpus.

Usage: python3 tests/parity/shellcheck_parity.py [BALLAST] [CORPUS]
BALLAST defaults to target/release/ballast and CORPUS to ../shared/corpus/real beside the
repository. shellcheck must be on PATH. hadolint reports every SC finding on the first line
of its RUN, so ballast's findings are moved to the first line of their instruction before
the (code, line) pairs are compared. Prints the counts per code and writes every
difference to shellcheck_differences.json in the current folder.
"""
import collections
import json
import os
import subprocess
import sys

here = os.path.dirname(os.path.abspath(__file__))
repo = os.path.dirname(os.path.dirname(here))
ballast = sys.argv[1] if len(sys.argv) > 1 else os.path.join(repo, "target/release/ballast")
root = sys.argv[2] if len(sys.argv) > 2 else os.path.join(repo, "../shared/corpus/real")
records = [json.loads(l) for l in open(os.path.join(root, "hadolint-results.jsonl"))]
records = [r for r in records if r["parse_error_line"] is None]
files = [os.path.join(root, r["file"]) for r in records]
def instruction_lines(path):
    """Returns the (first line, last line) of every instruction of a Dockerfile."""
    out = subprocess.run([ballast, "dump", "--format", "json", path], capture_output=True, text=True).stdout
    d = json.loads(out)
    text = open(path, encoding="utf-8", errors="replace").read()
    b = text.encode("utf-8")
    res = []
    for n in d["nodes"]:
        if n["kind"]["type"] == "instruction":
            s, e = n["span"]["start"], n["span"]["end"]
            l0 = b[:s].count(b"\n") + 1
            l1 = b[:max(e-1, s)].count(b"\n") + 1
            res.append((l0, l1))
    return res
ours = {}
chunk = 100
for i in range(0, len(files), chunk):
    part = files[i:i+chunk]
    out = subprocess.run([ballast, "lint", "-f", "json", "--no-fail", *part], capture_output=True, text=True).stdout
    for f in json.loads(out):
        if f["code"].startswith("SC"):
            ours.setdefault(f["file"], []).append((f["code"], f["line"]))
miss = collections.Counter(); extra = collections.Counter(); match = collections.Counter()
rows = []
for r, path in zip(records, files):
    theirs = {(f["code"], f["line"]) for f in r["findings"] if f["code"].startswith("SC")}
    mine_raw = ours.get(path, [])
    if not theirs and not mine_raw: continue
    st = instruction_lines(path)
    mine = set()
    for code, line in mine_raw:
        start = next((a for a, b in st if a <= line <= b), line)
        mine.add((code, start))
    for k in theirs & mine: match[k[0]] += 1
    for k in theirs - mine: miss[k[0]] += 1; rows.append((r["file"], k[1], k[0], "missing"))
    for k in mine - theirs: extra[k[0]] += 1; rows.append((r["file"], k[1], k[0], "extra"))
with open("shellcheck_differences.json", "w") as out:
    json.dump({"match": match, "missing": miss, "extra": extra, "rows": rows}, out, indent=1)
print("matched", sum(match.values()), "hadolint total", sum(match.values()) + sum(miss.values()), "extra", sum(extra.values()))
for code in sorted(set(miss) | set(extra) | set(match)):
    print(code, "match", match[code], "missing", miss[code], "extra", extra[code])
