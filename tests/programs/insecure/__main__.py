"""Deliberately insecure: every resource here should produce at least one failing finding."""

import json

import pulumi
import pulumi_aws as aws

# KMS key with automatic rotation switched off.
key = aws.kms.Key(
    "unrotated-key",
    description="Customer data key that is never rotated",
    enable_key_rotation=False,
    deletion_window_in_days=7,
)

# SSH open to the whole internet.
ssh = aws.ec2.SecurityGroup(
    "ssh-from-anywhere",
    description="Admin access",
    ingress=[
        aws.ec2.SecurityGroupIngressArgs(
            protocol="tcp",
            from_port=22,
            to_port=22,
            cidr_blocks=["0.0.0.0/0"],
            description="SSH from anywhere",
        )
    ],
    egress=[
        aws.ec2.SecurityGroupEgressArgs(
            protocol="-1", from_port=0, to_port=0, cidr_blocks=["0.0.0.0/0"]
        )
    ],
)

# Unencrypted, internet-facing database with no backups and no deletion protection.
db = aws.rds.Instance(
    "patients-db",
    engine="postgres",
    engine_version="16",
    instance_class="db.t4g.micro",
    allocated_storage=20,
    db_name="patients",
    username="patients_admin",
    manage_master_user_password=True,
    storage_encrypted=False,
    publicly_accessible=True,
    backup_retention_period=0,
    deletion_protection=False,
    skip_final_snapshot=True,
    vpc_security_group_ids=[ssh.id],
    tags={"data-classification": "ePHI"},
)

# Bucket with its public access block turned off (S3 turns it on for every new bucket, and a
# public policy needs it off), no default encryption, and a public-read policy.
bucket = aws.s3.Bucket("patient-exports", tags={"data-classification": "ePHI"})
aws.s3.BucketPublicAccessBlock(
    "patient-exports-open",
    bucket=bucket.id,
    block_public_acls=False,
    block_public_policy=False,
    ignore_public_acls=False,
    restrict_public_buckets=False,
)
aws.s3.BucketPolicy(
    "patient-exports-public-read",
    bucket=bucket.id,
    policy=bucket.arn.apply(
        lambda arn: json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": "PublicRead",
                        "Effect": "Allow",
                        "Principal": "*",
                        "Action": "s3:GetObject",
                        "Resource": f"{arn}/*",
                    }
                ],
            }
        )
    ),
)

# Administrator-equivalent policy.
aws.iam.Policy(
    "allow-everything",
    description="Full access to everything",
    policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
        }
    ),
)

pulumi.export("db_endpoint", db.endpoint)
pulumi.export("bucket_name", bucket.bucket)
