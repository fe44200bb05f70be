"""IAM: no policy grants every action on every resource, and no AWS managed policy makes an
identity an administrator (control IAM-03)."""

from __future__ import annotations

from checks.model import Inventory, Resource
from checks.registry import Check, Result, Severity, check, failed, not_applicable, passed
from checks.support.break_glass import break_glass_grantees
from checks.support.managed_policies import aws_managed_name, is_admin_equivalent, managed_arns
from checks.support.policydoc import allows_star_on_star, parse_policy, policy_documents
from checks.support.resource_types import IAM_ATTACHMENT_TYPES, IAM_POLICY_TYPES, ROLE

CHECKS: list[Check] = []

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


@check(
    into=CHECKS,
    id="iam_no_administrator_access_attached",
    control="IAM-03",
    title=(
        "No administrator-equivalent AWS managed policy (AdministratorAccess, PowerUserAccess, "
        "IAMFullAccess) is attached"
    ),
    severity=Severity.HIGH,
    config_rule="iam-policy-no-statements-with-admin-access",
    resource_types=(*IAM_ATTACHMENT_TYPES, ROLE),
    remediation=(
        f"{_LEAST_PRIVILEGE} IAMFullAccess is administrator access too: it can attach "
        "AdministratorAccess to itself."
    ),
    pulumi_fix=(
        'aws.iam.RolePolicyAttachment("app-read", role=role.name,\n'
        '    policy_arn="arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess")'
    ),
)
def iam_no_administrator_access_attached(res: Resource, inv: Inventory) -> Result:
    """No identity is made an administrator through an AWS managed policy, bar the MFA-only
    break-glass role whose purpose that is (IAM-07)."""
    admin = [a for a in managed_arns(res) if is_admin_equivalent(a)]
    if not admin:
        return passed("no administrator-equivalent policy is attached", admin_policy_arns=[])
    names = ", ".join(str(aws_managed_name(a)) for a in admin)
    if roles := break_glass_grantees(res, inv):
        return not_applicable(
            f"{names} is held by the break-glass role {', '.join(roles)} for emergencies; only "
            "people who signed in with MFA can assume it (IAM-07)",
            admin_policy_arns=admin,
            break_glass_roles=roles,
        )
    return failed(f"{names} is attached", admin_policy_arns=admin)


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
