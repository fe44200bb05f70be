"""Nightly backups, kept 35 days, for the tables and volumes this program declares."""

import json

import pulumi
import pulumi_aws as aws

key = aws.kms.Key("backup", enable_key_rotation=True)
vault = aws.backup.Vault("phi", kms_key_arn=key.arn)
plan = aws.backup.Plan(
    "nightly",
    rules=[
        {
            "rule_name": "nightly",
            "target_vault_name": vault.name,
            "schedule": "cron(0 5 * * ? *)",
            "lifecycle": {"delete_after": 35},
        }
    ],
)
tables = [
    aws.dynamodb.Table(
        name,
        attributes=[{"name": "id", "type": "S"}],
        hash_key="id",
        billing_mode="PAY_PER_REQUEST",
        server_side_encryption={"enabled": True, "kms_key_arn": key.arn},
        point_in_time_recovery={"enabled": True},
        tags={"backup": "nightly"},
    )
    for name in ("encounters", "prescriptions")
]
volume = aws.ebs.Volume("scans", availability_zone="us-east-1a", size=200, encrypted=True, kms_key_id=key.arn)
role = aws.iam.Role(
    "backup",
    assume_role_policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "backup.amazonaws.com"}}
            ],
        }
    ),
)
aws.iam.RolePolicyAttachment(
    "backup",
    role=role,
    policy_arn="arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup",
)
aws.backup.Selection(
    "data-stores",
    plan_id=plan.id,
    iam_role_arn=role.arn,
    resources=[t.arn for t in tables] + [volume.arn],
)
aws.backup.Selection(
    "tagged",
    plan_id=plan.id,
    iam_role_arn=role.arn,
    selection_tags=[{"type": "STRINGEQUALS", "key": "backup", "value": "nightly"}],
)
