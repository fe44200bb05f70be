"""Pinned where mutation testing (issue 15) showed no test held: assess() hands the risk
register every input that rates it (overrides, SLA, waivers, data scope), a gate decided
against a baseline keeps it, and a waived finding counts as passing evidence beside a pass."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from checks.aws import rds
from checks.evaluate import Evaluation, evaluate
from checks.library import build_registry
from checks.model import Inventory, Resource
from checks.registry import Severity, Status
from policies.assess import assess
from policies.data_scope import DataScope
from policies.framework import Specification, load_framework
from policies.gate import BaselineUse, decide
from policies.inputs import PolicyInputs
from policies.profiles import Profile, load_profile
from policies.risk_overrides import Override
from policies.risk_scale import Level
from policies.safeguards import Evidence, judge
from policies.waivers import Waiver

URN = "urn:pulumi:dev::demo::aws:rds/instance:Instance::billing-db"
TOOL = "hipaa-safeguard (default rating, to be confirmed)"
SCOPE_SAYS = (
    "the data scope statement approved by Dana Lee on 2026-11-01 says the stack holds no "
    "ePHI: synthetic test data only"
)


@pytest.fixture(scope="module")
def evaluation() -> Evaluation:
    # Fails rds_instance_deletion_protection and rds_storage_encrypted_cmk, passes the rest.
    db = Resource(
        "aws:rds/instance:Instance",
        "billing-db",
        {
            "engine": "postgres",
            "engine_version": "16.4",
            "storage_encrypted": False,
            "publicly_accessible": False,
            "backup_retention_period": 35,
            "deletion_protection": False,
        },
        urn=URN,
        id="billing-db",
    )
    return evaluate(Inventory([db]), build_registry([rds]))


def test_assess_rates_risks_with_the_overrides_sla_waivers_and_data_scope_given(evaluation):
    waiver = Waiver(
        "W-1", "rds_instance_deletion_protection", "risk_acceptance", "single-AZ dev",
        "Dana Lee", dt.date(2026, 11, 1), dt.date(2026, 12, 1), resources=(URN,),
    )  # fmt: skip
    override = Override(
        by="Sam Roe",
        reason="the key is managed elsewhere",
        check="rds_storage_encrypted_cmk",
        likelihood=Level.VERY_LOW,
    )
    scope = DataScope(False, "synthetic test data only", "Dana Lee", dt.date(2026, 11, 1))
    inputs = PolicyInputs(
        load_profile("default"),
        load_framework(),
        waivers=(waiver,),
        risk_overrides=(override,),
        sla={level: 10 for level in Level},
        data_scope=scope,
    )
    result = assess(evaluation, inputs, source={"kind": "state"}, generated_at="2026-11-26T00:00Z")
    rows = [
        (
            r.finding.check.id, r.finding.status, r.likelihood, r.impact, r.sla_days, r.due_date,
            r.due_rationale, r.waiver_expires, r.rated_by, r.impact_rationale.split("; ")[1],
        )
        for r in result.risks
    ]  # fmt: skip
    assert rows == [
        (
            "rds_instance_deletion_protection", Status.WAIVED, Level.LOW, Level.VERY_LOW, 10,
            dt.date(2026, 12, 1), "waiver W-1 expires on 2026-12-01, before the SLA date",
            dt.date(2026, 12, 1), TOOL, SCOPE_SAYS,
        ),
        (
            "rds_storage_encrypted_cmk", Status.FAIL, Level.VERY_LOW, Level.VERY_LOW, 10,
            dt.date(2026, 12, 6), "10 days for a very low risk (remediation SLA)", None,
            "Sam Roe", SCOPE_SAYS,
        ),
    ]  # fmt: skip


def test_a_gate_decided_against_a_baseline_keeps_it(evaluation):
    profile = Profile("test", "", Severity.HIGH, "mandatory", Severity.MEDIUM)
    fail = next(f for f in evaluation.findings if f.check.id == "rds_storage_encrypted_cmk")
    use = BaselineUse({"file": "base.json"}, frozenset({fail.id}))
    gate = decide(evaluation.findings, profile, (), use)
    assert gate.baseline is use
    assert (gate.blocking_failures, gate.set_aside) == ((), (fail,))
    assert decide(evaluation.findings, profile, ()).baseline is None


AUDIT = Specification(
    "164.312(b)", "technical", "Audit controls", "Audit controls", "standard", "required",
    ("automated",),
)  # fmt: skip


def test_a_waived_finding_adds_to_the_passes_beside_it():
    evidence = Evidence(results=Counter(PASS=1, WAIVED=1), deployed=True)
    assert judge(AUDIT, evidence) == ("implemented", "automated evidence passes")
