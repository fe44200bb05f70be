"""IAM users: MFA enforced by policy, permissions only through groups, and a strong account
password policy (controls IAM-01, IAM-03, IAM-04).

A user's policies are found through every way pulumi_aws attaches them: inline user and group
policies, user/group policy attachments, the exclusive `PolicyAttachment`, and group memberships
declared from either side.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from checks.model import Inventory, Resource
from checks.registry import Check, Result, Severity, check, failed, passed
from checks.support.iam_principals import (
    GROUP,
    REQUIRE_MFA_FIX,
    USER,
    groups_of,
    mfa_verdict,
    policies,
)
from checks.support.joins import resolve
from checks.support.policydoc import grants_nothing, parse_policy
from checks.support.props import flag, known

CHECKS: list[Check] = []

PASSWORD_POLICY = "aws:iam/accountPasswordPolicy:AccountPasswordPolicy"


def _user_policies(user: Resource, inv: Inventory) -> list[tuple[str, Any]]:
    found = list(policies(user, "user", inv))
    for name in groups_of(user, inv):
        group = resolve(inv, name, (GROUP,), f"a group of {user.name}")
        attached = list(policies(group or Resource(GROUP, str(name), {"name": name}), "group", inv))
        # A group declared elsewhere may carry policies this inventory cannot see.
        found += attached or ([] if group else [(f"group {name}", None)])
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
    pulumi_fix=REQUIRE_MFA_FIX,
)
def iam_user_mfa_enforced(res: Resource, inv: Inventory) -> Result:
    """A stolen password alone does not open the account (person or entity authentication)."""
    return mfa_verdict(_user_policies(res, inv), "the user or its groups")


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
        for label, doc in policies(res, "user", inv)
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
    baseline=True,
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
