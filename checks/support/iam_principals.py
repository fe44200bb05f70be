"""IAM principals and what reaches them: the policies attached to a user, group or role, the
groups a user belongs to and the members of a group, found through every way pulumi_aws declares
them (inline `UserPolicy`/`GroupPolicy`/`RolePolicy`, `*PolicyAttachment`, the exclusive
`PolicyAttachment`, memberships declared from the user's side or the group's).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from checks.model import Inventory, Resource, Undecidable
from checks.registry import Result, failed, passed
from checks.support.joins import refers_to, resolve
from checks.support.managed_policies import AWS_MANAGED_POLICY
from checks.support.policydoc import denies_without_mfa, parse_policy
from checks.support.props import known
from checks.support.resource_types import (
    GROUP_POLICY,
    GROUP_POLICY_ATTACHMENT,
    IAM_POLICY,
    POLICY_ATTACHMENT,
    ROLE,
    ROLE_POLICY,
    ROLE_POLICY_ATTACHMENT,
    USER_POLICY,
    USER_POLICY_ATTACHMENT,
)

USER = "aws:iam/user:User"
GROUP = "aws:iam/group:Group"
USER_GROUP_MEMBERSHIP = "aws:iam/userGroupMembership:UserGroupMembership"
GROUP_MEMBERSHIP = "aws:iam/groupMembership:GroupMembership"
# principal kind -> (inline policy type, attachment type, PolicyAttachment list property)
ATTACHED = {
    "user": (USER_POLICY, USER_POLICY_ATTACHMENT, "users"),
    "group": (GROUP_POLICY, GROUP_POLICY_ATTACHMENT, "groups"),
    "role": (ROLE_POLICY, ROLE_POLICY_ATTACHMENT, "roles"),
}
KIND_OF = {USER: "user", GROUP: "group", ROLE: "role"}
# The fix for a principal no MFA-enforcing policy covers: a managed policy (an inline one would
# fail iam_no_inline_policies) attached to the group people are put in.
REQUIRE_MFA_FIX = (
    'require_mfa = aws.iam.Policy("require-mfa", policy=json.dumps({\n'
    '    "Version": "2012-10-17", "Statement": [{"Sid": "DenyWithoutMFA",\n'
    '        "Effect": "Deny", "NotAction": ["iam:*MFADevice", "sts:GetSessionToken"],\n'
    '        "Resource": "*", "Condition": {"BoolIfExists": {\n'
    '            "aws:MultiFactorAuthPresent": "false"}}}]}))\n'
    'aws.iam.GroupPolicyAttachment("people-require-mfa", group=people.name,\n'
    "    policy_arn=require_mfa.arn)"
)


def listed(value: Any) -> list[Any]:
    return list(value) if isinstance(value, (list, tuple)) else [value]


def groups_of(user: Resource, inv: Inventory) -> list[Any]:
    """The names of the groups the user belongs to, from memberships declared either way."""
    names = [
        g
        for m in inv.by_type(USER_GROUP_MEMBERSHIP)
        if refers_to(known(m, "user"), user)
        for g in listed(known(m, "groups"))
    ]
    return names + [
        known(m, "group")
        for m in inv.by_type(GROUP_MEMBERSHIP)
        if any(refers_to(u, user) for u in listed(known(m, "users")))
    ]


def members_of(group: Resource, inv: Inventory) -> list[Any]:
    """The users the program puts in the group, from memberships declared either way."""
    users = [
        known(m, "user")
        for m in inv.by_type(USER_GROUP_MEMBERSHIP)
        if any(refers_to(g, group) for g in listed(known(m, "groups")))
    ]
    return users + [
        u
        for m in inv.by_type(GROUP_MEMBERSHIP)
        if refers_to(known(m, "group"), group)
        for u in listed(known(m, "users"))
    ]


def inline_policies(principal: Resource, kind: str, inv: Inventory) -> list[tuple[str, Any]]:
    """(name, document) of the principal's inline policies declared as resources of their own."""
    inline = ATTACHED[kind][0]
    return [
        (p.name, known(p, "policy"))
        for p in inv.by_type(inline)
        if refers_to(known(p, kind), principal)
    ]


def attached_arns(principal: Resource, kind: str, inv: Inventory) -> list[Any]:
    """The managed policy ARNs attached to the principal by attachment resources."""
    _, attachment, listed_in = ATTACHED[kind]
    arns = [
        known(a, "policy_arn")
        for a in inv.by_type(attachment)
        if refers_to(known(a, kind), principal)
    ]
    return arns + [
        known(a, "policy_arn")
        for a in inv.by_type(POLICY_ATTACHMENT)
        if any(refers_to(n, principal) for n in listed(known(a, listed_in)))
    ]


def policies(principal: Resource, kind: str, inv: Inventory) -> Iterator[tuple[str, Any]]:
    """(label, document) of every policy attached to the principal; document None when the
    attached managed policy is not in the inventory."""
    yield from inline_policies(principal, kind, inv)
    for arn in attached_arns(principal, kind, inv):
        policy = resolve(inv, arn, (IAM_POLICY,), f"a policy ARN attached to {principal.name}")
        yield str(arn), known(policy, "policy") if policy else None


def mfa_verdict(found: list[tuple[str, Any]], reached: str) -> Result:
    """PASS when one of the (label, document) policies `found` denies every action without
    MFA; Undecidable when none does but a customer policy among them is not in the inventory
    (AWS managed policies never enforce MFA); FAIL otherwise. `reached`: whose policies."""
    enforcing = [
        label
        for label, doc in found
        if doc is not None and denies_without_mfa(parse_policy(doc, f"the policy {label}"))
    ]
    if enforcing:
        return passed("an attached policy denies access without MFA", mfa_policies=enforcing)
    if unseen := [label for label, doc in found if doc is None and AWS_MANAGED_POLICY not in label]:
        raise Undecidable(f"the attached policy {unseen[0]} is not in the inventory")
    return failed(
        f"no policy attached to {reached} requires MFA",
        mfa_policies=[],
        policies_seen=[label for label, _ in found],
    )
