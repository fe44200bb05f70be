"""IAM users: MFA enforced by policy, permissions only through groups, and a strong account
password policy (controls IAM-01, IAM-03, IAM-04).

A user's policies are found through every way pulumi_aws attaches them: inline user and group
policies, user/group policy attachments, the exclusive `PolicyAttachment`, and group memberships
declared from either side.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from checks.model import Inventory, Resource, Undecidable
from checks.registry import Check, Result, Severity, check, failed, passed
from checks.support.joins import refers_to, resolve
from checks.support.policydoc import denies_without_mfa, grants_nothing, parse_policy
from checks.support.props import flag, known
from checks.support.resource_types import (
    GROUP_POLICY,
    GROUP_POLICY_ATTACHMENT,
    IAM_POLICY,
    POLICY_ATTACHMENT,
    USER_POLICY,
    USER_POLICY_ATTACHMENT,
)

CHECKS: list[Check] = []

USER = "aws:iam/user:User"
GROUP = "aws:iam/group:Group"
PASSWORD_POLICY = "aws:iam/accountPasswordPolicy:AccountPasswordPolicy"
# principal kind -> (inline policy type, attachment type, PolicyAttachment list property)
_ATTACHED = {
    "user": (USER_POLICY, USER_POLICY_ATTACHMENT, "users"),
    "group": (GROUP_POLICY, GROUP_POLICY_ATTACHMENT, "groups"),
}
USER_GROUP_MEMBERSHIP = "aws:iam/userGroupMembership:UserGroupMembership"
GROUP_MEMBERSHIP = "aws:iam/groupMembership:GroupMembership"
AWS_MANAGED_POLICY = ":iam::aws:policy/"


def _listed(value: Any) -> list[Any]:
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _groups_of(user: Resource, inv: Inventory) -> list[Any]:
    """The names of the groups the user belongs to, from memberships declared either way."""
    names = [
        g
        for m in inv.by_type(USER_GROUP_MEMBERSHIP)
        if refers_to(known(m, "user"), user)
        for g in _listed(known(m, "groups"))
    ]
    return names + [
        known(m, "group")
        for m in inv.by_type(GROUP_MEMBERSHIP)
        if any(refers_to(u, user) for u in _listed(known(m, "users")))
    ]


def _policies(principal: Resource, kind: str, inv: Inventory) -> Iterator[tuple[str, Any]]:
    """(label, document) of every policy attached to the principal; document None when the
    attached managed policy is not in the inventory."""
    inline, attachment, listed_in = _ATTACHED[kind]
    for p in inv.by_type(inline):
        if refers_to(known(p, kind), principal):
            yield p.name, known(p, "policy")
    arns = [
        known(a, "policy_arn")
        for a in inv.by_type(attachment)
        if refers_to(known(a, kind), principal)
    ]
    arns += [
        known(a, "policy_arn")
        for a in inv.by_type(POLICY_ATTACHMENT)
        if any(refers_to(n, principal) for n in _listed(known(a, listed_in)))
    ]
    for arn in arns:
        policy = resolve(inv, arn, (IAM_POLICY,), f"a policy ARN attached to {principal.name}")
        yield str(arn), known(policy, "policy") if policy else None


def _user_policies(user: Resource, inv: Inventory) -> list[tuple[str, Any]]:
    found = list(_policies(user, "user", inv))
    for name in _groups_of(user, inv):
        group = resolve(inv, name, (GROUP,), f"a group of {user.name}")
        policies = list(
            _policies(group or Resource(GROUP, str(name), {"name": name}), "group", inv)
        )
        # A group declared elsewhere may carry policies this inventory cannot see.
        found += policies or ([] if group else [(f"group {name}", None)])
    return found


@check(
    into=CHECKS,
    id="iam_user_mfa_enforced",
    control="IAM-01",
    title="IAM user is covered by a policy that denies actions without MFA",
    severity=Severity.HIGH,
    config_rule="iam-user-mfa-enabled",
    resource_types=(USER,),
    reads=(
        "aws:iam/groupMembership:GroupMembership",
        "aws:iam/groupPolicy:GroupPolicy",
        "aws:iam/groupPolicyAttachment:GroupPolicyAttachment",
        "aws:iam/policy:Policy",
        "aws:iam/policyAttachment:PolicyAttachment",
        "aws:iam/userGroupMembership:UserGroupMembership",
        "aws:iam/userPolicy:UserPolicy",
        "aws:iam/userPolicyAttachment:UserPolicyAttachment",
    ),
    remediation=(
        "Attach to the user's group a policy that denies everything except managing one's own "
        "MFA device when aws:MultiFactorAuthPresent is false (BoolIfExists); prefer IAM Identity "
        "Center users over IAM users."
    ),
    pulumi_fix=(
        'aws.iam.GroupPolicy("require-mfa", group=people.name, policy=json.dumps({\n'
        '    "Version": "2012-10-17", "Statement": [{"Sid": "DenyWithoutMFA",\n'
        '        "Effect": "Deny", "NotAction": ["iam:*MFADevice", "sts:GetSessionToken"],\n'
        '        "Resource": "*", "Condition": {"BoolIfExists": {\n'
        '            "aws:MultiFactorAuthPresent": "false"}}}]}))'
    ),
)
def iam_user_mfa_enforced(res: Resource, inv: Inventory) -> Result:
    """A stolen password alone does not open the account (person or entity authentication)."""
    policies = _user_policies(res, inv)
    enforcing = [
        label
        for label, doc in policies
        if doc is not None and denies_without_mfa(parse_policy(doc, f"the policy {label}"))
    ]
    if enforcing:
        return passed("an attached policy denies access without MFA", mfa_policies=enforcing)
    if unseen := [
        label for label, doc in policies if doc is None and AWS_MANAGED_POLICY not in label
    ]:
        raise Undecidable(f"the attached policy {unseen[0]} is not in the inventory")
    return failed(
        "no policy attached to the user or its groups requires MFA",
        mfa_policies=[],
        policies_seen=[label for label, _ in policies],
    )


@check(
    into=CHECKS,
    id="iam_user_no_direct_policies",
    control="IAM-03",
    title="IAM user gets its permissions through groups, not policies of its own",
    severity=Severity.LOW,
    config_rule="iam-user-no-policies-check",
    resource_types=(USER,),
    reads=(
        "aws:iam/policyAttachment:PolicyAttachment",
        "aws:iam/userPolicy:UserPolicy",
        "aws:iam/userPolicyAttachment:UserPolicyAttachment",
    ),
    remediation=(
        "Move the user's policies to a group (or to a role it assumes) so access is granted "
        "and revoked by role, not person by person. Deny-only guard rails are exempt."
    ),
    pulumi_fix=(
        'aws.iam.GroupPolicyAttachment("billing-readers", group=billing.name,\n'
        "    policy_arn=read_billing.arn)\n"
        'aws.iam.UserGroupMembership("alice", user=alice.name, groups=[billing.name])'
    ),
)
def iam_user_no_direct_policies(res: Resource, inv: Inventory) -> Result:
    """Access is managed by job function, which keeps authorisation reviewable."""
    granting = [
        label
        for label, doc in _policies(res, "user", inv)
        if doc is None or not grants_nothing(parse_policy(doc, f"the policy {label}"))
    ]
    if granting:
        return failed(
            f"{len(granting)} policy(ies) attached directly to the user", direct_policies=granting
        )
    return passed("no permission-granting policy is attached to the user", direct_policies=[])


# AWS Config iam-password-policy defaults, which match CIS: at least these.
PASSWORD_MINIMUMS = {"minimum_password_length": 14, "password_reuse_prevention": 24}
PASSWORD_REQUIRED = (
    "require_lowercase_characters",
    "require_uppercase_characters",
    "require_numbers",
    "require_symbols",
)
MAX_PASSWORD_AGE_DAYS = 90


def _password_gaps(policy: Resource) -> tuple[dict[str, Any], list[str]]:
    observed = {
        k: known(policy, k) for k in (*PASSWORD_MINIMUMS, *PASSWORD_REQUIRED, "max_password_age")
    }
    gaps = [f"{k} < {m}" for k, m in PASSWORD_MINIMUMS.items() if int(observed[k] or 0) < m]
    gaps += [f"{k} is off" for k in PASSWORD_REQUIRED if not flag(observed[k])]
    age = int(observed["max_password_age"] or 0)
    gaps += (
        []
        if 0 < age <= MAX_PASSWORD_AGE_DAYS
        else [f"max_password_age not 1-{MAX_PASSWORD_AGE_DAYS}"]
    )
    return observed, gaps


@check(
    into=CHECKS,
    id="iam_password_policy_strong",
    control="IAM-04",
    title="The account password policy is strong",
    severity=Severity.MEDIUM,
    config_rule="iam-password-policy",
    scope="account",
    reads=("aws:iam/accountPasswordPolicy:AccountPasswordPolicy",),
    remediation=(
        "Declare aws.iam.AccountPasswordPolicy: at least 14 characters, all four character "
        "classes, reuse prevention of 24, and expiry within 90 days."
    ),
    pulumi_fix=(
        'aws.iam.AccountPasswordPolicy("strict", minimum_password_length=14,\n'
        "    require_lowercase_characters=True, require_uppercase_characters=True,\n"
        "    require_numbers=True, require_symbols=True,\n"
        "    password_reuse_prevention=24, max_password_age=90)"
    ),
)
def iam_password_policy_strong(inv: Inventory) -> list[Result]:
    """Passwords that remain in use resist guessing and reuse (password management)."""
    if not len(inv):
        return []
    policies = inv.by_type(PASSWORD_POLICY)
    if not policies:
        return [failed("no account password policy is declared: AWS's default allows 8 characters")]
    observed, gaps = _password_gaps(policies[0])
    if gaps:
        verdict = failed(f"the password policy is weak: {'; '.join(gaps)}", **observed, gaps=gaps)
    else:
        verdict = passed("the password policy meets every minimum", **observed, gaps=[])
    return [replace(verdict, resource=policies[0])]
