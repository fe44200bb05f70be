"""The inventory as a Terraform plan for checkov, and checkov's verdicts merged as findings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from checks.checkov_findings import CheckovRun, merge, parse_results
from checks.errors import InputError
from checks.evaluate import evaluate
from checks.library import build_registry
from checks.model import Inventory, Resource
from checks.registry import Status
from checks.sources.catalog import build_sources
from checks.sources.registry import SourceRequest
from checks.terraform_plan import load_table, to_plan
from checks.values import UNKNOWN, MadeUp, Secret
from scripts.commands.checkov import checkov_executable

REPO = Path(__file__).resolve().parents[2]
BUCKET = "aws:s3/bucket:Bucket"
SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"


def split_bucket() -> list[Resource]:
    """A bucket whose encryption is declared as a resource of its own, as pulumi_aws v7 does."""
    return [
        Resource(BUCKET, "docs", {"bucket": "acme-docs"}, id="acme-docs"),
        Resource(
            SSE,
            "docs-sse",
            {
                "bucket": "acme-docs",
                "rules": [
                    {
                        "apply_server_side_encryption_by_default": {
                            "sse_algorithm": "aws:kms",
                            "kms_master_key_id": "arn:aws:kms:us-east-1:111122223333:key/k1",
                        },
                        "bucket_key_enabled": True,
                    }
                ],
            },
            id="acme-docs",
        ),
    ]


@pytest.fixture(scope="module")
def stack_types() -> set[str]:
    program = build_sources().default
    found: set[str] = set()
    for stack in ("dev", "prod"):
        collected = program.collect(SourceRequest(program_dir=REPO, stack=stack))
        found |= {r.type for r in collected.resources}
    return found


def test_every_type_the_stacks_declare_has_a_terraform_type(stack_types):
    aws_types = {t for t in stack_types if t.startswith("aws:")}
    assert len(aws_types) >= 70
    assert sorted(aws_types - set(load_table().types)) == []


def test_types_do_not_convert_mechanically():
    types = load_table().types
    assert types["aws:rds/instance:Instance"] == "aws_db_instance"
    assert types["aws:cloudtrail/trail:Trail"] == "aws_cloudtrail"
    assert types["aws:lb/loadBalancer:LoadBalancer"] == "aws_lb"
    assert types["aws:cfg/recorder:Recorder"] == "aws_config_configuration_recorder"
    assert types[SSE] == "aws_s3_bucket_server_side_encryption_configuration"


def test_split_bucket_setting_references_its_bucket_and_names_blocks_singular():
    plan = to_plan(split_bucket())
    doc = plan.document
    planned = {r["address"]: r for r in doc["planned_values"]["root_module"]["resources"]}
    sse = planned["aws_s3_bucket_server_side_encryption_configuration.docs-sse"]
    assert sse["values"]["rule"][0]["apply_server_side_encryption_by_default"] == {
        "sse_algorithm": "aws:kms",
        "kms_master_key_id": "arn:aws:kms:us-east-1:111122223333:key/k1",
    }
    assert "rules" not in sse["values"]
    configured = {r["address"]: r for r in doc["configuration"]["root_module"]["resources"]}
    assert configured["aws_s3_bucket_server_side_encryption_configuration.docs-sse"][
        "expressions"
    ] == {"bucket": {"references": ["aws_s3_bucket.docs.id", "aws_s3_bucket.docs"]}}
    # The bucket's own name is the setting's id too: it must not reference the setting.
    assert configured["aws_s3_bucket.docs"]["expressions"] == {}
    assert (
        plan.referenced("aws_s3_bucket_server_side_encryption_configuration.docs-sse")[0].name
        == "docs"
    )


def test_unknown_made_up_and_secret_values_are_left_out_never_guessed():
    res = Resource(
        "aws:rds/instance:Instance",
        "db",
        {
            "storage_encrypted": True,
            "kms_key_id": UNKNOWN,
            "identifier": MadeUp("db-1234"),
            "password": Secret("hunter2-plaintext"),
            "tags": {"owner": "billing"},
        },
    )
    plan = to_plan([res])
    text = json.dumps(plan.document)
    assert "hunter2-plaintext" not in text and "db-1234" not in text
    change = plan.document["resource_changes"][0]["change"]
    assert change["after"] == {"storage_encrypted": True, "tags": {"owner": "billing"}}
    assert change["after_unknown"] == {"kms_key_id": True, "identifier": True, "password": True}
    assert change["after_sensitive"] == {"password": True}
    assert plan.withheld == {"aws_db_instance.db": ("identifier", "kms_key_id", "password")}


def test_types_without_a_terraform_equivalent_are_counted_and_left_out():
    plan = to_plan([Resource("aws:made/up:Thing", "x", {}), *split_bucket()])
    assert plan.unmapped_types == ("aws:made/up:Thing",)
    assert sorted(plan.addresses) == [
        "aws_s3_bucket.docs",
        "aws_s3_bucket_server_side_encryption_configuration.docs-sse",
    ]


def test_clashing_names_get_distinct_addresses():
    plan = to_plan(
        [Resource(BUCKET, "a b", {}), Resource(BUCKET, "a.b", {}), Resource(BUCKET, "9", {})]
    )
    assert sorted(plan.addresses) == [
        "aws_s3_bucket.a_b",
        "aws_s3_bucket.a_b_2",
        "aws_s3_bucket.r_9",
    ]


def _failed(check_id: str, address: str, name: str = "a checkov check") -> dict:
    return {"check_id": check_id, "resource": address, "check_name": name}


def _evaluate(resources: list[Resource]):
    return evaluate(Inventory(resources), build_registry())


def test_merge_adds_hipaa_mapped_failures_and_lets_ours_win():
    resources = [
        *split_bucket(),
        Resource("aws:sns/topic:Topic", "alerts", {"name": "alerts"}, id="alerts"),
    ]
    evaluation = _evaluate(resources)
    plan = to_plan(resources)
    run = CheckovRun(
        "3.3.30",
        failed=(
            _failed("CKV2_AWS_62", "aws_s3_bucket.docs", "S3 event notifications"),
            _failed("CKV_AWS_145", "aws_s3_bucket.docs"),  # S3-01: ours judged the bucket
            _failed("CKV_AWS_999", "aws_s3_bucket.docs"),  # no control lists it
        ),
        passed=(_failed("CKV_AWS_19", "aws_s3_bucket.docs"),),
        plan=plan,
    )
    merged = merge(evaluation, run)
    added = [f for f in merged.evaluation.findings if f.check.id.startswith("checkov:")]
    assert [(f.check.id, f.status, f.resource.name) for f in added] == [
        ("checkov:CKV2_AWS_62", Status.FAIL, "docs")
    ]
    assert added[0].check.citations == ("164.312(b)",)
    assert added[0].check.control == "S3-07"
    assert added[0].check.tool == "checkov"
    ours = [
        f
        for f in merged.evaluation.findings
        if f.check.control == "S3-01" and f.resource is not None and f.resource.name == "docs"
    ]
    assert ours and all(f.evidence["checkov_also_fails"] == ["CKV_AWS_145"] for f in ours)
    assert merged.summary["not_hipaa_mapped"] == {"CKV_AWS_999": 1}
    assert merged.summary["passed_not_used"] == 1
    assert merged.summary["deduplicated"] == 1
    assert merged.evaluation.registry.get("checkov:CKV2_AWS_62") is added[0].check
    # A checkov pass never becomes a PASS of ours.
    assert not [f for f in merged.evaluation.findings if f.check.id == "checkov:CKV_AWS_19"]


def test_a_checkov_failure_on_a_plan_with_values_left_out_is_not_evaluated():
    resources = [Resource(BUCKET, "docs", {"bucket": "acme-docs", "tags": UNKNOWN}, id="acme-docs")]
    run = CheckovRun(
        "3.3.30", (_failed("CKV2_AWS_62", "aws_s3_bucket.docs"),), (), to_plan(resources)
    )
    merged = merge(_evaluate(resources), run)
    found = merged.evaluation.findings
    added = [f for f in found if f.check.id == "checkov:CKV2_AWS_62"]
    assert [f.status for f in added] == [Status.NOT_EVALUATED]
    assert added[0].evidence["left_out"] == ["tags"]


def test_parse_results_reads_one_report_or_several():
    report = {
        "check_type": "terraform_plan",
        "results": {"failed_checks": [{"check_id": "CKV_AWS_1"}], "passed_checks": []},
        "summary": {"checkov_version": "3.3.30"},
    }
    assert parse_results(report) == ("3.3.30", [{"check_id": "CKV_AWS_1"}], [])
    assert parse_results([report, {"check_type": "secrets", "results": {}}])[1] == [
        {"check_id": "CKV_AWS_1"}
    ]


def test_missing_checkov_environment_names_the_script(tmp_path, monkeypatch):
    monkeypatch.setenv("SAFEGUARD_CHECKOV_VENV", str(tmp_path / "absent"))
    with pytest.raises(InputError) as err:
        checkov_executable()
    assert str(err.value) == (
        f"--with-checkov: checkov's environment {tmp_path / 'absent'} is missing; create it "
        "with `bash scripts/setup_checkov.sh`"
    )
