"""Medical records replicated to a second region (explicit provider, resource-object inputs)."""

import json

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
replica_region = config.require("replicaRegion")
replica = aws.Provider("replica", region=replica_region)


def locked_bucket(name: str, opts: pulumi.ResourceOptions | None = None) -> aws.s3.Bucket:
    bucket = aws.s3.Bucket(name, opts=opts)
    aws.s3.BucketVersioning(
        name, bucket=bucket, versioning_configuration={"status": "Enabled"}, opts=opts
    )
    aws.s3.BucketPublicAccessBlock(
        name,
        bucket=bucket,
        block_public_acls=True,
        block_public_policy=True,
        ignore_public_acls=True,
        restrict_public_buckets=True,
        opts=opts,
    )
    aws.s3.BucketServerSideEncryptionConfiguration(
        name,
        bucket=bucket,
        rules=[{"apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms"}}],
        opts=opts,
    )
    return bucket


source = locked_bucket("records")
target = locked_bucket("records-replica", pulumi.ResourceOptions(provider=replica))

role = aws.iam.Role(
    "replication",
    assume_role_policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "s3.amazonaws.com"}}
            ],
        }
    ),
)
aws.iam.RolePolicy(
    "replication",
    role=role,
    policy=pulumi.Output.all(source.arn, target.arn).apply(
        lambda arns: json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Action": ["s3:GetReplicationConfiguration", "s3:ListBucket"], "Resource": arns[0]},
                    {"Effect": "Allow", "Action": ["s3:GetObjectVersionForReplication"], "Resource": f"{arns[0]}/*"},
                    {"Effect": "Allow", "Action": ["s3:ReplicateObject", "s3:ReplicateDelete"], "Resource": f"{arns[1]}/*"},
                ],
            }
        )
    ),
)
aws.s3.BucketReplicationConfig(
    "records",
    bucket=source,
    role=role.arn,
    rules=[{"id": "all", "status": "Enabled", "destination": {"bucket": target.arn, "storage_class": "STANDARD_IA"}}],
)
pulumi.export("replica", target.bucket)
