"""A worker security group and queue placed in an existing VPC, logging to an existing bucket."""

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
vpc = aws.ec2.Vpc.get("shared", config.require("vpcId"))
logs = aws.s3.Bucket.get("central-logs", config.require("logsBucket"))

sg = aws.ec2.SecurityGroup(
    "worker",
    vpc_id=vpc.id,
    description="worker: outbound HTTPS only",
    egress=[{"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_blocks": [vpc.cidr_block]}],
)
queue = aws.sqs.Queue("jobs", sqs_managed_sse_enabled=True)
pulumi.export("logs_arn", logs.arn)
pulumi.export("sg", sg.id)
