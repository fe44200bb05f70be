"""IAM: no AWS managed policy grants a service's full access (control IAM-03).

A program attaches AWS managed policies by ARN and never holds their documents, so the check of
statements ('service:*', `iam_policy_no_full_service_access`) cannot see what they grant: this
check judges them by name (`checks/support/managed_policies.py`). Severity: a service's full
access is medium, like the statement check; administrator-equivalent policies
(AdministratorAccess, PowerUserAccess, IAMFullAccess) are high, in
`iam_no_administrator_access_attached`.
"""

from __future__ import annotations

from checks.model import Inventory, Resource
from checks.registry import Check, Result, Severity, check, failed, not_applicable, passed
from checks.support.break_glass import break_glass_grantees
from checks.support.managed_policies import aws_managed_name, is_service_full_access, managed_arns
from checks.support.resource_types import IAM_ATTACHMENT_TYPES, ROLE

CHECKS: list[Check] = []


@check(
    into=CHECKS,
    id="iam_no_full_access_managed_policy_attached",
    control="IAM-03",
    title="No AWS managed FullAccess policy (every action of a service) is attached",
    severity=Severity.MEDIUM,
    config_rule="iam-policy-no-statements-with-full-access",
    resource_types=(*IAM_ATTACHMENT_TYPES, ROLE),
    remediation=(
        "Replace the service's FullAccess managed policy with a customer managed policy naming "
        "the actions and resources the workload uses (or the service's ReadOnly policy)."
    ),
    pulumi_fix=(
        'app_s3 = aws.iam.Policy("app-s3", policy=json.dumps({\n'
        '    "Version": "2012-10-17", "Statement": [{"Effect": "Allow",\n'
        '        "Action": ["s3:GetObject", "s3:PutObject"],\n'
        '        "Resource": f"arn:aws:s3:::{bucket_name}/*"}]}))\n'
        'aws.iam.RolePolicyAttachment("app-s3", role=role.name, policy_arn=app_s3.arn)'
    ),
)
def iam_no_full_access_managed_policy_attached(res: Resource, inv: Inventory) -> Result:
    """Identities get the actions they use, not every present and future action of a service
    (least privilege), bar the MFA-only break-glass role (IAM-07)."""
    broad = [a for a in managed_arns(res) if is_service_full_access(a)]
    if not broad:
        return passed("no service full-access managed policy is attached", full_access_arns=[])
    names = ", ".join(str(aws_managed_name(a)) for a in broad)
    if roles := break_glass_grantees(res, inv):
        return not_applicable(
            f"{names} is held by the break-glass role {', '.join(roles)} for emergencies; only "
            "people who signed in with MFA can assume it (IAM-07)",
            full_access_arns=broad,
            break_glass_roles=roles,
        )
    return failed(f"{names} attached: every action of the service", full_access_arns=broad)
