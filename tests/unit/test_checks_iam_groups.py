"""iam_group_mfa_enforced: a group that grants permissions or has members carries a policy
denying every action without MFA, whether or not the program declares any user."""

from __future__ import annotations

import json

import pytest

from checks.aws.iam_groups import iam_group_mfa_enforced
from checks.model import UNKNOWN, Inventory, Resource, Undecidable
from checks.registry import Status

MFA_DENY = {
    "Sid": "DenyWithoutMFA",
    "Effect": "Deny",
    "NotAction": ["iam:*MFADevice", "sts:GetSessionToken"],
    "Resource": "*",
    "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
}
READ = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::phi/*"}
MFA_ARN = "arn:aws:iam::123456789012:policy/require-mfa"
READ_ARN = "arn:aws:iam::123456789012:policy/read-billing"
READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"


def doc(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def group(name: str = "billing") -> Resource:
    return Resource("aws:iam/group:Group", name, {"name": name}, id=name)


def inline(statement: dict, name: str = "billing-mfa", group_name: str = "billing") -> Resource:
    return Resource(
        "aws:iam/groupPolicy:GroupPolicy", name, {"group": group_name, "policy": doc(statement)}
    )


def managed(statement: dict, arn: str = MFA_ARN) -> Resource:
    name = arn.rsplit("/", 1)[-1]
    return Resource(
        "aws:iam/policy:Policy", name, {"name": name, "policy": doc(statement)}, arn=arn
    )


def attach(arn: str = MFA_ARN, group_name: str = "billing") -> Resource:
    return Resource(
        "aws:iam/groupPolicyAttachment:GroupPolicyAttachment",
        f"{group_name}-{arn.rsplit('/', 1)[-1]}",
        {"group": group_name, "policy_arn": arn},
    )


def run(target: Resource, *others: Resource):
    return iam_group_mfa_enforced(target, Inventory([target, *others]))


@pytest.mark.parametrize(
    ("others", "label"),
    [
        # the MFA policy alone: the group grants nothing else, and still passes
        ((managed(MFA_DENY), attach()), MFA_ARN),
        ((inline(MFA_DENY),), "billing-mfa"),
        ((managed(MFA_DENY), Resource("aws:iam/policyAttachment:PolicyAttachment", "mfa-all",
                                      {"groups": ["ops", "billing"], "policy_arn": MFA_ARN})),
         MFA_ARN),
        # beside a granting policy
        ((managed(READ, READ_ARN), attach(READ_ARN), managed(MFA_DENY), attach()), MFA_ARN),
    ],
)  # fmt: skip
def test_group_with_an_mfa_policy_passes(others, label):
    result = run(group(), *others)
    assert (result.status, result.evidence) == (Status.PASS, {"mfa_policies": [label]})


@pytest.mark.parametrize(
    ("others", "seen"),
    [
        # permissions and no MFA policy, with no user declared anywhere
        ((managed(READ, READ_ARN), attach(READ_ARN)), [READ_ARN]),
        ((inline(READ, "billing-read"),), ["billing-read"]),
        ((attach(READ_ONLY),), [READ_ONLY]),  # an AWS managed policy never enforces MFA
        # members and no policy at all: whatever they hold of their own goes unguarded
        ((Resource("aws:iam/userGroupMembership:UserGroupMembership", "alice-groups",
                   {"user": "alice", "groups": ["billing"]}),), []),
        ((Resource("aws:iam/groupMembership:GroupMembership", "billing-members",
                   {"group": "billing", "users": ["alice"]}),), []),
        # the MFA policy of another group does not cover this one
        ((managed(MFA_DENY), attach(group_name="ops"), attach(READ_ONLY)), [READ_ONLY]),
        # a deny that applies only WITH MFA enforces nothing
        ((inline({**MFA_DENY, "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}},
                 "deny-with-mfa"),), ["deny-with-mfa"]),
    ],
)  # fmt: skip
def test_group_granting_or_with_members_and_no_mfa_policy_fails(others, seen):
    result = run(group(), *others)
    assert (result.status, result.evidence) == (
        Status.FAIL,
        {"mfa_policies": [], "policies_seen": seen},
    )


@pytest.mark.parametrize(
    "others",
    [
        (),
        # another group's policy and another group's member
        (inline(READ, "ops-read", "ops"),),
        (Resource("aws:iam/userGroupMembership:UserGroupMembership", "bob-groups",
                  {"user": "bob", "groups": ["ops"]}),),
    ],
)  # fmt: skip
def test_empty_group_is_not_applicable(others):
    result = run(group(), *others)
    assert (result.status, result.evidence) == (Status.NOT_APPLICABLE, {})


def test_what_cannot_be_seen_is_not_evaluated():
    with pytest.raises(Undecidable, match="policy/elsewhere is not in the inventory"):
        run(group(), attach("arn:aws:iam::123456789012:policy/elsewhere"))
    pending = Resource(
        "aws:iam/groupPolicy:GroupPolicy", "p", {"group": "billing", "policy": UNKNOWN}
    )
    with pytest.raises(Undecidable, match="policy of p"):
        run(group(), pending)
    hidden_member = Resource(
        "aws:iam/userGroupMembership:UserGroupMembership", "m", {"user": "alice", "groups": UNKNOWN}
    )
    with pytest.raises(Undecidable, match="groups of m"):
        run(group(), hidden_member)


def test_a_gap_in_the_group_policies_is_not_evaluated():
    inv = Inventory([group()], gaps={"aws:iam/groupPolicy:GroupPolicy": "AccessDenied"})
    with pytest.raises(Undecidable, match="could not be collected: AccessDenied"):
        iam_group_mfa_enforced(group(), inv)
