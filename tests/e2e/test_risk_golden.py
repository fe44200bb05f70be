"""Golden risk levels on the insecure sample (tests/programs/insecure), scanned as a user would,
account baseline included: the ten most important risks, by title and level, in order."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
# `python -m safeguard`: the command as it runs installed or not (mutation testing's copy).
SAFEGUARD = (sys.executable, "-m", "safeguard")
EPOCH = "1796083200"  # 2026-12-01

TOP_TEN = [
    ("patients-db is reachable from the internet", "very high", "2026-12-08"),
    ("patient-exports has a bucket policy that lets anyone in", "very high", "2026-12-08"),
    ("ssh-from-anywhere opens SSH or RDP to the internet", "high", "2026-12-31"),
    ("The account does not block public access to its S3 buckets", "high", "2026-12-31"),
    ("allow-everything allows every action on every resource", "high", "2026-12-31"),
    ("The account password policy is weak", "high", "2026-12-31"),
    (
        "No CloudTrail trail records API activity in every region with validated log files",
        "moderate",
        "2027-03-01",
    ),
    ("patients-db keeps automated backups for fewer than 7 days", "moderate", "2027-03-01"),
    ("patients-db stores data without a customer-managed KMS key", "moderate", "2027-03-01"),
    (
        "patient-exports does not encrypt objects with a KMS key by default",
        "moderate",
        "2027-03-01",
    ),
]


@pytest.fixture(scope="module")
def document(tmp_path_factory) -> dict:
    scratch = tmp_path_factory.mktemp("insecure")
    shutil.copytree(REPO / "tests" / "programs" / "insecure", scratch / "insecure")
    done = subprocess.run(
        [*SAFEGUARD, "scan", "insecure", "--scope", "account", "--format", "json"]
        + ["--out", "out", "-q"],
        cwd=scratch,
        env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 1, done.stderr  # failures block the gate
    return json.loads((scratch / "out" / "safeguard-scan.json").read_text())


def test_the_ten_most_important_risks(document):
    top = [(r["title"], r["risk"], r["due_date"]) for r in document["risks"][:10]]
    assert top == TOP_TEN


def test_grouping_makes_one_row_per_threat_and_asset(document):
    risks = document["risks"]
    assert len(risks) == 18
    assert sum(len(r["finding_ids"]) for r in risks) == 30
    by_title = {r["title"]: r for r in risks}
    public = by_title["patient-exports has a bucket policy that lets anyone in"]
    assert public["check_ids"] == ["s3_bucket_policy_not_public", "s3_bucket_public_access_blocked"]
    trail = by_title[TOP_TEN[6][0]]
    assert trail["check_ids"][0] == "cloudtrail_enabled_multi_region"  # the title's finding
    assert sorted(trail["check_ids"]) == [
        "cloudtrail_enabled_multi_region",
        "cloudwatch_security_event_alarms",
        "config_recorder_all_resources",
        "guardduty_enabled_all_regions",
        "securityhub_enabled",
    ]
    assert (trail["threat_id"], trail["consequence"]) == ("undetected-misuse", "detection")


def test_ratings_separate(document):
    levels = {r["title"]: (r["likelihood"], r["impact"], r["risk"]) for r in document["risks"]}
    assert levels["patient-exports has a bucket policy that lets anyone in"] == (
        "high",
        "very high",
        "very high",
    )
    assert levels["No MFA-protected break-glass role exists for emergency access"] == (
        "high",
        "moderate",
        "moderate",
    )
    assert levels["patients-db keeps automated backups for fewer than 7 days"] == (
        "low",
        "very high",
        "moderate",
    )
    assert {r["impact"] for r in document["risks"]} == {"very high", "high", "moderate"}
    assert all(r["threat_event"] and r["threat_source"] for r in document["risks"])
