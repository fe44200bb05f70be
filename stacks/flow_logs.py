"""VPC flow logs: a record of every connection attempt, kept encrypted for the audit period."""

from __future__ import annotations

import pulumi_aws as aws
from encryption import AccountContext, Encryption
from network import Network
from settings import Settings
from tagging import INTERNAL, tags


def _delivery_role(settings: Settings, account: AccountContext) -> aws.iam.Role:
    assume_role = aws.iam.get_policy_document(
        statements=[
            aws.iam.GetPolicyDocumentStatementArgs(
                effect="Allow",
                principals=[
                    aws.iam.GetPolicyDocumentStatementPrincipalArgs(
                        type="Service", identifiers=["vpc-flow-logs.amazonaws.com"]
                    )
                ],
                actions=["sts:AssumeRole"],
                # Confused-deputy guard: only flow logs acting for this account.
                conditions=[
                    aws.iam.GetPolicyDocumentStatementConditionArgs(
                        test="StringEquals",
                        variable="aws:SourceAccount",
                        values=[account.account_id],
                    )
                ],
            )
        ]
    )
    return aws.iam.Role(
        "flow-logs-role",
        name=f"{settings.name_prefix}-flow-logs",
        description="Lets VPC flow logs write to their CloudWatch log group",
        assume_role_policy=assume_role.json,
        tags=tags(settings, INTERNAL),
    )


def create_flow_logs(
    settings: Settings, account: AccountContext, network: Network, encryption: Encryption
) -> aws.ec2.FlowLog:
    log_group = aws.cloudwatch.LogGroup(
        "flow-logs",
        name=f"/{settings.project}/{settings.environment}/vpc-flow-logs",
        kms_key_id=encryption.key.arn,
        retention_in_days=settings.log_retention_days,
        tags=tags(settings, INTERNAL),
    )
    role = _delivery_role(settings, account)
    write_logs = aws.iam.get_policy_document_output(
        statements=[
            aws.iam.GetPolicyDocumentStatementArgs(
                effect="Allow",
                actions=[
                    "logs:CreateLogStream",
                    "logs:PutLogEvents",
                    "logs:DescribeLogStreams",
                ],
                resources=[log_group.arn, log_group.arn.apply(lambda arn: f"{arn}:*")],
            )
        ]
    )
    aws.iam.RolePolicy(
        "flow-logs-write",
        role=role.id,
        policy=write_logs.json,
    )
    return aws.ec2.FlowLog(
        "vpc-flow-log",
        vpc_id=network.vpc.id,
        traffic_type="ALL",
        log_destination_type="cloud-watch-logs",
        log_destination=log_group.arn,
        iam_role_arn=role.arn,
        max_aggregation_interval=60,
        tags=tags(settings, INTERNAL, f"{settings.name_prefix}-vpc-flow-log"),
    )
