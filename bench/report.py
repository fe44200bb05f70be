"""Time every report format on a synthetic run of 10,000 findings (median of several runs).

The document is built the way a scan builds it: real checks from the registry, Finding
objects on synthetic resources (a mix of FAIL, PASS, NOT_EVALUATED, NOT_APPLICABLE and
WAIVED), `policies.assess.assess` and `policies.record.build_record`. Each format is
rendered from it several times; the table shows the median, the output size, and the ratio to
the JSON dump of the same document (the peer every format is measured against).

    .venv/bin/python bench/report.py [--findings 10000] [--runs 5]
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from checks.evaluate import Evaluation, Finding
from checks.library import build_registry
from checks.model import SECRET, Inventory, Resource
from checks.registry import Status
from policies.assess import assess
from policies.framework import load_framework
from policies.inputs import PolicyInputs
from policies.profiles import load_profile
from policies.record import build_record
from policies.risk import risk_register
from policies.waivers import Waiver
from reports.csv_render import render_csv
from reports.html import render_html
from reports.json_render import render_json
from reports.junit import render_junit
from reports.manifest import verify, write_manifest
from reports.markdown import render_markdown
from reports.ocsf import render_ocsf
from reports.sarif import render_sarif

# Of every twenty findings: 9 FAIL, 7 PASS, 2 NOT_EVALUATED, 1 NOT_APPLICABLE, and 1 FAIL
# on a resource a waiver covers (the assessment marks it WAIVED).
_STATUS_CYCLE = (
    [Status.FAIL] * 9
    + [Status.PASS] * 7
    + [Status.NOT_EVALUATED] * 2
    + [Status.NOT_APPLICABLE, Status.WAIVED]
)
_DAY = dt.date(2026, 11, 26)


def synthetic_evaluation(count: int) -> tuple[Evaluation, tuple[Waiver, ...]]:
    registry = build_registry()
    checks = [c for c in registry if c.resource_types]
    findings, resources = [], []
    for i in range(count):
        check = checks[i % len(checks)]
        status = _STATUS_CYCLE[i % len(_STATUS_CYCLE)]
        name = f"res-{i:05d}" + ("-waived" if status is Status.WAIVED else "")
        res = Resource(
            check.resource_types[0],
            name,
            {"tags": {"data-classification": "ePHI" if i % 3 else "internal"}},
            urn=f"urn:pulumi:bench::billing::{check.resource_types[0]}::{name}",
            id=f"res-{i:05d}-id",
            arn=f"arn:aws:service:us-east-1:111122223333:res/{i:05d}",
            region="us-east-1",
        )
        resources.append(res)
        evidence = {
            "observed": i,
            "cidr": "0.0.0.0/0" if i % 7 == 0 else "10.0.0.0/16",
            "password": SECRET,
        }
        status = Status.FAIL if status is Status.WAIVED else status
        findings.append(Finding(check, status, f"synthetic finding {i} on {name}", evidence, res))
    waivers = tuple(
        Waiver(
            id=f"W-BENCH-{n:03d}",
            check=check.id,
            type="risk_acceptance",
            justification="Synthetic benchmark data.",
            approver="Bench Marker, Security Official",
            approved=_DAY,
            expires=_DAY + dt.timedelta(days=180),
            resource_pattern="urn:pulumi:bench::billing::*-waived",
        )
        for n, check in enumerate(checks)
    )
    return Evaluation(tuple(findings), Inventory(resources), registry), waivers


def synthetic_document(count: int) -> dict[str, Any]:
    evaluation, waivers = synthetic_evaluation(count)
    inputs = PolicyInputs(load_profile("default"), load_framework(), waivers=waivers)
    source = {"kind": "program", "project": "bench", "stack": "bench", "region": "us-east-1"}
    assessment = assess(evaluation, inputs, source=source, generated_at=f"{_DAY}T00:00:00Z")
    return build_record(assessment)


def _manifest_round_trip(folder: Path, names: list[str]) -> str:
    """Manifest the written artifacts of a run, then verify them."""
    manifest = write_manifest(folder, names)
    problems = verify(folder)
    if problems:
        raise SystemExit(f"bench: manifest verification failed: {problems}")
    return manifest.read_text()


FORMATS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "json": render_json,
    "markdown": render_markdown,
    "sarif": render_sarif,
    "junit": render_junit,
    "ocsf": render_ocsf,
    "csv": render_csv,
    "html": render_html,
}


def measure(render: Callable[[dict[str, Any]], Any], document: dict, runs: int) -> tuple:
    times, output = [], None
    for _ in range(runs):
        start = time.perf_counter()
        output = render(document)
        times.append(time.perf_counter() - start)
    size = len(output.encode()) if isinstance(output, str) else len(output)
    return statistics.median(times), size


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--findings", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)

    start = time.perf_counter()
    document = synthetic_document(args.findings)
    built = time.perf_counter() - start
    print(f"synthetic document: {len(document['findings'])} findings, built in {built:.2f} s")
    evaluation, _ = synthetic_evaluation(args.findings)
    FORMATS["risk register"] = lambda _: risk_register(evaluation.findings, _DAY)
    print(f"median of {args.runs} runs each\n")
    print(f"{'format':<16} {'median s':>9} {'output':>15} {'vs json':>8}")
    baseline = None
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for name, render in FORMATS.items():
            median, size = measure(render, document, args.runs)
            baseline = baseline or median
            unit = "risks" if name == "risk register" else "bytes"
            print(f"{name:<16} {median:>9.3f} {size:>9} {unit:<5} {median / baseline:>7.2f}x")
            output = render(document)
            if isinstance(output, str):
                (folder / f"scan.{name}").write_text(output, encoding="utf-8")
        names = sorted(p.name for p in folder.iterdir())
        total = sum((folder / n).stat().st_size for n in names)
        median, _ = measure(lambda _: _manifest_round_trip(folder, names), document, args.runs)
        print(f"{'manifest+verify':<16} {median:>9.3f} {total:>9} bytes {median / baseline:>7.2f}x")
        print(f"  (hashing the {len(names)} artifacts above twice: written, then verified)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
