"""The sessions and app-state table: DynamoDB with its own key and point-in-time recovery."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from billing import COMPONENT_PREFIX
from billing.context import StackContext
from billing.tagging import EPHI


@dataclass(frozen=True)
class SessionStoreArgs:
    """Knobs of the session table."""

    kms_key_arn: pulumi.Input[str]
    # Days of continuous backups to restore from (1-35).
    point_in_time_recovery_days: int = 35
    # Attribute holding each item's expiry (epoch seconds); expired sessions are deleted.
    ttl_attribute: str = "expires_at"


class SessionStore(pulumi.ComponentResource):
    """An on-demand table keyed by session id."""

    def __init__(
        self,
        name: str,
        ctx: StackContext,
        args: SessionStoreArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(f"{COMPONENT_PREFIX}:SessionStore", name, None, opts)
        table_name = ctx.name("sessions")
        self.table = aws.dynamodb.Table(
            "sessions",
            name=table_name,
            billing_mode="PAY_PER_REQUEST",
            hash_key="session_id",
            attributes=[aws.dynamodb.TableAttributeArgs(name="session_id", type="S")],
            server_side_encryption=aws.dynamodb.TableServerSideEncryptionArgs(
                enabled=True, kms_key_arn=args.kms_key_arn
            ),
            point_in_time_recovery=aws.dynamodb.TablePointInTimeRecoveryArgs(
                enabled=True, recovery_period_in_days=args.point_in_time_recovery_days
            ),
            ttl=aws.dynamodb.TableTtlArgs(attribute_name=args.ttl_attribute, enabled=True),
            deletion_protection_enabled=True,
            tags=ctx.tags(EPHI, table_name, backup=True),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.register_outputs({"table_name": self.table.name, "table_arn": self.table.arn})
