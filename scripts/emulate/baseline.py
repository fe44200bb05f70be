"""The account a HIPAA workload is deployed into, made ready in the emulator first.

A new AWS account (and moto's) comes with a default VPC in every region: public subnets that
hand out public addresses, a default security group open to itself, no flow logs. A governed
account (AWS Control Tower's account factory, or the CIS benchmark's advice) has them deleted
before any workload lands, and its root user has an MFA device. The billing stacks assume
that account; the audit judges the whole account, so the demo and the tests prepare it the
same way, with the same API calls an administrator would make. Nothing here is faked: the
default VPC is really deleted, and root MFA, which no API can set, is set inside the embedded
emulator (`Emulator.set_root_mfa`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from checks.sources.aws.emulator import Emulator
from scripts.emulate.clients import Clients


@dataclass(frozen=True)
class Baseline:
    deleted_vpcs: tuple[str, ...]
    root_mfa: bool

    def describe(self) -> str:
        vpcs = ", ".join(self.deleted_vpcs) or "none found"
        mfa = "root user given an MFA device" if self.root_mfa else "root MFA left as it was"
        return f"account baseline: default VPCs deleted ({vpcs}); {mfa}"


def delete_default_vpc(ec2) -> list[str]:
    """Delete the region's default VPC with what hangs off it (subnets, internet gateway);
    return the ids deleted. Its default security group, route table and network ACL go with it."""
    deleted = []
    vpcs = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"]
    for vpc in vpcs:
        vpc_id = vpc["VpcId"]
        in_vpc = [{"Name": "vpc-id", "Values": [vpc_id]}]
        for subnet in ec2.describe_subnets(Filters=in_vpc)["Subnets"]:
            ec2.delete_subnet(SubnetId=subnet["SubnetId"])
        attached = [{"Name": "attachment.vpc-id", "Values": [vpc_id]}]
        for gateway in ec2.describe_internet_gateways(Filters=attached)["InternetGateways"]:
            gateway_id = gateway["InternetGatewayId"]
            ec2.detach_internet_gateway(InternetGatewayId=gateway_id, VpcId=vpc_id)
            ec2.delete_internet_gateway(InternetGatewayId=gateway_id)
        ec2.delete_vpc(VpcId=vpc_id)
        deleted.append(vpc_id)
    return deleted


def prepare_account(emulator: Emulator, regions: Iterable[str]) -> Baseline:
    """Make the emulated account a governed one in `regions` (see the module doc)."""
    deleted: list[str] = []
    for region in regions:
        clients = Clients(emulator.endpoint, region)
        deleted += delete_default_vpc(clients("ec2"))
        emulator.drop_orphaned_network_acls(region)  # what AWS deletes with a VPC and moto keeps
    emulator.set_root_mfa(True)
    return Baseline(tuple(deleted), True)
