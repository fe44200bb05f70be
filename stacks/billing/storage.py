"""The billing system's buckets: documents and claims, audit evidence, and access logs.

- documents (ePHI): SSE-KMS with the documents key, logged, in the backup plan;
- audit evidence: CloudTrail and AWS Config deliveries under Object Lock for six years
  (45 CFR 164.316(b)(2)(i)), SSE-KMS with the audit key;
- access logs: S3 server access logs and ALB access logs. ALB log delivery supports only
  SSE-S3, so this one bucket is SSE-S3 (AES-256); it holds request metadata, not documents.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from billing import COMPONENT_PREFIX
from billing.bucket import ObjectLock, SecureBucket, SecureBucketArgs
from billing.context import AccountContext, StackContext
from billing.policy import statement
from billing.tagging import EPHI, INTERNAL

ALB_LOG_PREFIX = "alb"
S3_ACCESS_LOG_PREFIX = "s3-access"
CLOUDTRAIL_PREFIX = "cloudtrail"
CONFIG_PREFIX = "config"
# Regions that predate August 2022 take ALB logs from a regional ELB account; newer regions
# from the log-delivery service principal.
LEGACY_ELB_REGIONS = frozenset(
    {
        "us-east-1", "us-east-2", "us-west-1", "us-west-2", "af-south-1", "ap-east-1",
        "ap-south-1", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-southeast-1",
        "ap-southeast-2", "ap-southeast-3", "ca-central-1", "eu-central-1", "eu-west-1",
        "eu-west-2", "eu-west-3", "eu-south-1", "eu-north-1", "me-south-1", "sa-east-1",
        "us-gov-west-1", "us-gov-east-1", "cn-north-1", "cn-northwest-1",
    }
)  # fmt: skip


@dataclass(frozen=True)
class StorageArgs:
    """Knobs of the storage tier."""

    documents_kms_key_arn: pulumi.Input[str]
    audit_kms_key_arn: pulumi.Input[str]
    # Name of the CloudTrail trail that writes into the audit-evidence bucket.
    trail_name: str
    # Object Lock on the audit-evidence bucket: "compliance" in production.
    object_lock_mode: str = "compliance"
    object_lock_years: int = 6
    # Days a superseded document version stays recoverable before it expires.
    documents_noncurrent_version_days: int = 2192
    # Days access logs are kept.
    access_log_retention_days: int = 365


def _elb_log_principal(account: AccountContext) -> dict[str, list[str]]:
    if account.region in LEGACY_ELB_REGIONS:
        elb_account = aws.elb.get_service_account(region=account.region)
        return {"AWS": [elb_account.arn]}
    return {"Service": ["logdelivery.elasticloadbalancing.amazonaws.com"]}


def _lifecycle(
    rule_id: str,
    *,
    expire_days: int | None = None,
    noncurrent_days: int | None = None,
    noncurrent_ia_days: int | None = None,
    glacier_ir_days: int | None = None,
) -> aws.s3.BucketLifecycleConfigurationRuleArgs:
    return aws.s3.BucketLifecycleConfigurationRuleArgs(
        id=rule_id,
        status="Enabled",
        filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(prefix=""),
        expiration=aws.s3.BucketLifecycleConfigurationRuleExpirationArgs(days=expire_days)
        if expire_days
        else None,
        transitions=[
            aws.s3.BucketLifecycleConfigurationRuleTransitionArgs(
                days=glacier_ir_days, storage_class="GLACIER_IR"
            )
        ]
        if glacier_ir_days
        else None,
        noncurrent_version_transitions=[
            aws.s3.BucketLifecycleConfigurationRuleNoncurrentVersionTransitionArgs(
                noncurrent_days=noncurrent_ia_days, storage_class="STANDARD_IA"
            )
        ]
        if noncurrent_ia_days
        else None,
        noncurrent_version_expiration=aws.s3.BucketLifecycleConfigurationRuleNoncurrentVersionExpirationArgs(
            noncurrent_days=noncurrent_days
        )
        if noncurrent_days
        else None,
    )


class Storage(pulumi.ComponentResource):
    """The three buckets, wired to each other's logging."""

    def __init__(
        self,
        name: str,
        ctx: StackContext,
        args: StorageArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(f"{COMPONENT_PREFIX}:Storage", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        account = ctx.account
        suffix = account.account_id
        logs_name = ctx.name(f"access-logs-{suffix}")
        logs_arn = account.bucket_arn(logs_name)
        self.access_logs = SecureBucket(
            "access-logs",
            ctx,
            SecureBucketArgs(
                bucket_name=logs_name,
                classification=INTERNAL,
                kms_key_arn=None,
                lifecycle_rules=[
                    _lifecycle(
                        "expire-logs",
                        expire_days=args.access_log_retention_days,
                        noncurrent_days=30,
                    )
                ],
                service_statements=[
                    statement(
                        "S3ServerAccessLogDelivery",
                        ["s3:PutObject"],
                        [f"{logs_arn}/{S3_ACCESS_LOG_PREFIX}/*"],
                        principals={"Service": ["logging.s3.amazonaws.com"]},
                        conditions=[
                            ("StringEquals", "aws:SourceAccount", [account.account_id]),
                            (
                                "ArnLike",
                                "aws:SourceArn",
                                [account.bucket_arn(f"{ctx.name_prefix}-*")],
                            ),
                        ],
                    ),
                    statement(
                        "AlbAccessLogDelivery",
                        ["s3:PutObject"],
                        [f"{logs_arn}/{ALB_LOG_PREFIX}/AWSLogs/{account.account_id}/*"],
                        principals=_elb_log_principal(account),
                    ),
                ],
            ),
            opts=child,
        )
        self.documents = SecureBucket(
            "billing-documents",
            ctx,
            SecureBucketArgs(
                bucket_name=ctx.name(f"documents-{suffix}"),
                classification=EPHI,
                kms_key_arn=args.documents_kms_key_arn,
                access_log_bucket=logs_name,
                access_log_prefix=f"{S3_ACCESS_LOG_PREFIX}/documents/",
                lifecycle_rules=[
                    _lifecycle(
                        "superseded-versions",
                        noncurrent_ia_days=30,
                        noncurrent_days=args.documents_noncurrent_version_days,
                    )
                ],
                backup=True,
            ),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.access_logs]),
        )
        audit_name = ctx.name(f"audit-evidence-{suffix}")
        audit_arn = account.bucket_arn(audit_name)
        trail_arn = account.arn("cloudtrail", f"trail/{args.trail_name}")
        from_trail = ("StringEquals", "aws:SourceArn", [trail_arn])
        from_account = ("StringEquals", "aws:SourceAccount", [account.account_id])
        owner_full_control = ("StringEquals", "s3:x-amz-acl", ["bucket-owner-full-control"])
        self.audit_evidence = SecureBucket(
            "audit-evidence",
            ctx,
            SecureBucketArgs(
                bucket_name=audit_name,
                classification=EPHI,
                kms_key_arn=args.audit_kms_key_arn,
                access_log_bucket=logs_name,
                access_log_prefix=f"{S3_ACCESS_LOG_PREFIX}/audit-evidence/",
                object_lock=ObjectLock(args.object_lock_mode.upper(), args.object_lock_years),
                lifecycle_rules=[_lifecycle("archive-evidence", glacier_ir_days=90)],
                service_statements=[
                    statement(
                        "CloudTrailAclCheck",
                        ["s3:GetBucketAcl"],
                        [audit_arn],
                        principals={"Service": ["cloudtrail.amazonaws.com"]},
                        conditions=[from_trail],
                    ),
                    statement(
                        "CloudTrailWrite",
                        ["s3:PutObject"],
                        [f"{audit_arn}/{CLOUDTRAIL_PREFIX}/AWSLogs/{account.account_id}/*"],
                        principals={"Service": ["cloudtrail.amazonaws.com"]},
                        conditions=[from_trail, owner_full_control],
                    ),
                    statement(
                        "ConfigBucketCheck",
                        ["s3:GetBucketAcl", "s3:ListBucket"],
                        [audit_arn],
                        principals={"Service": ["config.amazonaws.com"]},
                        conditions=[from_account],
                    ),
                    statement(
                        "ConfigWrite",
                        ["s3:PutObject"],
                        [f"{audit_arn}/{CONFIG_PREFIX}/AWSLogs/{account.account_id}/Config/*"],
                        principals={"Service": ["config.amazonaws.com"]},
                        conditions=[from_account, owner_full_control],
                    ),
                ],
                backup=True,
            ),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.access_logs]),
        )
        self.register_outputs(
            {
                "documents_bucket": self.documents.bucket_name,
                "audit_evidence_bucket": self.audit_evidence.bucket_name,
                "access_logs_bucket": self.access_logs.bucket_name,
            }
        )
