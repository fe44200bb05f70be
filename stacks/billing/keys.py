"""Customer-managed KMS keys, one per data domain, so a grant on one domain opens no other.

Every key rotates yearly, waits the longest deletion window AWS allows, and has a policy with
no wildcard principal: the account administers it through IAM, and only the AWS services that
must encrypt into that domain are named, each pinned to this account or to the resource.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from billing import COMPONENT_PREFIX
from billing.context import AccountContext, StackContext
from billing.policy import document, statement
from billing.tagging import EPHI

# Data domains and what each key protects.
DOMAINS: Mapping[str, str] = {
    "database": "the billing PostgreSQL storage, snapshots, Performance Insights and secret",
    "documents": "billing documents and claims in S3",
    "sessions": "the sessions and app-state DynamoDB table",
    "logs": "CloudWatch log groups (flow, database, WAF, CloudTrail copies)",
    "audit": "CloudTrail logs and the audit-evidence bucket",
    "backup": "AWS Backup recovery points",
    "alerts": "the security-alerts SNS topic",
    "volumes": "EBS volumes and snapshots created in this account and region by default",
}
# AWS services that publish to the encrypted alerts topic.
ALERT_PUBLISHERS = (
    "backup.amazonaws.com",
    "cloudwatch.amazonaws.com",
    "events.amazonaws.com",
    "events.rds.amazonaws.com",
)
ENVELOPE_ACTIONS = ("kms:Decrypt", "kms:GenerateDataKey*")


@dataclass(frozen=True)
class KeysArgs:
    """Knobs of the key set."""

    # Name of the CloudTrail trail allowed to encrypt with the audit key.
    trail_name: str
    # Days a scheduled deletion waits (7-30); 30 leaves a month to notice a mistake.
    deletion_window_days: int = 30


def _service_statements(
    domain: str, account: AccountContext, args: KeysArgs
) -> list[aws.iam.GetPolicyDocumentStatementArgs]:
    this_account = ("StringEquals", "aws:SourceAccount", [account.account_id])
    if domain == "logs":
        log_groups = account.arn("logs", "log-group:*")
        return [
            statement(
                "AllowCloudWatchLogsForThisAccount",
                [
                    "kms:Encrypt*",
                    "kms:Decrypt*",
                    "kms:ReEncrypt*",
                    "kms:GenerateDataKey*",
                    "kms:Describe*",
                ],
                principals={"Service": [f"logs.{account.region}.amazonaws.com"]},
                conditions=[("ArnLike", "kms:EncryptionContext:aws:logs:arn", [log_groups])],
            )
        ]
    if domain == "audit":
        trail_arn = account.arn("cloudtrail", f"trail/{args.trail_name}")
        from_trail = ("StringEquals", "aws:SourceArn", [trail_arn])
        return [
            statement(
                "AllowCloudTrailToEncryptLogs",
                ["kms:GenerateDataKey*"],
                principals={"Service": ["cloudtrail.amazonaws.com"]},
                conditions=[
                    from_trail,
                    (
                        "StringLike",
                        "kms:EncryptionContext:aws:cloudtrail:arn",
                        [f"arn:{account.partition}:cloudtrail:*:{account.account_id}:trail/*"],
                    ),
                ],
            ),
            statement(
                "AllowCloudTrailToDescribeKey",
                ["kms:DescribeKey"],
                principals={"Service": ["cloudtrail.amazonaws.com"]},
                conditions=[from_trail],
            ),
        ]
    if domain == "alerts":
        return [
            statement(
                "AllowAlertPublishers",
                ENVELOPE_ACTIONS,
                principals={"Service": list(ALERT_PUBLISHERS)},
                conditions=[this_account],
            )
        ]
    return []


def key_policy(domain: str, account: AccountContext, args: KeysArgs) -> str:
    return document(
        statement(
            "EnableAccountAdministrationThroughIam",
            ["kms:*"],
            principals={"AWS": [account.root_arn]},
        ),
        *_service_statements(domain, account, args),
    )


class Keys(pulumi.ComponentResource):
    """One rotated customer-managed key (and alias) per entry of `DOMAINS`."""

    def __init__(
        self,
        name: str,
        ctx: StackContext,
        args: KeysArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(f"{COMPONENT_PREFIX}:Keys", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.keys: dict[str, aws.kms.Key] = {}
        for domain, purpose in DOMAINS.items():
            key = aws.kms.Key(
                f"{domain}-key",
                description=f"{ctx.name_prefix}: encrypts {purpose}",
                enable_key_rotation=True,
                rotation_period_in_days=365,
                deletion_window_in_days=args.deletion_window_days,
                key_usage="ENCRYPT_DECRYPT",
                customer_master_key_spec="SYMMETRIC_DEFAULT",
                policy=key_policy(domain, ctx.account, args),
                tags={**ctx.tags(EPHI, ctx.name(domain)), "key-domain": domain},
                opts=child,
            )
            aws.kms.Alias(
                f"{domain}-key-alias",
                name=f"alias/{ctx.name(domain)}",
                target_key_id=key.key_id,
                opts=child,
            )
            self.keys[domain] = key
        self.register_outputs({f"{d}_key_arn": k.arn for d, k in self.keys.items()})

    def arn(self, domain: str) -> pulumi.Output[str]:
        return self.keys[domain].arn
