"""`safeguard scan` side by side with checkov on the Terraform plan JSON of the same inventory.

For generated programs of about 100, 1,000 and 4,000 resources (bench/scan.py's units), runs,
alternating, N times each (median): our program scan, our `--state` scan of the program's stack
export and our `--preview` scan of its first preview (bench/state_export.py), and checkov on the
plan document `--with-checkov` would hand it (checks/terraform_plan.py), offline, from
.venv-checkov. Prints wall time, peak memory (bench/peak_rss.py) and the ratios, then where our
program scan's time goes: interpreter and imports, the program under mocks, evaluation,
assessment and rendering.

    .venv/bin/python bench/checkov_peer.py [--runs 3] [--sizes 100,1000,4000]
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BENCH = REPO / "bench"
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(REPO))
from scan import generate, size_options  # noqa: E402 - the bench folder is not a package

from scripts.commands.checkov import offline_env  # noqa: E402

SAFEGUARD = Path(sys.executable).with_name("safeguard")
CHECKOV = REPO / ".venv-checkov" / "bin" / "checkov"


def measured(command: list[str], env: dict | None = None) -> tuple[float, int]:
    """(seconds, peak KiB) of one command, through bench/peak_rss.py."""
    with tempfile.NamedTemporaryFile() as err:
        done = subprocess.run(
            [sys.executable, str(BENCH / "peak_rss.py"), err.name, *command],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        )
        row = json.loads(done.stdout)
        if row["code"] not in (0, 1):
            raise SystemExit(
                f"bench: {command[0]} exited {row['code']}: {Path(err.name).read_text()[-400:]}"
            )
    return row["seconds"], row["peak_kib"]


def inputs(program: Path, root: Path) -> tuple[Path, Path, Path, int]:
    """The program's stack export, its first preview, the plan document of its inventory, and
    its size."""
    from checks.sources.catalog import build_sources
    from checks.sources.registry import SourceRequest
    from checks.terraform_plan import to_plan

    state, preview = root / "state.json", root / "preview.json"
    for path, flags in ((state, []), (preview, ["--preview"])):
        with path.open("w") as out:
            subprocess.run(
                [sys.executable, str(BENCH / "state_export.py"), *flags, str(program)],
                stdout=out,
                check=True,
            )
    collected = build_sources().default.collect(SourceRequest(program_dir=program))
    plan = root / "plan.json"
    plan.write_text(json.dumps(to_plan(collected.resources).document))
    return state, preview, plan, len(collected.resources)


def breakdown(program: Path, out: Path) -> dict[str, float]:
    """Where one program scan's time goes (one run, in a fresh interpreter)."""
    script = f"""
import json, time
t0 = time.perf_counter()
from pathlib import Path
from checks.evaluate import evaluate
from checks.library import build_registry
from checks.model import Inventory
from checks.sources.catalog import build_sources
from checks.sources.registry import SourceRequest
from policies.assess import assess
from policies.inputs import load_policy_inputs
from policies.proposal import RULE_2013
from policies.record import build_record
from reports.renderers import build_renderers
t1 = time.perf_counter()
collected = build_sources().default.collect(SourceRequest(program_dir=Path({str(program)!r})))
t2 = time.perf_counter()
registry = build_registry()
evaluation = evaluate(Inventory(collected.resources, gaps=collected.gaps), registry)
t3 = time.perf_counter()
inputs = load_policy_inputs(known_checks={{c.id for c in registry}}, home=collected.home,
    stack=collected.stack_or_default, profile="default", fail_on=None, waivers=None,
    attestations=None, risk_overrides=None, sla=None, previous=None, framework_rule=RULE_2013)
record = build_record(assess(evaluation, inputs, source=collected.provenance,
    generated_at="2026-01-01T00:00:00Z", graph=collected.graph, secrets=collected.secrets))
renderers = build_renderers("A4", "failing")
for name in ("json", "md"):
    renderers[name].render(record)
t4 = time.perf_counter()
print(json.dumps({{"imports": t1 - t0, "program under mocks": t2 - t1, "evaluation": t3 - t2,
    "assessment and rendering": t4 - t3}}))
"""
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO, check=False
    )
    total = time.perf_counter() - start
    if done.returncode != 0:
        return {"breakdown failed": total, "why": done.stderr.strip().splitlines()[-1:]}  # type: ignore[dict-item]
    parts = json.loads(done.stdout.strip().splitlines()[-1])
    parts["interpreter start-up and exit"] = total - sum(parts.values())
    return parts


def main() -> int:
    args = size_options(__doc__, runs=3)
    if not CHECKOV.is_file():
        print(
            "bench: checkov's environment is missing: bash scripts/setup_checkov.sh",
            file=sys.stderr,
        )
        return 2
    rows = []
    with tempfile.TemporaryDirectory(prefix="safeguard-checkov-bench-") as tmp:
        root = Path(tmp)
        for size in (int(s) for s in args.sizes.split(",")):
            program = generate(root / f"gen{size}", size)
            state, preview, plan, count = inputs(program, root)
            out = str(root / "out")
            commands = {
                "scan (program)": [
                    str(SAFEGUARD),
                    "scan",
                    str(program),
                    "--out",
                    out,
                    "--force",
                    "-q",
                    "--history",  # recorded, as by default, but not in the repository
                    str(root / "history.sqlite"),
                ],
                "scan --state": [
                    str(SAFEGUARD),
                    "scan",
                    "--state",
                    str(state),
                    "--out",
                    out,
                    "--force",
                    "-q",
                    "--history",  # recorded, as by default, but not in the repository
                    str(root / "history.sqlite"),
                ],
                "scan --preview": [
                    str(SAFEGUARD),
                    "scan",
                    "--preview",
                    str(preview),
                    "--out",
                    out,
                    "--force",
                    "-q",
                    "--history",
                    str(root / "history.sqlite"),
                ],
                "checkov (plan)": [
                    str(CHECKOV),
                    "-f",
                    str(plan),
                    "--framework",
                    "terraform_plan",
                    "--skip-download",
                    "-o",
                    "json",
                    "--compact",
                    "--quiet",
                ],
            }
            times: dict[str, list[tuple[float, int]]] = {k: [] for k in commands}
            for _ in range(args.runs):  # alternate, so drift on the machine hits all alike
                for label, command in commands.items():
                    env = offline_env() if label.startswith("checkov") else None
                    times[label].append(measured(command, env))
            medians = {
                k: (statistics.median(t for t, _ in v), statistics.median(m for _, m in v))
                for k, v in times.items()
            }
            rows.append((count, medians, breakdown(program, root / "out")))
            print(f"bench: {count} resources done", file=sys.stderr)
    print(
        f"{'resources':>9} {'command':<16} {'time (s)':>9} {'peak MiB':>9} "
        f"{'time/checkov':>13} {'mem/checkov':>12}"
    )
    for count, medians, parts in rows:
        peer_t, peer_m = medians["checkov (plan)"]
        for label, (t, m) in medians.items():
            print(
                f"{count:>9} {label:<16} {t:>9.2f} {m / 1024:>9.0f} "
                f"{t / peer_t:>13.2f} {m / peer_m:>12.2f}"
            )
        shown = ", ".join(
            f"{k} {v:.2f} s" if isinstance(v, float) else f"{k}: {v}" for k, v in parts.items()
        )
        print(f"{'':>9} where a program scan's time goes: {shown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
