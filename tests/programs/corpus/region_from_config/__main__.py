"""An audit-log bucket and trail whose names carry the provider's configured region."""

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
owner = config.require("owner")
region = aws.config.region
account = aws.get_caller_identity().account_id
partition = aws.get_partition().partition

bucket = aws.s3.Bucket(f"audit-{region}", bucket=f"audit-logs-{account}-{region}")
aws.s3.BucketPublicAccessBlock(
    "audit",
    bucket=bucket.id,
    block_public_acls=True,
    block_public_policy=True,
    ignore_public_acls=True,
    restrict_public_buckets=True,
)
policy = aws.iam.get_policy_document_output(
    statements=[
        {
            "sid": "AWSCloudTrailWrite",
            "principals": [{"type": "Service", "identifiers": ["cloudtrail.amazonaws.com"]}],
            "actions": ["s3:PutObject"],
            "resources": [bucket.arn.apply(lambda arn: f"{arn}/AWSLogs/{account}/*")],
            "conditions": [
                {
                    "test": "StringEquals",
                    "variable": "aws:SourceArn",
                    "values": [f"arn:{partition}:cloudtrail:{region}:{account}:trail/audit"],
                }
            ],
        },
        {
            "sid": "DenyInsecureTransport",
            "effect": "Deny",
            "principals": [{"type": "*", "identifiers": ["*"]}],
            "actions": ["s3:*"],
            "resources": [bucket.arn, bucket.arn.apply(lambda arn: f"{arn}/*")],
            "conditions": [
                {"test": "Bool", "variable": "aws:SecureTransport", "values": ["false"]}
            ],
        },
    ]
)
bucket_policy = aws.s3.BucketPolicy("audit", bucket=bucket.id, policy=policy.json)

aws.cloudtrail.Trail(
    "audit",
    name="audit",
    s3_bucket_name=bucket.id,
    is_multi_region_trail=True,
    include_global_service_events=True,
    enable_log_file_validation=True,
    tags={"owner": owner, "region": region},
    opts=pulumi.ResourceOptions(depends_on=[bucket_policy]),
)
