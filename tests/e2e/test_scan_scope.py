"""A service stack's scan reports what the stack deploys: a one-bucket program gets findings
about its bucket only, the account baseline named once as out of its scope; `--scope account`
adds the baseline (checks/scope.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

PROGRAM = Path(__file__).resolve().parents[1] / "programs" / "one_bucket"
SAFEGUARD = Path(sys.executable).with_name("safeguard")


def _scan(out: Path, *options: str) -> tuple[dict, str]:
    proc = subprocess.run(
        [str(SAFEGUARD), "scan", str(PROGRAM), "--out", str(out), "--format", "json,md", *options],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 1, proc.stderr  # the bucket fails checks of its own
    doc = json.loads((out / "safeguard-scan.json").read_text())
    return doc, (out / "safeguard-scan.md").read_text()


def test_a_one_bucket_program_gets_findings_about_its_bucket_only(tmp_path):
    doc, summary = _scan(tmp_path)
    judged = {(f["resource"] or {}).get("name") for f in doc["findings"]}
    assert judged == {"uploads"}
    assert doc["source"]["scope"]["account_baseline"] == "not in scope"
    assert summary.count("The account baseline is not in this program's scope") == 1
    failed = sorted(f["check_id"] for f in doc["findings"] if f["status"] == "FAIL")
    assert "guardduty_enabled_all_regions" not in failed
    # Since April 2023 a new bucket blocks public access unless told otherwise.
    assert "s3_bucket_public_access_blocked" not in failed


def test_scope_account_adds_the_baseline(tmp_path):
    doc, summary = _scan(tmp_path, "--scope", "account")
    account = sorted(
        f["check_id"] for f in doc["findings"] if f["resource"] is None and f["status"] == "FAIL"
    )
    assert account == [
        "cloudtrail_enabled_multi_region", "cloudwatch_security_event_alarms",
        "config_recorder_all_resources", "guardduty_enabled_all_regions", "iam_break_glass_role",
        "iam_password_policy_strong", "s3_account_public_access_block", "securityhub_enabled",
    ]  # fmt: skip
    assert doc["source"]["scope"]["account_baseline"] == "judged"
    assert "not in this program's scope" not in summary
    # The PR summary ranks what the change deploys: the bucket's failures come first.
    rows = [line for line in summary.splitlines() if line.startswith("| ") and "`" in line]
    first_account_row = next(i for i, r in enumerate(rows) if "(account)" in r or "account" in r)
    assert all("uploads" in r for r in rows[:first_account_row])
