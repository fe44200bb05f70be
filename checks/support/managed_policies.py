"""AWS managed policies by what they grant, judged from their ARN: a program attaches them by
ARN and never holds their documents, so a check of the statements cannot see them.

- admin-equivalent: AdministratorAccess ('*' on '*'), PowerUserAccess (every action outside IAM
  and Organizations: every data store, every key) and IAMFullAccess (it can attach
  AdministratorAccess to itself);
- a service's full access: every other AWS managed policy whose name holds `FullAccess`
  (AmazonS3FullAccess, AWSLambda_FullAccess, CloudWatchFullAccessV2, ...) or starts
  `AdministratorAccess-` (AdministratorAccess-Amplify, AdministratorAccess-AWSElasticBeanstalk).
"""

from __future__ import annotations

from checks.model import Resource
from checks.support.props import known
from checks.support.resource_types import ROLE

# What every AWS managed policy ARN holds (any partition): `arn:aws:iam::aws:policy/...`.
AWS_MANAGED_POLICY = ":iam::aws:policy/"
ADMIN_EQUIVALENT = frozenset({"AdministratorAccess", "PowerUserAccess", "IAMFullAccess"})


def aws_managed_name(arn: str) -> str | None:
    """The policy name of an AWS managed policy ARN (any partition, any path); None for a
    customer managed policy (whose document the statement checks read)."""
    head, marker, rest = arn.partition(AWS_MANAGED_POLICY)
    if not marker or not head.startswith("arn:"):
        return None
    return rest.rsplit("/", 1)[-1]


def is_admin_equivalent(arn: str) -> bool:
    return aws_managed_name(arn) in ADMIN_EQUIVALENT


def is_service_full_access(arn: str) -> bool:
    name = aws_managed_name(arn)
    if name is None or name in ADMIN_EQUIVALENT:
        return False
    return "FullAccess" in name or name.startswith("AdministratorAccess-")


def managed_arns(res: Resource) -> list[str]:
    """The managed policy ARNs an attachment resource attaches, or a role's exclusive set."""
    value = known(res, "managed_policy_arns" if res.type == ROLE else "policy_arn")
    values = value if isinstance(value, (list, tuple)) else [value]
    return [str(v) for v in values if v]
