"""The foundation of claims-processor: its key, its private network, its queue, its database and
its secrets. `__main__.py` builds the workloads on it (a Pulumi program may import modules of its
own folder)."""

import json

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
env = config.get("environment") or pulumi.get_stack()
prefix = f"claims-{env}"
tags = {"project": "claims-processor", "environment": env, "owner": "claims-team"}
ephi = {**tags, "data-classification": "ephi"}
internal = {**tags, "data-classification": "internal"}

current = aws.get_caller_identity()
region = aws.get_region()

# -- one customer-managed key for data at rest ---------------------------------------------------

key = aws.kms.Key(
    "data",
    description=f"{prefix}: claims data at rest",
    enable_key_rotation=True,
    deletion_window_in_days=30,
    policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "AccountAdministers",
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{current.account_id}:root"},
                    "Action": "kms:*",
                    "Resource": "*",
                }
            ],
        }
    ),
    tags=internal,
)
aws.kms.Alias("data", name=f"alias/{prefix}-data", target_key_id=key.key_id)

# Every EBS volume in the region is encrypted, whoever creates it, under our key.
aws.ebs.EncryptionByDefault("ebs-default", enabled=True)
aws.ebs.DefaultKmsKey("ebs-default-key", key_arn=key.arn)

# -- network: private subnets only, flow logs on ------------------------------------------------

vpc = aws.ec2.Vpc(
    "claims",
    cidr_block="10.40.0.0/16",
    enable_dns_hostnames=True,
    enable_dns_support=True,
    tags={**tags, "Name": prefix},
)
aws.ec2.DefaultSecurityGroup("default-closed", vpc_id=vpc.id, tags=tags)
private = [
    aws.ec2.Subnet(
        f"private-{zone}",
        vpc_id=vpc.id,
        cidr_block=f"10.40.{i}.0/24",
        availability_zone=f"us-east-1{zone}",
        map_public_ip_on_launch=False,
        tags={**tags, "Name": f"{prefix}-private-{zone}", "tier": "private"},
    )
    for i, zone in enumerate(("a", "b"), start=1)
]

flow_log_group = aws.cloudwatch.LogGroup(
    "flow-logs",
    name=f"/{prefix}/vpc-flow-logs",
    retention_in_days=365,
    kms_key_id=key.arn,
    tags=internal,
)
flow_log_role = aws.iam.Role(
    "flow-logs",
    assume_role_policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "vpc-flow-logs.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
    ),
    tags=tags,
)
aws.iam.RolePolicy(
    "flow-logs",
    role=flow_log_role.id,
    policy=flow_log_group.arn.apply(
        lambda arn: json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                        "Resource": f"{arn}:*",
                    }
                ],
            }
        )
    ),
)
aws.ec2.FlowLog(
    "claims",
    vpc_id=vpc.id,
    traffic_type="ALL",
    log_destination_type="cloud-watch-logs",
    log_destination=flow_log_group.arn,
    iam_role_arn=flow_log_role.arn,
    tags=tags,
)

app_sg = aws.ec2.SecurityGroup(
    "app",
    vpc_id=vpc.id,
    description="Claims worker and functions: no inbound, HTTPS and Postgres inside the VPC",
    egress=[
        aws.ec2.SecurityGroupEgressArgs(
            protocol="tcp",
            from_port=443,
            to_port=443,
            cidr_blocks=["10.40.0.0/16"],
            description="AWS APIs through interface endpoints",
        ),
        aws.ec2.SecurityGroupEgressArgs(
            protocol="tcp",
            from_port=5432,
            to_port=5432,
            cidr_blocks=["10.40.0.0/16"],
            description="the claims database",
        ),
    ],
    tags=tags,
)
db_sg = aws.ec2.SecurityGroup(
    "db",
    vpc_id=vpc.id,
    description="Claims database: Postgres from the app security group only",
    ingress=[
        aws.ec2.SecurityGroupIngressArgs(
            protocol="tcp",
            from_port=5432,
            to_port=5432,
            security_groups=[app_sg.id],
            description="the claims worker and functions",
        )
    ],
    tags=tags,
)

# -- the claims queue ----------------------------------------------------------------------------

dead_letters = aws.sqs.Queue(
    "claims-dlq",
    name=f"{prefix}-claims-dlq",
    kms_master_key_id=key.arn,
    kms_data_key_reuse_period_seconds=300,
    message_retention_seconds=1209600,
    tags=ephi,
)
queue = aws.sqs.Queue(
    "claims",
    name=f"{prefix}-claims",
    kms_master_key_id=key.arn,
    kms_data_key_reuse_period_seconds=300,
    visibility_timeout_seconds=180,
    redrive_policy=dead_letters.arn.apply(
        lambda arn: json.dumps({"deadLetterTargetArn": arn, "maxReceiveCount": 5})
    ),
    tags=ephi,
)

# -- the claims database: Aurora PostgreSQL ------------------------------------------------------

db_subnets = aws.rds.SubnetGroup(
    "claims", name=f"{prefix}-db", subnet_ids=[s.id for s in private], tags=tags
)
db_params = aws.rds.ClusterParameterGroup(
    "claims",
    name=f"{prefix}-aurora-pg16",
    family="aurora-postgresql16",
    parameters=[aws.rds.ClusterParameterGroupParameterArgs(name="rds.force_ssl", value="1")],
    tags=tags,
)
cluster = aws.rds.Cluster(
    "claims",
    cluster_identifier=f"{prefix}-db",
    engine="aurora-postgresql",
    engine_version="16.4",
    database_name="claims",
    master_username="claims_admin",
    manage_master_user_password=True,
    master_user_secret_kms_key_id=key.arn,
    storage_encrypted=True,
    kms_key_id=key.arn,
    db_subnet_group_name=db_subnets.name,
    db_cluster_parameter_group_name=db_params.name,
    vpc_security_group_ids=[db_sg.id],
    iam_database_authentication_enabled=True,
    backup_retention_period=35,
    preferred_backup_window="04:00-05:00",
    deletion_protection=True,
    skip_final_snapshot=False,
    final_snapshot_identifier=f"{prefix}-db-final",
    copy_tags_to_snapshot=True,
    enabled_cloudwatch_logs_exports=["postgresql"],
    tags=ephi,
)
monitoring_role = aws.iam.Role(
    "db-monitoring",
    name=f"{prefix}-db-monitoring",
    assume_role_policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "monitoring.rds.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
    ),
    tags=tags,
)
aws.iam.RolePolicyAttachment(
    "db-monitoring",
    role=monitoring_role.name,
    policy_arn="arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole",
)
for n in range(2):
    aws.rds.ClusterInstance(
        f"claims-{n}",
        identifier=f"{prefix}-db-{n}",
        cluster_identifier=cluster.id,
        engine=cluster.engine,
        engine_version=cluster.engine_version,
        instance_class="db.r6g.large",
        publicly_accessible=False,
        auto_minor_version_upgrade=True,
        performance_insights_enabled=True,
        performance_insights_kms_key_id=key.arn,
        monitoring_interval=60,
        monitoring_role_arn=monitoring_role.arn,
        tags=ephi,
    )
# The snapshot taken before the schema migration, kept in this account only.
aws.rds.ClusterSnapshot(
    "pre-migration",
    db_cluster_identifier=cluster.id,
    db_cluster_snapshot_identifier=f"{prefix}-db-pre-migration",
    shared_accounts=[],
    tags=ephi,
)

# -- secrets: the clearinghouse API credentials, rotated -----------------------------------------

clearinghouse = aws.secretsmanager.Secret(
    "clearinghouse",
    name=f"{prefix}/clearinghouse-api",
    description="Credentials for the claims clearinghouse API",
    kms_key_id=key.arn,
    recovery_window_in_days=30,
    tags=ephi,
)
aws.ssm.Parameter(
    "clearinghouse-token",
    name=f"/{prefix}/clearinghouse/api-token",
    type="SecureString",
    key_id=key.arn,
    value=config.require_secret("clearinghouseToken"),
    tags=internal,
)
