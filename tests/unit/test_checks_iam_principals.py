"""IAM user checks: MFA enforced by a policy reached through any attachment path, and no
permission-granting policies attached to the user directly. (Password policy:
test_checks_iam_principals_password.py; roles: test_checks_iam_principals_roles.py.)"""

from __future__ import annotations

import json

import pytest

from checks.aws.iam_users import iam_user_mfa_enforced, iam_user_no_direct_policies
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
MFA_ARN = "arn:aws:iam::1:policy/mfa"
READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"


def doc(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def user(name: str = "alice") -> Resource:
    return Resource("aws:iam/user:User", name, {"name": name}, id=name)


def group(name: str = "people") -> Resource:
    return Resource("aws:iam/group:Group", name, {"name": name}, id=name)


def membership(user_name="alice", *groups: str) -> Resource:
    return Resource(
        "aws:iam/userGroupMembership:UserGroupMembership",
        f"{user_name}-groups",
        {"user": user_name, "groups": list(groups) or ["people"]},
    )


def group_policy(statement: dict, name="require-mfa", group_name="people") -> Resource:
    return Resource(
        "aws:iam/groupPolicy:GroupPolicy", name, {"group": group_name, "policy": doc(statement)}
    )


def user_policy(statement, name="alice-policy", user_name="alice") -> Resource:
    policy = doc(*statement) if isinstance(statement, tuple) else doc(statement)
    return Resource("aws:iam/userPolicy:UserPolicy", name, {"user": user_name, "policy": policy})


def managed(statement: dict, arn=MFA_ARN) -> Resource:
    return Resource("aws:iam/policy:Policy", "mfa", {"policy": doc(statement)}, arn=arn)


def attachment(token: str, principal: dict, arn=MFA_ARN) -> Resource:
    return Resource(token, "attach", {**principal, "policy_arn": arn})


def run(fn, target: Resource, *others: Resource):
    return fn(target, Inventory([target, *others]))


# -- iam_user_mfa_enforced: every path a policy reaches a user by ---------------------------------

GROUP_MEMBERSHIP = Resource(
    "aws:iam/groupMembership:GroupMembership",
    "people-members",
    {"group": "people", "users": ["bob", "alice"]},
)
PATHS = {
    "group inline policy": ((group(), membership(), group_policy(MFA_DENY)), "require-mfa"),
    "membership declared by the group": ((group(), GROUP_MEMBERSHIP, group_policy(MFA_DENY)),
                                         "require-mfa"),
    "user inline policy": ((user_policy(MFA_DENY, "alice-mfa"),), "alice-mfa"),
    "user attachment": ((managed(MFA_DENY), attachment(
        "aws:iam/userPolicyAttachment:UserPolicyAttachment", {"user": "alice"})), MFA_ARN),
    "group attachment": ((group(), membership(), managed(MFA_DENY), attachment(
        "aws:iam/groupPolicyAttachment:GroupPolicyAttachment", {"group": "people"})), MFA_ARN),
    "policy attachment to users": ((managed(MFA_DENY), attachment(
        "aws:iam/policyAttachment:PolicyAttachment", {"users": ["bob", "alice"]})), MFA_ARN),
    "policy attachment to groups": ((group(), membership(), managed(MFA_DENY), attachment(
        "aws:iam/policyAttachment:PolicyAttachment", {"groups": ["people"]})), MFA_ARN),
}  # fmt: skip


@pytest.mark.parametrize("path", list(PATHS))
def test_mfa_policy_reaching_the_user_by_any_path_passes(path):
    others, label = PATHS[path]
    result = run(iam_user_mfa_enforced, user(), *others)
    assert (result.status, result.evidence) == (Status.PASS, {"mfa_policies": [label]})


def test_an_mfa_policy_wins_over_one_that_cannot_be_seen():
    elsewhere = attachment("aws:iam/userPolicyAttachment:UserPolicyAttachment", {"user": "alice"},
                           "arn:aws:iam::1:policy/elsewhere")  # fmt: skip
    result = run(iam_user_mfa_enforced, user(), elsewhere, user_policy(MFA_DENY, "alice-mfa"))
    assert (result.status, result.evidence) == (Status.PASS, {"mfa_policies": ["alice-mfa"]})


@pytest.mark.parametrize(
    ("others", "seen"),
    [
        ((), []),
        ((group(), membership(), group_policy(READ, "read")), ["read"]),
        ((group(), membership()), []),  # a group of this inventory without policies
        # an AWS managed policy is never an MFA guard rail
        ((attachment("aws:iam/userPolicyAttachment:UserPolicyAttachment", {"user": "alice"},
                     READ_ONLY),), [READ_ONLY]),
        # a deny that applies WITH MFA, and an allow conditioned on its absence, enforce nothing
        ((user_policy({**MFA_DENY, "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}},
                      "deny-with-mfa"),), ["deny-with-mfa"]),
        ((user_policy({**MFA_DENY, "Effect": "Allow"}, "allow-without-mfa"),),
         ["allow-without-mfa"]),
        # another user's policy and another user's membership
        ((user_policy(MFA_DENY, "bob-mfa", "bob"),), []),
        ((group(), membership("bob"), group_policy(MFA_DENY)), []),
    ],
)  # fmt: skip
def test_user_without_an_mfa_policy_fails_naming_the_policies_seen(others, seen):
    result = run(iam_user_mfa_enforced, user(), *others)
    assert (result.status, result.evidence) == (
        Status.FAIL,
        {"mfa_policies": [], "policies_seen": seen},
    )


def test_policies_that_cannot_be_seen_are_not_evaluated():
    elsewhere = attachment("aws:iam/userPolicyAttachment:UserPolicyAttachment", {"user": "alice"},
                           "arn:aws:iam::1:policy/elsewhere")  # fmt: skip
    with pytest.raises(Undecidable, match="policy/elsewhere is not in the inventory"):
        run(iam_user_mfa_enforced, user(), elsewhere)
    with pytest.raises(Undecidable, match="group legacy-admins"):
        run(iam_user_mfa_enforced, user(), membership("alice", "legacy-admins"))
    pending = Resource("aws:iam/userPolicy:UserPolicy", "p", {"user": "alice", "policy": UNKNOWN})
    with pytest.raises(Undecidable, match="policy of p"):
        run(iam_user_mfa_enforced, user(), pending)
    with pytest.raises(Undecidable, match="groups of alice-groups"):
        run(iam_user_mfa_enforced, user(), membership("alice", UNKNOWN))


# -- iam_user_no_direct_policies ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("others", "direct"),
    [
        ((user_policy(READ, "alice-read"),), ["alice-read"]),
        # a deny beside an allow still grants
        ((user_policy((MFA_DENY, READ), "mixed"),), ["mixed"]),
        ((managed(READ), attachment("aws:iam/userPolicyAttachment:UserPolicyAttachment",
                                    {"user": "alice"})), [MFA_ARN]),
        # a policy not in the inventory may grant anything
        ((attachment("aws:iam/userPolicyAttachment:UserPolicyAttachment", {"user": "alice"},
                     READ_ONLY),), [READ_ONLY]),
        ((attachment("aws:iam/policyAttachment:PolicyAttachment", {"users": ["alice"]},
                     READ_ONLY),), [READ_ONLY]),
    ],
)  # fmt: skip
def test_permission_granting_policy_attached_to_the_user_fails(others, direct):
    result = run(iam_user_no_direct_policies, user(), *others)
    assert (result.status, result.evidence) == (Status.FAIL, {"direct_policies": direct})


@pytest.mark.parametrize(
    "others",
    [
        (),
        (user_policy(MFA_DENY, "alice-mfa"),),  # a deny-only guard rail is exempt
        (managed(MFA_DENY), attachment("aws:iam/userPolicyAttachment:UserPolicyAttachment",
                                       {"user": "alice"})),
        (group(), membership(), group_policy(READ, "read")),  # through a group: as it should be
        (user_policy(READ, "bob-read", "bob"),),
    ],
)  # fmt: skip
def test_user_without_permission_granting_policies_of_its_own_passes(others):
    result = run(iam_user_no_direct_policies, user(), *others)
    assert (result.status, result.evidence) == (Status.PASS, {"direct_policies": []})


def test_direct_policy_that_cannot_be_seen_is_not_evaluated():
    pending = Resource("aws:iam/userPolicy:UserPolicy", "p", {"user": "alice", "policy": UNKNOWN})
    with pytest.raises(Undecidable, match="policy of p"):
        run(iam_user_no_direct_policies, user(), pending)
    unknown_user = Resource("aws:iam/userPolicy:UserPolicy", "p", {"user": UNKNOWN, "policy": "{}"})
    with pytest.raises(Undecidable, match="user of p"):
        run(iam_user_no_direct_policies, user(), unknown_user)


def test_a_group_policy_counts_when_the_group_itself_is_declared_elsewhere():
    # The membership and the group's policy are in the inventory, the group resource is not.
    result = run(iam_user_mfa_enforced, user(), membership(), group_policy(MFA_DENY))
    assert (result.status, result.message, result.evidence) == (
        Status.PASS,
        "an attached policy denies access without MFA",
        {"mfa_policies": ["require-mfa"]},
    )


def test_a_users_own_mfa_policy_still_counts_beside_its_groups():
    own = user_policy(MFA_DENY, "alice-mfa")
    result = run(iam_user_mfa_enforced, user(), own, group(), membership())
    assert (result.status, result.evidence) == (Status.PASS, {"mfa_policies": ["alice-mfa"]})
