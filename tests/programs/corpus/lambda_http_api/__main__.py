"""An HTTP API (API Gateway v2) in front of a Lambda function packaged from ./app."""

import json

import pulumi
import pulumi_aws as aws

role = aws.iam.Role(
    "api-fn",
    assume_role_policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "lambda.amazonaws.com"}}
            ],
        }
    ),
)
aws.iam.RolePolicyAttachment(
    "api-fn-logs",
    role=role.name,
    policy_arn="arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
)
fn = aws.lambda_.Function(
    "api-fn",
    runtime="python3.12",
    handler="handler.handler",
    role=role.arn,
    code=pulumi.FileArchive("./app"),
    tracing_config={"mode": "Active"},
)
access_logs = aws.cloudwatch.LogGroup("api-access", retention_in_days=400)
api = aws.apigatewayv2.Api("api", protocol_type="HTTP")
integration = aws.apigatewayv2.Integration(
    "api-fn",
    api_id=api.id,
    integration_type="AWS_PROXY",
    integration_uri=fn.invoke_arn,
    payload_format_version="2.0",
)
route = aws.apigatewayv2.Route(
    "get-status",
    api_id=api.id,
    route_key="GET /status",
    target=integration.id.apply(lambda i: f"integrations/{i}"),
    authorization_type="AWS_IAM",
)
stage = aws.apigatewayv2.Stage(
    "default",
    api_id=api.id,
    name="$default",
    auto_deploy=True,
    access_log_settings={
        "destination_arn": access_logs.arn,
        "format": json.dumps({"requestId": "$context.requestId", "status": "$context.status"}),
    },
)
aws.lambda_.Permission(
    "api-invoke",
    action="lambda:InvokeFunction",
    function=fn.name,
    principal="apigateway.amazonaws.com",
    source_arn=api.execution_arn.apply(lambda arn: f"{arn}/*/*"),
)
pulumi.export("url", stage.invoke_url)
