"""The baseline: which findings an earlier run already had, and a gate that sets them aside."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from checks.errors import InputError
from checks.evaluate import Finding
from checks.library import build_registry
from checks.model import Resource
from checks.registry import Severity, Status
from policies.baseline import Baseline, existing_ids, finding_key, load_baseline, record_key
from policies.gate import BaselineUse, ExitCode, decide, record_gate_problems
from policies.profiles import Profile
from reports.csv_render import render_csv
from reports.sarif import sarif_log

REGISTRY = build_registry()
HIGH_GATE = Profile("test", "", Severity.HIGH, "mandatory", Severity.MEDIUM)
HIGH = "rds_storage_encrypted_cmk"
MEDIUM = "rds_instance_deletion_protection"


def resource(name: str) -> Resource:
    urn = f"urn:pulumi:dev::demo::aws:rds/instance:Instance::{name}"
    return Resource("aws:rds/instance:Instance", name, {}, urn=urn)


def finding(check_id: str, status: Status, name: str = "db") -> Finding:
    return Finding(REGISTRY.get(check_id), status, "", {}, resource(name))


def as_record(f: Finding) -> dict:
    res = f.resource
    ref = {"type": res.type, "name": res.name, "urn": res.urn, "arn": res.arn} if res else None
    return {"id": f.id, "check_id": f.check.id, "status": f.status.value, "resource": ref,
            "scope": f.scope, "severity": f.severity.label}  # fmt: skip


def baseline_of(*findings: Finding, project="demo", stack="dev") -> Baseline:
    record = {
        "source": {"project": project, "stack": stack},
        "findings": [as_record(f) for f in findings],
    }
    return Baseline(Path("base.json"), record)


def test_a_finding_and_its_record_have_the_same_key():
    f = finding(HIGH, Status.FAIL)
    assert finding_key(f) == record_key(as_record(f)) == (
        HIGH, "urn:pulumi:dev::demo::aws:rds/instance:Instance::db"
    )  # fmt: skip
    account = Finding(REGISTRY.get("securityhub_enabled"), Status.FAIL, "", {}, None, None,
                      "account:123456789012:us-east-1")  # fmt: skip
    assert finding_key(account) == record_key(as_record(account)) == (
        "securityhub_enabled", "account:123456789012:us-east-1"
    )  # fmt: skip


def test_only_findings_open_in_both_runs_are_existing():
    old_fail = finding(HIGH, Status.FAIL, "a")
    old_waived = finding(HIGH, Status.WAIVED, "b")
    old_pass = finding(HIGH, Status.PASS, "c")
    base = baseline_of(old_fail, old_waived, old_pass)
    now = [
        finding(HIGH, Status.FAIL, "a"),  # failing in both: existing
        finding(HIGH, Status.FAIL, "b"),  # waived then, failing now: existing
        finding(HIGH, Status.FAIL, "c"),  # passed then: a regression, new
        finding(HIGH, Status.FAIL, "d"),  # a resource the baseline did not have: new
        finding(MEDIUM, Status.FAIL, "a"),  # another check on the same resource: new
    ]
    assert existing_ids(now, base) == {now[0].id, now[1].id}


def test_the_gate_sets_aside_existing_failures_and_blocks_on_new_ones():
    old, new = finding(HIGH, Status.FAIL, "old"), finding(HIGH, Status.FAIL, "new")
    use = BaselineUse({"file": "base.json"}, frozenset({old.id}))
    gate = decide([old, new], HIGH_GATE, (), use)
    assert gate.blocking_failures == (new,)
    assert gate.set_aside == (old,)
    assert gate.exit_code is ExitCode.FAILED
    assert decide([old], HIGH_GATE, (), use).exit_code is ExitCode.OK


def test_the_profile_decides_first_what_could_be_set_aside():
    below = finding(MEDIUM, Status.FAIL)  # medium under a high threshold: never blocking
    use = BaselineUse({}, frozenset({below.id}))
    gate = decide([below], HIGH_GATE, (), use)
    assert (gate.blocking_failures, gate.set_aside) == ((), ())


def test_existing_unknowns_are_set_aside_too():
    unknown = finding(MEDIUM, Status.NOT_EVALUATED)
    assert decide([unknown], HIGH_GATE, ()).exit_code is ExitCode.NOT_EVALUATED
    gate = decide([unknown], HIGH_GATE, (), BaselineUse({}, frozenset({unknown.id})))
    assert (gate.exit_code, gate.set_aside) == (ExitCode.OK, (unknown,))


def test_a_failure_an_expired_waiver_reopened_still_blocks():
    reopened = finding(MEDIUM, Status.FAIL)
    use = BaselineUse({}, frozenset({reopened.id}))
    gate = decide([reopened], HIGH_GATE, ((reopened.id, "W-1"),), use)
    assert gate.blocking_failures == (reopened,)
    assert gate.set_aside == ()


def test_a_baseline_of_another_stack_or_project_is_refused():
    base = baseline_of(project="demo", stack="dev")
    base.check_scope({"project": "demo", "stack": "dev", "kind": "preview"})  # kind may differ
    with pytest.raises(InputError) as caught:
        base.check_scope({"project": "billing", "stack": "dev"})
    assert str(caught.value) == (
        "--baseline base.json: a run of another scope: project 'demo' (this run: 'billing'), "
        "stack 'dev' (this run: 'dev')"
    )


def test_a_file_that_is_not_a_run_record_is_refused_naming_it(tmp_path):
    path = tmp_path / "sarif.json"
    path.write_text(json.dumps({"version": "2.1.0", "runs": []}))
    with pytest.raises(InputError) as caught:
        load_baseline(path)
    assert str(caught.value) == (
        f"--baseline: {path}: not a safeguard run document (no schema_version)"
    )


def _document(baseline_marks: list[str | None], set_aside: int, blocking: int) -> dict:
    findings = [
        {**as_record(finding(HIGH, Status.FAIL, f"r{i}")), "baseline": mark}
        for i, mark in enumerate(baseline_marks)
    ]
    return {
        "gate": {
            "profile": "test", "fail_on": "high", "not_evaluated_blocks": "mandatory",
            "mandatory_from": "medium", "exit_code": 1 if blocking else 0,
            "blocking_failures": blocking, "blocking_not_evaluated": 0,
            "reopened_by_expired_waivers": [],
            "baseline": {"new": 0, "existing": 0, "set_aside": set_aside},
        },
        "findings": findings,
    }  # fmt: skip


def test_a_stored_gate_is_checked_with_its_baseline():
    assert record_gate_problems(_document(["existing", "new"], set_aside=1, blocking=1)) == []
    assert record_gate_problems(_document(["existing", "existing"], 2, 0)) == []
    # Someone edited a finding's mark: the stored gate no longer follows from the findings.
    assert record_gate_problems(_document(["new", "existing"], set_aside=2, blocking=0)) == [
        "gate.exit_code is 0 but its findings give 1",
        "gate.blocking_failures is 0 but its findings give 1",
        "gate.baseline.set_aside is 2 but its findings give 1",
    ]


def test_without_a_baseline_the_marks_are_ignored():
    doc = _document(["existing"], 0, 1)
    del doc["gate"]["baseline"]
    assert record_gate_problems(doc) == []


def _render_doc(marks: list[str | None]) -> dict:
    doc = _document(marks, 0, 0)
    for f in doc["findings"]:
        f.update(title="t", message="m", citations=["164.312(a)(2)(iv)"], evidence={},
                 remediation="r", pulumi_fix="f", control="C", config_rule=None,
                 waiver_id=None)  # fmt: skip
    check = REGISTRY.get(HIGH)
    doc.update(
        schema_version="1.0", generated_at="2026-12-01T00:00:00Z", source={},
        summary={"findings": {"FAIL": len(marks)}},
        tool={"name": "hipaa-safeguard", "version": "0", "check_library": "x"},
        checks=[{"id": HIGH, "control": "C", "title": "t", "severity": "high",
                 "citations": list(check.citations), "config_rule": None,
                 "resource_types": [], "results": {}}],
    )  # fmt: skip
    return doc


def test_sarif_names_the_baseline_state_only_with_a_baseline():
    doc = _render_doc(["new", "existing"])
    results = sarif_log(doc)["runs"][0]["results"]
    assert [r.get("baselineState") for r in results] == ["new", "unchanged"]
    for f in doc["findings"]:
        del f["baseline"]
    assert [r.get("baselineState") for r in sarif_log(doc)["runs"][0]["results"]] == [None, None]


def test_the_csv_gains_a_last_baseline_column_only_with_a_baseline():
    doc = _render_doc(["new", "existing"])
    lines = render_csv(doc).splitlines()
    assert lines[0].endswith(",waiver_id,waiver_expires,baseline")
    assert [line.rsplit(",", 1)[1] for line in lines[1:]] == ["new", "existing"]
    del doc["gate"]["baseline"]
    assert render_csv(doc).splitlines()[0].endswith(",waiver_id,waiver_expires")
