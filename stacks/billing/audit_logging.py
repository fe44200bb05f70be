"""The audit trail: who did what, where, to which billing data (45 CFR 164.312(b)).

One multi-region CloudTrail trail records management events in every region and the S3 data
events (object reads and writes) of the billing buckets. Log files are KMS-encrypted, their
integrity is provable (digest files), they land in the Object-Locked audit-evidence bucket and
are copied to an encrypted CloudWatch log group, where the security alarms watch them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from billing import COMPONENT_PREFIX
from billing.context import StackContext
from billing.policy import document, statement
from billing.service_roles import service_role
from billing.storage import CLOUDTRAIL_PREFIX
from billing.tagging import EPHI


@dataclass(frozen=True)
class AuditTrailArgs:
    """Knobs of the trail."""

    trail_name: str
    # Audit-evidence bucket (name) the trail delivers to.
    bucket_name: pulumi.Input[str]
    # Customer-managed key that encrypts the log files (the audit key).
    kms_key_arn: pulumi.Input[str]
    # Key of the CloudWatch copy (the logs key).
    logs_kms_key_arn: pulumi.Input[str]
    # ARNs of the buckets whose object-level reads and writes are recorded.
    data_event_bucket_arns: Sequence[str]
    # Days the CloudWatch copy is kept (six years in production).
    log_retention_days: int = 2192


def _selectors(bucket_arns: Sequence[str]) -> list[aws.cloudtrail.TrailAdvancedEventSelectorArgs]:
    field = aws.cloudtrail.TrailAdvancedEventSelectorFieldSelectorArgs
    return [
        aws.cloudtrail.TrailAdvancedEventSelectorArgs(
            name="All management events",
            field_selectors=[field(field="eventCategory", equals=["Management"])],
        ),
        aws.cloudtrail.TrailAdvancedEventSelectorArgs(
            name="Object reads and writes of the billing buckets",
            field_selectors=[
                field(field="eventCategory", equals=["Data"]),
                field(field="resources.type", equals=["AWS::S3::Object"]),
                field(field="resources.ARN", starts_withs=[f"{arn}/" for arn in bucket_arns]),
            ],
        ),
    ]


class AuditTrail(pulumi.ComponentResource):
    """The trail, its CloudWatch log group and the role that delivers to it."""

    def __init__(
        self,
        name: str,
        ctx: StackContext,
        args: AuditTrailArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(f"{COMPONENT_PREFIX}:AuditTrail", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        account = ctx.account
        trail_arn = account.arn("cloudtrail", f"trail/{args.trail_name}")
        log_group_name = f"/{ctx.name_prefix}/cloudtrail"
        log_group_arn = account.arn("logs", f"log-group:{log_group_name}")
        self.log_group = aws.cloudwatch.LogGroup(
            "cloudtrail-logs",
            name=log_group_name,
            kms_key_id=args.logs_kms_key_arn,
            retention_in_days=args.log_retention_days,
            tags={**ctx.tags(EPHI), "log-type": "audit"},
            opts=child,
        )
        role = service_role(
            self,
            ctx,
            "cloudtrail-to-logs",
            "cloudtrail.amazonaws.com",
            "Lets CloudTrail copy the audit trail into its CloudWatch log group",
            source_arn=trail_arn,
            policy=document(
                statement(
                    "WriteTrailLogStreams",
                    ["logs:CreateLogStream", "logs:PutLogEvents"],
                    [f"{log_group_arn}:log-stream:*"],
                )
            ),
        )
        self.trail = aws.cloudtrail.Trail(
            "audit-trail",
            name=args.trail_name,
            s3_bucket_name=args.bucket_name,
            s3_key_prefix=CLOUDTRAIL_PREFIX,
            is_multi_region_trail=True,
            include_global_service_events=True,
            enable_log_file_validation=True,
            enable_logging=True,
            kms_key_id=args.kms_key_arn,
            cloud_watch_logs_group_arn=self.log_group.arn.apply(lambda arn: f"{arn}:*"),
            cloud_watch_logs_role_arn=role.arn,
            advanced_event_selectors=_selectors(args.data_event_bucket_arns),
            tags=ctx.tags(EPHI, args.trail_name),
            opts=child,
        )
        self.register_outputs({"trail_arn": self.trail.arn, "log_group": log_group_name})
