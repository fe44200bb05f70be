"""The customer-managed KMS key that encrypts every ePHI store and log in the stack."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi_aws as aws
from settings import Settings
from tagging import EPHI, tags


@dataclass(frozen=True)
class AccountContext:
    """Who and where the stack deploys; used to build ARNs and key policies."""

    account_id: str
    partition: str
    region: str


@dataclass(frozen=True)
class Encryption:
    key: aws.kms.Key
    alias: aws.kms.Alias


def account_context(settings: Settings) -> AccountContext:
    identity = aws.get_caller_identity()
    partition = aws.get_partition()
    return AccountContext(
        account_id=identity.account_id,
        partition=partition.partition,
        region=settings.region,
    )


def _key_policy(account: AccountContext) -> str:
    """Key policy: the account administers the key through IAM (no wildcard principal);
    CloudWatch Logs may use it only for this account's log groups."""
    root = f"arn:{account.partition}:iam::{account.account_id}:root"
    log_groups = f"arn:{account.partition}:logs:{account.region}:{account.account_id}:log-group:*"
    document = aws.iam.get_policy_document(
        statements=[
            aws.iam.GetPolicyDocumentStatementArgs(
                sid="EnableAccountAdministration",
                effect="Allow",
                principals=[
                    aws.iam.GetPolicyDocumentStatementPrincipalArgs(type="AWS", identifiers=[root])
                ],
                actions=["kms:*"],
                resources=["*"],
            ),
            aws.iam.GetPolicyDocumentStatementArgs(
                sid="AllowCloudWatchLogsForThisAccount",
                effect="Allow",
                principals=[
                    aws.iam.GetPolicyDocumentStatementPrincipalArgs(
                        type="Service",
                        identifiers=[f"logs.{account.region}.amazonaws.com"],
                    )
                ],
                actions=[
                    "kms:Encrypt*",
                    "kms:Decrypt*",
                    "kms:ReEncrypt*",
                    "kms:GenerateDataKey*",
                    "kms:Describe*",
                ],
                resources=["*"],
                conditions=[
                    aws.iam.GetPolicyDocumentStatementConditionArgs(
                        test="ArnLike",
                        variable="kms:EncryptionContext:aws:logs:arn",
                        values=[log_groups],
                    )
                ],
            ),
        ]
    )
    return document.json


def create_encryption(settings: Settings, account: AccountContext) -> Encryption:
    key = aws.kms.Key(
        "ephi-key",
        description=f"Encrypts ePHI at rest for {settings.name_prefix}",
        enable_key_rotation=True,
        deletion_window_in_days=30,
        policy=_key_policy(account),
        tags=tags(settings, EPHI, f"{settings.name_prefix}-ephi"),
    )
    alias = aws.kms.Alias(
        "ephi-key-alias",
        name=f"alias/{settings.name_prefix}-ephi",
        target_key_id=key.key_id,
    )
    return Encryption(key=key, alias=alias)
