"""S3 access checks: ACLs disabled, public bucket policies, the account public access block."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from checks.aws.s3_access import (
    s3_account_public_access_block,
    s3_bucket_acls_disabled,
    s3_bucket_policy_not_public,
)
from checks.evaluate import evaluate
from checks.library import build_registry
from checks.model import SECRET, UNKNOWN, Inventory, MadeUp, Resource, Undecidable
from checks.registry import Status
from checks.sources.preview import load_preview

NAME = "phi-records-1a2b3c"
BUCKET = "aws:s3/bucket:Bucket"


def bucket(**props) -> Resource:
    return Resource(
        "aws:s3/bucket:Bucket",
        "phi",
        {"bucket": NAME, **props},
        id=NAME,
        arn=f"arn:aws:s3:::{NAME}",
    )


def companion(kind: str, name: str, **props) -> Resource:
    token = f"aws:s3/{kind[0].lower()}{kind[1:]}:{kind}"
    return Resource(token, name, {"bucket": NAME, **props}, urn=f"urn:{name}")


def policy(**statement) -> Resource:
    doc = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{NAME}/*",
                **statement,
            }
        ],
    }
    return companion("BucketPolicy", "phi-policy", policy=json.dumps(doc))


def run(fn, target: Resource, *others: Resource):
    return fn(target, Inventory([target, *others]))


# -- s3_bucket_acls_disabled -----------------------------------------------------------------------


def test_default_ownership_with_no_acl_passes():
    result = run(s3_bucket_acls_disabled, bucket())
    assert result.status is Status.PASS
    assert result.evidence == {"object_ownership": "BucketOwnerEnforced", "declared_acls": []}


def test_object_writer_ownership_fails():
    owner = companion(
        "BucketOwnershipControls", "phi-owner", rule={"object_ownership": "ObjectWriter"}
    )
    result = run(s3_bucket_acls_disabled, bucket(), owner)
    assert (result.status, result.evidence["object_ownership"]) == (Status.FAIL, "ObjectWriter")


def test_declared_acl_fails_and_private_acl_is_harmless():
    acl = companion("BucketAcl", "phi-acl", acl="log-delivery-write")
    result = run(s3_bucket_acls_disabled, bucket(), acl)
    assert (result.status, result.evidence["declared_acls"]) == (Status.FAIL, ["urn:phi-acl"])
    assert run(s3_bucket_acls_disabled, bucket(acl="private")).status is Status.PASS


def test_the_owners_own_grant_is_not_an_acl_but_a_grant_to_all_users_is():
    owner_grant = {"type": "CanonicalUser", "id": "abc123", "permissions": ["FULL_CONTROL"]}
    assert run(s3_bucket_acls_disabled, bucket(grants=[owner_grant])).status is Status.PASS
    public = {
        "type": "Group",
        "uri": "http://acs.amazonaws.com/groups/global/AllUsers",
        "permissions": ["READ"],
    }
    result = run(s3_bucket_acls_disabled, bucket(grants=[owner_grant, public]))
    assert (result.status, result.evidence["declared_acls"]) == (Status.FAIL, [public])


def test_unknown_ownership_is_undecidable():
    owner = companion("BucketOwnershipControls", "phi-owner", rule=UNKNOWN)
    with pytest.raises(Undecidable):
        run(s3_bucket_acls_disabled, bucket(), owner)


# -- s3_bucket_policy_not_public -------------------------------------------------------------------


def test_policy_granting_everyone_fails():
    result = run(s3_bucket_policy_not_public, bucket(), policy(Principal="*"))
    assert result.status is Status.FAIL
    [statement] = result.evidence["public_statements"]
    assert (statement["policy"], statement["principal"]) == ("phi-policy", "*")


def test_conditioned_or_named_principals_pass():
    conditioned = policy(Principal="*", Condition={"StringEquals": {"aws:PrincipalOrgID": "o-1"}})
    named = policy(Principal={"AWS": "arn:aws:iam::111122223333:role/app"})
    assert run(s3_bucket_policy_not_public, bucket(), conditioned).status is Status.PASS
    result = run(s3_bucket_policy_not_public, bucket(), named)
    assert (result.status, result.evidence) == (Status.PASS, {"public_statements": []})


def test_unknown_policy_is_undecidable():
    with pytest.raises(Undecidable):
        run(s3_bucket_policy_not_public, bucket(), companion("BucketPolicy", "p", policy=UNKNOWN))


# -- the join from a bucket setting to its bucket ------------------------------------------------

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
    stack = "urn:pulumi:dev::compliance-demo::"
    for token, name, inputs in settings:
        urn = f"{stack}{token}::{name}"
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


@pytest.mark.parametrize("named_by", ["bkt-1", "arn:aws:s3:::bkt-1"])
def test_preview_policy_naming_the_bucket_literally_is_judged_with_it(tmp_path, named_by):
    """The bucket's id is unknown in a preview; its physical name (or ARN) names it."""
    inputs = {"bucket": named_by, "policy": json.dumps(PUBLIC_DOC)}
    found, _ = preview_with(tmp_path, "bkt-1", (POLICY_V2, "open", inputs))
    verdict = found["s3_bucket_policy_not_public"]
    assert verdict.status is Status.FAIL
    assert verdict.evidence["public_statements"][0]["policy"] == "open"


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
    assert found["s3_bucket_versioning_enabled"].status is Status.PASS
    assert found["s3_bucket_public_access_blocked"].status is Status.PASS


def test_a_setting_naming_another_bucket_leaves_a_named_bucket_alone(tmp_path):
    inputs = {"bucket": "bucket-of-another-stack", "policy": json.dumps(PUBLIC_DOC)}
    found, evaluation = preview_with(tmp_path, "bkt-1", (POLICY_V2, "theirs", inputs))
    assert found["s3_bucket_policy_not_public"].status is Status.PASS
    assert POLICY_V2 in evaluation.uncovered_types  # nothing judged the other stack's policy


def test_a_setting_naming_no_bucket_here_may_be_a_bucket_whose_name_is_not_known(tmp_path):
    inputs = {"bucket": "bkt-9", "policy": json.dumps(PUBLIC_DOC)}
    found, _ = preview_with(tmp_path, PREVIEW_UNKNOWN, (POLICY_V2, "maybe", inputs))
    verdict = found["s3_bucket_policy_not_public"]
    assert verdict.status is Status.NOT_EVALUATED
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


# -- s3_account_public_access_block ----------------------------------------------------------------

FLAGS = (
    "block_public_acls",
    "block_public_policy",
    "ignore_public_acls",
    "restrict_public_buckets",
)


def account_block(**flags) -> Resource:
    return Resource("aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock", "account", flags)


def test_account_block_with_every_flag_passes_and_names_itself():
    block = account_block(**dict.fromkeys(FLAGS, True))
    [result] = s3_account_public_access_block(Inventory([bucket(), block]))
    assert (result.status, result.resource) == (Status.PASS, block)
    assert result.evidence == dict.fromkeys(FLAGS, True)


def test_missing_or_partial_account_block_fails():
    [missing] = s3_account_public_access_block(Inventory([bucket()]))
    assert missing.status is Status.FAIL
    [partial] = s3_account_public_access_block(
        Inventory([bucket(), account_block(block_public_acls=True)])
    )
    assert partial.status is Status.FAIL
    assert partial.evidence["restrict_public_buckets"] is False


def test_no_bucket_means_nothing_to_report_and_unknown_flag_is_undecidable():
    assert s3_account_public_access_block(Inventory([account_block()])) == []
    with pytest.raises(Undecidable):
        s3_account_public_access_block(
            Inventory([bucket(), account_block(block_public_acls=UNKNOWN)])
        )
