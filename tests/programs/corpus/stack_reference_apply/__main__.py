"""A reports function whose subnets and bucket come from the shared stack, via apply."""

import json

import pulumi
import pulumi_aws as aws

env = pulumi.get_stack()
shared = pulumi.StackReference(f"acme/shared/{env}")

subnet_ids = shared.require_output("privateSubnetIds")
first_subnet = subnet_ids.apply(lambda ids: ids[0])
bucket_name = shared.require_output("reportsBucket")
logs_key = shared.get_output("logsKeyArn")

role = aws.iam.Role(
    "reports",
    assume_role_policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": "sts:AssumeRole",
                    "Principal": {"Service": "lambda.amazonaws.com"},
                }
            ],
        }
    ),
)
aws.iam.RolePolicy(
    "reports-read",
    role=role.id,
    policy=bucket_name.apply(
        lambda name: json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{name}/*"}
                ],
            }
        )
    ),
)

sg = aws.ec2.SecurityGroup("reports", vpc_id=shared.require_output("vpcId"), description="reports")
logs = aws.cloudwatch.LogGroup(
    "reports", name=f"/aws/lambda/reports-{env}", retention_in_days=365, kms_key_id=logs_key
)
fn = aws.lambda_.Function(
    "reports",
    runtime="python3.12",
    handler="app.handler",
    role=role.arn,
    code=pulumi.AssetArchive({"app.py": pulumi.StringAsset("def handler(e, c):\n    return 'ok'\n")}),
    vpc_config={"subnet_ids": [first_subnet], "security_group_ids": [sg.id]},
    environment={"variables": {"BUCKET": bucket_name}},
    opts=pulumi.ResourceOptions(depends_on=[logs]),
)
pulumi.export("function", fn.name)
