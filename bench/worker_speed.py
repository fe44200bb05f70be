"""Wall time of the program worker with and without its Pulumi accelerators.

The worker (`checks.sources.program_worker`) is what `safeguard scan PROGRAM_DIR` spends most of
its time in: the program under Pulumi's mocks. For generated programs of about 100, 1,000 and
4,000 resources this runs, alternating, the worker with the accelerators
(`checks.sources.pulumi_speed`), the worker with plain Pulumi (SAFEGUARD_PLAIN_PULUMI=1) and
bench/bare_mocks.py (the floor: the same program under trivial mocks), and prints the medians.
It also checks that both worker runs wrote the same result.

    .venv/bin/python bench/worker_speed.py [--runs N] [--sizes 100,1000,4000]
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from scan import generate, size_options

from checks.sources.program import worker_request
from checks.sources.pulumi_project import default_stack, load_config, load_project, stack_name
from checks.sources.pulumi_speed import PLAIN_ENV

REPO = Path(__file__).resolve().parents[1]


def request_for(
    directory: Path, stack: str | None = None, secrets: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """The request `checks.sources.program.scan_program` writes for the worker."""
    project = load_project(directory)
    stack = stack_name(stack) if stack else default_stack(project)
    return worker_request(project, stack, load_config(project, stack, None, secrets))


def run_worker(request: Mapping[str, Any], plain: bool) -> tuple[float, dict[str, Any]]:
    """Run the worker once, as the program source does; its wall time and its result."""
    env = {k: v for k, v in os.environ.items() if k != PLAIN_ENV}
    if plain:
        env[PLAIN_ENV] = "1"
    with tempfile.TemporaryDirectory(prefix="worker-speed-") as tmp:
        request_path, result_path = Path(tmp) / "request.json", Path(tmp) / "result.json"
        request_path.write_text(json.dumps(request), encoding="utf-8")
        command = [sys.executable, "-m", "checks.sources.program_worker"]
        start = time.perf_counter()
        proc = subprocess.run(
            [*command, str(request_path), str(result_path)],
            cwd=request["project_dir"],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        elapsed = time.perf_counter() - start
        if proc.returncode != 0 or not result_path.is_file():
            raise SystemExit(f"bench: the worker exited {proc.returncode}: {proc.stderr[-500:]}")
        return elapsed, json.loads(result_path.read_text(encoding="utf-8"))


def _bare(program: Path) -> float:
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, str(REPO / "bench" / "bare_mocks.py"), str(program)],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise SystemExit(f"bench: bare_mocks.py exited {proc.returncode}: {proc.stderr[-500:]}")
    return time.perf_counter() - start


def measure(program: Path, runs: int) -> tuple[int, float, float, float]:
    """The resources the worker records, and the medians of (bare mocks, plain worker,
    accelerated worker) over `runs` alternating runs."""
    request = request_for(program)
    bare, plain, fast = [], [], []
    recorded = 0
    for _ in range(runs):  # alternate, so drift on the machine hits all three alike
        bare.append(_bare(program))
        seconds, plain_result = run_worker(request, plain=True)
        plain.append(seconds)
        seconds, fast_result = run_worker(request, plain=False)
        fast.append(seconds)
        if fast_result != plain_result:
            raise SystemExit(f"bench: {program}: the accelerated worker recorded other results")
        recorded = len(fast_result["resources"])
    return recorded, statistics.median(bare), statistics.median(plain), statistics.median(fast)


def main() -> int:
    args = size_options(__doc__, runs=3)
    rows = []
    with tempfile.TemporaryDirectory(prefix="worker-speed-") as tmp:
        print(f"bench: {args.runs} runs each, medians", file=sys.stderr)
        for size in (int(s) for s in args.sizes.split(",")):
            program = generate(Path(tmp) / f"gen{size}", size)
            print(f"bench: generated program for ~{size} resources", file=sys.stderr)
            rows.append(measure(program, args.runs))
    header = f"{'resources':>9} {'bare mocks':>11} {'plain worker':>13} {'accelerated':>12}"
    print(f"{header} {'speed-up':>9} {'vs bare':>8}")
    for count, bare, plain, fast in rows:
        print(
            f"{count:>9} {bare:>10.2f}s {plain:>12.2f}s {fast:>11.2f}s"
            f" {plain / fast:>8.2f}x {fast / bare:>7.2f}x"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
