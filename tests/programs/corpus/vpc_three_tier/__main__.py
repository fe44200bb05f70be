"""Public, app and data subnets in each zone; one NAT gateway per zone; VPC flow logs."""

import json

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
az_count = config.get_int("azCount") or 3
zones = aws.get_availability_zones(state="available")

vpc = aws.ec2.Vpc("main", cidr_block="10.100.0.0/16", enable_dns_hostnames=True, enable_dns_support=True)
igw = aws.ec2.InternetGateway("main", vpc_id=vpc.id)
public_rt = aws.ec2.RouteTable("public", vpc_id=vpc.id, routes=[{"cidr_block": "0.0.0.0/0", "gateway_id": igw.id}])

tiers = {"public": 0, "app": 10, "data": 20}
for i, zone in enumerate(zones.names[:az_count]):
    subnets = {
        tier: aws.ec2.Subnet(
            f"{tier}-{zone}",
            vpc_id=vpc.id,
            cidr_block=f"10.100.{offset + i}.0/24",
            availability_zone=zone,
            map_public_ip_on_launch=False,
        )
        for tier, offset in tiers.items()
    }
    aws.ec2.RouteTableAssociation(f"public-{zone}", subnet_id=subnets["public"].id, route_table_id=public_rt.id)
    eip = aws.ec2.Eip(f"nat-{zone}", domain="vpc")
    nat = aws.ec2.NatGateway(f"nat-{zone}", subnet_id=subnets["public"].id, allocation_id=eip.id)
    private_rt = aws.ec2.RouteTable(
        f"private-{zone}", vpc_id=vpc.id, routes=[{"cidr_block": "0.0.0.0/0", "nat_gateway_id": nat.id}]
    )
    for tier in ("app", "data"):
        aws.ec2.RouteTableAssociation(
            f"{tier}-{zone}", subnet_id=subnets[tier].id, route_table_id=private_rt.id
        )

flow_role = aws.iam.Role(
    "flow-logs",
    assume_role_policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "vpc-flow-logs.amazonaws.com"}}
            ],
        }
    ),
)
flow_group = aws.cloudwatch.LogGroup("flow-logs", retention_in_days=365)
aws.ec2.FlowLog(
    "main",
    vpc_id=vpc.id,
    traffic_type="ALL",
    iam_role_arn=flow_role.arn,
    log_destination=flow_group.arn,
)
aws.ec2.DefaultSecurityGroup("default", vpc_id=vpc.id)
pulumi.export("vpc_id", vpc.id)
