"""An imaging archive bucket and the role that reads it. The policy is built with
`Output.all(a, b).apply(lambda a, b: ...)`: Pulumi calls the callback with one list, so the
program fails on `pulumi up` (a preview, whose values are unknown, never runs it)."""

import json

import pulumi
import pulumi_aws as aws

archive_key = aws.kms.Key("imaging-archive", enable_key_rotation=True)
archive = aws.s3.Bucket("imaging-archive")
reader = aws.iam.Role(
    "archive-reader",
    assume_role_policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": "sts:AssumeRole",
                    "Principal": {"Service": "ec2.amazonaws.com"},
                }
            ],
        }
    ),
)
aws.iam.RolePolicy(
    "archive-read",
    role=reader.id,
    policy=pulumi.Output.all(archive.arn, archive_key.arn).apply(
        lambda bucket_arn, key_arn: json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"{bucket_arn}/*"},
                    {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": key_arn},
                ],
            }
        )
    ),
)
