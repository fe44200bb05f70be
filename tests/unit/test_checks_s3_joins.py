"""The join from an S3 bucket setting (a companion resource) to its bucket, in hand-built
inventories and in a preview where the bucket's id is not known yet."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from checks.evaluate import evaluate
from checks.library import build_registry
from checks.model import SECRET, UNKNOWN, Inventory, MadeUp, Resource, Undecidable
from checks.registry import Status
from checks.sources.preview import load_preview

NAME = "phi-records-1a2b3c"
BUCKET = "aws:s3/bucket:Bucket"


def bucket(**props) -> Resource:
    return Resource(BUCKET, "phi", {"bucket": NAME, **props}, id=NAME, arn=f"arn:aws:s3:::{NAME}")


def companion(kind: str, name: str, **props) -> Resource:
    token = f"aws:s3/{kind[0].lower()}{kind[1:]}:{kind}"
    return Resource(token, name, {"bucket": NAME, **props}, urn=f"urn:{name}")


FIRST_CREATE = Path(__file__).parents[1] / "fixtures" / "pulumi" / "preview_first_create.json"
PREVIEW_UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
PUBLIC_DOC = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
         "Resource": "arn:aws:s3:::bkt-1/*"}
    ],
}  # fmt: skip


def preview_with(tmp_path, bucket_name, *settings: tuple[str, str, dict]):
    """preview_first_create.json with its bucket named `bucket_name` and `settings` (type, name,
    inputs) created beside it instead of its own, read by the preview source and judged by the
    whole library."""
    doc = json.loads(FIRST_CREATE.read_text())
    # Its encryption setting names the bucket by `bucket.id`, unknown in a first preview.
    doc["steps"] = [s for s in doc["steps"] if not s["urn"].endswith("::logs-sse")]
    bucket_step = next(s for s in doc["steps"] if s["urn"].endswith("::logs-bucket"))
    bucket_step["newState"]["inputs"]["bucket"] = bucket_name
    for token, name, inputs in settings:
        urn = f"{STACK}{token}::{name}"
        doc["steps"].append(
            {
                "op": "create",
                "urn": urn,
                "newState": {"urn": urn, "custom": True, "type": token, "inputs": inputs},
            }
        )
    path = tmp_path / "preview.json"
    path.write_text(json.dumps(doc))
    evaluation = evaluate(Inventory(load_preview(path).resources), build_registry())
    return {
        f.check.id: f
        for f in evaluation.findings
        if f.resource is not None and f.resource.address == bucket_step["urn"]
    }, evaluation


POLICY_V2 = "aws:s3/bucketPolicy:BucketPolicy"
STACK = "urn:pulumi:dev::compliance-demo::"


@pytest.mark.parametrize("named_by", ["bkt-1", "arn:aws:s3:::bkt-1"])
def test_preview_policy_naming_the_bucket_literally_is_judged_with_it(tmp_path, named_by):
    """The bucket's id is unknown in a preview; its physical name (or ARN) names it."""
    inputs = {"bucket": named_by, "policy": json.dumps(PUBLIC_DOC)}
    found, _ = preview_with(tmp_path, "bkt-1", (POLICY_V2, "open", inputs))
    verdict = found["s3_bucket_policy_not_public"]
    assert (verdict.status, dict(verdict.evidence)) == (
        Status.FAIL,
        {
            "public_statements": [
                {"policy": "open", "statement": "Statement[0]", "effect": "Allow",
                 "action": ["s3:GetObject"], "resource": ["arn:aws:s3:::bkt-1/*"],
                 "principal": "*"}
            ]
        },
    )  # fmt: skip


def test_preview_settings_naming_the_bucket_literally_are_joined_for_every_kind(tmp_path):
    versioning = (
        "aws:s3/bucketVersioningV2:BucketVersioningV2",
        "ver",
        {"bucket": "bkt-1", "versioningConfiguration": {"status": "Enabled"}},
    )
    block = ("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "pab",
             {"bucket": "arn:aws:s3:::bkt-1", "blockPublicAcls": True, "blockPublicPolicy": True,
              "ignorePublicAcls": True, "restrictPublicBuckets": True})  # fmt: skip
    found, _ = preview_with(tmp_path, "bkt-1", versioning, block)
    versioned = found["s3_bucket_versioning_enabled"]
    assert (versioned.status, dict(versioned.evidence)) == (
        Status.PASS,
        {"versioning_status": "Enabled", "declared_by": f"{STACK}{versioning[0]}::ver"},
    )
    blocked = found["s3_bucket_public_access_blocked"]
    assert (blocked.status, dict(blocked.evidence)) == (
        Status.PASS,
        {"block_public_acls": True, "block_public_policy": True, "ignore_public_acls": True,
         "restrict_public_buckets": True, "public_acl": None},
    )  # fmt: skip


def test_a_setting_naming_another_bucket_leaves_a_named_bucket_alone(tmp_path):
    inputs = {"bucket": "bucket-of-another-stack", "policy": json.dumps(PUBLIC_DOC)}
    found, evaluation = preview_with(tmp_path, "bkt-1", (POLICY_V2, "theirs", inputs))
    verdict = found["s3_bucket_policy_not_public"]
    assert (verdict.status, dict(verdict.evidence)) == (Status.PASS, {"public_statements": []})
    assert POLICY_V2 in evaluation.uncovered_types  # nothing judged the other stack's policy


def test_a_setting_naming_no_bucket_here_may_be_a_bucket_whose_name_is_not_known(tmp_path):
    inputs = {"bucket": "bkt-9", "policy": json.dumps(PUBLIC_DOC)}
    found, _ = preview_with(tmp_path, PREVIEW_UNKNOWN, (POLICY_V2, "maybe", inputs))
    verdict = found["s3_bucket_policy_not_public"]
    assert (verdict.status, dict(verdict.evidence)) == (Status.NOT_EVALUATED, {})
    assert "'bkt-9', which may be logs-bucket" in verdict.message


def test_companion_join_follows_the_physical_name_and_the_arn():
    named = Resource(BUCKET, "b", {"bucket": "bkt-1"}, urn="urn:b")  # id not known yet
    by_name = companion("BucketPolicy", "by-name", bucket="bkt-1")
    by_arn = companion("BucketVersioning", "by-arn", bucket="arn:aws-us-gov:s3:::bkt-1")
    inv = Inventory([named, by_name, by_arn])
    assert inv.bucket_companions(named) == {"policy": [by_name], "versioning": [by_arn]}


@pytest.mark.parametrize("name", [UNKNOWN, SECRET, None])
def test_an_unmatched_setting_makes_a_bucket_with_no_known_name_undecidable(name):
    nameless = Resource(BUCKET, "b", {"bucket": name}, urn="urn:b")
    elsewhere = companion("BucketPolicy", "p", bucket="bkt-9")
    with pytest.raises(Undecidable, match="which may be b"):
        Inventory([nameless, elsewhere]).bucket_companions(nameless)


@pytest.mark.parametrize("ref", [UNKNOWN, SECRET, MadeUp("bkt-1")])
def test_a_setting_whose_bucket_cannot_be_told_makes_every_bucket_undecidable(ref):
    other = companion("BucketPolicy", "p", bucket=ref)
    with pytest.raises(Undecidable):
        Inventory([bucket(), other]).bucket_companions(bucket())
