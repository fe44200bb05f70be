"""A pharmacy order queue whose network comes from JSON settings the platform team publishes in
SSM Parameter Store. The JSON is parsed inside an `apply` that feeds a resource's input, so the
parameter's real text decides it: a scan under mocks can only make that text up."""

import json

import pulumi
import pulumi_aws as aws

shared = aws.ssm.get_parameter_output(name="/platform/network/settings")


def endpoint_subnets(text: str) -> list[str]:
    settings = json.loads(text)
    return settings["private_subnet_ids"]


queue_key = aws.kms.Key("pharmacy-queue", enable_key_rotation=True)
orders = aws.sqs.Queue("pharmacy-orders", kms_master_key_id=queue_key.arn)
aws.ec2.VpcEndpoint(
    "pharmacy-sqs",
    vpc_id=shared.value.apply(lambda text: json.loads(text)["vpc_id"]),
    service_name="com.amazonaws.us-east-1.sqs",
    vpc_endpoint_type="Interface",
    subnet_ids=shared.value.apply(endpoint_subnets),
    private_dns_enabled=True,
)
pulumi.export("orders", orders.url)
