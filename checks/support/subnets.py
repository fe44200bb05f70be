"""Subnets as several checks see them: the two Pulumi types of a subnet, and whether a subnet
gives what is launched in it a public IP address.

(`checks/aws/vpc.py` judges the subnets themselves with the same default; a check of what runs in
a subnet — an EMR cluster's nodes — reads it from here.)
"""

from __future__ import annotations

from checks.model import Resource
from checks.support.props import flag, known

SUBNET = "aws:ec2/subnet:Subnet"
DEFAULT_SUBNET = "aws:ec2/defaultSubnet:DefaultSubnet"
SUBNET_TYPES = (SUBNET, DEFAULT_SUBNET)


def assigns_public_ip(subnet: Resource) -> bool:
    """Default subnets hand out public IPs unless told not to; other subnets do not."""
    return flag(known(subnet, "map_public_ip_on_launch", subnet.type == DEFAULT_SUBNET))
