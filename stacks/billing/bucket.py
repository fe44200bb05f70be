"""A private S3 bucket with every safeguard declared beside it.

pulumi_aws v7 splits a bucket's settings into companion resources; this component always
declares all of them, so a bucket cannot be created half-protected: default encryption,
versioning, the four public-access blocks, ACLs disabled (BucketOwnerEnforced), a TLS-only
policy (TLS 1.2 or newer), server access logging, a lifecycle and, for evidence, Object Lock.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from billing import COMPONENT_PREFIX
from billing.context import StackContext
from billing.policy import deny_insecure_transport, document, statement

ABORT_UPLOADS_AFTER_DAYS = 7
_EncryptionByDefault = (
    aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs
)


@dataclass(frozen=True)
class ObjectLock:
    """Write-once retention applied to every new object version by default."""

    mode: str  # "COMPLIANCE" (nobody can shorten it) or "GOVERNANCE" (privileged bypass)
    years: int


@dataclass(frozen=True)
class SecureBucketArgs:
    """Knobs of one bucket."""

    # Physical bucket name (globally unique; the program appends the account id).
    bucket_name: str
    # Tag value of data-classification ("ePHI" or "internal").
    classification: str
    # Customer-managed key for SSE-KMS. None selects SSE-S3, and is only for buckets that an
    # AWS log-delivery service writes and that cannot take SSE-KMS (ALB access logs).
    kms_key_arn: pulumi.Input[str] | None
    # Bucket (name) receiving this bucket's server access logs, and the key prefix there.
    access_log_bucket: pulumi.Input[str] | None = None
    access_log_prefix: str = ""
    # Object Lock default retention; set only at creation (Object Lock cannot be added later).
    object_lock: ObjectLock | None = None
    # Lifecycle rules beyond the abort-incomplete-uploads rule every bucket gets.
    lifecycle_rules: Sequence[aws.s3.BucketLifecycleConfigurationRuleArgs] = ()
    # Statements granting AWS services (log delivery, CloudTrail, Config) what they need.
    service_statements: Sequence[aws.iam.GetPolicyDocumentStatementArgs] = field(default=())
    # Put the bucket into the stack's AWS Backup plan.
    backup: bool = False


class SecureBucket(pulumi.ComponentResource):
    """One bucket and its companion resources."""

    def __init__(
        self,
        name: str,
        ctx: StackContext,
        args: SecureBucketArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(f"{COMPONENT_PREFIX}:SecureBucket", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        arn = ctx.account.bucket_arn(args.bucket_name)
        self.bucket_name = args.bucket_name
        self.arn = arn
        self.bucket = aws.s3.Bucket(
            name,
            bucket=args.bucket_name,
            force_destroy=False,
            object_lock_enabled=True if args.object_lock else None,
            tags=ctx.tags(args.classification, args.bucket_name, backup=args.backup),
            opts=child,
        )
        bucket = self.bucket.id
        aws.s3.BucketOwnershipControls(
            f"{name}-ownership",
            bucket=bucket,
            rule=aws.s3.BucketOwnershipControlsRuleArgs(object_ownership="BucketOwnerEnforced"),
            opts=child,
        )
        public_access_block = aws.s3.BucketPublicAccessBlock(
            f"{name}-public-access-block",
            bucket=bucket,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            opts=child,
        )
        by_default = _EncryptionByDefault(
            sse_algorithm="aws:kms" if args.kms_key_arn is not None else "AES256",
            kms_master_key_id=args.kms_key_arn,
        )
        aws.s3.BucketServerSideEncryptionConfiguration(
            f"{name}-encryption",
            bucket=bucket,
            rules=[
                aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
                    apply_server_side_encryption_by_default=by_default,
                    bucket_key_enabled=args.kms_key_arn is not None,
                )
            ],
            opts=child,
        )
        versioning = aws.s3.BucketVersioning(
            f"{name}-versioning",
            bucket=bucket,
            versioning_configuration=aws.s3.BucketVersioningVersioningConfigurationArgs(
                status="Enabled"
            ),
            opts=child,
        )
        if args.object_lock is not None:
            aws.s3.BucketObjectLockConfiguration(
                f"{name}-object-lock",
                bucket=bucket,
                object_lock_enabled="Enabled",
                rule=aws.s3.BucketObjectLockConfigurationRuleArgs(
                    default_retention=aws.s3.BucketObjectLockConfigurationRuleDefaultRetentionArgs(
                        mode=args.object_lock.mode, years=args.object_lock.years
                    )
                ),
                opts=pulumi.ResourceOptions(parent=self, depends_on=[versioning]),
            )
        aws.s3.BucketPolicy(
            f"{name}-policy",
            bucket=bucket,
            policy=document(
                deny_insecure_transport([arn, f"{arn}/*"], ["s3:*"]),
                statement(
                    "DenyOutdatedTls",
                    ["s3:*"],
                    [arn, f"{arn}/*"],
                    effect="Deny",
                    principals={"*": ["*"]},
                    conditions=[("NumericLessThan", "s3:TlsVersion", ["1.2"])],
                ),
                *args.service_statements,
            ),
            # S3 rejects policy writes that race the public access block being applied.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[public_access_block]),
        )
        if args.access_log_bucket is not None:
            aws.s3.BucketLogging(
                f"{name}-access-logging",
                bucket=bucket,
                target_bucket=args.access_log_bucket,
                target_prefix=args.access_log_prefix,
                target_object_key_format=aws.s3.BucketLoggingTargetObjectKeyFormatArgs(
                    partitioned_prefix=aws.s3.BucketLoggingTargetObjectKeyFormatPartitionedPrefixArgs(
                        partition_date_source="EventTime"
                    )
                ),
                opts=child,
            )
        aws.s3.BucketLifecycleConfiguration(
            f"{name}-lifecycle",
            bucket=bucket,
            rules=[
                aws.s3.BucketLifecycleConfigurationRuleArgs(
                    id="abort-incomplete-uploads",
                    status="Enabled",
                    filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(prefix=""),
                    abort_incomplete_multipart_upload=aws.s3.BucketLifecycleConfigurationRuleAbortIncompleteMultipartUploadArgs(
                        days_after_initiation=ABORT_UPLOADS_AFTER_DAYS
                    ),
                ),
                *args.lifecycle_rules,
            ],
            opts=pulumi.ResourceOptions(parent=self, depends_on=[versioning]),
        )
        self.register_outputs({"bucket": self.bucket.bucket, "arn": self.bucket.arn})
