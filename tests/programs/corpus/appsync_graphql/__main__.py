"""A GraphQL API (AppSync) with a DynamoDB resolver; exports the documented GRAPHQL URI."""

import json

import pulumi
import pulumi_aws as aws

table = aws.dynamodb.Table(
    "patients",
    attributes=[{"name": "id", "type": "S"}],
    hash_key="id",
    billing_mode="PAY_PER_REQUEST",
    point_in_time_recovery={"enabled": True},
    server_side_encryption={"enabled": True},
)

role = aws.iam.Role(
    "appsync",
    assume_role_policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": "sts:AssumeRole",
                    "Principal": {"Service": "appsync.amazonaws.com"},
                }
            ],
        }
    ),
)
aws.iam.RolePolicy(
    "appsync-table",
    role=role.id,
    policy=table.arn.apply(
        lambda arn: json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Action": ["dynamodb:GetItem"], "Resource": [arn]}
                ],
            }
        )
    ),
)

with open("schema.graphql", encoding="utf-8") as fh:
    schema = fh.read()

api = aws.appsync.GraphQLApi(
    "patients",
    authentication_type="AWS_IAM",
    schema=schema,
    xray_enabled=True,
)
source = aws.appsync.DataSource(
    "patients",
    api_id=api.id,
    name="patients",
    type="AMAZON_DYNAMODB",
    service_role_arn=role.arn,
    dynamodb_config={"table_name": table.name},
)
aws.appsync.Resolver(
    "get-patient",
    api_id=api.id,
    data_source=source.name,
    type="Query",
    field="getPatient",
    request_template='{"version": "2017-02-28", "operation": "GetItem", "key": {"id": $util.dynamodb.toDynamoDBJson($ctx.args.id)}}',
    response_template="$util.toJson($ctx.result)",
)

pulumi.export("endpoint", api.uris["GRAPHQL"])
pulumi.export("host", api.uris.apply(lambda uris: uris["GRAPHQL"].split("/")[2]))
