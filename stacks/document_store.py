"""The S3 bucket for billing documents: private, versioned, encrypted with the CMK,
and reachable only over TLS."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws
from encryption import AccountContext, Encryption
from settings import Settings
from tagging import EPHI, tags


def _tls_only_policy(bucket: aws.s3.Bucket) -> pulumi.Output[str]:
    """Deny every request made without TLS; the wildcard principal is safe on a Deny."""
    document = aws.iam.get_policy_document_output(
        statements=[
            aws.iam.GetPolicyDocumentStatementArgs(
                sid="DenyInsecureTransport",
                effect="Deny",
                principals=[
                    aws.iam.GetPolicyDocumentStatementPrincipalArgs(type="*", identifiers=["*"])
                ],
                actions=["s3:*"],
                resources=[bucket.arn, bucket.arn.apply(lambda arn: f"{arn}/*")],
                conditions=[
                    aws.iam.GetPolicyDocumentStatementConditionArgs(
                        test="Bool", variable="aws:SecureTransport", values=["false"]
                    )
                ],
            )
        ]
    )
    return document.json


def create_document_store(
    settings: Settings, account: AccountContext, encryption: Encryption
) -> aws.s3.Bucket:
    bucket = aws.s3.Bucket(
        "billing-documents",
        bucket=f"{settings.name_prefix}-documents-{account.account_id}",
        force_destroy=False,
        tags=tags(settings, EPHI, f"{settings.name_prefix}-documents"),
    )
    aws.s3.BucketServerSideEncryptionConfiguration(
        "billing-documents-encryption",
        bucket=bucket.id,
        rules=[
            aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
                apply_server_side_encryption_by_default=aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
                    sse_algorithm="aws:kms",
                    kms_master_key_id=encryption.key.arn,
                ),
                bucket_key_enabled=True,
            )
        ],
    )
    aws.s3.BucketVersioning(
        "billing-documents-versioning",
        bucket=bucket.id,
        versioning_configuration=aws.s3.BucketVersioningVersioningConfigurationArgs(
            status="Enabled"
        ),
    )
    public_access_block = aws.s3.BucketPublicAccessBlock(
        "billing-documents-public-access-block",
        bucket=bucket.id,
        block_public_acls=True,
        block_public_policy=True,
        ignore_public_acls=True,
        restrict_public_buckets=True,
    )
    aws.s3.BucketOwnershipControls(
        "billing-documents-ownership",
        bucket=bucket.id,
        rule=aws.s3.BucketOwnershipControlsRuleArgs(object_ownership="BucketOwnerEnforced"),
    )
    aws.s3.BucketPolicy(
        "billing-documents-tls-only",
        bucket=bucket.id,
        policy=_tls_only_policy(bucket),
        # S3 rejects policy writes that race the public access block being applied.
        opts=pulumi.ResourceOptions(depends_on=[public_access_block]),
    )
    return bucket
