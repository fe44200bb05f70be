"""One role per service, each with its managed policies and a least-privilege inline policy."""

import pulumi
import pulumi_aws as aws

SERVICES = {
    "ingest": {
        "principal": "lambda.amazonaws.com",
        "managed": ["arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"],
        "actions": ["sqs:ReceiveMessage", "sqs:DeleteMessage"],
    },
    "export": {
        "principal": "ecs-tasks.amazonaws.com",
        "managed": ["arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"],
        "actions": ["s3:PutObject"],
    },
    "audit": {
        "principal": "lambda.amazonaws.com",
        "managed": [],
        "actions": ["*"],
    },
}

identity = aws.get_caller_identity()
roles = {}
for name, spec in SERVICES.items():
    trust = aws.iam.get_policy_document(
        statements=[
            {
                "actions": ["sts:AssumeRole"],
                "principals": [{"type": "Service", "identifiers": [spec["principal"]]}],
            }
        ]
    )
    role = aws.iam.Role(name, assume_role_policy=trust.json, max_session_duration=3600)
    for i, arn in enumerate(spec["managed"]):
        aws.iam.RolePolicyAttachment(f"{name}-managed-{i}", role=role, policy_arn=arn)
    inline = aws.iam.get_policy_document(
        statements=[{"actions": spec["actions"], "resources": ["*"]}]
    )
    aws.iam.RolePolicy(f"{name}-inline", role=role, policy=inline.json)
    roles[name] = role

admins = aws.iam.Group("admins")
aws.iam.GroupPolicy(
    "admins-mfa",
    group=admins,
    policy=aws.iam.get_policy_document(
        statements=[
            {
                "effect": "Deny",
                "not_actions": ["iam:*"],
                "resources": ["*"],
                "conditions": [
                    {"test": "BoolIfExists", "variable": "aws:MultiFactorAuthPresent", "values": ["false"]}
                ],
            }
        ]
    ).json,
)
pulumi.export("roles", {n: r.arn for n, r in roles.items()})
pulumi.export("account", identity.account_id)
