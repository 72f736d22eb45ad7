"""Print BuildKit's reading of Dockerfiles as JSON, one line per file.

The PyPI package `dockerfile` (3.4.0) wraps the Dockerfile parser of BuildKit v0.12.5,
so this script lets the Rust tests compare ballast's parser with BuildKit's own.

Usage: buildkit_oracle.py ROOT < names
Each line of standard input names a file relative to ROOT. For each one, in input
order, the script prints either
  {"file": NAME, "instructions": [{"cmd", "sub_cmd", "json", "original", "value",
                                   "flags", "heredocs": [{"name", "fd", "content"}],
                                   "start_line", "end_line"}, ...]}
or
  {"file": NAME, "error": MESSAGE}
when BuildKit rejects the file, or
  {"file": NAME, "wrapper_error": MESSAGE}
when the wrapper cannot hand BuildKit's strings to Python (they are not UTF-8).
Reading every file in one process keeps the run short.
"""

import json
import os
import sys

try:
    import dockerfile
except ImportError:
    print("the Python package `dockerfile` is not installed; run `pip install dockerfile==3.4.0`", file=sys.stderr)
    sys.exit(3)


def instruction_record(command):
    # The wrapper turns empty strings into None: an instruction line that is only a
    # continuation marker has an empty keyword.
    return {
        "cmd": command.cmd or "",
        "sub_cmd": command.sub_cmd,
        "json": command.json,
        "original": command.original or "",
        "value": list(command.value),
        "flags": list(command.flags),
        "heredocs": [
            {"name": heredoc.name, "fd": heredoc.file_descriptor, "content": heredoc.content}
            for heredoc in command.heredocs
        ],
        "start_line": command.start_line,
        "end_line": command.end_line,
    }


def file_record(root, name):
    try:
        commands = dockerfile.parse_file(os.path.join(root, name))
    except (dockerfile.GoParseError, dockerfile.GoIOError) as error:
        return {"file": name, "error": str(error)}
    except UnicodeDecodeError as error:
        return {"file": name, "wrapper_error": str(error)}
    return {"file": name, "instructions": [instruction_record(command) for command in commands]}


def main():
    if len(sys.argv) != 2:
        print("usage: buildkit_oracle.py ROOT < names", file=sys.stderr)
        return 2
    root = sys.argv[1]
    for line in sys.stdin:
        name = line.rstrip("\n")
        if not name:
            continue
        print(json.dumps(file_record(root, name), ensure_ascii=True))
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
