"""Every artifact of a set of representative runs is byte-identical to the stored record.

This guards reshaping the code without changing what it does. When a change is *meant* to
change an output, regenerate the records and review the diff of `expected/` in the commit:

    SAFEGUARD_GOLDEN_UPDATE=1 .venv/bin/python -m pytest tests/golden

`SAFEGUARD_GOLDEN_KEEP=DIR` also copies every run's artifacts into DIR, to diff them.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.golden.cases import CASES, run_case

EXPECTED = Path(__file__).with_name("expected")
UPDATE = os.environ.get("SAFEGUARD_GOLDEN_UPDATE") == "1"
_KEEP = os.environ.get("SAFEGUARD_GOLDEN_KEEP")
KEEP = Path(_KEEP) if _KEEP else None


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_artifact_is_unchanged(name, tmp_path):
    record = run_case(CASES[name], tmp_path, KEEP)
    path = EXPECTED / f"{name}.json"
    if UPDATE:
        EXPECTED.mkdir(exist_ok=True)
        path.write_text(json.dumps(record, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    expected = json.loads(path.read_text(encoding="utf-8"))
    assert record["exit_code"] == expected["exit_code"]
    assert record["stderr"] == expected["stderr"]
    assert record["stdout"] == expected["stdout"]
    changed = {
        f: (expected["files"].get(f), record["files"].get(f))
        for f in sorted(set(expected["files"]) | set(record["files"]))
        if expected["files"].get(f) != record["files"].get(f)
    }
    assert not changed, f"artifacts differ from tests/golden/expected/{name}.json: {changed}"


def test_the_cases_span_every_sample_program_and_format():
    folders = (Path(__file__).parents[1] / "programs").iterdir()
    programs = {p.name for p in folders if (p / "Pulumi.yaml").is_file()}
    assert {f"program_{p}" for p in programs} <= set(CASES)
    written = set()
    for path in EXPECTED.glob("*.json"):
        written |= set(json.loads(path.read_text(encoding="utf-8"))["files"])
    for artifact in (
        "safeguard-scan.json",
        "safeguard-scan.md",
        "safeguard-report.html",
        "safeguard-report.pdf",
        "safeguard-scan.sarif",
        "safeguard-scan.junit.xml",
        "safeguard-scan.ocsf.jsonl",
        "safeguard-findings.csv",
        "manifest.json",
    ):
        assert artifact in written
