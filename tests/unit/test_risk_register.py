"""The risk register as an officer reads it: grouped by asset and threat, rated by the data an
asset holds or guards and by what the weakness would cost, honouring a statement that the stack
holds no ePHI, due no later than a waiver expires, ordered by level then due date."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from checks.errors import InputError
from checks.evaluate import Finding
from checks.library import build_registry
from checks.model import Resource
from checks.registry import Status
from policies.data_scope import DataScope, load_data_scope
from policies.inputs import load_policy_inputs
from policies.record import risk_record
from policies.risk import risk_register
from policies.risk_data import stack_data
from policies.risk_scale import Level
from policies.waivers import Waiver
from reports.report_view import _remediation, _risk_view

REGISTRY = build_registry()
DAY = dt.date(2026, 11, 26)
STACK = "urn:pulumi:dev::billing::"


def res(type_: str, name: str, tag: str | None = None) -> Resource:
    props = {"tags": {"data-classification": tag}} if tag else {}
    return Resource(type_, name, props, urn=f"{STACK}{type_}::{name}")


DB = res("aws:rds/instance:Instance", "patients-db", "ePHI")
BUCKET = res("aws:s3/bucket:Bucket", "exports", "ePHI")
INTERNAL = res("aws:s3/bucket:Bucket", "reports", "internal")
SG = res("aws:ec2/securityGroup:SecurityGroup", "ssh")
KEY = res("aws:kms/key:Key", "key")


def finding(
    check_id: str, resource: Resource | None, status: Status = Status.FAIL, **kw: Any
) -> Finding:
    return Finding(
        REGISTRY.get(check_id),
        status,
        kw.pop("message", f"{check_id} fails"),
        kw.pop("evidence", {}),
        resource,
        kw.pop("waiver_id", None),
        **kw,
    )


def by_title(risks) -> dict[str, Any]:
    return {r.title: r for r in risks}


# -- grouping ----------------------------------------------------------------------------------


def test_findings_on_one_asset_sharing_a_threat_are_one_risk_keeping_every_finding():
    found = [
        finding("s3_bucket_public_access_blocked", BUCKET),
        finding("s3_bucket_policy_not_public", BUCKET),
        finding("s3_bucket_sse_kms", BUCKET),  # another threat: media theft
        finding("s3_bucket_public_access_blocked", INTERNAL),  # another asset
    ]
    risks = risk_register(found, DAY)
    assert len(risks) == 3
    public = by_title(risks)["exports has a bucket policy that lets anyone in"]
    assert [f.check.id for f in public.findings] == [
        "s3_bucket_policy_not_public",
        "s3_bucket_public_access_blocked",
    ]
    record = risk_record(public)
    assert record["finding_ids"] == [found[1].id, found[0].id]
    assert record["check_ids"] == ["s3_bucket_policy_not_public", "s3_bucket_public_access_blocked"]
    assert record["threat_id"] == "internet-exposure"
    assert record["threat_source_kind"] == "adversarial-outsider"
    assert record["threat_event"].startswith("An outsider finds the resource open to anyone")
    assert (record["consequence"], record["cia_affected"]) == ("exposure", "confidentiality")
    assert record["vulnerability"] == (
        "s3_bucket_policy_not_public fails; s3_bucket_public_access_blocked fails"
    )
    assert [v["problem"] for v in record["vulnerabilities"]] == [
        "exports has a bucket policy that lets anyone in",
        "exports does not block public access",
    ]
    assert record["severity"] == "critical"


def test_a_grouped_risk_is_rated_and_titled_as_its_worst_finding():
    found = [
        finding("rds_instance_deletion_protection", DB),  # accidental loss, availability: low
        finding("rds_in_backup_plan", DB),  # accidental loss, loss: moderate
    ]
    (risk,) = risk_register(found, DAY)
    assert risk.title == "patients-db is in no AWS Backup plan"
    assert (risk.likelihood, risk.impact) == (Level.LOW, Level.VERY_HIGH)
    assert risk.level is Level.MODERATE
    assert [r.level for r in risk.ratings] == [Level.MODERATE, Level.LOW]
    assert risk.due_date == DAY + dt.timedelta(days=90)


def test_a_risk_is_accepted_only_when_every_finding_is_waived():
    waived = finding("rds_in_backup_plan", DB, Status.WAIVED, waiver_id="W-1")
    failing = finding("rds_backup_retention_7_days", DB)
    (mixed,) = risk_register([waived, failing], DAY)
    assert (mixed.status, risk_record(mixed)["treatment"]) == ("open", None)
    assert mixed.exception_ids == ["W-1"]
    (accepted,) = risk_register([waived], DAY)
    assert (accepted.status, risk_record(accepted)["treatment"]) == ("accepted", "accept")


# -- impact: the asset's data × the consequence ------------------------------------------------


@pytest.mark.parametrize(
    ("check_id", "resource", "impact", "level"),
    [
        # public exposure of ePHI: very high
        ("s3_bucket_policy_not_public", BUCKET, Level.VERY_HIGH, Level.VERY_HIGH),
        # the same exposure of internal data: moderate
        ("s3_bucket_policy_not_public", INTERNAL, Level.MODERATE, Level.MODERATE),
        # an ePHI store in no backup plan is not low
        ("rds_in_backup_plan", DB, Level.VERY_HIGH, Level.MODERATE),
        # no audit trail in a stack holding ePHI is not low
        ("cloudtrail_enabled_multi_region", None, Level.VERY_HIGH, Level.MODERATE),
        # a security group guards the stack's ePHI: rated by it
        ("sg_no_internet_admin_ports", SG, Level.HIGH, Level.HIGH),
        # a key's rotation: disclosure only after another failure
        ("kms_key_rotation_enabled", KEY, Level.HIGH, Level.MODERATE),
        # an outage of an ePHI database delays work, the data survives
        ("rds_multi_az", DB, Level.MODERATE, Level.LOW),
    ],
)
def test_impact_from_the_data_and_the_consequence(check_id, resource, impact, level):
    context = [finding("rds_multi_az", DB, Status.PASS)]  # the stack holds ePHI
    risks = risk_register([*context, finding(check_id, resource)], DAY)
    (risk,) = [r for r in risks if r.finding.check.id == check_id]
    assert (risk.impact, risk.level) == (impact, level)


def test_guards_and_the_account_take_the_data_of_the_stack():
    only_internal = [finding("s3_bucket_versioning_enabled", INTERNAL, Status.PASS)]
    (sg,) = risk_register([*only_internal, finding("sg_no_internet_admin_ports", SG)], DAY)
    assert (sg.ephi_role, sg.impact) == ("internal", Level.MODERATE)
    assert sg.impact_rationale.endswith(
        "holds no data itself, it guards the stack's data: the most sensitive data the stack "
        "is tagged with is internal"
    )
    with_ephi = [*only_internal, finding("rds_multi_az", DB, Status.PASS)]
    (sg,) = risk_register([*with_ephi, finding("sg_no_internet_admin_ports", SG)], DAY)
    assert (sg.ephi_role, sg.impact) == ("supports", Level.HIGH)


def test_the_stack_data_ranks_ephi_over_unclassified_stores_over_tags():
    unclassified = res("aws:s3/bucket:Bucket", "loose")
    assert stack_data([SG, INTERNAL]).role == "internal"
    assert stack_data([SG, INTERNAL, unclassified]).role == "unknown"
    assert stack_data([SG, INTERNAL, unclassified, DB]).role == "ephi"
    assert stack_data([SG]).role == "unknown"  # nothing classified: rated as ePHI
    assert stack_data([SG]).column == "ephi"
    assert stack_data([res("aws:s3/bucket:Bucket", "site", "public")]).column == "none"


# -- the statement that the stack holds no ePHI ------------------------------------------------

NO_EPHI = DataScope(
    holds_ephi=False,
    statement="Dev holds synthetic data only.",
    approver="Dana Lee, Security Official",
    approved=dt.date(2026, 11, 1),
    expires=dt.date(2027, 1, 31),
)


def test_a_statement_in_force_rates_every_asset_as_holding_no_ephi():
    found = [finding("s3_bucket_policy_not_public", BUCKET), finding("rds_in_backup_plan", DB)]
    risks = by_title(risk_register(found, DAY, data_scope=NO_EPHI))
    public = risks["exports has a bucket policy that lets anyone in"]
    assert (public.ephi_role, public.impact, public.level) == ("none", Level.LOW, Level.LOW)
    assert public.impact_rationale.endswith(
        "the data scope statement approved by Dana Lee, Security Official on 2026-11-01 says "
        "the stack holds no ePHI: Dev holds synthetic data only."
    )
    backup = risks["patients-db is in no AWS Backup plan"]
    assert (backup.impact, backup.level) == (Level.LOW, Level.LOW)


@pytest.mark.parametrize(
    ("day", "honoured"),
    [
        (dt.date(2026, 10, 31), False),  # before approval
        (dt.date(2026, 11, 1), True),
        (dt.date(2027, 1, 31), True),
        (dt.date(2027, 2, 1), False),  # expired
    ],
)
def test_a_statement_is_honoured_only_while_in_force(day, honoured):
    public = finding("s3_bucket_policy_not_public", BUCKET)
    (risk,) = risk_register([public], day, data_scope=NO_EPHI)
    assert risk.impact is (Level.LOW if honoured else Level.VERY_HIGH)


def test_a_statement_that_the_stack_holds_ephi_changes_nothing():
    holds = DataScope(True, "Prod holds claims.", "Dana Lee", dt.date(2026, 1, 1))
    (risk,) = risk_register([finding("s3_bucket_policy_not_public", BUCKET)], DAY, data_scope=holds)
    assert risk.impact is Level.VERY_HIGH
    assert holds.as_record(DAY) == {
        "holds_ephi": True,
        "statement": "Prod holds claims.",
        "approver": "Dana Lee",
        "approved": "2026-01-01",
        "expires": None,
        "in_force": True,
    }


SCOPE_FILE = """\
data_scope:
  holds_ephi: false
  statement: >-
    Dev holds synthetic
    data only.
  approver: Dana Lee, Security Official
  approved: 2026-11-01
  expires: 2027-01-31
waivers: []
"""


def test_the_statement_is_read_from_the_stacks_waivers_file(tmp_path):
    (tmp_path / "policies" / "waivers").mkdir(parents=True)
    (tmp_path / "policies" / "waivers" / "dev.yaml").write_text(SCOPE_FILE)
    assert load_data_scope(tmp_path / "policies" / "waivers" / "dev.yaml") == DataScope(
        False,
        "Dev holds synthetic data only.",
        "Dana Lee, Security Official",
        dt.date(2026, 11, 1),
        dt.date(2027, 1, 31),
        source=f"{tmp_path}/policies/waivers/dev.yaml: line 2",
    )
    inputs = load_policy_inputs(known_checks=set(), home=tmp_path, stack="dev")
    assert inputs.data_scope is not None and inputs.data_scope.no_ephi(DAY)
    assert load_policy_inputs(known_checks=set(), home=tmp_path, stack="prod").data_scope is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("data_scope: no\n", "'data_scope' must be a mapping"),
        ("data_scope:\n  holds_ephi: false\n", "data_scope is missing statement, approver"),
        (
            "data_scope: {holds_ephi: 'no', statement: s, approver: a, approved: 2026-01-01}\n",
            "'holds_ephi' must be true or false",
        ),
        (
            "data_scope: {holds_ephi: false, statement: s, approver: a, approved: 2026-01-01, "
            "why: x}\n",
            "unknown field",
        ),
        (
            "data_scope: {holds_ephi: false, statement: s, approver: a, approved: 2026-01-01, "
            "expires: 2025-01-01}\n",
            "expires before it was approved",
        ),
    ],
)
def test_a_malformed_statement_is_refused_naming_the_file(tmp_path, text, message):
    path = tmp_path / "dev.yaml"
    path.write_text(text)
    with pytest.raises(InputError, match=message):
        load_data_scope(path)
    assert load_data_scope(_write(tmp_path, "waivers: []\n")) is None


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "other.yaml"
    path.write_text(text)
    return path


# -- due dates and order -----------------------------------------------------------------------


def waiver(expires: dt.date, wid: str = "W-1") -> Waiver:
    return Waiver(wid, "rds_multi_az", "risk_acceptance", "j", "Dana", dt.date(2026, 1, 1), expires)


@pytest.mark.parametrize(
    ("expires", "due", "why"),
    [
        # low risk: 180 days → 2027-05-25; a waiver ending sooner caps it
        (dt.date(2027, 1, 31), dt.date(2027, 1, 31), "waiver W-1 expires on 2027-01-31, before"),
        (dt.date(2027, 5, 24), dt.date(2027, 5, 24), "waiver W-1 expires on 2027-05-24, before"),
        (dt.date(2027, 5, 25), dt.date(2027, 5, 25), "180 days for a low risk"),
        (dt.date(2027, 9, 30), dt.date(2027, 5, 25), "180 days for a low risk"),
    ],
)
def test_an_accepted_risk_never_falls_due_after_its_waiver_expires(expires, due, why):
    waived = finding("rds_multi_az", DB, Status.WAIVED, waiver_id="W-1")
    (risk,) = risk_register([waived], DAY, waivers=[waiver(expires)])
    assert risk.level is Level.LOW
    assert (risk.due_date, risk.waiver_expires) == (due, expires)
    assert risk.due_rationale.startswith(why)
    assert risk_record(risk)["waiver_expires"] == expires.isoformat()


def test_the_earliest_waiver_of_a_risk_caps_it():
    found = [
        finding("rds_multi_az", DB, Status.WAIVED, waiver_id="W-2"),
        finding("rds_enhanced_monitoring", DB, Status.WAIVED, waiver_id="W-1"),
    ]
    waivers = [waiver(dt.date(2027, 3, 1), "W-2"), waiver(dt.date(2027, 2, 1), "W-1")]
    (risk,) = risk_register(found, DAY, waivers=waivers)
    assert (risk.due_date, risk.exception_ids) == (dt.date(2027, 2, 1), ["W-1", "W-2"])


def test_the_register_is_ordered_by_level_then_due_date():
    found = [
        finding("rds_multi_az", DB, Status.WAIVED, waiver_id="W-1"),  # low, due 2027-01-31
        finding("s3_bucket_versioning_enabled", BUCKET),  # low, due 2027-05-25
        finding("s3_bucket_policy_not_public", BUCKET),  # very high
        finding("sg_no_internet_admin_ports", SG),  # high
        finding("rds_in_backup_plan", DB),  # moderate
    ]
    risks = risk_register(found, DAY, waivers=[waiver(dt.date(2027, 1, 31))])
    assert [(r.level, r.due_date, r.finding.check.id) for r in risks] == [
        (Level.VERY_HIGH, dt.date(2026, 12, 3), "s3_bucket_policy_not_public"),
        (Level.HIGH, dt.date(2026, 12, 26), "sg_no_internet_admin_ports"),
        (Level.MODERATE, dt.date(2027, 2, 24), "rds_in_backup_plan"),
        (Level.LOW, dt.date(2027, 1, 31), "rds_multi_az"),
        (Level.LOW, dt.date(2027, 5, 25), "s3_bucket_versioning_enabled"),
    ]


def _finding_row(f: Finding) -> dict[str, Any]:
    return {
        "id": f.id,
        "check_id": f.check.id,
        "title": f.check.title,
        "status": f.status.value,
        "severity": f.check.severity.label,
        "resource": {"name": f.resource.name} if f.resource else None,
        "waiver_id": f.waiver_id,
    }


def test_the_remediation_plan_follows_risk_level_then_due_and_keeps_accepted_items():
    found = [
        finding("rds_multi_az", DB, Status.WAIVED, waiver_id="W-1"),
        finding("s3_bucket_versioning_enabled", BUCKET),
        finding("sg_no_internet_admin_ports", SG),
        finding("s3_bucket_policy_not_public", BUCKET),
        finding("rds_iam_authentication", DB, Status.PASS),
    ]
    risks = risk_register(found, DAY, waivers=[waiver(dt.date(2027, 1, 31))])
    views = [_risk_view(risk_record(r)) for r in risks]
    plan = _remediation([_finding_row(f) for f in found], views, DAY)
    assert [(i["id"], i["priority"], i["due"], i["status"]) for i in plan] == [
        ("RM-s3_bucket_policy_not_public", Level.VERY_HIGH, "2026-12-03", "planned"),
        ("RM-sg_no_internet_admin_ports", Level.HIGH, "2026-12-26", "planned"),
        ("RM-rds_multi_az", Level.LOW, "2027-01-31", "accepted"),
        ("RM-s3_bucket_versioning_enabled", Level.LOW, "2027-05-25", "planned"),
    ]
    accepted = plan[2]
    assert (accepted["waivers"], accepted["waiver_expires"]) == (["W-1"], "2027-01-31")
    assert accepted["problem"] == "patients-db does not survive the loss of an Availability Zone"
    assert plan[0]["risk_ids"] == [risks[0].risk_id]
