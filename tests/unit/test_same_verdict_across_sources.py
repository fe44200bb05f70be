"""One check body, every source: the same resources seen through the Pulumi program (under
mocks), a `pulumi preview --json --show-sames` file and a `pulumi stack export` file get the
same verdict from every check.

The fixtures describe the stack the program below deploys (project `verdict`, stack `dev`): an
unencrypted RDS instance, and an S3 bucket with SSE-KMS, suspended versioning, a full public
access block and a TLS-only bucket policy, each setting a resource of its own.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from checks.evaluate import evaluate
from checks.library import build_registry
from checks.model import Inventory
from checks.registry import Status
from checks.sources.preview import load_preview
from checks.sources.program import scan_program
from checks.sources.state import load_state

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "pulumi"

PROGRAM = """
import json

import pulumi_aws as aws

BUCKET = "verdict-records-5e6f7a8"
KMS_KEY = "arn:aws:kms:us-east-1:123456789012:key/0b1c2d3e-4f5a-6b7c-8d9e-0f1a2b3c4d5e"

aws.rds.Instance(
    "verdict-db",
    identifier="verdict-db-4c1d2e3",
    engine="postgres",
    engine_version="16.3",
    instance_class="db.t4g.micro",
    allocated_storage=20,
    username="app",
    manage_master_user_password=True,
    storage_encrypted=False,
    publicly_accessible=False,
    backup_retention_period=7,
    deletion_protection=True,
    skip_final_snapshot=True,
    tags={"data-classification": "ePHI"},
)
bucket = aws.s3.Bucket("verdict-records", bucket=BUCKET, tags={"data-classification": "ePHI"})
aws.s3.BucketServerSideEncryptionConfiguration(
    "verdict-records-sse",
    bucket=bucket.id,
    rules=[{
        "apply_server_side_encryption_by_default": {
            "sse_algorithm": "aws:kms", "kms_master_key_id": KMS_KEY},
        "bucket_key_enabled": True,
    }],
)
aws.s3.BucketVersioning(
    "verdict-records-versioning",
    bucket=bucket.id,
    versioning_configuration={"status": "Suspended"},
)
aws.s3.BucketPublicAccessBlock(
    "verdict-records-pab",
    bucket=bucket.id,
    block_public_acls=True,
    block_public_policy=True,
    ignore_public_acls=True,
    restrict_public_buckets=True,
)
aws.s3.BucketPolicy(
    "verdict-records-tls",
    bucket=bucket.id,
    policy=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "DenyInsecureTransport",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": [f"arn:aws:s3:::{BUCKET}", f"arn:aws:s3:::{BUCKET}/*"],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        }],
    }),
)
"""

Verdicts = dict[tuple[str, str], Status]


def verdicts(resources) -> Verdicts:
    evaluation = evaluate(Inventory(resources), build_registry())
    return {
        (f.check.id, f.resource.urn if f.resource else "account"): f.status
        for f in evaluation.findings
    }


@pytest.fixture(scope="module")
def by_source(tmp_path_factory) -> dict[str, Verdicts]:
    program = tmp_path_factory.mktemp("verdict")
    (program / "Pulumi.yaml").write_text("name: verdict\nruntime: python\n")
    (program / "Pulumi.dev.yaml").write_text("config:\n  aws:region: us-east-1\n")
    (program / "__main__.py").write_text(textwrap.dedent(PROGRAM))
    return {
        "program": verdicts(scan_program(program).resources),
        "preview": verdicts(load_preview(FIXTURES / "preview_same_verdict.json").resources),
        "state": verdicts(load_state(FIXTURES / "state_same_verdict.json").resources),
    }


URN = "urn:pulumi:dev::verdict::"
DB = URN + "aws:rds/instance:Instance::verdict-db"
BUCKET = URN + "aws:s3/bucket:Bucket::verdict-records"


def test_every_source_sees_the_expected_verdicts(by_source):
    for source, found in by_source.items():
        assert found[("rds_storage_encrypted_cmk", DB)] is Status.FAIL, source
        assert found[("rds_instance_not_public", DB)] is Status.PASS, source
        assert found[("rds_backup_retention_7_days", DB)] is Status.PASS, source
        assert found[("s3_bucket_sse_kms", BUCKET)] is Status.PASS, source
        assert found[("s3_bucket_versioning_enabled", BUCKET)] is Status.FAIL, source
        assert found[("s3_bucket_public_access_blocked", BUCKET)] is Status.PASS, source
        assert found[("s3_bucket_tls_only", BUCKET)] is Status.PASS, source


@pytest.mark.parametrize("source", ["preview", "state"])
def test_file_sources_agree_with_the_program_on_every_check(by_source, source):
    program, other = by_source["program"], by_source[source]
    assert set(other) == set(program)
    disagreements = {
        key: (program[key], other[key]) for key in program if program[key] != other[key]
    }
    assert disagreements == {}
