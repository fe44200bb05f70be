"""Rating and grouping of the risk register, pinned where mutation testing (issue 15) showed that
no test told a change apart: an override's impact reason, the exposure read from a finding's own
evidence, the threat catalogue handed in, a check the catalogue does not know, the subject of an
account-level risk, and the likelier-first order among otherwise equal risks."""

from __future__ import annotations

import dataclasses
import datetime as dt

from checks.evaluate import Finding
from checks.library import build_registry
from checks.model import Resource
from checks.registry import Status
from policies.risk import rate, risk_id, risk_register
from policies.risk_data import stack_data
from policies.risk_overrides import Override
from policies.risk_scale import Level
from policies.threats import catalogue

REGISTRY = build_registry()
DAY = dt.date(2026, 11, 26)
STACK = "urn:pulumi:dev::billing::"
VERSIONING = REGISTRY.get("s3_bucket_versioning_enabled")  # control S3-04, rated low
TRAIL = REGISTRY.get("cloudtrail_enabled_multi_region")  # account-level, control LOG-01


def bucket(name: str) -> Resource:
    return Resource("aws:s3/bucket:Bucket", name, {}, urn=f"{STACK}aws:s3/bucket:Bucket::{name}")


CLAIMS = bucket("claims")
UNCLASSIFIED = "a data store no one has classified: rated as ePHI until a person classifies it"
S3_04_WHY = "a gap in backup or resilience: it matters when an accident or attack happens"
# The shipped catalogue stripped of every control and check entry: no check has a threat.
BARE = dataclasses.replace(catalogue(), controls={}, checks={})


def unversioned(resource: Resource, evidence: dict | None = None) -> Finding:
    return Finding(VERSIONING, Status.FAIL, "versioning is off", evidence or {}, resource)


def test_an_impact_override_replaces_the_impact_reason_with_the_persons_reason():
    found = unversioned(CLAIMS)
    override = Override(
        by="Dana Reyes",
        reason="the bucket holds only test fixtures",
        finding=found.id,
        impact=Level.LOW,
    )
    rating = rate(found, stack_data([CLAIMS], None, DAY), [override])
    assert rating.impact == Level.LOW
    assert rating.impact_rationale == "override: the bucket holds only test fixtures"
    # The likelihood it did not override keeps the tool's reason.
    assert (rating.likelihood, rating.likelihood_rationale) == (Level.LOW, S3_04_WHY)
    assert (rating.level, rating.rated_by) == (Level.LOW, "Dana Reyes")


def test_rate_reads_exposure_in_the_findings_own_evidence():
    rating = rate(unversioned(CLAIMS, {"principal": "*"}), stack_data([CLAIMS], None, DAY))
    assert rating.likelihood == Level.HIGH
    assert rating.likelihood_rationale == (
        f"the evidence shows a wildcard ('*') principal (raised from low: {S3_04_WHY})"
    )
    assert (rating.impact, rating.level) == (Level.HIGH, Level.HIGH)
    # Without exposure in the evidence the control's own rating stands.
    plain = rate(unversioned(CLAIMS, {"status": "Suspended"}), stack_data([CLAIMS], None, DAY))
    assert (plain.likelihood, plain.likelihood_rationale, plain.level) == (
        Level.LOW,
        S3_04_WHY,
        Level.LOW,
    )


def test_a_check_the_catalogue_does_not_know_is_titled_by_the_check_and_has_no_threat():
    rating = rate(unversioned(CLAIMS), stack_data([CLAIMS], None, DAY), threats=BARE)
    assert rating.problem == "claims fails: S3 bucket versioning is enabled"
    assert rating.threat is None
    assert rating.impact_rationale == (
        f"whoever gets through reaches the data with a legitimate identity or path; {UNCLASSIFIED}"
    )


def test_the_register_uses_the_catalogue_it_is_given_and_keys_threatless_risks_by_check():
    findings = [unversioned(CLAIMS), Finding(TRAIL, Status.FAIL, "no trail", {}, None)]
    register = risk_register(findings, DAY, threats=BARE)
    assert [(r.risk_id, r.title, r.threat) for r in register] == [
        (
            risk_id(CLAIMS.address, "check:s3_bucket_versioning_enabled"),
            "claims fails: S3 bucket versioning is enabled",
            None,
        ),
        (
            "R-687aa7572aba",
            "The account fails: A logging, multi-region CloudTrail trail with log file validation"
            " exists",
            None,
        ),
    ]
    # The shipped catalogue names the threats instead.
    shipped = risk_register(findings, DAY)
    assert [(r.risk_id, r.threat.id) for r in shipped] == [
        (risk_id("account", "undetected-misuse"), "undetected-misuse"),
        (risk_id(CLAIMS.address, "accidental-loss"), "accidental-loss"),
    ]


def test_an_account_level_risk_is_keyed_by_its_scope_or_by_account_without_one():
    scope = "account:111122223333:us-east-1"
    scoped = Finding(TRAIL, Status.FAIL, "no trail", {}, None, scope=scope)
    unscoped = Finding(TRAIL, Status.FAIL, "no trail", {}, None)
    assert [r.risk_id for r in risk_register([scoped], DAY)] == [
        risk_id(scope, "undetected-misuse")
    ]
    assert [r.risk_id for r in risk_register([unscoped], DAY)] == ["R-22f37b86b2e2"]
    assert risk_id("account", "undetected-misuse") == "R-22f37b86b2e2"
    assert risk_id(scope, "undetected-misuse") == "R-e6333d15948b"


def test_among_risks_of_one_level_due_date_and_impact_the_likelier_comes_first():
    first, second = bucket("first"), bucket("second")
    findings = [unversioned(first), unversioned(second)]
    likelihoods = {first.name: Level.HIGH, second.name: Level.VERY_HIGH}
    overrides = [
        Override(by="Dana Reyes", reason="r", finding=f.id, likelihood=likelihoods[f.resource.name])
        for f in findings
    ]
    register = risk_register(findings, DAY, overrides=overrides)
    assert [(r.finding.resource.name, r.likelihood, r.impact, r.level) for r in register] == [
        ("second", Level.VERY_HIGH, Level.HIGH, Level.HIGH),
        ("first", Level.HIGH, Level.HIGH, Level.HIGH),
    ]
    assert [r.due_date for r in register] == [dt.date(2026, 12, 26)] * 2
