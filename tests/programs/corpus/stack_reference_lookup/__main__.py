"""A proxy in a subnet looked up from the network stack's exported id."""

import pulumi
import pulumi_aws as aws

network = pulumi.StackReference("acme/network/prod")
subnet = aws.ec2.get_subnet_output(id=network.require_output("edgeSubnetId"))

sg = aws.ec2.SecurityGroup(
    "proxy",
    vpc_id=subnet.vpc_id,
    description="proxy",
    ingress=[{"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_blocks": [subnet.cidr_block]}],
)
aws.ec2.Instance(
    "proxy",
    ami="ami-0c55b159cbfafe1f0",
    instance_type="t3.small",
    subnet_id=subnet.id,
    vpc_security_group_ids=[sg.id],
    associate_public_ip_address=subnet.map_public_ip_on_launch,
    metadata_options={"http_tokens": "required"},
    root_block_device={"encrypted": True},
)
