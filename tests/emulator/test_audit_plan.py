"""`--checks`: the audit reads only what the selected checks need, and a type it skipped is a
gap, never an empty list."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from checks.model import Inventory
from checks.sources.aws.collectors import all_collectors
from checks.sources.aws.source import plan

COLLECTORS = all_collectors()
REPO = Path(__file__).resolve().parents[2]
SAFEGUARD = REPO / ".venv" / "bin" / "safeguard"


def _audit(aws, tmp_path, *options: str) -> dict:
    out = tmp_path / "o"
    run = subprocess.run(
        [str(SAFEGUARD), "audit", "--endpoint-url", aws.endpoint, "--out", str(out), "--force",
         "--format", "json", "-q", *options],
        capture_output=True, text=True, timeout=300, env=aws.env, check=False,
    )  # fmt: skip
    assert run.returncode in (0, 1, 3), run.stderr
    return json.loads((out / "safeguard-scan.json").read_text())


def test_selected_checks_read_only_their_services(aws, tmp_path):
    aws.client("s3").create_bucket(Bucket="plan-records")
    full = _audit(aws, tmp_path)
    only = _audit(aws, tmp_path, "--checks", "s3_bucket_versioning_enabled,s3_bucket_sse_kms")
    assert {f["check_id"] for f in only["findings"]} == {
        "s3_bucket_versioning_enabled", "s3_bucket_sse_kms"
    }  # fmt: skip
    assert only["source"]["api_calls"] < full["source"]["api_calls"] / 5
    verdicts = {f["check_id"]: f["status"] for f in only["findings"]}
    assert verdicts == {
        f["check_id"]: f["status"] for f in full["findings"] if f["check_id"] in verdicts
    }
    assert {r["type"] for r in only["inventory"]["items"]} <= {
        t for c in COLLECTORS if "aws:s3/bucket:Bucket" in c.types for t in c.types
    }


def test_an_unknown_selector_stops_the_audit_before_any_call(aws, tmp_path):
    run = subprocess.run(
        [str(SAFEGUARD), "audit", "--endpoint-url", "http://127.0.0.1:9", "--out",
         str(tmp_path / "o"), "--checks", "s3_bucket_versoning_enabled"],
        capture_output=True, text=True, timeout=60, env=aws.env, check=False,
    )  # fmt: skip
    assert run.returncode == 2
    assert "--checks 's3_bucket_versoning_enabled'" in run.stderr.splitlines()[-1]


def test_a_type_left_out_of_the_plan_is_a_gap_for_any_check_that_reads_it():
    planned, skipped = plan(COLLECTORS, {"aws:s3/bucket:Bucket"})
    assert planned and all("aws:s3/bucket:Bucket" in c.types for c in planned)
    assert "aws:ec2/securityGroup:SecurityGroup" in skipped
    assert not set(skipped) & {t for c in planned for t in c.types}
    inventory = Inventory([], gaps=skipped)
    try:
        inventory.by_type("aws:ec2/securityGroup:SecurityGroup")
    except Exception as exc:  # noqa: BLE001 - the type of Undecidable is the model's
        assert "not read" in str(exc)
    else:
        raise AssertionError("a skipped type read as empty")
