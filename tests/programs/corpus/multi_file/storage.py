"""Where intake documents land: a queue and a bucket."""

import pulumi_aws as aws

from settings import ENV

documents = aws.s3.Bucket(f"intake-documents-{ENV}", versioning={"enabled": True})
aws.s3.BucketServerSideEncryptionConfiguration(
    "documents",
    bucket=documents.id,
    rules=[{"apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms"}}],
)
queue = aws.sqs.Queue("intake", kms_master_key_id="alias/aws/sqs", message_retention_seconds=1209600)
dead_letters = aws.sqs.Queue("intake-dlq", sqs_managed_sse_enabled=True)
