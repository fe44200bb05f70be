"""IAM: permissions come from managed policies, not inline ones (control IAM-03).

An inline policy lives inside one user, group or role: it has no version history, cannot be
reused or reviewed in one place, and goes when its principal goes. As AWS Config's
`iam-no-inline-policy-check`, any inline policy fails, deny-only guard rails included (a guard
rail is as easily a managed policy, reviewed once for every group it covers).
"""

from __future__ import annotations

from checks.model import Inventory, Resource
from checks.registry import Check, Result, Severity, check, failed, passed
from checks.support.iam_principals import ATTACHED, GROUP, KIND_OF, USER
from checks.support.joins import refers_to
from checks.support.props import blocks, known
from checks.support.resource_types import GROUP_POLICY, ROLE, ROLE_POLICY, USER_POLICY

CHECKS: list[Check] = []


def _role_blocks(role: Resource) -> list[str]:
    """The role's own `inline_policies` blocks. One empty block is how a program says "no
    inline policies at all" (the provider then removes any added out of band): not a policy."""
    return [
        str(b.get("name") or f"inline_policies[{i}]")
        for i, b in enumerate(blocks(known(role, "inline_policies")))
        if b.get("name") or b.get("policy")
    ]


@check(
    into=CHECKS,
    id="iam_no_inline_policies",
    control="IAM-03",
    title="IAM user, group or role has no inline policies",
    severity=Severity.LOW,
    config_rule="iam-no-inline-policy-check",
    resource_types=(USER, GROUP, ROLE),
    reads=(USER_POLICY, GROUP_POLICY, ROLE_POLICY),
    remediation=(
        "Move each inline policy into a customer managed policy and attach it, so every grant "
        "is versioned, reusable and reviewed in one place."
    ),
    pulumi_fix=(
        'app = aws.iam.Policy("app", policy=app_policy_json)\n'
        'aws.iam.RolePolicyAttachment("app", role=role.name, policy_arn=app.arn)'
    ),
)
def iam_no_inline_policies(res: Resource, inv: Inventory) -> Result:
    """Grants are kept where they can be reviewed and revoked as one (access management)."""
    kind = KIND_OF[res.type]
    inline = [p.name for p in inv.by_type(ATTACHED[kind][0]) if refers_to(known(p, kind), res)]
    inline += _role_blocks(res) if res.type == ROLE else []
    if inline:
        return failed(f"{len(inline)} inline policy(ies)", inline_policies=inline)
    return passed("no inline policy", inline_policies=[])
