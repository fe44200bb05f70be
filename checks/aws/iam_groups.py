"""IAM groups people are put in: each enforces MFA (control IAM-01).

`iam_user_mfa_enforced` judges the users a program declares; people are usually added to groups
by hand, outside the program, so a group that grants permissions (or has members) must itself
carry a policy denying every action without MFA, or whoever is added later signs in with a
password alone. No AWS Config rule judges groups: the check cites what IAM-01 cites, the
specifications of `iam-user-mfa-enabled`, the closest rule of the same kind.
"""

from __future__ import annotations

from checks.model import Inventory, Resource
from checks.registry import Check, Result, Severity, check, not_applicable
from checks.support.iam_principals import (
    GROUP,
    REQUIRE_MFA_FIX,
    members_of,
    mfa_verdict,
    policies,
)

CHECKS: list[Check] = []


@check(
    into=CHECKS,
    id="iam_group_mfa_enforced",
    control="IAM-01",
    title="IAM group that grants permissions or has members denies actions without MFA",
    severity=Severity.HIGH,
    resource_types=(GROUP,),
    reads=(
        "aws:iam/groupMembership:GroupMembership",
        "aws:iam/groupPolicy:GroupPolicy",
        "aws:iam/groupPolicyAttachment:GroupPolicyAttachment",
        "aws:iam/policy:Policy",
        "aws:iam/policyAttachment:PolicyAttachment",
        "aws:iam/userGroupMembership:UserGroupMembership",
    ),
    remediation=(
        "Attach to the group a policy that denies everything except managing one's own MFA "
        "device when aws:MultiFactorAuthPresent is false (BoolIfExists), so whoever is added "
        "to it, by the program or by hand, must sign in with MFA."
    ),
    pulumi_fix=REQUIRE_MFA_FIX,
)
def iam_group_mfa_enforced(res: Resource, inv: Inventory) -> Result:
    """Whoever joins the group cannot act on a password alone (person or entity
    authentication)."""
    found = list(policies(res, "group", inv))
    if not found and not members_of(res, inv):
        return not_applicable("the group grants nothing and the program puts no one in it")
    return mfa_verdict(found, "the group")
