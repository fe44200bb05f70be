"""Keys per data domain, each with a key policy built from the caller's identity."""

import json

import pulumi
import pulumi_aws as aws

identity = aws.get_caller_identity()
partition = aws.get_partition()
admins = f"arn:{partition.partition}:iam::{identity.account_id}:role/KeyAdmins"

for domain in ("clinical", "billing", "imaging"):
    key = aws.kms.Key(
        domain,
        description=f"{domain} data",
        enable_key_rotation=True,
        deletion_window_in_days=30,
        policy=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": "AccountRoot",
                        "Effect": "Allow",
                        "Principal": {"AWS": f"arn:{partition.partition}:iam::{identity.account_id}:root"},
                        "Action": "kms:*",
                        "Resource": "*",
                    },
                    {
                        "Sid": "KeyAdministration",
                        "Effect": "Allow",
                        "Principal": {"AWS": admins},
                        "Action": ["kms:Create*", "kms:Describe*", "kms:Enable*", "kms:Put*", "kms:Disable*"],
                        "Resource": "*",
                    },
                ],
            }
        ),
    )
    aws.kms.Alias(domain, name=f"alias/{domain}-data", target_key_id=key)
    secret = aws.secretsmanager.Secret(f"{domain}-api", kms_key_id=key)
    pulumi.export(f"{domain}_key", key.arn)
