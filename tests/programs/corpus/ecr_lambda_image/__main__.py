"""A Lambda function from an ECR image, and the registry credentials a build step would use."""

import base64
import json

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
tag = config.require("imageTag")

key = aws.kms.Key("images", enable_key_rotation=True)
repo = aws.ecr.Repository(
    "claims-worker",
    image_tag_mutability="IMMUTABLE",
    image_scanning_configuration={"scan_on_push": True},
    encryption_configurations=[{"encryption_type": "KMS", "kms_key": key.arn}],
)


def registry_login(registry_id: str) -> dict:
    token = aws.ecr.get_authorization_token(registry_id=registry_id)
    username, password = base64.b64decode(token.authorization_token).decode().split(":")
    return {"server": token.proxy_endpoint, "username": username, "password": password}


login = repo.registry_id.apply(registry_login)

role = aws.iam.Role(
    "claims-worker",
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
aws.iam.RolePolicyAttachment(
    "claims-worker-logs",
    role=role.name,
    policy_arn="arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
)

fn = aws.lambda_.Function(
    "claims-worker",
    package_type="Image",
    image_uri=pulumi.Output.concat(repo.repository_url, ":", tag),
    role=role.arn,
    timeout=60,
    tracing_config={"mode": "Active"},
)

pulumi.export("registry", login["server"])
pulumi.export("registry_password", pulumi.Output.secret(login["password"]))
pulumi.export("function", fn.arn)
