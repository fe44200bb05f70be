"""Every check with an input-level fix fails here once, on a resource written the way programs
write them: keywords present or absent, Args objects, dicts, lists of blocks, one line or many.
`safeguard fix --apply` must leave each of those checks passing (tests/e2e/test_fix_command.py)."""

import pulumi_aws as aws
from pulumi_aws import rds

key = aws.kms.Key("data-key", description="data key", enable_key_rotation=False)

# Databases: one instance carries five fixable flaws, so their fixes share one call.
db = aws.rds.Instance(
    "patients-db",
    engine="postgres",
    instance_class="db.t4g.micro",
    allocated_storage=20,
    username="app",
    manage_master_user_password=True,
    storage_encrypted=False,
    kms_key_id=key.arn,
    publicly_accessible=True,
    backup_retention_period=1,
    auto_minor_version_upgrade=False,  # pinned by someone, long ago
)
cluster = rds.Cluster("claims-cluster", engine="aurora-postgresql", master_username="app", manage_master_user_password=True, kms_key_id=key.arn)
member = rds.ClusterInstance(
    "claims-1",
    cluster_identifier=cluster.id,
    instance_class="db.r6g.large",
    engine="aurora-postgresql",
    publicly_accessible=True,
    auto_minor_version_upgrade=False
)

# Compute.
vpc = aws.ec2.Vpc("net", cidr_block="10.0.0.0/16")
subnet = aws.ec2.Subnet("public-a", vpc_id=vpc.id, cidr_block="10.0.1.0/24", map_public_ip_on_launch=True)
server = aws.ec2.Instance(
    "billing-app",
    ami="ami-0123456789abcdef0",
    instance_type="t3.micro",
    subnet_id=subnet.id,
    metadata_options=aws.ec2.InstanceMetadataOptionsArgs(http_endpoint="enabled", http_tokens="optional"),
    root_block_device={"volume_size": 20},
    ebs_block_devices=[
        {"device_name": "/dev/sdf", "volume_size": 50, "encrypted": False},
        {"device_name": "/dev/sdg", "volume_size": 50},
    ],
)
template = aws.ec2.LaunchTemplate(
    "workers",
    image_id="ami-0123456789abcdef0",
    block_device_mappings=[
        aws.ec2.LaunchTemplateBlockDeviceMappingArgs(
            device_name="/dev/xvda",
            ebs=aws.ec2.LaunchTemplateBlockDeviceMappingEbsArgs(volume_size=30),
        ),
    ],
)
volume = aws.ebs.Volume("scratch", availability_zone="us-east-1a", size=10, encrypted=False)

# Storage.
records = aws.s3.Bucket("records", acl="public-read", versioning={"enabled": False})
aws.s3.BucketPublicAccessBlock("records-pab", bucket=records.id, block_public_acls=False)
exports = aws.s3.Bucket("exports")
aws.s3.BucketAcl("exports-acl", bucket=exports.id, acl="public-read")
aws.s3.BucketPublicAccessBlock(
    "exports-pab",
    bucket=exports.id,
    block_public_acls=True,
    block_public_policy=True,
    ignore_public_acls=True,
    restrict_public_buckets=True,
)
aws.s3.BucketVersioning(
    "exports-versioning",
    bucket=exports.id,
    versioning_configuration=aws.s3.BucketVersioningVersioningConfigurationArgs(status="Suspended"),
)
aws.s3.BucketServerSideEncryptionConfiguration(
    "exports-sse",
    bucket=exports.id,
    rules=[{"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256", "kms_master_key_id": key.arn}}],
)
aws.s3.BucketOwnershipControls("exports-ownership", bucket=exports.id, rule={"object_ownership": "ObjectWriter"})
aws.s3.AccountPublicAccessBlock("account-pab", block_public_acls=True, block_public_policy=True)

claims = aws.dynamodb.Table(
    "claims",
    hash_key="id",
    attributes=[{"name": "id", "type": "S"}],
    billing_mode="PAY_PER_REQUEST",
    server_side_encryption={"enabled": False, "kms_key_arn": key.arn},
)
queue = aws.sqs.Queue("claims-queue", sqs_managed_sse_enabled=False)

# Logging.
logs = aws.cloudwatch.LogGroup("app-logs", retention_in_days=30, kms_key_id=key.arn)
trail = aws.cloudtrail.Trail(
    "audit",
    s3_bucket_name=records.id,
    kms_key_id=key.arn,
    enable_log_file_validation=False,
)

# Edge.
alb = aws.lb.LoadBalancer("web", load_balancer_type="application", subnets=[subnet.id], internal=True)
legacy_alb = aws.alb.LoadBalancer("legacy-web", internal=True, subnets=[subnet.id])
aws.lb.Listener(
    "web-https",
    load_balancer_arn=alb.arn,
    port=443,
    protocol="HTTPS",
    ssl_policy="ELBSecurityPolicy-2016-08",
    certificate_arn="arn:aws:acm:us-east-1:123456789012:certificate/abc",
    default_actions=[{"type": "fixed-response", "fixed_response": {"content_type": "text/plain", "status_code": "404"}}],
)
aws.alb.Listener("legacy-https", load_balancer_arn=legacy_alb.arn, port=443, protocol="HTTPS", certificate_arn="arn:aws:acm:us-east-1:123456789012:certificate/abc", default_actions=[{"type": "fixed-response", "fixed_response": {"content_type": "text/plain", "status_code": "404"}}])

# Identity.
aws.iam.AccountPasswordPolicy("passwords", minimum_password_length=8, require_symbols=False)
