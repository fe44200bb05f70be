"""The worker that moves documents from the queue into the bucket."""

import json

import pulumi
import pulumi_aws as aws

import network
import storage

role = aws.iam.Role(
    "intake-worker",
    assume_role_policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "lambda.amazonaws.com"}}
            ],
        }
    ),
)
sg = aws.ec2.SecurityGroup("intake-worker", vpc_id=network.vpc.id, description="worker egress only")
worker = aws.lambda_.Function(
    "intake-worker",
    runtime="python3.12",
    handler="index.handler",
    role=role.arn,
    code=pulumi.AssetArchive({"index.py": pulumi.StringAsset("def handler(e, c):\n    return None\n")}),
    vpc_config={"subnet_ids": [s.id for s in network.private_subnets], "security_group_ids": [sg.id]},
    environment={"variables": {"BUCKET": storage.documents.bucket}},
    dead_letter_config={"target_arn": storage.dead_letters.arn},
)
aws.lambda_.EventSourceMapping("intake", event_source_arn=storage.queue.arn, function_name=worker.arn)
