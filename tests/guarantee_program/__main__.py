"""claims-processor: pulls claims off a queue, reconciles them nightly, and keeps a worker host.

A small service in a private VPC, written the way a team hardening for HIPAA would write it:
one customer-managed key for everything at rest, no public addresses, IMDSv2 only, secrets in
Secrets Manager and SSM SecureString (rotated), people in groups that require MFA, and every
data store tagged with its data classification and selected by the backup plan.
"""

import base64
import json

import pulumi
import pulumi_aws as aws
from foundation import (
    app_sg,
    clearinghouse,
    cluster,
    current,
    ephi,
    internal,
    key,
    prefix,
    private,
    queue,
    tags,
)

# -- functions -----------------------------------------------------------------------------------

lambda_role = aws.iam.Role(
    "functions",
    name=f"{prefix}-functions",
    assume_role_policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "lambda.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
    ),
    tags=tags,
)
aws.iam.RolePolicyAttachment(
    "functions-vpc",
    role=lambda_role.name,
    policy_arn="arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole",
)
aws.iam.RolePolicy(
    "functions",
    role=lambda_role.id,
    policy=pulumi.Output.all(queue.arn, clearinghouse.arn, key.arn).apply(
        lambda arns: json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": [
                            "sqs:ReceiveMessage",
                            "sqs:DeleteMessage",
                            "sqs:GetQueueAttributes",
                        ],
                        "Resource": arns[0],
                    },
                    {
                        "Effect": "Allow",
                        "Action": [
                            "secretsmanager:GetSecretValue",
                            "secretsmanager:DescribeSecret",
                            "secretsmanager:PutSecretValue",
                            "secretsmanager:UpdateSecretVersionStage",
                        ],
                        "Resource": arns[1],
                    },
                    {
                        "Effect": "Allow",
                        "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
                        "Resource": arns[2],
                    },
                ],
            }
        )
    ),
)

HANDLER = pulumi.AssetArchive(
    {
        "handler.py": pulumi.StringAsset(
            "import os\n\n\ndef handle(event, context):\n"
            "    records = event.get('Records', [])\n"
            "    return {'queue': os.environ.get('QUEUE_URL'), 'records': len(records)}\n"
        )
    }
)


def function(name: str, description: str, variables: dict) -> aws.lambda_.Function:
    """A function in the private subnets, its environment under our key, its logs kept."""
    log_group = aws.cloudwatch.LogGroup(
        name,
        name=f"/aws/lambda/{prefix}-{name}",
        retention_in_days=365,
        kms_key_id=key.arn,
        tags=internal,
    )
    return aws.lambda_.Function(
        name,
        name=f"{prefix}-{name}",
        description=description,
        role=lambda_role.arn,
        runtime="python3.12",
        handler="handler.handle",
        code=HANDLER,
        timeout=60,
        memory_size=256,
        kms_key_arn=key.arn,
        environment=aws.lambda_.FunctionEnvironmentArgs(variables=variables),
        vpc_config=aws.lambda_.FunctionVpcConfigArgs(
            subnet_ids=[s.id for s in private], security_group_ids=[app_sg.id]
        ),
        tracing_config=aws.lambda_.FunctionTracingConfigArgs(mode="Active"),
        logging_config=aws.lambda_.FunctionLoggingConfigArgs(
            log_format="JSON", log_group=log_group.name
        ),
        tags=ephi,
    )


processor = function(
    "processor",
    "Validates queued claims and writes them to the claims database",
    {
        "QUEUE_URL": queue.url,
        "DB_CLUSTER_ARN": cluster.arn,
        "CLEARINGHOUSE_SECRET_ARN": clearinghouse.arn,
        "LOG_LEVEL": "INFO",
    },
)
aws.lambda_.EventSourceMapping(
    "claims-queue", event_source_arn=queue.arn, function_name=processor.arn, batch_size=10
)
# Partners post claim status callbacks, signed with SigV4 by their assumed role.
aws.lambda_.FunctionUrl("processor", function_name=processor.name, authorization_type="AWS_IAM")

# Nightly reconciliation: only this rule may invoke the function.
nightly = aws.cloudwatch.EventRule(
    "nightly-reconcile",
    name=f"{prefix}-nightly-reconcile",
    schedule_expression="cron(0 3 * * ? *)",
    tags=tags,
)
aws.cloudwatch.EventTarget("nightly-reconcile", rule=nightly.name, arn=processor.arn)
aws.lambda_.Permission(
    "nightly-reconcile",
    function=processor.name,
    action="lambda:InvokeFunction",
    principal="events.amazonaws.com",
    source_arn=nightly.arn,
)

rotator = function(
    "rotator",
    "Rotates the clearinghouse API credentials",
    {"CLEARINGHOUSE_SECRET_ARN": clearinghouse.arn},
)
rotator_permission = aws.lambda_.Permission(
    "secretsmanager-rotation",
    function=rotator.name,
    action="lambda:InvokeFunction",
    principal="secretsmanager.amazonaws.com",
    source_arn=clearinghouse.arn,
    source_account=current.account_id,
)
aws.secretsmanager.SecretRotation(
    "clearinghouse",
    secret_id=clearinghouse.id,
    rotation_lambda_arn=rotator.arn,
    rotation_rules=aws.secretsmanager.SecretRotationRotationRulesArgs(automatically_after_days=30),
    opts=pulumi.ResourceOptions(depends_on=[rotator_permission]),
)

# -- the worker host: private, IMDSv2, encrypted disks, no secrets in user data ------------------

ami = aws.ec2.get_ami(
    most_recent=True,
    owners=["amazon"],
    filters=[aws.ec2.GetAmiFilterArgs(name="name", values=["al2023-ami-2023.*-x86_64"])],
)
worker_role = aws.iam.Role(
    "worker",
    name=f"{prefix}-worker",
    assume_role_policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "ec2.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
    ),
    tags=tags,
)
aws.iam.RolePolicyAttachment(
    "worker-ssm",
    role=worker_role.name,
    policy_arn="arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
)
profile = aws.iam.InstanceProfile("worker", name=f"{prefix}-worker", role=worker_role.name)

USER_DATA = f"""#!/bin/bash
set -euo pipefail
dnf install -y postgresql16
# Credentials are fetched at boot with the instance profile, never written here.
CLEARINGHOUSE_SECRET_ID={prefix}/clearinghouse-api
aws secretsmanager get-secret-value --secret-id "$CLEARINGHOUSE_SECRET_ID" \\
    --query SecretString --output text > /run/claims/clearinghouse.json
chmod 600 /run/claims/clearinghouse.json
"""

metadata = {"http_endpoint": "enabled", "http_tokens": "required", "http_put_response_hop_limit": 1}
worker = aws.ec2.Instance(
    "worker",
    ami=ami.id,
    instance_type="t3.medium",
    subnet_id=private[0].id,
    vpc_security_group_ids=[app_sg.id],
    associate_public_ip_address=False,
    iam_instance_profile=profile.name,
    metadata_options=aws.ec2.InstanceMetadataOptionsArgs(**metadata),
    root_block_device=aws.ec2.InstanceRootBlockDeviceArgs(
        encrypted=True, kms_key_id=key.arn, volume_type="gp3", volume_size=30
    ),
    user_data=USER_DATA,
    monitoring=True,
    tags={**ephi, "Name": f"{prefix}-worker"},
)
scratch = aws.ebs.Volume(
    "worker-scratch",
    availability_zone=private[0].availability_zone,
    size=100,
    type="gp3",
    encrypted=True,
    kms_key_id=key.arn,
    tags={**ephi, "Name": f"{prefix}-worker-scratch"},
)
aws.ec2.VolumeAttachment(
    "worker-scratch", device_name="/dev/sdf", volume_id=scratch.id, instance_id=worker.id
)
# Batch workers scale out from this template in the same private subnets.
aws.ec2.LaunchTemplate(
    "batch-worker",
    name=f"{prefix}-batch-worker",
    image_id=ami.id,
    instance_type="t3.medium",
    iam_instance_profile=aws.ec2.LaunchTemplateIamInstanceProfileArgs(arn=profile.arn),
    metadata_options=aws.ec2.LaunchTemplateMetadataOptionsArgs(**metadata),
    block_device_mappings=[
        aws.ec2.LaunchTemplateBlockDeviceMappingArgs(
            device_name="/dev/xvda",
            ebs=aws.ec2.LaunchTemplateBlockDeviceMappingEbsArgs(
                encrypted="true",
                kms_key_id=key.arn,
                volume_type="gp3",
                volume_size=30,
                delete_on_termination="true",
            ),
        )
    ],
    network_interfaces=[
        aws.ec2.LaunchTemplateNetworkInterfaceArgs(
            associate_public_ip_address="false",
            security_groups=[app_sg.id],
            delete_on_termination="true",
        )
    ],
    user_data=base64.b64encode(USER_DATA.encode()).decode(),
    tag_specifications=[
        aws.ec2.LaunchTemplateTagSpecificationArgs(
            resource_type="instance", tags={**ephi, "Name": f"{prefix}-batch-worker"}
        )
    ],
    tags=tags,
)

# -- backups: the volume and the database, daily, 35 days ---------------------------------------

vault = aws.backup.Vault("claims", name=f"{prefix}-vault", kms_key_arn=key.arn, tags=internal)
aws.backup.VaultLockConfiguration(
    "claims",
    backup_vault_name=vault.name,
    min_retention_days=7,
    max_retention_days=2192,
    changeable_for_days=3,
)
plan = aws.backup.Plan(
    "claims",
    name=f"{prefix}-daily",
    rules=[
        aws.backup.PlanRuleArgs(
            rule_name="daily",
            target_vault_name=vault.name,
            schedule="cron(0 5 ? * * *)",
            start_window=60,
            completion_window=360,
            lifecycle=aws.backup.PlanRuleLifecycleArgs(delete_after=35),
        )
    ],
    tags=internal,
)
backup_role = aws.iam.Role(
    "backup",
    name=f"{prefix}-backup",
    assume_role_policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "backup.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
    ),
    tags=tags,
)
aws.iam.RolePolicyAttachment(
    "backup",
    role=backup_role.name,
    policy_arn="arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup",
)
aws.backup.Selection(
    "claims-stores",
    name=f"{prefix}-stores",
    plan_id=plan.id,
    iam_role_arn=backup_role.arn,
    resources=[scratch.arn, cluster.arn, worker.arn],
)

import analytics  # noqa: E402,F401 - search, warehouse, EMR, SageMaker, migration, cache
import containers  # noqa: E402,F401 - the containers, and how they are built and run
import edge  # noqa: E402,F401 - CloudFront, API Gateway, Kinesis, the legacy load balancer
import people  # noqa: E402,F401 - declares the operators and their group

# The shared file system is backed up by the same plan (efs_in_backup_plan).
aws.backup.Selection(
    "claims-files",
    name=f"{prefix}-files",
    plan_id=plan.id,
    iam_role_arn=backup_role.arn,
    resources=[analytics.scans.arn],
)
