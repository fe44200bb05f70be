"""`safeguard report` recomputes the gate from a record's own findings and refuses a record whose
stored gate or counts disagree (the issue's edited `gate.exit_code: 0` over failures)."""

from __future__ import annotations

import json

import pytest

from policies.gate import record_gate_problems
from reports.signing import generate_keypair
from scripts.cli import main
from tests.unit.test_integrity import _record

# -- the stored gate ------------------------------------------------------------------------


def test_a_record_as_written_agrees_with_its_gate():
    for profile in ("default", "strict", "advisory"):
        assert record_gate_problems(_record(profile)) == []


def _blocking_record() -> dict:
    record = _record()
    assert record["gate"]["exit_code"] == 1 and record["gate"]["blocking_failures"] > 1
    return record


def _set(path: str, value):
    def edit(record: dict) -> None:
        *parents, last = path.split(".")
        target = record
        for key in parents:
            target = target[key]
        target[last] = value

    return edit


def _first_fail(field: str, value):
    def edit(record: dict) -> None:
        next(f for f in record["findings"] if f["status"] == "FAIL")[field] = value

    return edit


GATE_EDITS = {
    # the case: exit_code 0 over failures
    "exit_code_0": _set("gate.exit_code", 0),
    "exit_code_3": _set("gate.exit_code", 3),
    "exit_code_true": _set("gate.exit_code", True),
    "no_blocking_failures": _set("gate.blocking_failures", 0),
    "blocking_unknowns": _set("gate.blocking_not_evaluated", 4),
    "threshold_raised": _set("gate.fail_on", "critical"),
    "a_failure_passes": _first_fail("status", "PASS"),
    "a_failure_downgraded": _first_fail("severity", "info"),
    "counts_edited": _set("summary.findings.FAIL", 0),
}


@pytest.mark.parametrize("name", sorted(GATE_EDITS))
def test_a_stored_gate_its_findings_contradict_is_found(name):
    record = _blocking_record()
    GATE_EDITS[name](record)
    if name == "threshold_raised":
        # the whole verdict edited to match a higher threshold: the findings still say 1
        record["gate"].update(exit_code=1)
    assert record_gate_problems(record)


def test_a_failure_reopened_by_an_expired_waiver_blocks_in_the_recomputed_gate():
    record = _record("advisory")
    low = next(f for f in record["findings"] if f["status"] == "FAIL")
    assert record_gate_problems(record) == []
    record["gate"]["reopened_by_expired_waivers"] = [low["id"]]
    problems = record_gate_problems(record)
    assert any(p.startswith("gate.exit_code is 0 but its findings give 1") for p in problems)


@pytest.mark.parametrize("name", ["exit_code_0", "no_blocking_failures", "a_failure_passes"])
def test_report_refuses_to_rerender_an_edited_gate(tmp_path, capsys, name):
    record = _blocking_record()
    GATE_EDITS[name](record)
    path = tmp_path / "edited.json"
    path.write_text(json.dumps(record))
    out = tmp_path / "out"
    assert main(["report", str(path), "--out", str(out), "--format", "md"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"safeguard: error: {path}: the stored gate disagrees with its own")
    assert not (out / "safeguard-scan.md").exists()


def test_report_refuses_a_record_without_a_gate_or_findings(tmp_path, capsys):
    for broken in ({"gate": None}, {"findings": None}, {"findings": [{"status": "MAYBE"}]}):
        record = {**_blocking_record(), **broken}
        path = tmp_path / "broken.json"
        path.write_text(json.dumps(record))
        assert main(["report", str(path), "--out", str(tmp_path / "o"), "--format", "md"]) == 2
        assert f"{path}: " in capsys.readouterr().err


def test_report_rerenders_and_signs_an_unaltered_record(tmp_path):
    private, public, _ = generate_keypair(tmp_path / "keys")
    path = tmp_path / "run.json"
    path.write_text(json.dumps(_blocking_record()))
    out = tmp_path / "out"
    args = ["report", str(path), "--out", str(out), "--format", "json,md", "--sign-key"]
    assert main([*args, str(private)]) == 0
    assert "nothing blocks" not in (out / "safeguard-scan.md").read_text()
    assert main(["verify", str(out), "--public-key", str(public)]) == 0
