"""A private-only VPC: no internet gateway, no public IPs, and the database reachable
only from the application tier."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

import pulumi_aws as aws
from settings import Settings
from tagging import INTERNAL, tags

POSTGRES_PORT = 5432
AZ_COUNT = 2


@dataclass(frozen=True)
class Network:
    vpc: aws.ec2.Vpc
    private_subnets: list[aws.ec2.Subnet]
    app_security_group: aws.ec2.SecurityGroup
    db_security_group: aws.ec2.SecurityGroup


def _subnet_cidrs(vpc_cidr: str, count: int) -> list[str]:
    """Carve /24s out of the VPC range, skipping the first so it stays free for later use."""
    subnets = ipaddress.ip_network(vpc_cidr).subnets(new_prefix=24)
    next(subnets)
    return [str(next(subnets)) for _ in range(count)]


def create_network(settings: Settings) -> Network:
    prefix = settings.name_prefix
    zones = aws.get_availability_zones(state="available").names[:AZ_COUNT]
    if len(zones) < AZ_COUNT:
        raise ValueError(
            f"region {settings.region} offers {len(zones)} availability zones; "
            f"the billing database needs {AZ_COUNT}"
        )

    vpc = aws.ec2.Vpc(
        "vpc",
        cidr_block=settings.vpc_cidr,
        enable_dns_support=True,
        enable_dns_hostnames=True,
        tags=tags(settings, INTERNAL, f"{prefix}-vpc"),
    )

    private_subnets = [
        aws.ec2.Subnet(
            f"private-subnet-{index}",
            vpc_id=vpc.id,
            availability_zone=zone,
            cidr_block=cidr,
            map_public_ip_on_launch=False,
            tags=tags(settings, INTERNAL, f"{prefix}-private-{zone}"),
        )
        for index, (zone, cidr) in enumerate(
            zip(zones, _subnet_cidrs(settings.vpc_cidr, AZ_COUNT), strict=True)
        )
    ]

    # Adopting the default group with no rules stops anything launched without an explicit
    # group from talking to anything.
    aws.ec2.DefaultSecurityGroup(
        "default-security-group",
        vpc_id=vpc.id,
        ingress=[],
        egress=[],
        tags=tags(settings, INTERNAL, f"{prefix}-default-deny"),
    )

    app_sg = aws.ec2.SecurityGroup(
        "app-security-group",
        name=f"{prefix}-app",
        description="Billing application tier",
        vpc_id=vpc.id,
        tags=tags(settings, INTERNAL, f"{prefix}-app"),
    )
    db_sg = aws.ec2.SecurityGroup(
        "db-security-group",
        name=f"{prefix}-db",
        description="Billing PostgreSQL; reachable only from the application tier",
        vpc_id=vpc.id,
        tags=tags(settings, INTERNAL, f"{prefix}-db"),
    )
    aws.vpc.SecurityGroupIngressRule(
        "db-ingress-from-app",
        security_group_id=db_sg.id,
        referenced_security_group_id=app_sg.id,
        ip_protocol="tcp",
        from_port=POSTGRES_PORT,
        to_port=POSTGRES_PORT,
        description="PostgreSQL from the application tier",
        tags=tags(settings, INTERNAL),
    )
    aws.vpc.SecurityGroupEgressRule(
        "app-egress-to-db",
        security_group_id=app_sg.id,
        referenced_security_group_id=db_sg.id,
        ip_protocol="tcp",
        from_port=POSTGRES_PORT,
        to_port=POSTGRES_PORT,
        description="PostgreSQL to the billing database",
        tags=tags(settings, INTERNAL),
    )

    return Network(
        vpc=vpc,
        private_subnets=private_subnets,
        app_security_group=app_sg,
        db_security_group=db_sg,
    )
