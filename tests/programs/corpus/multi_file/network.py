"""The intake network: a VPC, two private subnets, an endpoint for S3."""

import pulumi_aws as aws

from settings import ENV, CIDR

vpc = aws.ec2.Vpc("intake", cidr_block=CIDR, tags={"env": ENV})
private_subnets = [
    aws.ec2.Subnet(f"intake-private-{i}", vpc_id=vpc.id, cidr_block=f"10.70.{i}.0/24")
    for i in range(2)
]
aws.ec2.VpcEndpoint("s3", vpc_id=vpc.id, service_name="com.amazonaws.us-east-1.s3")
