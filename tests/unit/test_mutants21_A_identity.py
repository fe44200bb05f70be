"""IAM helpers pinned on exact results: which roles a policy attachment grants to and the
break-glass exemption it earns (break_glass), the members of a group and the MFA verdict over a
principal's policies (iam_principals), and the name in an AWS managed policy ARN
(managed_policies)."""

from __future__ import annotations

import json

import pytest

from checks.aws.iam import iam_no_administrator_access_attached as admin_check
from checks.aws.iam_groups import iam_group_mfa_enforced
from checks.model import Inventory, Resource, Undecidable
from checks.registry import Result, Status
from checks.support.break_glass import _role_refs, break_glass_grantees
from checks.support.iam_principals import members_of, mfa_verdict
from checks.support.managed_policies import aws_managed_name, is_admin_equivalent

POWER_USER = "arn:aws:iam::aws:policy/PowerUserAccess"
POLICY_ATTACHMENT = "aws:iam/policyAttachment:PolicyAttachment"
ROLE_ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
USER_ATTACHMENT = "aws:iam/userPolicyAttachment:UserPolicyAttachment"
USER_GROUP_MEMBERSHIP = "aws:iam/userGroupMembership:UserGroupMembership"
GROUP_MEMBERSHIP = "aws:iam/groupMembership:GroupMembership"
PEOPLE_WITH_MFA = {
    "Effect": "Allow",
    "Action": "sts:AssumeRole",
    "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
    "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
}


def glass_role(name: str = "break-glass") -> Resource:
    trust = json.dumps({"Version": "2012-10-17", "Statement": [PEOPLE_WITH_MFA]})
    return Resource("aws:iam/role:Role", name, {"name": name, "assume_role_policy": trust}, id=name)


def shared(**principals) -> Resource:
    """The exclusive PolicyAttachment, granting PowerUserAccess to the principals named."""
    return Resource(POLICY_ATTACHMENT, "power", {**principals, "policy_arn": POWER_USER})


# -- break_glass: the roles an attachment grants to ----------------------------------------------


@pytest.mark.parametrize(
    ("res", "expected"),
    [
        (shared(roles=["break-glass", "responders"]), ["break-glass", "responders"]),
        (shared(roles=("break-glass",)), ["break-glass"]),
        (shared(roles=["break-glass"], groups=["ops"]), []),  # a group shares the grant
        (shared(roles=["break-glass"], users=["alice"]), []),
        (shared(), []),  # names no role at all
        (shared(roles="break-glass"), []),  # not a list: nothing is read into it
        (Resource(ROLE_ATTACHMENT, "ra", {"role": "break-glass", "policy_arn": POWER_USER}),
         ["break-glass"]),
        (Resource(USER_ATTACHMENT, "ua", {"user": "alice", "policy_arn": POWER_USER}), []),
    ],
    ids=["roles", "tuple", "with-group", "with-user", "none", "string", "role-attachment", "user"],
)  # fmt: skip
def test_the_roles_an_attachment_grants_to(res, expected):
    # break_glass x__role_refs__mutmut_8/17/20-22/24/27-30
    assert _role_refs(res) == expected


def test_an_exclusive_attachment_to_the_break_glass_role_alone_is_exempt():
    # break_glass x__role_refs__mutmut_8/22/24/27-29
    res = shared(roles=["break-glass"])
    assert break_glass_grantees(res, Inventory([res, glass_role()])) == ["break-glass"]
    result = admin_check(res, Inventory([res, glass_role()]))
    assert (result.status, result.message, result.evidence) == (
        Status.NOT_APPLICABLE,
        "PowerUserAccess is held by the break-glass role break-glass for emergencies; only "
        "people who signed in with MFA can assume it (IAM-07)",
        {"admin_policy_arns": [POWER_USER], "break_glass_roles": ["break-glass"]},
    )


@pytest.mark.parametrize(
    "principals",
    [{"roles": ["break-glass"], "groups": ["ops"]}, {}],
    ids=["shared-with-a-group", "no-principal"],
)
def test_an_exclusive_attachment_beyond_the_break_glass_role_is_not_exempt(principals):
    # break_glass x__role_refs__mutmut_17/20/21 (a group beside it), _30 (no role named)
    res = shared(**principals)
    result = admin_check(res, Inventory([res, glass_role()]))
    assert (result.status, result.message, result.evidence) == (
        Status.FAIL,
        "PowerUserAccess is attached",
        {"admin_policy_arns": [POWER_USER]},
    )


# -- iam_principals: members of a group ----------------------------------------------------------


def group(name: str = "billing") -> Resource:
    return Resource("aws:iam/group:Group", name, {"name": name}, id=name)


def test_members_declared_from_either_side_are_named():
    # iam_principals x_members_of__mutmut_3/6/7 (the user's side), _33/35/38/39 (the group's)
    alice = Resource(USER_GROUP_MEMBERSHIP, "alice", {"user": "alice", "groups": ["billing"]})
    billing = Resource(GROUP_MEMBERSHIP, "billing", {"group": "billing", "users": ["bob", "carol"]})
    ops = Resource(GROUP_MEMBERSHIP, "ops", {"group": "ops", "users": ["dave"]})
    inv = Inventory([group(), alice, billing, ops])
    assert members_of(group(), inv) == ["alice", "bob", "carol"]


def test_a_group_membership_listing_no_user_puts_no_one_in_the_group():
    # iam_principals x_members_of__mutmut_33/35/38/39: an empty users list is no member
    empty = Resource(GROUP_MEMBERSHIP, "billing-members", {"group": "billing", "users": []})
    inv = Inventory([group(), empty])
    assert members_of(group(), inv) == []
    result = iam_group_mfa_enforced(group(), inv)
    assert (result.status, result.message, result.evidence) == (
        Status.NOT_APPLICABLE,
        "the group grants nothing and the program puts no one in it",
        {},
    )


# -- iam_principals: the MFA verdict -------------------------------------------------------------


def test_a_principal_no_policy_covers_fails_naming_whose_policies():
    # iam_principals x_mfa_verdict__mutmut_21: the reason names the principal
    member = Resource(GROUP_MEMBERSHIP, "billing-members", {"group": "billing", "users": ["bob"]})
    result = iam_group_mfa_enforced(group(), Inventory([group(), member]))
    assert (result.status, result.message, result.evidence) == (
        Status.FAIL,
        "no policy attached to the group requires MFA",
        {"mfa_policies": [], "policies_seen": []},
    )
    assert mfa_verdict([], "the user or its groups") == Result(
        Status.FAIL,
        "no policy attached to the user or its groups requires MFA",
        {"mfa_policies": [], "policies_seen": []},
    )


def test_a_malformed_policy_is_named_in_the_reason():
    # iam_principals x_mfa_verdict__mutmut_6/8: the parse error names the policy
    with pytest.raises(Undecidable) as raised:
        mfa_verdict([("billing-mfa", "{not json")], "the group")
    assert str(raised.value) == (
        "the policy billing-mfa is not valid JSON: Expecting property name enclosed in double "
        "quotes"
    )
    inline = Resource(
        "aws:iam/groupPolicy:GroupPolicy", "billing-mfa", {"group": "billing", "policy": "[]"}
    )
    with pytest.raises(Undecidable) as raised:
        iam_group_mfa_enforced(group(), Inventory([group(), inline]))
    assert str(raised.value) == "the policy billing-mfa is not a policy document (a JSON object)"


# -- managed_policies: the name in an ARN --------------------------------------------------------


@pytest.mark.parametrize(
    ("arn", "name"),
    [
        # a path of more than one level: the name is after the last slash
        ("arn:aws:iam::aws:policy/job-function/team/AdministratorAccess", "AdministratorAccess"),
        # the marker twice, first right after "arn" with no partition: not an ARN of AWS's
        ("arn:iam::aws:policy/x:iam::aws:policy/AdministratorAccess", None),
    ],
    ids=["nested-path", "marker-twice"],
)
def test_aws_managed_name_reads_the_last_path_part_of_a_real_arn(arn, name):
    # managed_policies x_aws_managed_name__mutmut_14 (nested path), _3 (marker twice)
    assert aws_managed_name(arn) == name
    assert is_admin_equivalent(arn) is (name is not None)
