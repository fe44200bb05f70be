"""An intake portal's load balancer, placed on the default VPC's subnets."""

import pulumi
import pulumi_aws as aws
from placement import home, portal_subnets

edge = aws.ec2.SecurityGroup(
    "intake-edge",
    vpc_id=home.id,
    description="HTTPS from anywhere",
    ingress=[{"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_blocks": ["0.0.0.0/0"]}],
)
portal = aws.lb.LoadBalancer("intake", security_groups=[edge.id], subnets=portal_subnets())
pulumi.export("portal_dns", portal.dns_name)
