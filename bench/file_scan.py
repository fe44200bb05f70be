"""`safeguard scan --state` with the shipped property-name table, side by side with the same scan
learning property names from the pulumi_aws classes (the way file scans worked before the table).

For the billing system (this repository's program, dev stack) and generated programs of the
given sizes, writes a stack export with bench/state_export.py, then runs both scans alternately
and prints the medians of wall time and peak memory. The SDK variant is the same command with
the name lookup pointed back at `checks.sources.pulumi_schema` (the previous code path).

    .venv/bin/python bench/file_scan.py [--runs 5] [--sizes 100,4000]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(BENCH))
from scan import generate  # noqa: E402 - the bench folder is not a package

# The scan, with the file sources' name lookup swapped for the SDK classes when asked to.
DRIVER = """
import sys
if sys.argv[1] == "sdk":
    from checks.model import canonical_type
    from checks.sources import engine_values
    from checks.sources.pulumi_schema import object_to_python, properties, resource_class

    def sdk_input_names(token):
        cls = resource_class(canonical_type(token))
        module = sys.modules.get(cls.__module__) if cls else None
        for suffix in ("InitArgs", "Args"):
            found = getattr(module, f"{cls.__name__}{suffix}", None) if cls else None
            if isinstance(found, type) and found.__module__ == cls.__module__:
                return frozenset(properties(found))
        return None

    engine_values.input_names = sdk_input_names
    engine_values.resource_to_python = lambda token, value: object_to_python(
        value, resource_class(canonical_type(token)))
from scripts.cli import main
code = main(["scan", "--state", sys.argv[2], "--out", sys.argv[3], "--force", "--quiet",
             "--format", "json", "--history", sys.argv[3] + ".history.sqlite"])
print("pulumi_aws imported:", "pulumi_aws" in sys.modules, file=sys.stderr)
sys.exit(code)
"""


def export(program: Path, stack: str, target: Path) -> int:
    with target.open("w", encoding="utf-8") as out:
        subprocess.run(
            [sys.executable, str(BENCH / "state_export.py"), str(program), stack],
            stdout=out,
            check=True,
        )
    return len(json.loads(target.read_text())["deployment"]["resources"])


def once(variant: str, state: Path, out: Path) -> tuple[float, int, bool]:
    stderr = out / f"{variant}.stderr"
    proc = subprocess.run(
        [sys.executable, str(BENCH / "peak_rss.py"), str(stderr), sys.executable, "-c", DRIVER,
         variant, str(state), str(out / variant)],
        capture_output=True, text=True, check=True, cwd=REPO,
    )  # fmt: skip
    result = json.loads(proc.stdout)
    if result["code"] not in (0, 1, 3):
        raise SystemExit(f"bench: {variant} scan exited {result['code']}: {stderr.read_text()}")
    imported = "pulumi_aws imported: True" in stderr.read_text()
    return result["seconds"], result["peak_kib"], imported


def measure(state: Path, runs: int, out: Path) -> dict[str, tuple[float, float, bool]]:
    samples: dict[str, list[tuple[float, int, bool]]] = {"sdk": [], "table": []}
    for _ in range(runs):  # alternate, so drift on the machine hits both alike
        for variant in samples:
            samples[variant].append(once(variant, state, out))
    return {
        variant: (
            statistics.median(s[0] for s in runs_),
            statistics.median(s[1] for s in runs_) / 1024,
            any(s[2] for s in runs_),
        )
        for variant, runs_ in samples.items()
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sizes", default="", help="generated programs, e.g. 100,4000")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="safeguard-file-bench-") as tmp:
        root = Path(tmp)
        programs = [("billing system (dev)", REPO, "dev")]
        programs += [(f"generated {s}", generate(root / f"gen{s}", int(s)), "dev")
                     for s in args.sizes.split(",") if s]  # fmt: skip
        for label, program, stack in programs:
            state = root / f"{label.split()[0]}-{len(rows)}.json"
            count = export(program, stack, state)
            print(f"bench: {label}: state export of {count} resources", file=sys.stderr)
            rows.append((f"{label}, {count}", measure(state, args.runs, root)))
    print(f"medians of {args.runs} alternating runs of `safeguard scan --state`")
    head = ("state file", "lookup", "time (s)", "peak MiB", "imports pulumi_aws")
    print(f"{head[0]:<32} {head[1]:<6} {head[2]:>9} {head[3]:>9} {head[4]:>19}")
    for label, result in rows:
        for variant, (seconds, mib, imported) in result.items():
            print(f"{label:<32} {variant:<6} {seconds:>9.2f} {mib:>9.0f} {imported!s:>19}")
        ratio = result["table"][0] / result["sdk"][0]
        print(f"{'':<32} table/sdk time {ratio:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
