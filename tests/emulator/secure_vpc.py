"""A secure VPC in the emulated account, built in one call, for any test that needs a network.

`secure_vpc(aws.client("ec2"))` builds what the network checks pass: private subnets in two
zones (no public IPs on launch) with their own route table (no route to the internet), a flow
log of all traffic, the default security group emptied, SSH and RDP from the internet denied
first in the default network ACL, and two groups for a data tier: `app` (no ingress, HTTPS out
inside the VPC) and `db` (PostgreSQL from `app` only). Tests change one thing and look for the
finding.

The default VPC moto creates stays: judge the resources of this VPC by id. (Without it, moto
would make the first subnet created in each zone the zone's default subnet, public IPs and all.)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

ACCOUNT = "123456789012"


@dataclass(frozen=True)
class SecureVpc:
    vpc_id: str
    subnet_ids: tuple[str, ...]  # private, one per zone
    route_table_id: str  # the private subnets' table
    app_sg: str
    db_sg: str
    default_sg: str
    default_acl: str
    flow_log_id: str


def _tag(name: str) -> list[dict[str, Any]]:
    return [{"Key": "Name", "Value": name}]


def secure_vpc(ec2: Any, cidr: str = "10.40.0.0/16", name: str = "secure") -> SecureVpc:
    vpc = ec2.create_vpc(
        CidrBlock=cidr,
        TagSpecifications=[{"ResourceType": "vpc", "Tags": _tag(name)}],
    )["Vpc"]["VpcId"]
    prefix = cidr.rsplit(".", 2)[0]  # "10.40"
    subnets = tuple(
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"{prefix}.{i + 1}.0/24", AvailabilityZone=zone)[
            "Subnet"
        ]["SubnetId"]
        for i, zone in enumerate(("us-east-1a", "us-east-1b"))
    )
    table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    for subnet in subnets:
        ec2.associate_route_table(RouteTableId=table, SubnetId=subnet)
    flow_log = ec2.create_flow_logs(
        ResourceIds=[vpc],
        ResourceType="VPC",
        TrafficType="ALL",
        LogDestinationType="cloud-watch-logs",
        LogGroupName=f"/{name}/vpc-flow-logs",
        DeliverLogsPermissionArn=f"arn:aws:iam::{ACCOUNT}:role/{name}-flow-logs",
    )["FlowLogIds"][0]
    groups = ec2.describe_security_groups(
        Filters=[{"Name": "vpc-id", "Values": [vpc]}, {"Name": "group-name", "Values": ["default"]}]
    )["SecurityGroups"]
    default_sg = groups[0]["GroupId"]
    for kind in ("IpPermissions", "IpPermissionsEgress"):
        if groups[0].get(kind):
            revoke = (
                ec2.revoke_security_group_ingress
                if kind == "IpPermissions"
                else ec2.revoke_security_group_egress
            )
            revoke(GroupId=default_sg, IpPermissions=groups[0][kind])
    default_acl = ec2.describe_network_acls(
        Filters=[{"Name": "vpc-id", "Values": [vpc]}, {"Name": "default", "Values": ["true"]}]
    )["NetworkAcls"][0]["NetworkAclId"]
    # SSH over TCP; RDP over TCP and UDP.
    for number, port, protocol in ((50, 22, "6"), (60, 3389, "6"), (70, 3389, "17")):
        ec2.create_network_acl_entry(
            NetworkAclId=default_acl, RuleNumber=number, Protocol=protocol, RuleAction="deny",
            Egress=False, CidrBlock="0.0.0.0/0", PortRange={"From": port, "To": port},
        )  # fmt: skip
    app = ec2.create_security_group(GroupName=f"{name}-app", Description="app tier", VpcId=vpc)
    db = ec2.create_security_group(GroupName=f"{name}-db", Description="database", VpcId=vpc)
    app_sg, db_sg = app["GroupId"], db["GroupId"]
    for group in (app_sg, db_sg):
        ec2.revoke_security_group_egress(
            GroupId=group,
            IpPermissions=[{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
        )
    ec2.authorize_security_group_egress(
        GroupId=app_sg,
        IpPermissions=[{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
                        "IpRanges": [{"CidrIp": cidr, "Description": "AWS APIs"}]}],
    )  # fmt: skip
    ec2.authorize_security_group_ingress(
        GroupId=db_sg,
        IpPermissions=[{"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432,
                        "UserIdGroupPairs": [{"GroupId": app_sg, "Description": "the app tier"}]}],
    )  # fmt: skip
    return SecureVpc(vpc, subnets, table, app_sg, db_sg, default_sg, default_acl, flow_log)
