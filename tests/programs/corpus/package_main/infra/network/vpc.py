"""A VPC with a gateway endpoint for DynamoDB."""

from dataclasses import dataclass

import pulumi_aws as aws


@dataclass
class Network:
    vpc: aws.ec2.Vpc
    dynamodb_endpoint: aws.ec2.VpcEndpoint


def build_network(name: str, *, cidr: str) -> Network:
    vpc = aws.ec2.Vpc(name, cidr_block=cidr, enable_dns_hostnames=True)
    region = aws.get_region().region
    endpoint = aws.ec2.VpcEndpoint(
        f"{name}-dynamodb", vpc_id=vpc.id, service_name=f"com.amazonaws.{region}.dynamodb"
    )
    return Network(vpc, endpoint)
