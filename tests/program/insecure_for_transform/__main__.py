"""A third-party program with insecure inputs, hardened by registering one transform.

Fixable by the transform (an input of the same resource): the database's encryption flag,
public endpoint, backups and deletion protection; the key's rotation and deletion window; the
bucket's public-access-block flags and suspended versioning; the instance's IMDSv1; the table's
point-in-time recovery; the trail's log-file validation and region coverage.

Not fixable, and left exactly as declared: the bucket has no encryption resource and no TLS
policy (the fix is another resource), and the security group admits SSH from anywhere (the fix
is a judgement about who should connect).
"""

import sys
from pathlib import Path

import pulumi
import pulumi_aws as aws

# The hardening module lives in the repository's stacks/ folder; a team would vendor it.
sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "stacks"))

from hardening import harden  # noqa: E402

pulumi.runtime.register_stack_transform(harden)

key = aws.kms.Key(
    "customer-key",
    description="Customer data key",
    enable_key_rotation=False,
    deletion_window_in_days=7,
)

ssh = aws.ec2.SecurityGroup(
    "ssh-from-anywhere",
    description="Admin access",
    ingress=[
        aws.ec2.SecurityGroupIngressArgs(
            protocol="tcp", from_port=22, to_port=22, cidr_blocks=["0.0.0.0/0"]
        )
    ],
)

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
    kms_key_id=key.arn,
    publicly_accessible=True,
    backup_retention_period=0,
    deletion_protection=False,
    skip_final_snapshot=True,
    vpc_security_group_ids=[ssh.id],
)

bucket = aws.s3.Bucket("patient-exports")
aws.s3.BucketPublicAccessBlock(
    "patient-exports-public-access",
    bucket=bucket.id,
    block_public_acls=False,
    block_public_policy=False,
    ignore_public_acls=False,
    restrict_public_buckets=False,
)
aws.s3.BucketVersioning(
    "patient-exports-versioning",
    bucket=bucket.id,
    versioning_configuration=aws.s3.BucketVersioningVersioningConfigurationArgs(status="Suspended"),
)

aws.ec2.Instance(
    "report-worker",
    ami="ami-0123456789abcdef0",
    instance_type="t3.micro",
    metadata_options=aws.ec2.InstanceMetadataOptionsArgs(http_tokens="optional"),
)

aws.dynamodb.Table(
    "claims-cache",
    billing_mode="PAY_PER_REQUEST",
    hash_key="id",
    attributes=[aws.dynamodb.TableAttributeArgs(name="id", type="S")],
    point_in_time_recovery=aws.dynamodb.TablePointInTimeRecoveryArgs(enabled=False),
)

aws.cloudtrail.Trail(
    "audit",
    s3_bucket_name=bucket.id,
    is_multi_region_trail=False,
    enable_log_file_validation=False,
)

pulumi.export("db_endpoint", db.endpoint)
