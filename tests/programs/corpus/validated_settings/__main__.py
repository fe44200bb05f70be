"""Log groups with validated retention, encrypted with one key."""

import json

import pulumi
import pulumi_aws as aws

import settings

cfg = settings.load()
identity = aws.get_caller_identity()
region = aws.get_region().region

key = aws.kms.Key(
    "logs",
    enable_key_rotation=True,
    policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Sid": "Root", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{identity.account_id}:root"}, "Action": "kms:*", "Resource": "*"},
                {"Sid": "Logs", "Effect": "Allow", "Principal": {"Service": f"logs.{region}.amazonaws.com"}, "Action": ["kms:Encrypt*", "kms:Decrypt*", "kms:GenerateDataKey*"], "Resource": "*"},
            ],
        }
    ),
)
for name, days in cfg["log_groups"].items():
    aws.cloudwatch.LogGroup(
        name, name=f"/{cfg['environment']}/{name}", retention_in_days=days, kms_key_id=key.arn
    )
