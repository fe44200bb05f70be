"""Roles that AWS services assume on the stack's behalf, each with only what that service needs.

Permissions are customer-managed policies attached to the role (never inline), so every grant
is a named, versioned object that IAM Access Analyzer and the audit can see on its own.
"""

from __future__ import annotations

from collections.abc import Sequence

import pulumi
import pulumi_aws as aws

from billing.context import StackContext
from billing.policy import service_trust
from billing.tagging import INTERNAL

# Service roles act in short, automatic sessions; an hour is the AWS minimum for the maximum.
SERVICE_SESSION_SECONDS = 3600


def attach_policy(
    parent: pulumi.Resource,
    ctx: StackContext,
    name: str,
    role: aws.iam.Role,
    description: str,
    policy: pulumi.Input[str],
) -> aws.iam.Policy:
    """A customer-managed policy named after its role, attached to it."""
    child = pulumi.ResourceOptions(parent=parent)
    managed = aws.iam.Policy(
        f"{name}-policy",
        name=ctx.name(name),
        path=ctx.iam_path,
        description=description,
        policy=policy,
        tags=ctx.tags(INTERNAL),
        opts=child,
    )
    aws.iam.RolePolicyAttachment(
        f"{name}-policy", role=role.name, policy_arn=managed.arn, opts=child
    )
    return managed


def service_role(
    parent: pulumi.Resource,
    ctx: StackContext,
    name: str,
    service: str,
    description: str,
    *,
    source_arn: str | None = None,
    pin_account: bool = True,
    policy: pulumi.Input[str] | None = None,
    aws_managed_policies: Sequence[str] = (),
) -> aws.iam.Role:
    """A role only `service` can assume, for this account (and `source_arn`, if given).

    ``pin_account=False`` is for services that do not send ``aws:SourceAccount`` on AssumeRole.
    """
    child = pulumi.ResourceOptions(parent=parent)
    role = aws.iam.Role(
        f"{name}-role",
        name=ctx.name(name),
        path=ctx.iam_path,
        description=description,
        assume_role_policy=service_trust(
            service, ctx.account.account_id if pin_account else None, source_arn
        ),
        max_session_duration=SERVICE_SESSION_SECONDS,
        tags=ctx.tags(INTERNAL),
        opts=child,
    )
    if policy is not None:
        attach_policy(parent, ctx, name, role, description, policy)
    for managed in aws_managed_policies:
        short = managed.rsplit("/", 1)[-1]
        aws.iam.RolePolicyAttachment(
            f"{name}-{short}",
            role=role.name,
            policy_arn=ctx.account.aws_managed_policy(managed),
            opts=child,
        )
    return role
