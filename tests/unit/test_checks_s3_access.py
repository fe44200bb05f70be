"""S3 access checks: ACLs disabled, public bucket policies, the account public access block."""

from __future__ import annotations

import json

import pytest

from checks.aws.s3_access import (
    s3_account_public_access_block,
    s3_bucket_acls_disabled,
    s3_bucket_policy_not_public,
)
from checks.model import UNKNOWN, Inventory, Resource, Undecidable
from checks.registry import Status

NAME = "phi-records-1a2b3c"


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
