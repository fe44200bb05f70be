"""Roles people assume, and the break-glass role among them: who a role's trust policy lets in,
whether a role is the emergency-access role, and whether only people with MFA can assume it."""

from __future__ import annotations

import re
from collections.abc import Mapping

from checks.model import Inventory, Resource, Undecidable
from checks.registry import Result, Status, failed, passed
from checks.support.joins import refers_to
from checks.support.policydoc import Statement, parse_policy, requires_mfa
from checks.support.props import known
from checks.support.resource_types import POLICY_ATTACHMENT, ROLE, ROLE_POLICY_ATTACHMENT

# Trust principal types through which a person (not an AWS service) assumes a role.
HUMAN_PRINCIPALS = ("aws", "federated")
BREAK_GLASS = re.compile(r"break[-_ ]?glass|emergency[-_ ]?access", re.IGNORECASE)


def trust_statements(res: Resource) -> list[Statement]:
    return list(parse_policy(known(res, "assume_role_policy"), f"the trust policy of {res.name}"))


def _lets_people_in(s: Statement) -> bool:
    return s.principal == "*" or (
        isinstance(s.principal, Mapping) and any(k in s.principal for k in HUMAN_PRINCIPALS)
    )


def human_statements(res: Resource) -> list[Statement]:
    """Trust statements that let an account, user or identity provider assume the role."""
    return [s for s in trust_statements(res) if s.effect == "Allow" and _lets_people_in(s)]


def is_break_glass(res: Resource) -> bool:
    """Named or tagged as the emergency-access role."""
    tags = known(res, "tags", {}) or {}
    labels = [res.name, str(known(res, "name") or ""), *map(str, tags), *map(str, tags.values())]
    return any(BREAK_GLASS.search(label) for label in labels)


def break_glass_verdict(role: Resource) -> Result:
    """Whether only people who signed in with MFA can assume the role."""
    human = human_statements(role)
    if not human:
        return failed(f"no person can assume {role.name}", statements_without_mfa=[])
    if any(isinstance(s.principal, Mapping) and "federated" in s.principal for s in human):
        return Result(
            Status.NOT_EVALUATED,
            f"{role.name} trusts an identity provider, whose MFA is not visible here",
            {"statements_without_mfa": []},
        )
    if open_ := [s.label for s in human if not requires_mfa(s)]:
        message = f"{role.name} can be assumed without MFA ({', '.join(open_)})"
        return failed(message, statements_without_mfa=open_)
    return passed(f"{role.name} can be assumed only with MFA", statements_without_mfa=[])


def is_mfa_only_break_glass(role: Resource) -> bool:
    """The emergency-access role, which only people with MFA can assume and no service can: the
    one role whose broad standing grant is its purpose (IAM-07 judges its trust)."""
    if not is_break_glass(role) or break_glass_verdict(role).status is not Status.PASS:
        return False
    allowed = [s for s in trust_statements(role) if s.effect == "Allow"]
    return all(_lets_people_in(s) for s in allowed)


def _role_refs(res: Resource) -> list[object]:
    """The roles an attachment (or a role's own `managed_policy_arns`) grants to; empty when it
    grants to a user or group too."""
    if res.type == ROLE_POLICY_ATTACHMENT:
        return [known(res, "role")]
    if res.type == POLICY_ATTACHMENT:
        if known(res, "users") or known(res, "groups"):
            return []
        roles = known(res, "roles")
        return list(roles) if isinstance(roles, (list, tuple)) else []
    return []


def break_glass_grantees(res: Resource, inv: Inventory) -> list[str]:
    """The names of the MFA-only break-glass roles `res` grants a managed policy to, when every
    principal it grants to is one; else empty. An exemption must be shown: a reference or a
    trust policy that cannot be seen grants none (the finding stays a FAIL)."""
    try:
        if res.type == ROLE:
            return [res.name] if is_mfa_only_break_glass(res) else []
        refs = _role_refs(res)
        roles = [next((r for r in inv.of_type(ROLE) if refers_to(ref, r)), None) for ref in refs]
        if not refs or any(r is None or not is_mfa_only_break_glass(r) for r in roles):
            return []
    except Undecidable:
        return []
    return [r.name for r in roles if r is not None]
