"""safeguard_statuses end to end on a two-specification framework: the tally of results per
specification, linked checks that did not run, the deployed source kinds, and attestations and
decisions as the record carries them (dates as ISO text, expired ones no longer deciding).
Pinned where mutation testing (issue 15) showed that no test told a change apart."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from checks.aws import rds
from checks.evaluate import Evaluation, Finding
from checks.library import build_registry
from checks.model import Inventory, Resource
from checks.registry import Status
from policies.attestations import Attestation, Attestations, Decision
from policies.framework import CheckLink, Framework, Specification
from policies.safeguards import safeguard_statuses

DAY = dt.date(2026, 11, 26)
AUDIT = Specification(
    "164.312(b)", "technical", "Audit controls", "Audit controls", "standard", "required",
    ("automated",),
    links=(
        CheckLink("rds_instance_not_public", "the database is not reachable from the internet"),
        CheckLink("rds_tls_enforced", "the database refuses connections without TLS"),
    ),
)  # fmt: skip
ENCRYPTION = dataclasses.replace(
    AUDIT,
    citation="164.312(a)(2)(iv)",
    title="Encryption and decryption",
    requirement="addressable",
    links=(CheckLink("rds_tls_enforced", "the database refuses connections without TLS"),),
)
# A link to a check the run's library does not hold: it did not run.
WITH_GHOST = dataclasses.replace(
    AUDIT, links=(*AUDIT.links, CheckLink("ghost_check", "a check this library lacks"))
)
REGISTRY = build_registry([rds])
CHECKS = {c.id: c for c in REGISTRY}


def _finding(check_id: str, status: Status, name: str) -> Finding:
    db = Resource("aws:rds/instance:Instance", name, {}, urn=f"urn:x::{name}", id=name)
    return Finding(CHECKS[check_id], status, "m", {}, db)


FINDINGS = (
    _finding("rds_instance_not_public", Status.PASS, "db1"),
    _finding("rds_instance_not_public", Status.PASS, "db2"),
    _finding("rds_tls_enforced", Status.PASS, "db1"),
    _finding("rds_tls_enforced", Status.NOT_EVALUATED, "db2"),
)


NOTHING_ATTESTED = Attestations()


def _statuses(specs, findings=FINDINGS, attestations=NOTHING_ATTESTED, kind="state"):
    framework = Framework("t", tuple(specs))
    evaluation = Evaluation(findings, Inventory([]), REGISTRY)
    statuses = safeguard_statuses(framework, evaluation, findings, attestations, DAY, kind)
    return {s.spec.citation: s for s in statuses}


def test_results_count_every_finding_of_every_linked_check():
    status = _statuses([AUDIT])["164.312(b)"]
    assert status.results == {
        "PASS": 3,
        "FAIL": 0,
        "NOT_EVALUATED": 1,
        "NOT_APPLICABLE": 0,
        "WAIVED": 0,
    }
    assert (status.status, status.reason) == (
        "partially_implemented",
        "automated evidence passes; 1 automated finding(s) could not be evaluated",
    )
    assert status.checks == ("rds_instance_not_public", "rds_tls_enforced")


INTENDED = "intended state only, nothing deployed shows it: automated evidence passes"


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("state", ("implemented", "automated evidence passes")),
        ("aws", ("implemented", "automated evidence passes")),
        ("program", ("designed", INTENDED)),
        (None, ("designed", INTENDED)),
    ],
)
def test_only_a_deployed_source_kind_makes_a_specification_implemented(kind, expected):
    status = _statuses([AUDIT], FINDINGS[:3], kind=kind)["164.312(b)"]
    assert (status.status, status.reason) == expected


def test_a_linked_check_the_library_lacks_is_counted_as_not_run():
    status = _statuses([WITH_GHOST], FINDINGS[:3])["164.312(b)"]
    assert status.not_run == ("ghost_check",)
    assert (status.status, status.reason) == (
        "partially_implemented",
        "automated evidence passes; 1 linked check(s) did not run",
    )


ATTESTED = Attestation(
    "164.312(a)(2)(iv)",
    "TLS is required on every database connection.",
    "Dana Lee, Security Official",
    dt.date(2026, 1, 10),
    dt.date(2027, 1, 10),
)


def test_a_current_attestation_decides_an_addressable_specification_and_keeps_its_dates():
    status = _statuses([ENCRYPTION], FINDINGS[:3], Attestations((ATTESTED,)))["164.312(a)(2)(iv)"]
    assert (status.status, status.reason) == ("implemented", "automated evidence passes")
    assert status.attestation == {
        "citation": "164.312(a)(2)(iv)",
        "statement": "TLS is required on every database connection.",
        "attested_by": "Dana Lee, Security Official",
        "attested_on": "2026-01-10",
        "expires": "2027-01-10",
        "evidence": None,
        "current": True,
    }
    assert status.decision is None


def _decision(review_by: dt.date) -> Decision:
    return Decision(
        "164.312(a)(2)(iv)",
        "not_applicable",
        "No database in scope holds ePHI.",
        "Dana Lee, Security Official",
        dt.date(2025, 1, 10),
        review_by,
    )


def _decision_record(review_by: str, current: bool) -> dict:
    return {
        "citation": "164.312(a)(2)(iv)",
        "decision": "not_applicable",
        "rationale": "No database in scope holds ePHI.",
        "decided_by": "Dana Lee, Security Official",
        "decided_on": "2025-01-10",
        "review_by": review_by,
        "alternative": None,
        "current": current,
    }


def test_a_current_decision_decides_and_is_carried_with_its_dates():
    decided = Attestations(decisions=(_decision(dt.date(2027, 1, 10)),))
    status = _statuses([ENCRYPTION], FINDINGS[:3], decided)["164.312(a)(2)(iv)"]
    assert (status.status, status.reason) == ("not_applicable", "documented as not applicable")
    assert status.decision == _decision_record("2027-01-10", True)


def test_a_decision_past_its_review_date_no_longer_decides():
    expired = Attestations(decisions=(_decision(dt.date(2026, 6, 30)),))
    status = _statuses([ENCRYPTION], FINDINGS[:3], expired)["164.312(a)(2)(iv)"]
    assert (status.status, status.reason) == (
        "decision_missing",
        "no current Addressable decision or attestation is documented (164.306(d)(3)); "
        "automated evidence: 0 fail, 1 pass, 0 unknown",
    )
    assert status.decision == _decision_record("2026-06-30", False)
