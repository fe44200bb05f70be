"""The risk register (NIST SP 800-30 Rev. 1): default ratings, overrides, SLA dates.

The register is built from real findings (real checks of the library on hand-made resources):
every status, a waiver, an account-level finding, an ePHI-tagged database and an unclassified
bucket. Finding ids are computed from check and resource, so tests look them up.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest

from checks.controls import UNRATED_LIKELIHOOD
from checks.errors import InputError
from checks.evaluate import Finding
from checks.library import build_registry
from checks.model import Resource
from checks.registry import Status
from policies.record import risk_record
from policies.risk import (
    DEFAULT_SLA_DAYS,
    TOOL_RATER,
    Risk,
    default_likelihood,
    risk_id,
    risk_register,
    sla_days,
)
from policies.risk_overrides import Override, load_overrides
from policies.risk_scale import Level

# -- the register ------------------------------------------------------------------------------

REGISTRY = build_registry()
DAY = dt.date(2026, 11, 26)
STACK = "urn:pulumi:dev::billing::"
BUCKET = Resource("aws:s3/bucket:Bucket", "claims", {}, urn=STACK + "aws:s3/bucket:Bucket::claims")
DB = Resource(
    "aws:rds/instance:Instance",
    "billing-db",
    {"tags": {"data-classification": "ePHI"}},
    urn=STACK + "aws:rds/instance:Instance::billing-db",
)
SG = Resource(
    "aws:ec2/securityGroup:SecurityGroup",
    "admin",
    {},
    urn=STACK + "aws:ec2/securityGroup:SecurityGroup::admin",
)
SHARED = Resource("aws:s3/bucket:Bucket", "shared", {}, urn=STACK + "aws:s3/bucket:Bucket::shared")
SHARED_POLICY = Resource(
    "aws:s3/bucketPolicy:BucketPolicy",
    "shared",
    {},
    urn=STACK + "aws:s3/bucketPolicy:BucketPolicy::shared",
)


def finding(
    check_id: str,
    status: Status,
    resource: Resource | None,
    evidence: dict[str, Any] | None = None,
    waiver_id: str | None = None,
) -> Finding:
    return Finding(
        REGISTRY.get(check_id), status, f"{check_id} says so", evidence or {}, resource, waiver_id
    )


FINDINGS = {
    "bucket_public": finding(
        "s3_bucket_public_access_blocked",
        Status.FAIL,
        BUCKET,
        {"block_public_acls": False},
    ),
    "admin_ports": finding(
        "sg_no_internet_admin_ports",
        Status.FAIL,
        SG,
        {"offending_rules": [{"cidr": "0.0.0.0/0", "from_port": 22}]},
    ),
    "no_trail": finding("cloudtrail_enabled_multi_region", Status.FAIL, None),
    "db_unknown": finding(
        "rds_storage_encrypted_cmk",
        Status.NOT_EVALUATED,
        DB,
        {"storage_encrypted": "(unknown until deployed)"},
    ),
    "db_waived": finding(
        "rds_instance_deletion_protection",
        Status.WAIVED,
        DB,
        {"deletion_protection": False},
        waiver_id="W-DEV-001",
    ),
    "versioned": finding("s3_bucket_versioning_enabled", Status.PASS, BUCKET),
    "unversioned": finding("s3_bucket_versioning_enabled", Status.FAIL, SHARED),
    "not_a_bucket": finding("s3_bucket_versioning_enabled", Status.NOT_APPLICABLE, SHARED_POLICY),
}


def fid(name: str) -> str:
    return FINDINGS[name].id


def register(**kwargs: Any) -> tuple[Risk, ...]:
    return risk_register(FINDINGS.values(), DAY, **kwargs)


def risks(**kwargs: Any) -> dict[str, Risk]:
    """The register by the name of the finding each risk rates."""
    by_id = {r.finding.id: r for r in register(**kwargs)}
    return {name: by_id[f.id] for name, f in FINDINGS.items() if f.id in by_id}


def test_one_risk_per_fail_waived_or_not_evaluated_finding_with_a_stable_id():
    found = risks()
    assert sorted(found) == [
        "admin_ports",
        "bucket_public",
        "db_unknown",
        "db_waived",
        "no_trail",
        "unversioned",
    ]
    assert len(register()) == 6
    bucket = found["bucket_public"]
    assert re.fullmatch(r"R-[0-9a-f]{12}", bucket.risk_id)
    assert bucket.risk_id == risk_id(BUCKET.address, "internet-exposure")
    assert bucket.risk_id != risk_id(BUCKET.address, "accidental-loss")
    assert bucket.risk_id != risk_id(SHARED.address, "internet-exposure")
    assert [r.risk_id for r in register()] == [r.risk_id for r in register()]


def test_register_is_ordered_most_severe_first():
    ordered = register()
    levels = [r.level for r in ordered]
    assert levels == sorted(levels, reverse=True)
    assert levels[0] is Level.VERY_HIGH and levels[-1] is Level.LOW
    keys = [(-r.level, r.due_date, -r.impact, -r.likelihood, r.risk_id) for r in ordered]
    assert keys == sorted(keys)


def test_internet_admin_ports_are_very_likely():
    risk = risks()["admin_ports"]
    assert risk.likelihood is Level.VERY_HIGH
    assert "SSH/RDP open to the internet" in risk.likelihood_rationale


@pytest.mark.parametrize(
    ("check_id", "control", "expected"),
    [
        ("s3_bucket_public_access_blocked", "S3-02", Level.HIGH),
        ("iam_policy_no_admin_access", "IAM-03", Level.HIGH),
        ("rds_storage_encrypted_cmk", "RDS-01", Level.MODERATE),
        ("kms_key_rotation_enabled", "KMS-01", Level.MODERATE),
        ("cloudtrail_multi_region", "LOG-01", Level.LOW),
        ("rds_backup_retention_7_days", "RDS-05", Level.LOW),
        ("vpc_flow_logs_enabled", "NET-03", Level.LOW),
        ("sg_no_internet_admin_ports", "NET-01", Level.VERY_HIGH),  # the check's own rating
    ],
)
def test_default_likelihood_by_check_or_control(check_id, control, expected):
    level, why = default_likelihood(check_id, control, {})
    assert level is expected
    assert why


def test_a_check_and_control_nobody_rated_fall_back_to_moderate():
    level, why = default_likelihood("a_check_nobody_rated", "ZZZ-01", {})
    assert level is Level.MODERATE
    assert why == UNRATED_LIKELIHOOD.rationale
    assert "until a person rates it" in why


def test_evidence_of_world_open_access_raises_a_low_default():
    evidence = {"rules": [{"cidr_ipv6": "::/0"}]}
    level, why = default_likelihood("vpc_flow_logs_enabled", "NET-03", evidence)
    assert level is Level.HIGH
    assert why.startswith("the evidence shows access open to the whole internet (::/0)")
    assert "(raised from low:" in why


def test_a_wildcard_principal_in_evidence_is_exposure():
    assert default_likelihood("x", "S3-01", {})[0] is Level.MODERATE
    assert default_likelihood("x", "S3-01", {"principal": "*"})[0] is Level.HIGH


UNKNOWN_WHY = "a data store no one has classified: rated as ePHI until a person classifies it"


def test_an_unclassified_data_store_is_rated_as_ephi():
    risk = risks()["bucket_public"]  # the bucket carries no classification tag
    assert (risk.ephi_role, risk.impact) == ("unknown", Level.VERY_HIGH)
    assert risk.impact_rationale == (
        f"the data is open to anyone, with no other safeguard left to fail; {UNKNOWN_WHY}"
    )
    no_trail = risks()["no_trail"]  # an account finding: the stack holds ePHI (billing-db)
    assert no_trail.ephi_role == "ephi"
    assert no_trail.impact_rationale.endswith(
        "account-wide: the stack holds ePHI (billing-db tagged ePHI)"
    )


def test_the_data_classification_tag_sets_the_role():
    risk = risks()["db_waived"]  # billing-db is tagged ePHI; deletion costs availability
    assert (risk.ephi_role, risk.impact) == ("ephi", Level.MODERATE)
    assert "data-classification tag 'ePHI'" in risk.impact_rationale


@pytest.mark.parametrize(
    ("tag", "role", "impact", "level"),
    [
        ("public", "public", Level.LOW, Level.LOW),
        ("none", "public", Level.LOW, Level.LOW),  # "none" reads as nothing sensitive
        ("internal", "internal", Level.MODERATE, Level.MODERATE),
        ("PHI", "ephi", Level.VERY_HIGH, Level.VERY_HIGH),
    ],
)
def test_a_classification_other_than_ephi_lowers_the_impact(tag, role, impact, level):
    tagged = Resource(
        BUCKET.type, BUCKET.name, {"tags": {"data-classification": tag}}, urn=BUCKET.urn
    )
    (risk,) = risk_register([finding("s3_bucket_public_access_blocked", Status.FAIL, tagged)], DAY)
    assert (risk.ephi_role, risk.impact, risk.level) == (role, impact, level)
    assert f"(data-classification tag {tag!r})" in risk.impact_rationale


def test_not_evaluated_is_moderate_never_very_low():
    risk = risks()["db_unknown"]
    assert risk.likelihood is Level.MODERATE
    assert "never as very low" in risk.likelihood_rationale
    assert risk.status == "open"


def test_waived_is_an_accepted_risk_linked_to_its_waiver():
    risk = risks()["db_waived"]
    record = risk_record(risk)
    assert risk.status == record["status"] == "accepted"
    assert record["treatment"] == "accept"
    assert record["exception_ids"] == ["W-DEV-001"]
    open_risk = risk_record(risks()["bucket_public"])
    assert (open_risk["status"], open_risk["treatment"]) == ("open", None)  # a person decides
    assert open_risk["exception_ids"] == []


def test_due_dates_count_sla_days_from_the_assessment_day():
    risk = risks()["bucket_public"]  # high × very high → very high → 7 days
    assert (risk.level, risk.sla_days, risk.due_date) == (Level.VERY_HIGH, 7, dt.date(2026, 12, 3))
    assert risk.due_rationale == "7 days for a very high risk (remediation SLA)"
    assert risks()["admin_ports"].due_date == dt.date(2026, 12, 26)  # high → 30 days


def test_the_sla_is_configurable_per_level():
    risk = risks(sla=sla_days({"high": 14}))["admin_ports"]
    assert (risk.sla_days, risk.due_date) == (14, dt.date(2026, 12, 10))
    assert sla_days({"high": 14})[Level.MODERATE] == DEFAULT_SLA_DAYS[Level.MODERATE]
    with pytest.raises(ValueError, match="whole number of days"):
        sla_days({"high": "soon"})
    with pytest.raises(ValueError, match="unknown level 'severe'"):
        sla_days({"severe": 3})


def test_default_ratings_name_the_tool_as_rater():
    risk = risks()["unversioned"]
    assert (risk.rated_by, risk.rated_at) == (TOOL_RATER, None)


def test_the_record_form_keeps_the_register_words():
    risk = risks()["admin_ports"]
    record = risk_record(risk)
    assert record["risk_id"] == risk.risk_id
    assert record["finding_ids"] == [fid("admin_ports")]
    assert (record["likelihood"], record["impact"], record["risk"]) == ("very high", "high", "high")
    assert record["due_date"] == "2026-12-26"
    assert record["title"] == "admin opens SSH or RDP to the internet"
    assert record["ephi_role"] == "supports"  # a security group guards the stack's ePHI
    assert record["asset"] == {"type": SG.type, "name": "admin", "urn": SG.urn}
    assert risk_record(risks()["no_trail"])["asset"] is None
    assert risks()["no_trail"].title == (
        "No CloudTrail trail records API activity in every region with validated log files"
    )


# -- overrides ---------------------------------------------------------------------------------


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "risk_overrides.yaml"
    path.write_text(text)
    return path


def test_overrides_load_and_replace_the_default_with_the_raters_name(tmp_path):
    path = write(
        tmp_path,
        f"- finding: {fid('bucket_public')}\n"
        "  likelihood: low\n"
        "  by: Dana Lee, Security Official\n"
        "  reason: The bucket sits behind an SCP that denies public policies.\n"
        "  date: 2026-11-20\n",
    )
    (override,) = load_overrides(path)
    assert override == Override(
        by="Dana Lee, Security Official",
        reason="The bucket sits behind an SCP that denies public policies.",
        finding=fid("bucket_public"),
        likelihood=Level.LOW,
        date="2026-11-20",
    )
    risk = risks(overrides=[override])["bucket_public"]
    assert (risk.likelihood, risk.impact, risk.level) == (
        Level.LOW,
        Level.VERY_HIGH,
        Level.MODERATE,
    )
    assert risk.rated_by == "Dana Lee, Security Official"
    assert risk.rated_at == "2026-11-20"
    assert risk.likelihood_rationale.startswith("override: The bucket sits behind an SCP")
    assert risk.impact_rationale.endswith(UNKNOWN_WHY)
    assert risks(overrides=[override])["unversioned"].rated_by == TOOL_RATER  # others untouched


def test_an_override_applies_to_its_finding_or_to_every_finding_of_its_check():
    one = Override(by="A", reason="r", finding="F-1", impact=Level.LOW)
    every = Override(by="A", reason="r", check="c", impact=Level.LOW)
    assert one.applies_to("F-1", "other") and not one.applies_to("F-2", "c")
    assert every.applies_to("F-2", "c") and not every.applies_to("F-1", "other")


@pytest.mark.parametrize("specific_first", [False, True])
def test_a_finding_override_wins_over_one_for_its_check(specific_first):
    check_wide = Override(
        by="A", reason="r", check="s3_bucket_public_access_blocked", impact=Level.VERY_LOW
    )
    specific = Override(by="B", reason="r", finding=fid("bucket_public"), impact=Level.VERY_HIGH)
    overrides = [specific, check_wide] if specific_first else [check_wide, specific]
    risk = risks(overrides=overrides)["bucket_public"]
    assert (risk.impact, risk.rated_by) == (Level.VERY_HIGH, "B")


def test_a_check_override_rates_every_finding_of_its_check():
    check_wide = Override(
        by="A", reason="r", check="s3_bucket_versioning_enabled", impact=Level.VERY_LOW
    )
    found = risks(overrides=[check_wide])
    assert (found["unversioned"].impact, found["unversioned"].rated_by) == (Level.VERY_LOW, "A")
    assert found["bucket_public"].rated_by == TOOL_RATER


def test_an_override_without_by_is_rejected_naming_file_and_entry(tmp_path):
    path = write(
        tmp_path,
        "- check: s3_bucket_versioning_enabled\n  impact: low\n  reason: ok\n"
        "- finding: F-000000000002\n  impact: low\n  reason: fine\n",
    )
    with pytest.raises(InputError) as error:
        load_overrides(path)
    assert str(error.value) == (
        f"{path}: entry 1 (s3_bucket_versioning_enabled): "
        "'by' (the person who made the rating) is required"
    )


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("- finding: F-1\n  impact: low\n  by: Dana\n", "entry 1 (F-1): 'reason' (why)"),
        ("- impact: low\n  by: Dana\n  reason: r\n", "name exactly one of 'finding'"),
        ("- finding: F-1\n  check: c\n  impact: low\n  by: D\n  reason: r\n", "exactly one"),
        ("- finding: F-1\n  by: Dana\n  reason: r\n", "at least one of 'likelihood'"),
        ("- finding: F-1\n  impact: severe\n  by: D\n  reason: r\n", "unknown level 'severe'"),
        ("- finding: F-1\n  likelyhood: low\n  by: D\n  reason: r\n", "unknown key(s) likely"),
        ("finding: F-1\n", "expected a list of overrides"),
        ("- [unclosed\n", "malformed YAML"),
    ],
)
def test_malformed_overrides_are_rejected(tmp_path, entry, message):
    path = write(tmp_path, entry)
    with pytest.raises(InputError, match=rf"^{re.escape(str(path))}: .*{re.escape(message)}"):
        load_overrides(path)


def test_an_empty_overrides_file_means_no_overrides(tmp_path):
    assert load_overrides(write(tmp_path, "")) == []
