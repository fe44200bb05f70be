"""S3 access checks: ACLs disabled, public bucket policies, the account public access block.
(The join from a bucket setting to its bucket: test_checks_s3_joins.py.)"""

from __future__ import annotations

import json

import pytest

from checks.aws.s3_access import (
    s3_account_public_access_block,
    s3_bucket_acls_disabled,
    s3_bucket_policy_not_public,
)
from checks.model import UNKNOWN, Inventory, MadeUp, Resource, Undecidable
from checks.registry import Status

NAME = "phi-records-1a2b3c"
OBJECTS = f"arn:aws:s3:::{NAME}/*"
ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"
FLAGS = (
    "block_public_acls",
    "block_public_policy",
    "ignore_public_acls",
    "restrict_public_buckets",
)


def bucket(**props) -> Resource:
    return Resource(
        "aws:s3/bucket:Bucket",
        "phi",
        {"bucket": NAME, **props},
        id=NAME,
        arn=f"arn:aws:s3:::{NAME}",
        source="program",  # a bucket created now: S3's 2023 defaults hold for what it leaves unset
    )


def companion(kind: str, name: str, **props) -> Resource:
    token = f"aws:s3/{kind[0].lower()}{kind[1:]}:{kind}"
    return Resource(token, name, {"bucket": NAME, **props}, urn=f"urn:{name}")


def statement(**fields) -> dict:
    return {"Effect": "Allow", "Action": "s3:GetObject", "Resource": OBJECTS, **fields}


def document(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def policy(*statements: dict) -> Resource:
    return companion("BucketPolicy", "phi-policy", policy=document(*statements))


def ownership(value) -> Resource:
    return companion("BucketOwnershipControls", "phi-owner", rule={"object_ownership": value})


def judge(fn, target: Resource, *others: Resource) -> tuple:
    result = fn(target, Inventory([target, *others]))
    return result.status, dict(result.evidence)


def acls(status: Status, declared: list, owner: str = "BucketOwnerEnforced") -> tuple:
    return status, {"object_ownership": owner, "declared_acls": declared}


# -- s3_bucket_acls_disabled -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "others", [(), (ownership("BucketOwnerEnforced"),)], ids=["default", "declared"]
)
def test_bucket_owner_enforced_with_no_acl_passes(others):
    assert judge(s3_bucket_acls_disabled, bucket(), *others) == acls(Status.PASS, [])


@pytest.mark.parametrize("owner", ["ObjectWriter", "BucketOwnerPreferred"])
def test_ownership_that_honours_acls_fails(owner):
    assert judge(s3_bucket_acls_disabled, bucket(), ownership(owner)) == acls(
        Status.FAIL, [], owner
    )


def test_ownership_and_declared_acls_are_both_reported():
    result = judge(s3_bucket_acls_disabled, bucket(acl="public-read"), ownership("ObjectWriter"))
    assert result == acls(Status.FAIL, ["public-read"], "ObjectWriter")


ACCOUNT_READ = {
    "grants": [{"grantee": {"type": "CanonicalUser", "id": "def456"}, "permission": "READ"}]
}

OWNER_ONLY = {
    "grants": [{"grantee": {"type": "CanonicalUser", "id": "abc"}, "permission": "FULL_CONTROL"}],
    "owner": {"id": "abc"},
}
OTHER_FULL = {
    "grants": [{"grantee": {"type": "CanonicalUser", "id": "def"}, "permission": "FULL_CONTROL"}],
    "owner": {"id": "abc"},
}


@pytest.mark.parametrize(
    ("props", "status", "expected"),
    [
        ({"acl": "private", "access_control_policy": OWNER_ONLY}, Status.PASS, []),
        ({"access_control_policy": OWNER_ONLY}, Status.PASS, []),
        ({"acl": "private", "access_control_policy": OTHER_FULL}, Status.FAIL, ["urn:phi-acl"]),
        ({"acl": "log-delivery-write"}, Status.FAIL, ["urn:phi-acl"]),
        ({"acl": "private"}, Status.PASS, []),
        ({"access_control_policy": ACCOUNT_READ}, Status.FAIL, ["urn:phi-acl"]),
        ({"acl": "private", "access_control_policy": ACCOUNT_READ}, Status.FAIL, ["urn:phi-acl"]),
    ],
    ids=[
        "owner-only",
        "owner-only-no-canned",
        "another-account-full",
        "canned",
        "private",
        "grants",
        "private-with-grants",
    ],
)
def test_an_acl_resource_counts_unless_it_is_private_without_a_policy(props, status, expected):
    acl = companion("BucketAcl", "phi-acl", **props)
    assert judge(s3_bucket_acls_disabled, bucket(), acl) == acls(status, expected)


@pytest.mark.parametrize("acl", ["public-read", "log-delivery-write", "authenticated-read"])
def test_an_inline_canned_acl_other_than_private_fails(acl):
    assert judge(s3_bucket_acls_disabled, bucket(acl=acl)) == acls(Status.FAIL, [acl])


def test_an_inline_private_acl_is_harmless():
    assert judge(s3_bucket_acls_disabled, bucket(acl="private")) == acls(Status.PASS, [])


OWNER_GRANT = {"type": "CanonicalUser", "id": "abc123", "permissions": ["FULL_CONTROL"]}


@pytest.mark.parametrize(
    "grant",
    [
        {"type": "Group", "uri": ALL_USERS, "permissions": ["READ"]},
        {"type": "Group", "uri": ALL_USERS, "permissions": ["FULL_CONTROL"]},
        {"type": "CanonicalUser", "id": "def456", "permissions": ["READ"]},
        {"type": "CanonicalUser", "id": "abc123", "permissions": ["FULL_CONTROL", "READ"]},
        {"type": "CanonicalUser", "uri": ALL_USERS, "permissions": ["FULL_CONTROL"]},
    ],
    ids=["all-users", "all-users-full", "account-read", "owner-and-more", "owner-with-uri"],
)
def test_a_grant_beyond_the_owners_own_is_an_acl(grant):
    result = judge(s3_bucket_acls_disabled, bucket(grants=[OWNER_GRANT, grant]))
    assert result == acls(Status.FAIL, [grant])


def test_the_owners_own_grant_is_not_an_acl():
    assert judge(s3_bucket_acls_disabled, bucket(grants=[OWNER_GRANT])) == acls(Status.PASS, [])


@pytest.mark.parametrize(
    ("target", "others"),
    [
        (bucket(), (companion("BucketOwnershipControls", "phi-owner", rule=UNKNOWN),)),
        (bucket(), (companion("BucketAcl", "phi-acl", acl=UNKNOWN),)),
        (bucket(grants=UNKNOWN), ()),
        (bucket(acl=MadeUp("private")), ()),
    ],
    ids=["ownership", "acl-resource", "grants", "acl"],
)
def test_acls_that_cannot_be_seen_are_undecidable(target, others):
    with pytest.raises(Undecidable):
        judge(s3_bucket_acls_disabled, target, *others)


# -- s3_bucket_policy_not_public -------------------------------------------------------------------


def public(name="phi-policy", label="Statement[0]", principal="*") -> dict:
    return {"policy": name, "statement": label, "effect": "Allow", "action": ["s3:GetObject"],
            "resource": [OBJECTS], "principal": principal}  # fmt: skip


@pytest.mark.parametrize(
    ("principal", "shown"),
    [("*", "*"), ({"AWS": "*"}, {"aws": ["*"]}), ({"AWS": ["*"]}, {"aws": ["*"]})],
)
def test_policy_granting_everyone_fails(principal, shown):
    result = judge(s3_bucket_policy_not_public, bucket(), policy(statement(Principal=principal)))
    assert result == (Status.FAIL, {"public_statements": [public(principal=shown)]})


@pytest.mark.parametrize(
    "granted",
    [
        statement(Principal="*", Condition={"StringEquals": {"aws:PrincipalOrgID": "o-1"}}),
        statement(Principal={"AWS": "arn:aws:iam::111122223333:role/app"}),
        statement(Principal="*", Effect="Deny"),
    ],
    ids=["conditioned", "named", "deny"],
)
def test_conditioned_named_or_denying_statements_pass(granted):
    result = judge(s3_bucket_policy_not_public, bucket(), policy(granted))
    assert result == (Status.PASS, {"public_statements": []})


def test_only_the_open_statements_are_named():
    named = statement(Principal={"AWS": "arn:aws:iam::111122223333:role/app"})
    result = judge(s3_bucket_policy_not_public, bucket(), policy(named, statement(Principal="*")))
    assert result == (Status.FAIL, {"public_statements": [public(label="Statement[1]")]})


def test_an_inline_bucket_policy_is_judged_too():
    inline = bucket(policy=document(statement(Principal="*")))
    assert judge(s3_bucket_policy_not_public, inline) == (
        Status.FAIL,
        {"public_statements": [public(name="phi")]},
    )
    assert judge(s3_bucket_policy_not_public, bucket()) == (Status.PASS, {"public_statements": []})


def test_unknown_policy_is_undecidable():
    for target, others in (
        (bucket(), (companion("BucketPolicy", "p", policy=UNKNOWN),)),
        (bucket(policy=UNKNOWN), ()),
    ):
        with pytest.raises(Undecidable):
            judge(s3_bucket_policy_not_public, target, *others)


# -- s3_account_public_access_block ----------------------------------------------------------------


def account_block(name: str = "account", **flags) -> Resource:
    return Resource("aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock", name, flags)


def account(*resources: Resource) -> list[tuple]:
    return [
        (r.status, dict(r.evidence), r.resource)
        for r in s3_account_public_access_block(Inventory(resources))
    ]


def test_account_block_with_every_flag_passes_and_names_itself():
    block = account_block(**dict.fromkeys(FLAGS, True))
    assert account(bucket(), block) == [(Status.PASS, dict.fromkeys(FLAGS, True), block)]


@pytest.mark.parametrize("on", [0, 1, 2, 3])
def test_an_account_block_short_of_four_flags_fails(on):
    flags = {f: i < on for i, f in enumerate(FLAGS)}
    block = account_block(**flags)
    [(status, evidence, named)] = account(bucket(), block)
    assert (status, evidence, named) == (Status.FAIL, flags, block)


def test_the_fullest_of_several_account_blocks_decides():
    partial = account_block("partial", block_public_acls=True)
    full = account_block("full", **dict.fromkeys(FLAGS, True))
    assert account(bucket(), partial, full) == [(Status.PASS, dict.fromkeys(FLAGS, True), full)]
    three = account_block("three", **{f: f != "ignore_public_acls" for f in FLAGS})
    assert account(bucket(), three, partial) == [
        (Status.FAIL, {f: f != "ignore_public_acls" for f in FLAGS}, three)
    ]


def test_missing_account_block_fails():
    assert account(bucket()) == [(Status.FAIL, {"account_blocks": []}, None)]


def test_no_bucket_means_nothing_to_report_and_unknown_flag_is_undecidable():
    assert s3_account_public_access_block(Inventory([account_block()])) == []
    with pytest.raises(Undecidable):
        s3_account_public_access_block(
            Inventory([bucket(), account_block(block_public_acls=UNKNOWN)])
        )


@pytest.mark.parametrize(
    "grantee",
    [
        # full control for someone named by e-mail: not the owner's canonical user
        {"type": "AmazonCustomerByEmail", "email_address": "someone@example.com"},
        # a canonical user that carries a group URI is the group
        {"type": "CanonicalUser", "uri": ALL_USERS},
    ],
    ids=["by-email", "canonical-with-uri"],
)
def test_an_acl_resource_granting_full_control_to_anyone_but_the_owner_counts(grantee):
    grants = [{"grantee": grantee, "permission": "FULL_CONTROL"}]
    policy = {"grants": grants, "owner": {"id": "abc"}}
    acl = companion("BucketAcl", "phi-acl", access_control_policy=policy)
    assert judge(s3_bucket_acls_disabled, bucket(), acl) == acls(Status.FAIL, ["urn:phi-acl"])


# -- s3_bucket_acls_disabled: the dated default, pinned by mutation testing (issue 15) -------------


def dated_bucket(source: str, created: str | None = None) -> Resource:
    return Resource("aws:s3/bucket:Bucket", "phi", {"bucket": NAME}, id=NAME, source=source,
                    created=created)  # fmt: skip


@pytest.mark.parametrize(
    ("res", "owner"),
    [(dated_bucket("aws"), "ObjectWriter"),
     (dated_bucket("state", "2022-11-02T10:00:00Z"), "ObjectWriter"),
     (dated_bucket("state", "2023-04-28T10:00:00Z"), "BucketOwnerEnforced")],
    ids=["live", "state-before-2023-04-28", "state-from-2023-04-28"],
)  # fmt: skip
def test_a_bucket_without_ownership_controls_honours_acls_unless_made_since_the_lockdown(
    res, owner
):
    # s3_access x__ownership__mutmut_22 (the date), _28, _29, _30 (the old default's name)
    status = Status.PASS if owner == "BucketOwnerEnforced" else Status.FAIL
    assert judge(s3_bucket_acls_disabled, res) == acls(status, [], owner)


def test_a_state_bucket_without_ownership_controls_or_a_date_is_not_evaluated():
    # s3_access x__ownership__mutmut_21, _26, _27: the setting named in the reason
    with pytest.raises(Undecidable) as raised:
        judge(s3_bucket_acls_disabled, dated_bucket("state"))
    assert str(raised.value) == (
        "phi declares no object ownership controls: AWS has set it by default only on resources "
        "created since April 2023, and the state file does not say when this one was"
    )
