"""Time evaluating the whole check library on a 10,000-resource inventory (median of runs).

The inventory is this repository's billing system as the program source sees it (prod stack),
copied with fresh names, ids and URNs until it holds about 10,000 resources, so every check
meets the resources and joins it meets in a real scan. Printed beside it, as the yardstick of
the same run: the time to build the Inventory indexes, and the program run that produced the
original inventory.

    .venv/bin/python bench/evaluate.py [--resources 10000] [--runs 5]
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from checks.evaluate import evaluate
from checks.library import build_registry
from checks.model import Inventory, Resource
from checks.sources.program import scan_program

REPO = Path(__file__).resolve().parents[1]


def _rename(value: Any, old: dict[str, str], suffix: str) -> Any:
    if isinstance(value, str):
        return old.get(value, value)
    if isinstance(value, dict):
        return {k: _rename(v, old, suffix) for k, v in value.items()}
    if isinstance(value, list):
        return [_rename(v, old, suffix) for v in value]
    return value


def copies(base: list[Resource], target: int) -> list[Resource]:
    """Copies of `base` whose ids, ARNs and references are renamed consistently per copy."""
    out: list[Resource] = []
    n = 0
    while len(out) < target:
        suffix = f"-c{n}"
        old = {}
        for r in base:
            for ident in (r.id, r.arn):
                if ident:
                    old[ident] = ident + suffix
        for r in base:
            out.append(
                dataclasses.replace(
                    r,
                    name=r.name + suffix,
                    urn=(r.urn or "") + suffix,
                    id=old.get(r.id, r.id),
                    arn=old.get(r.arn, r.arn),
                    props=_rename(dict(r.props), old, suffix),
                )
            )
        n += 1
    return out[:target]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--resources", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    start = time.perf_counter()
    scan = scan_program(REPO, "prod")
    program_seconds = time.perf_counter() - start
    resources = copies(list(scan.resources), args.resources)
    registry = build_registry()

    index_times, eval_times, findings = [], [], 0
    for _ in range(args.runs):
        fresh = [dataclasses.replace(r) for r in resources]  # no per-resource caches carried over
        start = time.perf_counter()
        inventory = Inventory(fresh)
        index_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        findings = len(evaluate(inventory, registry).findings)
        eval_times.append(time.perf_counter() - start)

    print(
        f"inventory: {len(resources)} resources ({len(scan.resources)} of the prod program, copied)"
    )
    print(f"checks: {len(registry)}; findings per run: {findings}")
    print(f"{'step':<44} {'median (s)':>11}")
    print(f"{'build Inventory indexes':<44} {statistics.median(index_times):>11.3f}")
    print(f"{'evaluate every check':<44} {statistics.median(eval_times):>11.3f}")
    print(f"{'(yardstick) program run of the prod stack':<44} {program_seconds:>11.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
