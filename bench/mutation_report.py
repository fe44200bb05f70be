"""Summarise a mutmut run (scripts/mutation.sh): the mutation score per module, the survivors with
their diffs, and the survivors explained as equivalent in bench/mutation_equivalents.yaml.

Run from the repository root with the mutation environment's Python, after `mutmut run`:

    .venv-mutation/bin/python bench/mutation_report.py [--target 90] [--scope checks/]

Exit 0 when the score of the modules under --scope reaches --target once equivalent mutants are
set aside, 1 when it does not or when an explained survivor no longer matches its diff (the code
moved: explain it again), 2 when there is no run to read.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
EQUIVALENTS = ROOT / "bench" / "mutation_equivalents.yaml"
KILLED = {1, 3, 36, 37, -24, 24}  # a failing test, pytest's internal error, timeout, type check
SURVIVED = {0}
NO_TESTS = {5, 33}
UNCHECKED = {None, 34}  # not run yet, skipped


def _runs(mutants: Path) -> dict[str, tuple[str, int | None]]:
    """Mutant name -> (source file, exit code) from mutmut's per-file records."""
    found: dict[str, tuple[str, int | None]] = {}
    for meta in sorted(mutants.rglob("*.py.meta")):
        source = str(meta.relative_to(mutants))[: -len(".meta")]
        for name, code in json.loads(meta.read_text())["exit_code_by_key"].items():
            found[name] = (source, code)
    return found


def _changed_lines(name: str, source: str) -> list[str]:
    """The lines a mutant removes and adds, as mutmut's diff shows them."""
    from mutmut.mutation.diff_apply import get_diff_for_mutant  # the mutation venv only

    diff = get_diff_for_mutant(name, path=Path(source))
    return [
        line.rstrip()
        for line in diff.splitlines()
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]


def _equivalents() -> dict[str, dict]:
    if not EQUIVALENTS.exists():
        return {}
    entries = yaml.safe_load(EQUIVALENTS.read_text()) or []
    return {e["mutant"]: e for e in entries}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mutants", type=Path, default=ROOT / "mutants")
    parser.add_argument("--scope", default="checks/", help="modules the target applies to")
    parser.add_argument("--target", type=float, default=90.0, help="percent of mutants killed")
    parser.add_argument("--json", type=Path, help="also write the summary here")
    parser.add_argument("--no-diffs", action="store_true", help="list survivors by name only")
    args = parser.parse_args(argv)
    runs = _runs(args.mutants)
    if not runs:
        print(f"mutation_report: no mutmut run under {args.mutants}", file=sys.stderr)
        return 2
    explained = _equivalents()
    per_module: dict[str, Counter] = {}
    survivors: list[dict] = []
    stale: list[str] = []
    for name, (source, code) in sorted(runs.items()):
        tally = per_module.setdefault(source, Counter())
        if code in UNCHECKED:
            tally["unchecked"] += 1
            continue
        tally["total"] += 1
        if code in KILLED:
            tally["killed"] += 1
            continue
        kind = "no tests" if code in NO_TESTS else "survived" if code in SURVIVED else "suspicious"
        lines = [] if args.no_diffs else _changed_lines(name, source)
        entry = explained.get(name)
        if entry is not None and (args.no_diffs or entry.get("diff") == lines):
            tally["equivalent"] += 1
            continue
        if entry is not None:
            stale.append(name)
        tally["survived"] += 1
        survivors.append({"mutant": name, "module": source, "kind": kind, "diff": lines})
    print(f"{'module':48} {'mutants':>8} {'killed':>7} {'equiv':>6} {'left':>5} {'score':>7}")
    for source, t in sorted(per_module.items()):
        print(
            f"{source:48} {t['total']:8} {t['killed']:7} {t['equivalent']:6} {t['survived']:5}"
            f" {_score(t):6.1f}%" + (f"  ({t['unchecked']} not run)" if t["unchecked"] else "")
        )
    scoped = sum((t for s, t in per_module.items() if s.startswith(args.scope)), Counter())
    overall = sum(per_module.values(), Counter())
    print(f"\nall modules: {_score(overall):.1f}% of {overall['total']} mutants killed")
    print(
        f"{args.scope}: {_score(scoped):.1f}% of {scoped['total']} killed, "
        f"{scoped['equivalent']} equivalent set aside (target {args.target:.0f}%)"
    )
    for s in survivors:
        print(f"\nSURVIVED {s['mutant']} ({s['kind']})")
        for line in s["diff"]:
            print(f"    {line}")
    for name in stale:
        print(f"STALE explanation in {EQUIVALENTS.name}: {name} no longer matches its diff")
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "modules": {s: dict(t) for s, t in per_module.items()},
                    "scope": args.scope,
                    "score": round(_score(scoped), 2),
                    "survivors": survivors,
                    "stale": stale,
                },
                indent=2,
            )
        )
    return 0 if _score(scoped) >= args.target and not stale else 1


def _score(t: Counter) -> float:
    """Killed share of the mutants that count: equivalent ones are set aside."""
    counted = t["total"] - t["equivalent"]
    return 100.0 * t["killed"] / counted if counted else 100.0


if __name__ == "__main__":
    sys.exit(main())
