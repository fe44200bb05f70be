"""awsx.ec2.Vpc as the generated SDK declares it: a multi-language component (remote=True).

Under mocks no provider builds its subnets, so its outputs are known only once deployed. One
input shares its name with an output of another type (`nat_gateways`: a configuration going
in, a list of NAT gateways coming out), as in the real SDK."""

from collections.abc import Mapping, Sequence
from typing import Optional

import pulumi
import pulumi_aws


class NatGatewayConfigurationArgs(dict):
    def __init__(self, *, strategy: str, elastic_ip_allocation_ids: Optional[Sequence[str]] = None):
        super().__init__(strategy=strategy)
        if elastic_ip_allocation_ids is not None:
            self["elasticIpAllocationIds"] = list(elastic_ip_allocation_ids)


class SubnetSpecArgs(dict):
    def __init__(self, *, type: str, cidr_mask: Optional[int] = None, name: Optional[str] = None):
        super().__init__(type=type)
        if cidr_mask is not None:
            self["cidrMask"] = cidr_mask
        if name is not None:
            self["name"] = name


@pulumi.input_type
class VpcArgs:
    def __init__(__self__, *, cidr_block: Optional[str] = None) -> None:
        if cidr_block is not None:
            pulumi.set(__self__, "cidr_block", cidr_block)

    @property
    @pulumi.getter(name="cidrBlock")
    def cidr_block(self) -> Optional[str]:
        return pulumi.get(self, "cidr_block")

    @property
    @pulumi.getter(name="natGateways")
    def nat_gateways(self) -> Optional[NatGatewayConfigurationArgs]:
        return pulumi.get(self, "nat_gateways")


class Vpc(pulumi.ComponentResource):
    def __init__(
        __self__,
        resource_name: str,
        opts: Optional[pulumi.ResourceOptions] = None,
        cidr_block: Optional[str] = None,
        enable_dns_hostnames: Optional[pulumi.Input[bool]] = None,
        nat_gateways: Optional[NatGatewayConfigurationArgs] = None,
        number_of_availability_zones: Optional[int] = None,
        subnet_specs: Optional[Sequence[SubnetSpecArgs]] = None,
        tags: Optional[pulumi.Input[Mapping[str, pulumi.Input[str]]]] = None,
    ) -> None:
        # As the generated SDK builds them: inputs, then every output as None.
        __props__ = VpcArgs.__new__(VpcArgs)
        __props__.__dict__["cidr_block"] = cidr_block
        __props__.__dict__["enable_dns_hostnames"] = enable_dns_hostnames
        __props__.__dict__["nat_gateways"] = nat_gateways
        __props__.__dict__["number_of_availability_zones"] = number_of_availability_zones
        __props__.__dict__["subnet_specs"] = subnet_specs
        __props__.__dict__["tags"] = tags
        for output in (
            "eips",
            "internet_gateway",
            "isolated_subnet_ids",
            "private_subnet_ids",
            "public_subnet_ids",
            "route_tables",
            "subnets",
            "vpc",
            "vpc_id",
        ):
            __props__.__dict__[output] = None
        super().__init__("awsx:ec2:Vpc", resource_name, __props__, opts, remote=True)

    @property
    @pulumi.getter(name="privateSubnetIds")
    def private_subnet_ids(self) -> pulumi.Output[Sequence[str]]:
        return pulumi.get(self, "private_subnet_ids")

    @property
    @pulumi.getter(name="publicSubnetIds")
    def public_subnet_ids(self) -> pulumi.Output[Sequence[str]]:
        return pulumi.get(self, "public_subnet_ids")

    @property
    @pulumi.getter(name="vpcId")
    def vpc_id(self) -> pulumi.Output[str]:
        return pulumi.get(self, "vpc_id")

    @property
    @pulumi.getter(name="natGateways")
    def nat_gateways(self) -> pulumi.Output[Sequence[pulumi_aws.ec2.NatGateway]]:
        return pulumi.get(self, "nat_gateways")

    @property
    @pulumi.getter
    def vpc(self) -> pulumi.Output[pulumi_aws.ec2.Vpc]:
        return pulumi.get(self, "vpc")
