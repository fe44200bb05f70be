"""IAM: no policy grants every action on every resource (control IAM-03)."""

from __future__ import annotations

from checks.model import Inventory, Resource
from checks.registry import Check, Result, Severity, check, failed, passed
from checks.support.policydoc import allows_star_on_star, parse_policy, policy_documents
from checks.support.props import known
from checks.support.resource_types import IAM_ATTACHMENT_TYPES, IAM_POLICY_TYPES, ROLE

CHECKS: list[Check] = []

# The AWS managed policy that grants "*" on "*" (any partition).
ADMIN_MANAGED_POLICY_SUFFIX = ":iam::aws:policy/AdministratorAccess"
_LEAST_PRIVILEGE = (
    "Grant only the actions and resources the workload needs; keep administration behind a "
    "break-glass role with MFA instead of a standing '*' on '*' grant."
)


@check(
    into=CHECKS,
    id="iam_policy_no_admin_access",
    control="IAM-03",
    title="IAM policy does not allow '*' actions on '*' resources",
    severity=Severity.HIGH,
    config_rule="iam-policy-no-statements-with-admin-access",
    resource_types=(*IAM_POLICY_TYPES, ROLE),
    remediation=_LEAST_PRIVILEGE,
    pulumi_fix=(
        'aws.iam.RolePolicy("app", role=role.id, policy=json.dumps({\n'
        '    "Version": "2012-10-17", "Statement": [{"Effect": "Allow",\n'
        '        "Action": ["s3:GetObject", "s3:PutObject"],\n'
        '        "Resource": f"arn:aws:s3:::{bucket_name}/*"}]}))'
    ),
)
def iam_policy_no_admin_access(res: Resource, inv: Inventory) -> Result:
    """No identity gets unrestricted access to every service and every piece of ePHI."""
    admin = [
        {"policy": name, **s.evidence()}
        for name, doc in policy_documents(res)
        for s in allows_star_on_star(parse_policy(doc, f"the policy {name} of {res.name}"))
    ]
    if admin:
        return failed(f"{len(admin)} statement(s) allow '*' on '*'", admin_statements=admin)
    return passed("no statement allows '*' on '*'", admin_statements=[])


def _managed_arns(res: Resource) -> list[str]:
    value = known(res, "managed_policy_arns" if res.type == ROLE else "policy_arn")
    values = value if isinstance(value, (list, tuple)) else [value]
    return [str(v) for v in values if v]


@check(
    into=CHECKS,
    id="iam_no_administrator_access_attached",
    control="IAM-03",
    title="The AdministratorAccess managed policy is not attached",
    severity=Severity.HIGH,
    config_rule="iam-policy-no-statements-with-admin-access",
    resource_types=(*IAM_ATTACHMENT_TYPES, ROLE),
    remediation=_LEAST_PRIVILEGE,
    pulumi_fix=(
        'aws.iam.RolePolicyAttachment("app-read", role=role.name,\n'
        '    policy_arn="arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess")'
    ),
)
def iam_no_administrator_access_attached(res: Resource, inv: Inventory) -> Result:
    """No identity is made an administrator through an AWS managed policy."""
    admin = [a for a in _managed_arns(res) if a.endswith(ADMIN_MANAGED_POLICY_SUFFIX)]
    if admin:
        return failed("AdministratorAccess is attached", admin_policy_arns=admin)
    return passed("no administrator managed policy is attached", admin_policy_arns=[])


def _full_service_actions(actions: tuple[str, ...]) -> list[str]:
    """Actions of the form 'service:*' (every action of one service); '*' is IAM-03's own check."""
    return [a for a in actions if a.endswith(":*") and a.strip() != "*:*"]


@check(
    into=CHECKS,
    id="iam_policy_no_full_service_access",
    control="IAM-03",
    title="IAM policy does not grant every action of a service ('service:*')",
    severity=Severity.MEDIUM,
    config_rule="iam-policy-no-statements-with-full-access",
    resource_types=(*IAM_POLICY_TYPES, ROLE),
    remediation=_LEAST_PRIVILEGE,
    pulumi_fix=(
        'aws.iam.RolePolicy("app", role=role.id, policy=json.dumps({\n'
        '    "Version": "2012-10-17", "Statement": [{"Effect": "Allow",\n'
        '        "Action": ["s3:GetObject"], "Resource": f"arn:aws:s3:::{bucket_name}/*"}]}))'
    ),
)
def iam_policy_no_full_service_access(res: Resource, inv: Inventory) -> Result:
    """Identities get the actions they use, not every present and future action of a service."""
    broad = [
        {"policy": name, "service_wildcards": wild, **s.evidence()}
        for name, doc in policy_documents(res)
        for s in parse_policy(doc, f"the policy {name} of {res.name}")
        if s.effect == "Allow" and (wild := _full_service_actions(s.actions))
    ]
    if broad:
        return failed(f"{len(broad)} statement(s) allow 'service:*'", broad_statements=broad)
    return passed("no statement allows every action of a service", broad_statements=[])
