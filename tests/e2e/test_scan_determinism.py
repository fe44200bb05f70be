"""The same input gives the same artifacts, byte for byte, from one process to the next.

`safeguard scan` runs twice as a user would run it, in two processes whose string hashing differs
(PYTHONHASHSEED 0 and 12345: any set or dict order that leaks into an artifact shows), with the
clock pinned by SOURCE_DATE_EPOCH, on a preview and on a state fixture, writing every format.

Nothing is masked: the PDF too is byte-identical, because the dates headless Chromium stamps
from the wall clock are replaced by the run's own time (reports/pdf.py `pin_dates`).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures" / "pulumi"
SAFEGUARD = Path(sys.executable).with_name("safeguard")
SEEDS = ("0", "12345")
EPOCH = "1790000000"  # 2026-09-21T14:13:20Z

ARTIFACTS = [
    "manifest.json",
    "safeguard-findings.csv",
    "safeguard-report.html",
    "safeguard-report.pdf",
    "safeguard-scan.json",
    "safeguard-scan.junit.xml",
    "safeguard-scan.md",
    "safeguard-scan.ocsf.jsonl",
    "safeguard-scan.sarif",
]


def _scans(tmp_path: Path, option: str, fixture: Path) -> list[Path]:
    """Run the two scans side by side; each writes `report/` under a folder of its own, so the
    output path the artifacts may name is the same."""
    runs = []
    for seed in SEEDS:
        cwd = tmp_path / f"seed-{seed}"
        cwd.mkdir()
        env = {**os.environ, "PYTHONHASHSEED": seed, "SOURCE_DATE_EPOCH": EPOCH}
        command = [str(SAFEGUARD), "scan", option, str(fixture)]
        command += ["--format", "all", "--out", "report", "-q"]
        proc = subprocess.Popen(
            command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        runs.append((cwd, proc))
    for _, proc in runs:
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 1, err.decode()  # both fixtures hold failing checks
    return [cwd / "report" for cwd, _ in runs]


def _where(name: str, one: bytes, two: bytes) -> str:
    """Which file differs, and where: sizes, the first differing offset and the bytes around it."""
    at = next((i for i, (a, b) in enumerate(zip(one, two, strict=False)) if a != b), None)
    if at is None:
        at = min(len(one), len(two))
    around = slice(max(0, at - 40), at + 40)
    return f"{name}: {len(one)} vs {len(two)} bytes, from {at}: {one[around]!r} vs {two[around]!r}"


@pytest.mark.parametrize(
    ("option", "fixture"),
    [("--preview", "preview_billing_update.json"), ("--state", "state_v3_billing.json")],
)
def test_two_processes_write_the_same_artifacts(tmp_path, option, fixture):
    first, second = _scans(tmp_path, option, FIXTURES / fixture)
    assert sorted(p.name for p in first.iterdir()) == ARTIFACTS
    assert sorted(p.name for p in second.iterdir()) == ARTIFACTS
    differ = [
        _where(name, (first / name).read_bytes(), (second / name).read_bytes())
        for name in ARTIFACTS
        if (first / name).read_bytes() != (second / name).read_bytes()
    ]
    assert not differ, differ
    # The PDF is dated by the run, not by the printing.
    assert (
        b"/CreationDate (D:20260921141320+00'00')" in (first / "safeguard-report.pdf").read_bytes()
    )
    # The pinned clock reached the documents: the run is dated by SOURCE_DATE_EPOCH.
    assert json.loads((first / "safeguard-scan.json").read_text())["generated_at"] == (
        "2026-09-21T14:13:20Z"
    )
