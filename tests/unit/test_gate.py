"""The gate: which findings block under a profile, and the exit code it documents."""

from __future__ import annotations

import pytest

from checks.evaluate import Finding
from checks.library import build_registry
from checks.model import Resource
from checks.registry import Severity, Status
from policies.gate import ExitCode, decide
from policies.profiles import Profile, load_profile

REGISTRY = build_registry()
DB = Resource(
    "aws:rds/instance:Instance", "db", {}, urn="urn:pulumi:dev::demo::aws:rds/instance:Instance::db"
)
# A profile that blocks failures from high and unknowns of checks from medium.
HIGH_GATE = Profile("test", "", Severity.HIGH, "mandatory", Severity.MEDIUM)


def finding(check_id: str, status: Status, waiver_id: str | None = None) -> Finding:
    return Finding(REGISTRY.get(check_id), status, "", {}, DB, waiver_id)


HIGH = "rds_storage_encrypted_cmk"  # severity high
MEDIUM = "rds_instance_deletion_protection"  # severity medium
LOW = "rds_enhanced_monitoring"  # severity low


def test_the_checks_have_the_severities_the_cases_rely_on():
    assert [REGISTRY.get(c).severity for c in (HIGH, MEDIUM, LOW)] == [
        Severity.HIGH,
        Severity.MEDIUM,
        Severity.LOW,
    ]


def test_exit_codes_are_the_documented_ones():
    assert {code.name: int(code) for code in ExitCode} == {
        "OK": 0,
        "FAILED": 1,
        "INPUT": 2,
        "NOT_EVALUATED": 3,
        "INTERRUPTED": 130,
    }


def test_a_failure_at_the_threshold_blocks_with_1():
    blocking = finding(HIGH, Status.FAIL)
    below = finding(MEDIUM, Status.FAIL)
    gate = decide([blocking, below], HIGH_GATE, ())
    assert gate.blocking_failures == (blocking,)
    assert gate.exit_code is ExitCode.FAILED


def test_a_blocking_failure_wins_over_blocking_unknowns():
    gate = decide(
        [finding(HIGH, Status.FAIL), finding(MEDIUM, Status.NOT_EVALUATED)], HIGH_GATE, ()
    )
    assert len(gate.blocking_unknowns) == 1
    assert gate.exit_code is ExitCode.FAILED


def test_only_blocking_unknowns_exit_3():
    unknown = finding(MEDIUM, Status.NOT_EVALUATED)
    gate = decide([unknown, finding(MEDIUM, Status.FAIL)], HIGH_GATE, ())
    assert gate.blocking_failures == ()
    assert gate.blocking_unknowns == (unknown,)
    assert gate.exit_code is ExitCode.NOT_EVALUATED == 3


def test_an_unknown_below_the_mandatory_threshold_does_not_block():
    gate = decide([finding(LOW, Status.NOT_EVALUATED)], HIGH_GATE, ())
    assert gate.blocking_unknowns == ()
    assert gate.exit_code is ExitCode.OK


def test_a_failure_an_expired_waiver_reopened_blocks_even_below_the_threshold():
    reopened = finding(LOW, Status.FAIL)
    assert decide([reopened], HIGH_GATE, ()).exit_code is ExitCode.OK
    gate = decide([reopened], HIGH_GATE, ((reopened.id, "W-OLD"),))
    assert gate.blocking_failures == (reopened,)
    assert gate.reopened == ((reopened.id, "W-OLD"),)
    assert gate.exit_code is ExitCode.FAILED


def test_a_clean_run_exits_0():
    findings = [
        finding(HIGH, Status.PASS),
        finding(MEDIUM, Status.WAIVED, waiver_id="W-1"),
        finding(LOW, Status.NOT_APPLICABLE),
    ]
    gate = decide(findings, load_profile("strict"), ())
    assert (gate.blocking_failures, gate.blocking_unknowns) == ((), ())
    assert gate.exit_code is ExitCode.OK == 0


@pytest.mark.parametrize(
    ("profile", "expected"),
    [("default", ExitCode.FAILED), ("strict", ExitCode.FAILED), ("advisory", ExitCode.OK)],
)
def test_the_profile_sets_the_failure_threshold(profile, expected):
    gate = decide([finding(LOW, Status.FAIL)], load_profile(profile), ())
    assert gate.profile.name == profile
    assert gate.exit_code is expected
