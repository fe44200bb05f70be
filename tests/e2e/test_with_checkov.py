"""`safeguard scan --with-checkov`, run as a user would, against checkov in .venv-checkov.

The tests that need checkov skip when .venv-checkov is absent, except in CI (CI set), where
.ci/run creates it and its absence is a failure.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from checks.model import Resource
from checks.terraform_plan import to_plan
from scripts.commands.checkov import run_checkov

REPO = Path(__file__).resolve().parents[2]
SAFEGUARD = Path(sys.executable).with_name("safeguard")
CHECKOV = REPO / ".venv-checkov" / "bin" / "checkov"
BUCKET = "aws:s3/bucket:Bucket"
SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"


@pytest.fixture(scope="module")
def checkov() -> Path:
    if not CHECKOV.is_file():
        if os.environ.get("CI"):
            pytest.fail("CI is set but .venv-checkov is missing: run scripts/setup_checkov.sh")
        pytest.skip("checkov's environment is absent (bash scripts/setup_checkov.sh)")
    return CHECKOV


def _scan(out: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(SAFEGUARD), "scan", *args, "--format", "json,sarif", "--out", str(out), "-q"],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, **(env or {})},
        timeout=600,
        check=False,
    )


def _checkov_findings(out: Path) -> list[tuple[str, str, str, str]]:
    record = json.loads((out / "safeguard-scan.json").read_text())
    return sorted(
        (f["check_id"], f["status"], f["resource"]["name"], f["tool"])
        for f in record["findings"]
        if f["check_id"].startswith("checkov:")
    )


def test_missing_environment_is_one_line_naming_the_script(tmp_path):
    done = _scan(
        tmp_path / "out",
        "tests/programs/one_bucket",
        "--with-checkov",
        env={"SAFEGUARD_CHECKOV_VENV": str(tmp_path / "nowhere")},
    )
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "bash scripts/setup_checkov.sh" in lines[0] and "--with-checkov" in lines[0]
    assert not (tmp_path / "out").exists()


def _split_bucket(linked: bool) -> list[Resource]:
    rules = [{"apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms"}}]
    # Unlinked: the setting names a bucket the plan does not hold, so no reference is written.
    return [
        Resource(BUCKET, "docs", {"bucket": "acme-docs"}, id="acme-docs"),
        Resource(
            SSE, "docs-sse", {"bucket": "acme-docs" if linked else "elsewhere", "rules": rules}
        ),
    ]


def _verdicts(resources: list[Resource], tmp_path: Path, exe: Path) -> dict[str, str]:
    plan_file = tmp_path / "plan.json"
    plan_file.write_text(json.dumps(to_plan(resources).document))
    report = run_checkov(plan_file, exe, timeout=300)
    results = report["results"]
    found = {}
    for status, key in (("PASSED", "passed_checks"), ("FAILED", "failed_checks")):
        for r in results[key]:
            if r["resource"] == "aws_s3_bucket.docs" and r["check_id"] in (
                "CKV_AWS_145",
                "CKV_AWS_19",
            ):
                found[r["check_id"]] = status
    return found


def test_split_bucket_with_encryption_passes_checkovs_encryption_checks(checkov, tmp_path):
    assert _verdicts(_split_bucket(True), tmp_path, checkov) == {
        "CKV_AWS_145": "PASSED",
        "CKV_AWS_19": "PASSED",
    }
    # Without the configuration reference checkov cannot link them: the false failure the
    # references prevent.
    assert _verdicts(_split_bucket(False), tmp_path, checkov)["CKV_AWS_145"] == "FAILED"


def test_insecure_program_gains_checkov_findings_with_hipaa_citations(checkov, tmp_path):
    out = tmp_path / "out"
    done = _scan(out, "tests/programs/insecure", "--with-checkov")
    assert done.returncode == 1, done.stderr
    assert _checkov_findings(out) == [("checkov:CKV2_AWS_62", "FAIL", "patient-exports", "checkov")]
    record = json.loads((out / "safeguard-scan.json").read_text())
    added = [f for f in record["findings"] if f["check_id"] == "checkov:CKV2_AWS_62"][0]
    assert added["citations"] == ["164.312(b)"] and added["control"] == "S3-07"
    assert record["source"]["checkov"]["version"] == "3.3.30"
    # Ours won where both judged the same control: the bucket's public access, for one.
    blocked = [
        f
        for f in record["findings"]
        if f["check_id"] == "s3_bucket_public_access_blocked" and f["status"] == "FAIL"
    ][0]
    assert "CKV_AWS_53" in blocked["evidence"]["checkov_also_fails"]
    assert record["source"]["checkov"]["deduplicated"] >= 20
    sarif = json.loads((out / "safeguard-scan.sarif").read_text())
    rules = {r["id"]: r for r in sarif["runs"][0]["tool"]["driver"]["rules"]}
    assert rules["checkov:CKV2_AWS_62"]["properties"]["tool"] == "checkov"
    assert [r["ruleId"] for r in sarif["runs"][0]["results"]].count("checkov:CKV2_AWS_62") == 1


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_hardened_stacks_gain_only_the_justified_checkov_failures(checkov, tmp_path, stack):
    out = tmp_path / "out"
    done = _scan(
        out, ".", "--stack", stack, "--with-checkov", env={"HTTPS_PROXY": "http://127.0.0.1:9"}
    )
    assert done.returncode in (0, 1), done.stderr
    # The README ("checkov beside the checks") says why these three remain: no bucket of the
    # stacks sends S3 event notifications yet.
    assert _checkov_findings(out) == [
        ("checkov:CKV2_AWS_62", "FAIL", name, "checkov")
        for name in ("access-logs", "audit-evidence", "billing-documents")
    ]
