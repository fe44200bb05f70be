"""Live collectors for the VPC network: VPCs, subnets, security groups, network ACLs, route
tables, internet and NAT gateways, Elastic IPs, flow logs and VPC endpoints.

Each becomes the resource the Pulumi provider reads back for it, so the network checks run
unchanged: a security group's rules are its inline `ingress`/`egress` blocks (as the provider
reads every rule of a group, however it was made), a network ACL's entries its inline rules, a
route table's routes its inline `routes`. A VPC's own default group and ACL are the
`DefaultSecurityGroup` and `DefaultNetworkAcl` a program would adopt them with, and its main
route table a `DefaultRouteTable` with the `MainRouteTableAssociation` that names its VPC.
One collector per Describe call, so one refused call hides only what it reads.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from checks.model import Resource
from checks.sources.aws.collect import Collector, Context
from checks.sources.aws.shapes import present, tag_dict

VPC = "aws:ec2/vpc:Vpc"
DEFAULT_VPC = "aws:ec2/defaultVpc:DefaultVpc"
SUBNET = "aws:ec2/subnet:Subnet"
DEFAULT_SUBNET = "aws:ec2/defaultSubnet:DefaultSubnet"
SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
DEFAULT_SECURITY_GROUP = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"
NETWORK_ACL = "aws:ec2/networkAcl:NetworkAcl"
DEFAULT_NETWORK_ACL = "aws:ec2/defaultNetworkAcl:DefaultNetworkAcl"
ROUTE_TABLE = "aws:ec2/routeTable:RouteTable"
DEFAULT_ROUTE_TABLE = "aws:ec2/defaultRouteTable:DefaultRouteTable"
ROUTE_TABLE_ASSOCIATION = "aws:ec2/routeTableAssociation:RouteTableAssociation"
MAIN_ROUTE_TABLE_ASSOCIATION = "aws:ec2/mainRouteTableAssociation:MainRouteTableAssociation"
INTERNET_GATEWAY = "aws:ec2/internetGateway:InternetGateway"
NAT_GATEWAY = "aws:ec2/natGateway:NatGateway"
EIP = "aws:ec2/eip:Eip"
FLOW_LOG = "aws:ec2/flowLog:FlowLog"
VPC_ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint"

# The entries AWS puts last in every network ACL (deny everything else); the provider leaves
# them out of `ingress`/`egress`, as they cannot be changed.
_DEFAULT_ACL_RULES = frozenset({32767, 32768})
# AWS route fields and the provider's names for them.
_ROUTE_FIELDS = {
    "DestinationCidrBlock": "cidr_block",
    "DestinationIpv6CidrBlock": "ipv6_cidr_block",
    "DestinationPrefixListId": "destination_prefix_list_id",
    "GatewayId": "gateway_id",
    "NatGatewayId": "nat_gateway_id",
    "TransitGatewayId": "transit_gateway_id",
    "VpcPeeringConnectionId": "vpc_peering_connection_id",
    "NetworkInterfaceId": "network_interface_id",
    "EgressOnlyInternetGatewayId": "egress_only_gateway_id",
    "CarrierGatewayId": "carrier_gateway_id",
    "LocalGatewayId": "local_gateway_id",
    "CoreNetworkArn": "core_network_arn",
}


def tags_of(item: Mapping[str, Any]) -> dict[str, Any]:
    """The `Tags` of an EC2 answer as the provider's `tags` mapping."""
    return tag_dict(item.get("Tags"))


def ec2_arn(ctx: Context, kind: str, ident: str, owner: str | None = None) -> str:
    return f"arn:{ctx.partition}:ec2:{ctx.region}:{owner or ctx.account_id}:{kind}/{ident}"


# -- VPCs and subnets ---------------------------------------------------------------------------
def _vpcs(ctx: Context) -> Iterator[Resource]:
    for vpc in ctx.pages(ctx.client(), "DescribeVpcs", "Vpcs"):
        ident = vpc["VpcId"]
        props = {
            "cidr_block": vpc.get("CidrBlock"),
            "instance_tenancy": vpc.get("InstanceTenancy"),
            "dhcp_options_id": vpc.get("DhcpOptionsId"),
            "tags": tags_of(vpc),
        }
        ipv6 = [a["Ipv6CidrBlock"] for a in vpc.get("Ipv6CidrBlockAssociationSet") or ()]
        if ipv6:
            props["ipv6_cidr_block"] = ipv6[0]
        kind = DEFAULT_VPC if vpc.get("IsDefault") else VPC
        owner = vpc.get("OwnerId")
        yield ctx.resource(
            kind, ident, present(props), id=ident, arn=ec2_arn(ctx, "vpc", ident, owner)
        )


def _subnets(ctx: Context) -> Iterator[Resource]:
    for subnet in ctx.pages(ctx.client(), "DescribeSubnets", "Subnets"):
        ident = subnet["SubnetId"]
        ipv6 = [a["Ipv6CidrBlock"] for a in subnet.get("Ipv6CidrBlockAssociationSet") or ()]
        props = {
            "vpc_id": subnet.get("VpcId"),
            "cidr_block": subnet.get("CidrBlock"),
            "ipv6_cidr_block": ipv6[0] if ipv6 else None,
            "availability_zone": subnet.get("AvailabilityZone"),
            "availability_zone_id": subnet.get("AvailabilityZoneId"),
            "map_public_ip_on_launch": subnet.get("MapPublicIpOnLaunch"),
            "assign_ipv6_address_on_creation": subnet.get("AssignIpv6AddressOnCreation"),
            "tags": tags_of(subnet),
        }
        kind = DEFAULT_SUBNET if subnet.get("DefaultForAz") else SUBNET
        arn = subnet.get("SubnetArn") or ec2_arn(ctx, "subnet", ident, subnet.get("OwnerId"))
        yield ctx.resource(kind, ident, present(props), id=ident, arn=arn)


# -- security groups ----------------------------------------------------------------------------
def _grants(perm: Mapping[str, Any], group_id: str, owner: str | None) -> Iterator[tuple]:
    """(description, provider key, value) for each source one permission lets in or out."""
    for entry in perm.get("IpRanges") or ():
        yield entry.get("Description"), "cidr_blocks", entry["CidrIp"]
    for entry in perm.get("Ipv6Ranges") or ():
        yield entry.get("Description"), "ipv6_cidr_blocks", entry["CidrIpv6"]
    for entry in perm.get("PrefixListIds") or ():
        yield entry.get("Description"), "prefix_list_ids", entry["PrefixListId"]
    for pair in perm.get("UserIdGroupPairs") or ():
        if pair.get("GroupId") == group_id:
            yield pair.get("Description"), "self", True
            continue
        other, account = pair.get("GroupId") or pair.get("GroupName"), pair.get("UserId")
        cross = account and owner and account != owner
        yield pair.get("Description"), "security_groups", f"{account}/{other}" if cross else other


def sg_rules(
    permissions: list[Mapping[str, Any]], group_id: str, owner: str | None
) -> list[dict[str, Any]]:
    """A group's IpPermissions as the provider's inline rule blocks: one block per permission
    and description, `self` for the group's own id, `ACCOUNT/sg-...` for another account's."""
    rules: list[dict[str, Any]] = []
    for perm in permissions:
        protocol = str(perm.get("IpProtocol", "-1"))
        every = protocol == "-1"
        ports = {
            "from_port": 0 if every else perm.get("FromPort", 0),
            "to_port": 0 if every else perm.get("ToPort", 0),
        }
        by_description: dict[str, dict[str, Any]] = {}
        for description, key, value in _grants(perm, group_id, owner):
            block = by_description.setdefault(
                description or "",
                {"protocol": protocol, **ports}
                | ({"description": description} if description else {}),
            )
            if key == "self":
                block["self"] = True
            else:
                block.setdefault(key, []).append(value)
        rules.extend(by_description.values())
    return rules


def _listed_groups(ctx: Context) -> Iterator[Mapping[str, Any]]:
    """Every group of the region, or only the changed ones (by id, else by name)."""
    client = ctx.client()
    wanted = ctx.narrowed(SECURITY_GROUP, (SECURITY_GROUP, DEFAULT_SECURITY_GROUP))
    if wanted is None:
        yield from ctx.pages(client, "DescribeSecurityGroups", "SecurityGroups")
        return
    for ids in wanted:
        by_id = [i for i in ids if i.startswith("sg-")][:1]
        by_name = {"Filters": [{"Name": "group-name", "Values": list(ids)}]}
        answer = ctx.lookup(
            client, "DescribeSecurityGroups", **({"GroupIds": by_id} if by_id else by_name)
        )
        yield from (answer or {}).get("SecurityGroups") or ()


def _security_groups(ctx: Context) -> Iterator[Resource]:
    for group in _listed_groups(ctx):
        ident, owner = group["GroupId"], group.get("OwnerId")
        props = {
            "name": group.get("GroupName"),
            "description": group.get("Description"),
            "vpc_id": group.get("VpcId"),
            "ingress": sg_rules(group.get("IpPermissions") or [], ident, owner),
            "egress": sg_rules(group.get("IpPermissionsEgress") or [], ident, owner),
            "tags": tags_of(group),
        }
        kind = DEFAULT_SECURITY_GROUP if group.get("GroupName") == "default" else SECURITY_GROUP
        arn = group.get("SecurityGroupArn") or ec2_arn(ctx, "security-group", ident, owner)
        name = group.get("GroupName") or ident
        yield ctx.resource(kind, name, present(props), id=ident, arn=arn)


# -- network ACLs -------------------------------------------------------------------------------
def acl_rule(entry: Mapping[str, Any]) -> dict[str, Any]:
    """One network ACL entry as the provider's inline rule block."""
    protocol = str(entry.get("Protocol", "-1"))
    ports = entry.get("PortRange") or {}
    icmp = entry.get("IcmpTypeCode") or {}
    return present(
        {
            "rule_no": entry.get("RuleNumber"),
            "action": entry.get("RuleAction"),
            "protocol": protocol,
            "from_port": 0 if protocol == "-1" else ports.get("From", 0),
            "to_port": 0 if protocol == "-1" else ports.get("To", 0),
            "cidr_block": entry.get("CidrBlock"),
            "ipv6_cidr_block": entry.get("Ipv6CidrBlock"),
            "icmp_type": icmp.get("Type"),
            "icmp_code": icmp.get("Code"),
        }
    )


def _network_acls(ctx: Context) -> Iterator[Resource]:
    for acl in ctx.pages(ctx.client(), "DescribeNetworkAcls", "NetworkAcls"):
        ident = acl["NetworkAclId"]
        entries = [
            e for e in acl.get("Entries") or () if e.get("RuleNumber") not in _DEFAULT_ACL_RULES
        ]
        props: dict[str, Any] = {
            "vpc_id": acl.get("VpcId"),
            "subnet_ids": sorted(
                a["SubnetId"] for a in acl.get("Associations") or () if a.get("SubnetId")
            ),
            "ingress": [acl_rule(e) for e in entries if not e.get("Egress")],
            "egress": [acl_rule(e) for e in entries if e.get("Egress")],
            "tags": tags_of(acl),
        }
        kind = NETWORK_ACL
        if acl.get("IsDefault"):
            kind, props["default_network_acl_id"] = DEFAULT_NETWORK_ACL, ident
        arn = ec2_arn(ctx, "network-acl", ident, acl.get("OwnerId"))
        yield ctx.resource(kind, ident, present(props), id=ident, arn=arn)


# -- route tables -------------------------------------------------------------------------------
def route(entry: Mapping[str, Any]) -> dict[str, Any] | None:
    """A route as the provider's inline route block; None for the routes the provider leaves
    out: the VPC's local route, propagated ones, and a gateway endpoint's prefix-list routes
    (the endpoint owns them)."""
    gateway = str(entry.get("GatewayId") or "")
    if gateway == "local" or entry.get("Origin") == "EnableVgwRoutePropagation":
        return None
    if gateway.startswith("vpce-") and entry.get("DestinationPrefixListId"):
        return None
    return {name: entry[field] for field, name in _ROUTE_FIELDS.items() if entry.get(field)}


def _route_tables(ctx: Context) -> Iterator[Resource]:
    for table in ctx.pages(ctx.client(), "DescribeRouteTables", "RouteTables"):
        ident, vpc = table["RouteTableId"], table.get("VpcId")
        live = [
            a for a in table.get("Associations") or ()
            if (a.get("AssociationState") or {}).get("State", "associated") == "associated"
        ]  # fmt: skip
        props: dict[str, Any] = {
            "vpc_id": vpc,
            "routes": [r for r in map(route, table.get("Routes") or ()) if r is not None],
            "propagating_vgws": sorted(
                v["GatewayId"] for v in table.get("PropagatingVgws") or () if v.get("GatewayId")
            ),
            "tags": tags_of(table),
        }
        kind = ROUTE_TABLE
        if any(a.get("Main") for a in live):
            kind, props["default_route_table_id"] = DEFAULT_ROUTE_TABLE, ident
        arn = ec2_arn(ctx, "route-table", ident, table.get("OwnerId"))
        yield ctx.resource(kind, ident, present(props), id=ident, arn=arn)
        for assoc in live:
            assoc_id = assoc["RouteTableAssociationId"]
            if assoc.get("Main"):
                kind, props = MAIN_ROUTE_TABLE_ASSOCIATION, {"vpc_id": vpc, "route_table_id": ident}
            else:
                kind = ROUTE_TABLE_ASSOCIATION
                props = present(
                    {
                        "route_table_id": ident,
                        "subnet_id": assoc.get("SubnetId"),
                        "gateway_id": assoc.get("GatewayId"),
                    }
                )
            yield ctx.resource(kind, assoc_id, props, id=assoc_id)


# -- gateways, addresses, flow logs, endpoints --------------------------------------------------
def _internet_gateways(ctx: Context) -> Iterator[Resource]:
    for igw in ctx.pages(ctx.client(), "DescribeInternetGateways", "InternetGateways"):
        ident = igw["InternetGatewayId"]
        attached = [a["VpcId"] for a in igw.get("Attachments") or () if a.get("VpcId")]
        props = {"vpc_id": attached[0] if attached else None, "tags": tags_of(igw)}
        arn = ec2_arn(ctx, "internet-gateway", ident, igw.get("OwnerId"))
        yield ctx.resource(INTERNET_GATEWAY, ident, present(props), id=ident, arn=arn)


def _nat_gateways(ctx: Context) -> Iterator[Resource]:
    for nat in ctx.pages(ctx.client(), "DescribeNatGateways", "NatGateways"):
        if nat.get("State") in ("deleting", "deleted", "failed"):
            continue
        ident = nat["NatGatewayId"]
        addresses = nat.get("NatGatewayAddresses") or [{}]
        props = {
            "subnet_id": nat.get("SubnetId"),
            "connectivity_type": nat.get("ConnectivityType"),
            "allocation_id": addresses[0].get("AllocationId"),
            "private_ip": addresses[0].get("PrivateIp"),
            "public_ip": addresses[0].get("PublicIp"),
            "tags": tags_of(nat),
        }
        arn = ec2_arn(ctx, "natgateway", ident)
        yield ctx.resource(NAT_GATEWAY, ident, present(props), id=ident, arn=arn)


def _addresses(ctx: Context) -> Iterator[Resource]:
    for eip in ctx.pages(ctx.client(), "DescribeAddresses", "Addresses"):
        ident = eip.get("AllocationId") or eip["PublicIp"]
        props = {
            "domain": eip.get("Domain"),
            "instance": eip.get("InstanceId"),
            "network_interface": eip.get("NetworkInterfaceId"),
            "associate_with_private_ip": eip.get("PrivateIpAddress"),
            "public_ip": eip.get("PublicIp"),
            "public_ipv4_pool": eip.get("PublicIpv4Pool"),
            "tags": tags_of(eip),
        }
        arn = ec2_arn(ctx, "elastic-ip", ident)
        yield ctx.resource(EIP, ident, present(props), id=ident, arn=arn)


# The provider's property for what a flow log records, by the prefix of AWS's ResourceId.
_FLOW_LOG_TARGETS = (
    ("tgw-attach-", "transit_gateway_attachment_id"),
    ("tgw-", "transit_gateway_id"),
    ("vpc-", "vpc_id"),
    ("subnet-", "subnet_id"),
    ("eni-", "eni_id"),
)


def _flow_logs(ctx: Context) -> Iterator[Resource]:
    for log in ctx.pages(ctx.client(), "DescribeFlowLogs", "FlowLogs"):
        ident, target = log["FlowLogId"], str(log.get("ResourceId") or "")
        props: dict[str, Any] = {
            "traffic_type": log.get("TrafficType"),
            "log_destination_type": log.get("LogDestinationType"),
            "log_destination": log.get("LogDestination"),
            "log_group_name": log.get("LogGroupName"),
            "iam_role_arn": log.get("DeliverLogsPermissionArn"),
            "deliver_cross_account_role": log.get("DeliverCrossAccountRole"),
            "log_format": log.get("LogFormat"),
            "max_aggregation_interval": log.get("MaxAggregationInterval"),
            "tags": tags_of(log),
        }
        for prefix, key in _FLOW_LOG_TARGETS:
            if target.startswith(prefix):
                props[key] = target
                break
        arn = ec2_arn(ctx, "vpc-flow-log", ident)
        yield ctx.resource(FLOW_LOG, ident, present(props), id=ident, arn=arn)


def _vpc_endpoints(ctx: Context) -> Iterator[Resource]:
    for endpoint in ctx.pages(ctx.client(), "DescribeVpcEndpoints", "VpcEndpoints"):
        if str(endpoint.get("State", "")).lower() in ("deleting", "deleted", "failed", "rejected"):
            continue
        ident = endpoint["VpcEndpointId"]
        props = {
            "vpc_id": endpoint.get("VpcId"),
            "service_name": endpoint.get("ServiceName"),
            "vpc_endpoint_type": endpoint.get("VpcEndpointType"),
            "policy": endpoint.get("PolicyDocument"),
            "private_dns_enabled": endpoint.get("PrivateDnsEnabled"),
            "route_table_ids": sorted(endpoint.get("RouteTableIds") or []),
            "subnet_ids": sorted(endpoint.get("SubnetIds") or []),
            "security_group_ids": sorted(g["GroupId"] for g in endpoint.get("Groups") or ()),
            "tags": tags_of(endpoint),
        }
        arn = ec2_arn(ctx, "vpc-endpoint", ident, endpoint.get("OwnerId"))
        yield ctx.resource(VPC_ENDPOINT, ident, present(props), id=ident, arn=arn)


def _ec2(types: tuple[str, ...], action: str, collect: Any) -> Collector:
    return Collector("ec2", types, (f"ec2:{action}",), collect)


COLLECTORS: list[Collector] = [
    _ec2((VPC, DEFAULT_VPC), "DescribeVpcs", _vpcs),
    _ec2((SUBNET, DEFAULT_SUBNET), "DescribeSubnets", _subnets),
    _ec2((SECURITY_GROUP, DEFAULT_SECURITY_GROUP), "DescribeSecurityGroups", _security_groups),
    _ec2((NETWORK_ACL, DEFAULT_NETWORK_ACL), "DescribeNetworkAcls", _network_acls),
    _ec2(
        (ROUTE_TABLE, DEFAULT_ROUTE_TABLE, ROUTE_TABLE_ASSOCIATION, MAIN_ROUTE_TABLE_ASSOCIATION),
        "DescribeRouteTables",
        _route_tables,
    ),
    _ec2((INTERNET_GATEWAY,), "DescribeInternetGateways", _internet_gateways),
    _ec2((NAT_GATEWAY,), "DescribeNatGateways", _nat_gateways),
    _ec2((EIP,), "DescribeAddresses", _addresses),
    _ec2((FLOW_LOG,), "DescribeFlowLogs", _flow_logs),
    _ec2((VPC_ENDPOINT,), "DescribeVpcEndpoints", _vpc_endpoints),
]
