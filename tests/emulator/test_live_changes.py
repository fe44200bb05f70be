"""The live audit catches what someone changes by hand: the billing stack is deployed (prod) into
an account with the governed baseline, audited clean by `safeguard audit`, changed through boto3
as a console user would (`changes_network.py`, `changes_identity.py`), and audited again. Each
change must fail the check that guards it, on the resource it changed, and no failure may appear
that no change explains.

The scenario runs once per module, in a process of its own (`live_changes_run.py`: moto's
state is per process, and other tests empty it); the tests read what it wrote.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.emulator.console_account import Caught
from tests.emulator.live_changes_run import CHANGES, REPO, environment

# What a NOT_EVALUATED reason must say: an operation the endpoint (moto) does not implement,
# or the trail's CloudWatch Logs delivery, which moto never reports, on a trail started minutes ago.
MOTO_GAP = re.compile(
    r"the endpoint does not implement ([A-Z][A-Za-z0-9]+) "
    r"|less than 24 hours before the audit, and a newly started trail may not have delivered yet"
)


@dataclass(frozen=True)
class Audit:
    exit_code: int
    document: dict[str, Any]

    def findings(self, status: str) -> list[dict[str, Any]]:
        return [f for f in self.document["findings"] if f["status"] == status]


@dataclass(frozen=True)
class Drift:
    deploy: dict[str, Any]
    before: Audit
    after: Audit
    expected: dict[str, list[Caught]]  # what each change (by `what`) says the audit must find
    seconds: dict[str, float]


def _audit(run: dict[str, Any], out: Path) -> Audit:
    written = out / "safeguard-scan.json"
    # A crash is exit 1 too: only a written report with nothing on stderr is an audit's verdict.
    assert run["exit_code"] in (0, 1, 3) and written.is_file(), run["stderr"][-3000:]
    assert "Traceback" not in run["stderr"], run["stderr"][-3000:]
    return Audit(run["exit_code"], json.loads(written.read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def drift(tmp_path_factory: pytest.TempPathFactory) -> Drift:
    out = tmp_path_factory.mktemp("live-changes")
    proc = subprocess.run(
        [sys.executable, "-m", "tests.emulator.live_changes_run", str(out)],
        cwd=REPO, env=environment(), capture_output=True, text=True, timeout=400, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-5000:]
    scenario = json.loads((out / "scenario.json").read_text(encoding="utf-8"))
    audits = {when: _audit(scenario["audits"][when], out / when) for when in ("before", "after")}
    expected = {
        what: [Caught(**c) for c in caught] for what, caught in scenario["expected"].items()
    }
    seconds = scenario["seconds"]
    print("\nlive changes: " + ", ".join(f"{k} {v:.1f} s" for k, v in seconds.items()))
    return Drift(scenario["deploy"], audits["before"], audits["after"], expected, seconds)


def _subjects(finding: dict[str, Any]) -> set[str]:
    """What a finding names: its resource's id, name and ARN, or its account scope."""
    resource = finding.get("resource")
    if resource is None:
        return {finding["scope"]}
    return {str(resource[k]) for k in ("id", "name", "arn") if resource.get(k)}


def _matches(caught: Caught, finding: dict[str, Any]) -> bool:
    if finding["check_id"] != caught.check_id or caught.subject not in _subjects(finding):
        return False
    return caught.says in finding["message"] + json.dumps(finding["evidence"])


def _key(finding: dict[str, Any]) -> tuple[str, str]:
    resource = finding.get("resource")
    where = (resource["arn"] or resource["id"] or resource["name"]) if resource else None
    return finding["check_id"], where or finding["scope"]


def test_the_deployed_stack_audits_without_a_failure(drift):
    before = drift.before
    assert drift.deploy["failure"] is None
    assert before.document["summary"]["findings"]["FAIL"] == 0, [
        _key(f) for f in before.findings("FAIL")
    ]
    assert before.document["summary"]["findings"]["PASS"] >= 200
    assert before.exit_code == 3  # nothing failed, something could not be seen: moto's gaps


@pytest.mark.parametrize("when", ["before", "after"])
def test_every_unevaluated_check_is_an_operation_moto_lacks(drift, when):
    audit: Audit = getattr(drift, when)
    unevaluated = audit.findings("NOT_EVALUATED")
    assert unevaluated, "moto lacks Backup selections: those checks cannot be evaluated"
    for finding in unevaluated:
        assert MOTO_GAP.search(finding["message"]), (finding["check_id"], finding["message"])
    not_collected = audit.document["source"]["not_collected"]
    for gap in not_collected:
        assert MOTO_GAP.search(gap["reason"] + " "), gap
        assert "denied" not in gap["reason"].lower() and "collector failed" not in gap["reason"]


def test_enough_changes_in_a_reasonable_time(drift):
    assert len(CHANGES) >= 20
    assert len({c.what for c in CHANGES}) == len(CHANGES)
    assert sum(drift.seconds.values()) < 120


@pytest.mark.parametrize("change", CHANGES, ids=lambda c: c.what)
def test_each_change_fails_the_check_that_guards_it(drift, change):
    guard, *also = drift.expected[change.what]
    failures = drift.after.findings("FAIL")
    assert any(_matches(guard, f) for f in failures), f"{change.what}: not caught by {guard}"
    assert [c for c in also if not any(_matches(c, f) for f in failures)] == []


def test_no_failure_is_left_unexplained(drift):
    explained = [c for caught in drift.expected.values() for c in caught]
    unexplained = sorted(
        _key(f) for f in drift.after.findings("FAIL") if not any(_matches(c, f) for c in explained)
    )
    assert unexplained == []
    assert drift.after.exit_code == 1


def test_the_changes_hide_nothing(drift):
    """The second audit sees as much as the first: the checks it cannot evaluate are those the
    first could not (moto's gaps), and everything that passed before is judged again."""
    unevaluated = {when: {f["check_id"] for f in getattr(drift, when).findings("NOT_EVALUATED")}
                   for when in ("before", "after")}  # fmt: skip
    assert unevaluated["after"] == unevaluated["before"]
    judged = {_key(f): f["status"] for f in drift.after.document["findings"]}
    # An account check that fails names no resource: its passing finding named the one it found.
    failing_accounts = {f["check_id"] for f in drift.after.findings("FAIL") if not f["resource"]}
    unjudged = [
        (check_id, where)
        for check_id, where in (_key(f) for f in drift.before.findings("PASS"))
        if judged.get((check_id, where)) not in ("PASS", "FAIL")
        and not (check_id in failing_accounts and (check_id, where) not in judged)
    ]
    assert unjudged == []
