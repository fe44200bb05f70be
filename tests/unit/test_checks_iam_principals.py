"""IAM user and role checks: MFA enforced by policy, no direct user policies, the password
policy, role session length, and the break-glass role."""

from __future__ import annotations

import json

import pytest

from checks.aws.iam_roles import iam_break_glass_role, iam_role_session_duration
from checks.aws.iam_users import (
    iam_password_policy_strong,
    iam_user_mfa_enforced,
    iam_user_no_direct_policies,
)
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


def run(fn, target: Resource, *others: Resource):
    return fn(target, Inventory([target, *others]))


# -- iam_user_mfa_enforced -------------------------------------------------------------------------


def test_mfa_policy_on_the_users_group_passes():
    policy = Resource(
        "aws:iam/groupPolicy:GroupPolicy",
        "require-mfa",
        {"group": "people", "policy": doc(MFA_DENY)},
    )
    result = run(iam_user_mfa_enforced, user(), group(), membership(), policy)
    assert (result.status, result.evidence) == (Status.PASS, {"mfa_policies": ["require-mfa"]})


def test_mfa_managed_policy_attached_to_the_user_passes():
    managed = Resource(
        "aws:iam/policy:Policy", "mfa", {"policy": doc(MFA_DENY)}, arn="arn:aws:iam::1:policy/mfa"
    )
    attach = Resource(
        "aws:iam/userPolicyAttachment:UserPolicyAttachment",
        "alice-mfa",
        {"user": "alice", "policy_arn": "arn:aws:iam::1:policy/mfa"},
    )
    assert run(iam_user_mfa_enforced, user(), managed, attach).status is Status.PASS


def test_user_without_an_mfa_policy_fails():
    policy = Resource(
        "aws:iam/groupPolicy:GroupPolicy", "read", {"group": "people", "policy": doc(READ)}
    )
    result = run(iam_user_mfa_enforced, user(), group(), membership(), policy)
    assert result.status is Status.FAIL
    assert result.evidence == {"mfa_policies": [], "policies_seen": ["read"]}


def test_attached_policy_outside_the_inventory_is_undecidable():
    attach = Resource(
        "aws:iam/userPolicyAttachment:UserPolicyAttachment",
        "alice-x",
        {"user": "alice", "policy_arn": "arn:aws:iam::1:policy/elsewhere"},
    )
    with pytest.raises(Undecidable, match="not in the inventory"):
        run(iam_user_mfa_enforced, user(), attach)


# -- iam_user_no_direct_policies -------------------------------------------------------------------


def test_policy_attached_directly_to_a_user_fails():
    inline = Resource(
        "aws:iam/userPolicy:UserPolicy", "alice-read", {"user": "alice", "policy": doc(READ)}
    )
    result = run(iam_user_no_direct_policies, user(), inline)
    assert (result.status, result.evidence) == (Status.FAIL, {"direct_policies": ["alice-read"]})


def test_deny_only_guard_rail_on_a_user_is_allowed():
    inline = Resource(
        "aws:iam/userPolicy:UserPolicy", "alice-mfa", {"user": "alice", "policy": doc(MFA_DENY)}
    )
    result = run(iam_user_no_direct_policies, user(), inline)
    assert (result.status, result.evidence) == (Status.PASS, {"direct_policies": []})
    with pytest.raises(Undecidable):
        run(
            iam_user_no_direct_policies,
            user(),
            Resource("aws:iam/userPolicy:UserPolicy", "p", {"user": "alice", "policy": UNKNOWN}),
        )


# -- iam_password_policy_strong --------------------------------------------------------------------

STRONG = {
    "minimum_password_length": 14,
    "password_reuse_prevention": 24,
    "max_password_age": 90,
    "require_lowercase_characters": True,
    "require_uppercase_characters": True,
    "require_numbers": True,
    "require_symbols": True,
}


def password_policy(**props) -> Resource:
    return Resource(
        "aws:iam/accountPasswordPolicy:AccountPasswordPolicy", "strict", {**STRONG, **props}
    )


def test_strong_password_policy_passes():
    policy = password_policy()
    [result] = iam_password_policy_strong(Inventory([policy]))
    assert (result.status, result.resource, result.evidence["gaps"]) == (Status.PASS, policy, [])


def test_weak_or_missing_password_policy_fails():
    [weak] = iam_password_policy_strong(
        Inventory([password_policy(minimum_password_length=8, require_symbols=False)])
    )
    assert weak.status is Status.FAIL
    assert weak.evidence["gaps"] == ["minimum_password_length < 14", "require_symbols is off"]
    [missing] = iam_password_policy_strong(Inventory([user()]))
    assert missing.status is Status.FAIL
    assert iam_password_policy_strong(Inventory([])) == []
    with pytest.raises(Undecidable):
        iam_password_policy_strong(Inventory([password_policy(max_password_age=UNKNOWN)]))


# -- iam_role_session_duration ---------------------------------------------------------------------


def role(name: str, principal: dict, **props) -> Resource:
    trust = {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": principal}
    condition = props.pop("condition", None)
    if condition:
        trust["Condition"] = condition
    return Resource(
        "aws:iam/role:Role", name, {"name": name, "assume_role_policy": doc(trust), **props}
    )


PEOPLE = {"AWS": "arn:aws:iam::111122223333:root"}
MFA = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}


def test_human_role_sessions():
    short = run(iam_role_session_duration, role("operator", PEOPLE))
    assert (short.status, short.evidence) == (
        Status.PASS,
        {"max_session_duration": 3600, "limit": 14400},
    )
    long_ = run(iam_role_session_duration, role("operator", PEOPLE, max_session_duration=43200))
    assert (long_.status, long_.evidence["max_session_duration"]) == (Status.FAIL, 43200)
    service = role(
        "flow-logs", {"Service": "vpc-flow-logs.amazonaws.com"}, max_session_duration=43200
    )
    assert run(iam_role_session_duration, service).status is Status.NOT_APPLICABLE
    with pytest.raises(Undecidable):
        run(iam_role_session_duration, role("operator", PEOPLE, max_session_duration=UNKNOWN))


# -- iam_break_glass_role --------------------------------------------------------------------------


def test_break_glass_role_with_mfa_passes():
    glass = role("break-glass", PEOPLE, condition=MFA)
    [result] = iam_break_glass_role(Inventory([glass]))
    assert (result.status, result.resource, result.evidence) == (
        Status.PASS,
        glass,
        {"statements_without_mfa": []},
    )


def test_break_glass_without_mfa_or_absent_fails():
    [open_] = iam_break_glass_role(Inventory([role("emergency-access", PEOPLE)]))
    assert (open_.status, open_.evidence) == (
        Status.FAIL,
        {"statements_without_mfa": ["Statement[0]"]},
    )
    [absent] = iam_break_glass_role(Inventory([role("operator", PEOPLE, condition=MFA)]))
    assert absent.status is Status.FAIL


def test_break_glass_found_by_tag_and_federated_trust_is_not_evaluated():
    tagged = role(
        "ops-admin",
        {"Federated": "arn:aws:iam::1:saml-provider/idp"},
        tags={"purpose": "break-glass"},
    )
    [result] = iam_break_glass_role(Inventory([tagged]))
    assert result.status is Status.NOT_EVALUATED
    with pytest.raises(Undecidable):
        iam_break_glass_role(
            Inventory(
                [Resource("aws:iam/role:Role", "break-glass", {"assume_role_policy": UNKNOWN})]
            )
        )


def test_membership_of_a_group_declared_elsewhere_is_undecidable():
    with pytest.raises(Undecidable, match="group legacy-admins"):
        run(iam_user_mfa_enforced, user(), membership("alice", "legacy-admins"))
