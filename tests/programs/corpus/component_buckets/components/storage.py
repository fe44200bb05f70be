"""A bucket for ePHI: encrypted with its own key, versioned, private, access-logged."""

from typing import Optional

import pulumi
import pulumi_aws as aws


class SecureBucket(pulumi.ComponentResource):
    def __init__(
        self,
        name: str,
        *,
        log_bucket: aws.s3.Bucket,
        retention_days: int,
        opts: Optional[pulumi.ResourceOptions] = None,
    ) -> None:
        super().__init__("acme:storage:SecureBucket", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.key = aws.kms.Key(
            f"{name}-key",
            description=f"{name} objects",
            enable_key_rotation=True,
            deletion_window_in_days=30,
            opts=child,
        )
        self.bucket = aws.s3.Bucket(f"{name}", tags={"data-classification": "ePHI"}, opts=child)
        aws.s3.BucketVersioning(
            f"{name}-versioning",
            bucket=self.bucket.id,
            versioning_configuration={"status": "Enabled"},
            opts=child,
        )
        aws.s3.BucketServerSideEncryptionConfiguration(
            f"{name}-sse",
            bucket=self.bucket.id,
            rules=[
                {
                    "apply_server_side_encryption_by_default": {
                        "sse_algorithm": "aws:kms",
                        "kms_master_key_id": self.key.arn,
                    },
                    "bucket_key_enabled": True,
                }
            ],
            opts=child,
        )
        aws.s3.BucketPublicAccessBlock(
            f"{name}-pab",
            bucket=self.bucket.id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            opts=child,
        )
        aws.s3.BucketLogging(
            f"{name}-logging",
            bucket=self.bucket.id,
            target_bucket=log_bucket.id,
            target_prefix=f"{name}/",
            opts=child,
        )
        aws.s3.BucketLifecycleConfiguration(
            f"{name}-lifecycle",
            bucket=self.bucket.id,
            rules=[
                {
                    "id": "retention",
                    "status": "Enabled",
                    "noncurrent_version_expiration": {"noncurrent_days": retention_days},
                }
            ],
            opts=child,
        )
        self.register_outputs({"bucket_name": self.bucket.bucket, "key_arn": self.key.arn})
