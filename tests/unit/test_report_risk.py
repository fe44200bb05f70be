"""Risk per NIST SP 800-30 Rev. 1: Table I-2 lookups, default ratings, overrides, SLA dates."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from reports.risk import (
    DEFAULT_SLA_DAYS,
    Level,
    Override,
    load_overrides,
    risk_level,
    risk_register,
)
from reports.risk_rules import default_likelihood
from tests.unit.test_report_formats import BUCKET_URN, DB_URN, sample_document

# NIST SP 800-30 Rev. 1, Table I-2, transcribed from the project's report spec:
# rows = likelihood, columns = impact (Very Low, Low, Moderate, High, Very High).
TABLE_I2 = {
    "very high": ["very low", "low", "moderate", "high", "very high"],
    "high": ["very low", "low", "moderate", "high", "very high"],
    "moderate": ["very low", "low", "moderate", "moderate", "high"],
    "low": ["very low", "low", "low", "low", "moderate"],
    "very low": ["very low", "very low", "very low", "low", "low"],
}
IMPACTS = ["very low", "low", "moderate", "high", "very high"]
CELLS = [
    (likelihood, impact, TABLE_I2[likelihood][i])
    for likelihood in TABLE_I2
    for i, impact in enumerate(IMPACTS)
]


@pytest.mark.parametrize(("likelihood", "impact", "expected"), CELLS)
def test_risk_level_is_table_i2(likelihood, impact, expected):
    assert risk_level(Level.parse(likelihood), Level.parse(impact)).label == expected


def test_all_25_cells_are_covered():
    assert len(CELLS) == 25
    assert len({(l_, i) for l_, i, _ in CELLS}) == 25


def test_the_table_is_not_multiplication():
    # moderate × very high is High, but very high × moderate is only Moderate
    assert risk_level(Level.MODERATE, Level.VERY_HIGH) is Level.HIGH
    assert risk_level(Level.VERY_HIGH, Level.MODERATE) is Level.MODERATE


@pytest.mark.parametrize("text", ["very high", "Very High", "VERY_HIGH", "very-high"])
def test_levels_parse_as_people_write_them(text):
    assert Level.parse(text) is Level.VERY_HIGH


def test_an_unknown_level_is_rejected():
    with pytest.raises(ValueError, match="unknown level 'severe'"):
        Level.parse("severe")


def risks(**kwargs) -> dict[str, dict]:
    return {r["finding_ids"][0]: r for r in risk_register(sample_document(), **kwargs)}


def test_one_risk_per_fail_waived_or_not_evaluated_finding_with_a_stable_id():
    found = risks()
    assert sorted(found) == [
        "F-000000000001",
        "F-000000000002",
        "F-000000000003",
        "F-000000000004",
        "F-000000000005",
        "F-000000000007",
    ]
    assert found["F-000000000001"]["risk_id"] == "R-000000000001"


def test_register_is_ordered_most_severe_first():
    levels = [Level.parse(r["risk"]) for r in risk_register(sample_document())]
    assert levels == sorted(levels, reverse=True)


def test_internet_admin_ports_are_very_likely():
    risk = risks()["F-000000000002"]
    assert risk["likelihood"] == "very high"
    assert "SSH/RDP open to the internet" in risk["likelihood_rationale"]


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
        ("a_check_nobody_rated", "ZZZ-01", Level.MODERATE),
    ],
)
def test_default_likelihood_by_check_or_control(check_id, control, expected):
    level, why = default_likelihood({"check_id": check_id, "control": control, "evidence": {}})
    assert level is expected
    assert why


def test_evidence_of_world_open_access_raises_a_low_default():
    finding = {
        "check_id": "vpc_flow_logs_enabled",
        "control": "NET-03",
        "evidence": {"rules": [{"cidr_ipv6": "::/0"}]},
    }
    level, why = default_likelihood(finding)
    assert level is Level.HIGH
    assert why.startswith("the evidence shows access open to the whole internet (::/0)")


def test_a_wildcard_principal_in_evidence_is_exposure():
    finding = {"check_id": "x", "control": "S3-01", "evidence": {"principal": "*"}}
    assert default_likelihood(finding)[0] is Level.HIGH


def test_unknown_ephi_role_is_rated_as_ephi():
    risk = risks()["F-000000000001"]  # the bucket's inventory row has no classification
    assert (risk["ephi_role"], risk["impact"]) == ("unknown", "high")
    assert risk["impact_rationale"] == "ePHI role unknown: treated as ePHI until classified"


def test_the_documents_data_classification_sets_the_role():
    risk = risks()["F-000000000005"]  # billing-db is tagged ePHI in the inventory
    assert (risk["ephi_role"], risk["impact"]) == ("ephi", "high")
    assert "data-classification tag 'ePHI'" in risk["impact_rationale"]


def test_a_given_role_wins_and_lowers_the_impact():
    risk = risks(ephi_roles={BUCKET_URN: "public"})["F-000000000001"]
    assert (risk["ephi_role"], risk["impact"], risk["risk"]) == ("public", "low", "low")


def test_an_invalid_role_is_rejected():
    with pytest.raises(ValueError, match="must be one of"):
        risk_register(sample_document(), ephi_roles={DB_URN: "secret-ish"})


def test_not_evaluated_is_moderate_never_very_low():
    risk = risks()["F-000000000004"]
    assert risk["likelihood"] == "moderate"
    assert "never as very low" in risk["likelihood_rationale"]


def test_waived_is_an_accepted_risk_linked_to_its_waiver():
    risk = risks()["F-000000000005"]
    assert (risk["status"], risk["treatment"]) == ("accepted", "accept")
    assert risk["exception_ids"] == ["W-DEV-001"]
    assert risks()["F-000000000001"]["treatment"] is None  # a person decides


def test_due_dates_count_sla_days_from_the_document_date():
    risk = risks()["F-000000000001"]  # high × high → high → 30 days
    assert (risk["risk"], risk["sla_days"], risk["due_date"]) == ("high", 30, "2026-12-26")
    assert DEFAULT_SLA_DAYS[Level.VERY_HIGH] == 7


def test_the_sla_is_configurable_per_level():
    risk = risks(sla={"high": 14})["F-000000000001"]
    assert (risk["sla_days"], risk["due_date"]) == (14, "2026-12-10")
    with pytest.raises(ValueError, match="whole number of days"):
        risk_register(sample_document(), sla={"high": "soon"})


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "risk_overrides.yaml"
    path.write_text(text)
    return path


def test_overrides_load_and_replace_the_default_with_the_raters_name(tmp_path):
    path = write(
        tmp_path,
        "- finding: F-000000000001\n"
        "  likelihood: low\n"
        "  by: Dana Lee, Security Official\n"
        "  reason: The bucket sits behind an SCP that denies public policies.\n"
        "  date: 2026-11-20\n",
    )
    (override,) = load_overrides(path)
    assert override == Override(
        by="Dana Lee, Security Official",
        reason="The bucket sits behind an SCP that denies public policies.",
        finding="F-000000000001",
        likelihood=Level.LOW,
        date="2026-11-20",
    )
    risk = risks(overrides=[override])["F-000000000001"]
    assert (risk["likelihood"], risk["impact"], risk["risk"]) == ("low", "high", "low")
    assert risk["rated_by"] == "Dana Lee, Security Official"
    assert risk["rated_at"] == "2026-11-20"
    assert risk["likelihood_rationale"].startswith("override: The bucket sits behind an SCP")


def test_a_finding_override_wins_over_one_for_its_check(tmp_path):
    check_wide = Override(
        by="A", reason="r", check="s3_bucket_public_access_blocked", impact=Level.VERY_LOW
    )
    specific = Override(by="B", reason="r", finding="F-000000000001", impact=Level.VERY_HIGH)
    risk = risks(overrides=[check_wide, specific])["F-000000000001"]
    assert (risk["impact"], risk["rated_by"]) == ("very high", "B")


def test_an_override_without_by_is_rejected_naming_file_and_entry(tmp_path):
    path = write(
        tmp_path,
        "- check: s3_bucket_versioning_enabled\n  impact: low\n  reason: ok\n"
        "- finding: F-000000000002\n  impact: low\n  reason: fine\n",
    )
    with pytest.raises(ValueError) as error:
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
        ("- [unclosed\n", "not valid YAML"),
    ],
)
def test_malformed_overrides_are_rejected(tmp_path, entry, message):
    path = write(tmp_path, entry)
    with pytest.raises(ValueError, match=rf"^{re.escape(str(path))}: .*{re.escape(message)}"):
        load_overrides(path)


def test_an_empty_overrides_file_means_no_overrides(tmp_path):
    assert load_overrides(write(tmp_path, "")) == []
