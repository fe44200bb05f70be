"""S3 exposure: the bucket's public access block and ACLs, and a policy that denies plain HTTP."""

from __future__ import annotations

import json

import pytest

from checks.aws.s3 import s3_bucket_public_access_blocked, s3_bucket_tls_only
from checks.model import UNKNOWN, Inventory, Resource, Undecidable
from checks.registry import Status

NAME = "phi-records-1a2b3c"
ARN = f"arn:aws:s3:::{NAME}"
ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"
AUTHENTICATED_USERS = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
FLAGS = (
    "block_public_acls",
    "block_public_policy",
    "ignore_public_acls",
    "restrict_public_buckets",
)
ALL_BLOCKED = dict.fromkeys(FLAGS, True)
NONE_BLOCKED = dict.fromkeys(FLAGS, False)


def bucket(source="aws", **props) -> Resource:
    """As the live account reports it unless told otherwise: a setting not reported is absent."""
    return Resource(
        "aws:s3/bucket:Bucket", "phi", {"bucket": NAME, **props}, id=NAME, arn=ARN, source=source
    )


def companion(kind: str, name: str, **props) -> Resource:
    token = f"aws:s3/{kind[0].lower()}{kind[1:]}:{kind}"
    return Resource(token, name, {"bucket": NAME, **props}, id=f"{name}-id", urn=f"urn:{name}")


def pab(name: str = "phi-pab", **flags) -> Resource:
    return companion("BucketPublicAccessBlock", name, **flags)


def grant(uri: str) -> dict:
    return {"grants": [{"grantee": {"type": "Group", "uri": uri}, "permission": "READ"}]}


def judge(fn, target: Resource, *others: Resource) -> tuple:
    result = fn(target, Inventory([target, *others]))
    return result.status, dict(result.evidence)


# -- s3_bucket_public_access_blocked -----------------------------------------------------------


def test_all_four_public_access_flags_pass():
    result = s3_bucket_public_access_blocked(bucket(), Inventory([bucket(), pab(**ALL_BLOCKED)]))
    assert (result.status, dict(result.evidence)) == (
        Status.PASS,
        {**ALL_BLOCKED, "public_acl": None},
    )
    assert result.message == "all four public access block settings are on"


@pytest.mark.parametrize("off", FLAGS)
def test_each_flag_left_off_fails_naming_it(off):
    flags = {**ALL_BLOCKED, off: False}
    result = s3_bucket_public_access_blocked(bucket(), Inventory([bucket(), pab(**flags)]))
    assert (result.status, dict(result.evidence)) == (Status.FAIL, {**flags, "public_acl": None})
    assert result.message == f"the public access block leaves {off} off"


def test_a_flag_left_unset_is_off():
    flags = {f: True for f in FLAGS[:3]}
    assert judge(s3_bucket_public_access_blocked, bucket(), pab(**flags)) == (
        Status.FAIL,
        {**flags, "restrict_public_buckets": False, "public_acl": None},
    )


def test_two_blocks_together_may_turn_every_flag_on():
    first = pab("pab-1", block_public_acls=True, block_public_policy=True)
    second = pab("pab-2", ignore_public_acls=True, restrict_public_buckets="true")
    assert judge(s3_bucket_public_access_blocked, bucket(), first, second) == (
        Status.PASS,
        {**ALL_BLOCKED, "public_acl": None},
    )


@pytest.mark.parametrize("source", ["program", "preview"])
def test_a_new_bucket_without_a_block_has_s3s_default_of_all_four_on(source):
    new = bucket(source)
    result = s3_bucket_public_access_blocked(new, Inventory([new]))
    assert (result.status, dict(result.evidence)) == (
        Status.PASS,
        {**dict.fromkeys(NONE_BLOCKED, True), "public_acl": None,
         "by_default": "S3 default for buckets created since 2023-04-28"},
    )  # fmt: skip


def test_a_new_bucket_with_a_public_acl_fails_whatever_the_default():
    new = bucket("program", acl="public-read")
    result = s3_bucket_public_access_blocked(new, Inventory([new]))
    assert (result.status, dict(result.evidence)) == (
        Status.FAIL,
        {**NONE_BLOCKED, "public_acl": "public-read"},
    )


def test_a_state_file_bucket_without_a_block_is_undecidable():
    recorded = bucket("state")
    with pytest.raises(Undecidable, match="since April 2023"):
        s3_bucket_public_access_blocked(recorded, Inventory([recorded]))


def test_no_public_access_block_fails():
    result = s3_bucket_public_access_blocked(bucket(), Inventory([bucket()]))
    assert (result.status, dict(result.evidence)) == (
        Status.FAIL,
        {**NONE_BLOCKED, "public_acl": None},
    )
    assert result.message == "no bucket-level public access block is declared"


@pytest.mark.parametrize("acl", ["public-read", "public-read-write", "authenticated-read"])
def test_a_public_canned_acl_fails_even_with_the_block(acl):
    result = judge(s3_bucket_public_access_blocked, bucket(acl=acl), pab(**ALL_BLOCKED))
    assert result == (Status.FAIL, {**ALL_BLOCKED, "public_acl": acl})


@pytest.mark.parametrize("acl", ["private", "log-delivery-write", "bucket-owner-full-control"])
def test_a_private_canned_acl_passes(acl):
    result = judge(s3_bucket_public_access_blocked, bucket(acl=acl), pab(**ALL_BLOCKED))
    assert result == (Status.PASS, {**ALL_BLOCKED, "public_acl": None})


@pytest.mark.parametrize("uri", [ALL_USERS, AUTHENTICATED_USERS])
def test_an_acl_grant_to_everyone_fails(uri):
    acl = companion("BucketAcl", "phi-acl", access_control_policy=grant(uri))
    result = judge(s3_bucket_public_access_blocked, bucket(), pab(**ALL_BLOCKED), acl)
    assert result == (Status.FAIL, {**ALL_BLOCKED, "public_acl": uri})


def test_an_acl_grant_to_an_account_passes():
    owner = {"grants": [{"grantee": {"type": "CanonicalUser", "id": "abc"}, "permission": "READ"}]}
    acl = companion("BucketAcl", "phi-acl", access_control_policy=owner)
    result = judge(s3_bucket_public_access_blocked, bucket(), pab(**ALL_BLOCKED), acl)
    assert result == (Status.PASS, {**ALL_BLOCKED, "public_acl": None})


def test_every_public_grant_is_named():
    inline = [{"type": "Group", "uri": ALL_USERS, "permissions": ["READ"]}]
    acl = companion("BucketAcl", "phi-acl", acl="public-read-write")
    result = judge(s3_bucket_public_access_blocked, bucket(acl="public-read", grants=inline), acl)
    assert result == (
        Status.FAIL,
        {**NONE_BLOCKED, "public_acl": ["public-read", "public-read-write", ALL_USERS]},
    )


@pytest.mark.parametrize(
    "others",
    [
        (pab(**{**ALL_BLOCKED, "block_public_policy": UNKNOWN}),),
        (pab(**ALL_BLOCKED), companion("BucketAcl", "phi-acl", acl=UNKNOWN)),
        (pab(bucket=UNKNOWN, **ALL_BLOCKED),),
    ],
    ids=["flag", "acl", "block-bucket"],
)
def test_public_access_that_cannot_be_seen_is_undecidable(others):
    with pytest.raises(Undecidable):
        judge(s3_bucket_public_access_blocked, bucket(), *others)


# -- s3_bucket_tls_only -------------------------------------------------------------------------


def tls_policy(resources: list[str], value: object = "false", **statement) -> str:
    deny = {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": resources,
        "Condition": {"Bool": {"aws:SecureTransport": value}},
        **statement,
    }
    return json.dumps({"Version": "2012-10-17", "Statement": [deny]})


def policy(document, name: str = "phi-policy") -> Resource:
    return companion("BucketPolicy", name, policy=document)


BOTH = [ARN, f"{ARN}/*"]
DENIES = (Status.PASS, {"bucket_policy": "urn:phi-policy", "denies_insecure_transport": True})
ALLOWS = (Status.FAIL, {"bucket_policy": "urn:phi-policy", "denies_insecure_transport": False})


@pytest.mark.parametrize(
    "document",
    [
        tls_policy(BOTH),
        tls_policy(["arn:aws:s3:::*"]),
        tls_policy(BOTH, Action="*"),
        tls_policy(BOTH, value=["false"]),
    ],
    ids=["bucket-and-objects", "every-bucket", "every-action", "value-list"],
)
def test_tls_deny_policy_passes(document):
    assert judge(s3_bucket_tls_only, bucket(), policy(document)) == DENIES


def test_tls_deny_as_dict_with_boolean_and_snake_case_keys_passes():
    document = {
        "version": "2012-10-17",
        "statement": {
            "effect": "Deny",
            "principal": {"AWS": "*"},
            "action": ["s3:*"],
            "resource": [f"{ARN}*"],
            "condition": {"BoolIfExists": {"aws:SecureTransport": False}},
        },
    }
    assert judge(s3_bucket_tls_only, bucket(), policy(document)) == DENIES


@pytest.mark.parametrize(
    "document",
    [
        tls_policy([f"{ARN}/*"]),
        tls_policy([ARN]),
        tls_policy(BOTH, "true"),
        tls_policy(BOTH, Effect="Allow"),
        tls_policy(BOTH, Principal={"AWS": "arn:aws:iam::111122223333:root"}),
        tls_policy(BOTH, Action="s3:GetObject"),
        tls_policy(BOTH, Condition={"StringEquals": {"aws:SecureTransport": "false"}}),
    ],
    ids=["objects-only", "bucket-only", "requires-true", "allow", "one-account", "one-action",
         "not-a-bool-test"],
)  # fmt: skip
def test_a_statement_short_of_a_full_tls_deny_fails(document):
    assert judge(s3_bucket_tls_only, bucket(), policy(document)) == ALLOWS


def test_no_bucket_policy_fails():
    assert judge(s3_bucket_tls_only, bucket()) == (Status.FAIL, {"bucket_policy": None})


def test_any_one_of_several_policies_may_deny_plain_http():
    inline = bucket(policy=tls_policy(BOTH))
    other = policy(tls_policy([f"{ARN}/*"]))
    assert judge(s3_bucket_tls_only, inline, other) == (
        Status.PASS,
        {"bucket_policy": ["urn:phi-policy", ARN], "denies_insecure_transport": True},
    )
    neither = bucket(policy=tls_policy([ARN]))
    assert judge(s3_bucket_tls_only, neither, other) == (
        Status.FAIL,
        {"bucket_policy": ["urn:phi-policy", ARN], "denies_insecure_transport": False},
    )


def test_inline_bucket_policy_in_govcloud_is_honoured():
    gov_arn = f"arn:aws-us-gov:s3:::{NAME}"
    res = Resource(
        "aws:s3/bucket:Bucket",
        "phi",
        {"bucket": NAME, "policy": tls_policy([gov_arn, f"{gov_arn}/*"])},
        region="us-gov-west-1",
    )
    assert judge(s3_bucket_tls_only, res) == (
        Status.PASS,
        {
            "bucket_policy": "aws:s3/bucket:Bucket::us-gov-west-1/phi",
            "denies_insecure_transport": True,
        },
    )


def test_unknown_policy_is_undecidable():
    with pytest.raises(Undecidable, match="policy of phi-policy"):
        judge(s3_bucket_tls_only, bucket(), policy(UNKNOWN))
    with pytest.raises(Undecidable):
        judge(s3_bucket_tls_only, bucket(policy=UNKNOWN))


def test_unparsable_policy_is_undecidable():
    with pytest.raises(Undecidable, match="not valid JSON"):
        judge(s3_bucket_tls_only, bucket(), policy("{not json"))
