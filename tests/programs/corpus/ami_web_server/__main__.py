"""An EC2 web server in the default VPC, on the most recent Amazon Linux 2023 AMI."""

import pulumi
import pulumi_aws as aws

size = "t3.micro"

# Many examples pass the flag as a string; the provider reads it as the bool it declares.
ami = aws.ec2.get_ami(
    most_recent="true",
    owners=["137112412989"],
    filters=[{"name": "name", "values": ["al2023-ami-2023.*-x86_64"]}],
)
if ami.most_recent is not True:
    raise ValueError("expected the most recent image")

default_vpc = aws.ec2.get_vpc(default=True)
subnets = aws.ec2.get_subnets(filters=[{"name": "vpc-id", "values": [default_vpc.id]}])

group = aws.ec2.SecurityGroup(
    "web-secgrp",
    description="Enable HTTPS access",
    vpc_id=default_vpc.id,
    ingress=[{"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_blocks": ["0.0.0.0/0"]}],
    egress=[{"protocol": "-1", "from_port": 0, "to_port": 0, "cidr_blocks": ["0.0.0.0/0"]}],
)

user_data = """#!/bin/bash
dnf install -y nginx
systemctl enable --now nginx
"""

server = aws.ec2.Instance(
    "web-server-www",
    instance_type=size,
    vpc_security_group_ids=[group.id],
    subnet_id=subnets.ids[0],
    user_data=user_data,
    ami=ami.id,
    metadata_options={"http_tokens": "required"},
    root_block_device={"encrypted": True, "volume_type": "gp3"},
)

pulumi.export("public_ip", server.public_ip)
pulumi.export("public_dns", server.public_dns)
