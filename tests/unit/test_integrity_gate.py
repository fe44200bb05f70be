"""`safeguard report` recomputes the gate from a record's own findings and refuses a record whose
stored gate or counts disagree (the issue's edited `gate.exit_code: 0` over failures)."""

from __future__ import annotations

import json

import pytest

from checks.registry import Severity
from policies.gate import _reopened_ids, record_gate_problems, record_profile
from policies.profiles import Profile
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


# -- the recomputed gate on hand-written records (each value below is worked out by hand) -----


def _gate(rule: str = "mandatory", **stored) -> dict:
    """A stored gate under a profile blocking failures from low and unknowns as `rule` says of
    checks from medium; `stored` gives what the record claims."""
    gate = {
        "profile": "hand",
        "fail_on": "low",
        "not_evaluated_blocks": rule,
        "mandatory_from": "medium",
        "exit_code": 0,
        "blocking_failures": 0,
        "blocking_not_evaluated": 0,
        "reopened_by_expired_waivers": [],
    }
    return {**gate, **stored}


def _hand_record(gate: dict, *findings: tuple[str, str, str], waivers=None) -> dict:
    record = {
        "gate": gate,
        "findings": [{"id": i, "status": s, "severity": sev} for i, s, sev in findings],
    }
    if waivers is not None:
        record["waivers"] = waivers
    return record


UNKNOWN_HIGH = ("f-1", "NOT_EVALUATED", "high")
UNKNOWN_MEDIUM = ("f-2", "NOT_EVALUATED", "medium")
FAIL_INFO = ("f-3", "FAIL", "info")


def test_two_blocking_unknowns_are_counted_and_exit_3():
    gate = _gate(exit_code=3, blocking_not_evaluated=2)
    assert record_gate_problems(_hand_record(gate, UNKNOWN_HIGH, UNKNOWN_MEDIUM)) == []
    stale = _gate(exit_code=0, blocking_not_evaluated=1)
    assert record_gate_problems(_hand_record(stale, UNKNOWN_HIGH, UNKNOWN_MEDIUM)) == [
        "gate.exit_code is 0 but its findings give 3",
        "gate.blocking_not_evaluated is 1 but its findings give 2",
    ]


def test_one_blocking_unknown_alone_exits_3():
    gate = _gate(exit_code=3, blocking_not_evaluated=1)
    assert record_gate_problems(_hand_record(gate, UNKNOWN_MEDIUM)) == []


@pytest.mark.parametrize(
    ("rule", "exit_code", "blocking"), [("always", 3, 1), ("mandatory", 3, 1), ("never", 0, 0)]
)
def test_the_record_s_own_unknown_rule_decides_whether_an_unknown_blocks(rule, exit_code, blocking):
    gate = _gate(rule, exit_code=exit_code, blocking_not_evaluated=blocking)
    assert record_gate_problems(_hand_record(gate, UNKNOWN_HIGH)) == []


def test_the_record_s_profile_is_read_back_whole():
    stored = {"profile": "strict", "fail_on": "info", "not_evaluated_blocks": "always"}
    assert record_profile({**stored, "mandatory_from": "high"}) == Profile(
        "strict", "", Severity.INFO, "always", Severity.HIGH
    )
    unnamed = {"fail_on": "low", "not_evaluated_blocks": "never", "mandatory_from": "medium"}
    assert record_profile(unnamed) == Profile("?", "", Severity.LOW, "never", Severity.MEDIUM)


def test_an_unknown_rule_in_the_stored_gate_is_refused_by_name():
    with pytest.raises(ValueError) as err:
        record_gate_problems(_hand_record(_gate("sometimes")))
    assert str(err.value) == (
        "gate.not_evaluated_blocks 'sometimes' is not one of ('never', 'mandatory', 'always')"
    )


@pytest.mark.parametrize(
    "record",
    [{"gate": None, "findings": []}, {"gate": _gate(), "findings": None}, {}],
    ids=["no_gate", "no_findings", "neither"],
)
def test_a_record_without_a_gate_or_findings_says_what_it_lacks(record):
    with pytest.raises(ValueError) as err:
        record_gate_problems(record)
    assert str(err.value) == "no 'gate' mapping and 'findings' list to decide the gate from"


def test_a_finding_that_is_not_a_mapping_is_refused():
    with pytest.raises(ValueError) as err:
        record_gate_problems({"gate": _gate(), "findings": ["f-1"]})
    assert str(err.value) == "a finding is not a mapping"


def test_an_edited_count_is_named_with_its_stored_and_listed_values():
    record = _hand_record(_gate(fail_on="info", exit_code=1, blocking_failures=1), FAIL_INFO)
    record["summary"] = {
        "findings": {"FAIL": 0, "NOT_EVALUATED": 0, "WAIVED": 0, "PASS": 0, "NOT_APPLICABLE": 0}
    }
    assert record_gate_problems(record) == ["summary.findings.FAIL is 0 but it lists 1"]


def test_a_waiver_record_s_reopened_findings_block_like_the_gate_s_own():
    advisory = {"fail_on": "critical", "not_evaluated_blocks": "never"}
    gate = _gate(**advisory, exit_code=1, blocking_failures=1)
    waivers = [{"id": "W-1", "reopened_findings": ["f-3"]}, "not a waiver record"]
    assert record_gate_problems(_hand_record(gate, FAIL_INFO, waivers=waivers)) == []
    assert record_gate_problems(_hand_record(gate, FAIL_INFO, waivers=[])) == [
        "gate.exit_code is 1 but its findings give 0",
        "gate.blocking_failures is 1 but its findings give 0",
    ]


def test_reopened_ids_join_the_gate_s_list_and_every_waiver_s():
    document = {
        "gate": {"reopened_by_expired_waivers": ["f-1", 7]},
        "waivers": [
            {"id": "W-1", "reopened_findings": ["f-2"]},
            {"id": "W-2", "reopened_findings": None},
            {"id": "W-3"},
        ],
    }
    assert _reopened_ids(document) == {"f-1", "7", "f-2"}
    assert _reopened_ids({"gate": {"reopened_by_expired_waivers": None}}) == set()
