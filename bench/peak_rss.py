"""Run one command; print its wall time, exit code and peak memory as one JSON line.

    python bench/peak_rss.py STDERR_FILE COMMAND [ARG...]

Peak memory is `getrusage(RUSAGE_CHILDREN).ru_maxrss` read after the command exits: the
kernel's high-water resident set of the largest process among the command and the descendants
it waited for (KiB on Linux). bench/audit.py starts this wrapper afresh for every measurement,
so nothing else is ever counted. The command's stdout is discarded and its stderr written to
STDERR_FILE; the wall time is taken around the command alone, not this wrapper's start-up.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print(__doc__.splitlines()[2].strip(), file=sys.stderr)
        return 2
    stderr_file, command = argv[0], argv[1:]
    with open(stderr_file, "wb") as stderr:
        start = time.perf_counter()
        code = subprocess.run(
            command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=stderr, check=False
        ).returncode
        seconds = time.perf_counter() - start
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(json.dumps({"code": code, "seconds": seconds, "peak_kib": peak_kib}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
