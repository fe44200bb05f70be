"""The VPC and its plumbing: subnets, gateways, routes, endpoints, network ACLs, flow logs.

As the provider does, a VPC's default route table and default network ACL are adopted (not
created) by `DefaultRouteTable`/`DefaultNetworkAcl`, which replace their routes or entries with
the declared ones.
"""

from __future__ import annotations

from typing import Any

from scripts.emulate.creators.base import Made, Target, tag_spec, tags, without_none
from scripts.emulate.inputs import Inputs

# The provider accepts protocol names; the EC2 API wants IANA numbers.
PROTOCOLS = {"all": "-1", "-1": "-1", "tcp": "6", "udp": "17", "icmp": "1", "icmpv6": "58"}
# The rule every network ACL ends with; AWS owns it and it cannot be deleted.
_CATCH_ALL_RULE = 32767
# Route targets: provider input → EC2 API parameter.
_ROUTE_TARGETS = {
    "gateway_id": "GatewayId",
    "nat_gateway_id": "NatGatewayId",
    "network_interface_id": "NetworkInterfaceId",
    "transit_gateway_id": "TransitGatewayId",
    "vpc_endpoint_id": "VpcEndpointId",
    "vpc_peering_connection_id": "VpcPeeringConnectionId",
    "egress_only_gateway_id": "EgressOnlyInternetGatewayId",
    "carrier_gateway_id": "CarrierGatewayId",
    "local_gateway_id": "LocalGatewayId",
    "core_network_arn": "CoreNetworkArn",
}
_ROUTE_DESTINATIONS = {
    "destination_cidr_block": "DestinationCidrBlock",
    "destination_ipv6_cidr_block": "DestinationIpv6CidrBlock",
    "destination_prefix_list_id": "DestinationPrefixListId",
}


def _arn(target: Target, kind: str, ident: str) -> str:
    return target.arn("ec2", f"{kind}/{ident}")


def _tag(clients, ident: str, inputs: Inputs, target: Target) -> None:
    values = tags(inputs, target)
    if values:
        clients("ec2").create_tags(
            Resources=[ident], Tags=[{"Key": k, "Value": v} for k, v in values.items()]
        )


def _filters(**values: str) -> list[dict[str, Any]]:
    return [{"Name": k.replace("_", "-"), "Values": [v]} for k, v in values.items()]


def _vpc_default(ec2, vpc_id: str, what: str) -> str:
    """The id of a VPC's main route table, default network ACL or default security group."""
    if what == "route_table":
        main = _filters(vpc_id=vpc_id, **{"association.main": "true"})
        tables = ec2.describe_route_tables(Filters=main)
        return tables["RouteTables"][0]["RouteTableId"]
    if what == "network_acl":
        acls = ec2.describe_network_acls(Filters=_filters(vpc_id=vpc_id, default="true"))
        return acls["NetworkAcls"][0]["NetworkAclId"]
    groups = ec2.describe_security_groups(Filters=_filters(vpc_id=vpc_id, group_name="default"))
    return groups["SecurityGroups"][0]["GroupId"]


def vpc(inputs: Inputs, target: Target, clients) -> Made:
    ec2 = clients("ec2")
    made = ec2.create_vpc(
        **without_none(
            CidrBlock=inputs.get("cidr_block"),
            InstanceTenancy=inputs.get("instance_tenancy"),
            AmazonProvidedIpv6CidrBlock=inputs.get("assign_generated_ipv6_cidr_block"),
            Ipv4IpamPoolId=inputs.get("ipv4_ipam_pool_id"),
            Ipv4NetmaskLength=inputs.get("ipv4_netmask_length"),
        ),
        TagSpecifications=tag_spec("vpc", tags(inputs, target)),
    )["Vpc"]
    vpc_id = made["VpcId"]
    for key, attribute in (
        ("enable_dns_support", "EnableDnsSupport"),
        ("enable_dns_hostnames", "EnableDnsHostnames"),
        ("enable_network_address_usage_metrics", "EnableNetworkAddressUsageMetrics"),
    ):
        if key in inputs:
            ec2.modify_vpc_attribute(VpcId=vpc_id, **{attribute: {"Value": inputs[key]}})
    route_table = _vpc_default(ec2, vpc_id, "route_table")
    return vpc_id, {
        "arn": _arn(target, "vpc", vpc_id),
        "cidr_block": made["CidrBlock"],
        "owner_id": made.get("OwnerId", target.account),
        "default_route_table_id": route_table,
        "main_route_table_id": route_table,
        "default_network_acl_id": _vpc_default(ec2, vpc_id, "network_acl"),
        "default_security_group_id": _vpc_default(ec2, vpc_id, "security_group"),
        "instance_tenancy": made.get("InstanceTenancy", "default"),
    }


def subnet(inputs: Inputs, target: Target, clients) -> Made:
    ec2 = clients("ec2")
    made = ec2.create_subnet(
        VpcId=inputs.require("vpc_id"),
        **without_none(
            CidrBlock=inputs.get("cidr_block"),
            Ipv6CidrBlock=inputs.get("ipv6_cidr_block"),
            AvailabilityZone=inputs.get("availability_zone"),
            AvailabilityZoneId=inputs.get("availability_zone_id"),
        ),
        TagSpecifications=tag_spec("subnet", tags(inputs, target)),
    )["Subnet"]
    subnet_id = made["SubnetId"]
    if "map_public_ip_on_launch" in inputs:
        ec2.modify_subnet_attribute(
            SubnetId=subnet_id, MapPublicIpOnLaunch={"Value": inputs["map_public_ip_on_launch"]}
        )
    return subnet_id, {
        "arn": made.get("SubnetArn") or _arn(target, "subnet", subnet_id),
        "availability_zone": made["AvailabilityZone"],
        "availability_zone_id": made.get("AvailabilityZoneId"),
        "owner_id": made.get("OwnerId", target.account),
    }


def internet_gateway(inputs: Inputs, target: Target, clients) -> Made:
    ec2 = clients("ec2")
    made = ec2.create_internet_gateway(
        TagSpecifications=tag_spec("internet-gateway", tags(inputs, target))
    )["InternetGateway"]
    igw = made["InternetGatewayId"]
    if "vpc_id" in inputs:
        ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=inputs["vpc_id"])
    return igw, {"arn": _arn(target, "internet-gateway", igw), "owner_id": target.account}


def _route_args(route: Inputs) -> dict[str, Any]:
    args = {api: route[key] for key, api in _ROUTE_DESTINATIONS.items() if key in route}
    args.update({api: route[key] for key, api in _ROUTE_TARGETS.items() if key in route})
    if "cidr_block" in route:  # the inline spelling of `routes` on a route table
        args["DestinationCidrBlock"] = route["cidr_block"]
    if "ipv6_cidr_block" in route:
        args["DestinationIpv6CidrBlock"] = route["ipv6_cidr_block"]
    return args


def route_table(inputs: Inputs, target: Target, clients) -> Made:
    ec2 = clients("ec2")
    made = ec2.create_route_table(
        VpcId=inputs.require("vpc_id"),
        TagSpecifications=tag_spec("route-table", tags(inputs, target)),
    )["RouteTable"]
    table = made["RouteTableId"]
    for route in inputs.get("routes") or []:
        ec2.create_route(RouteTableId=table, **_route_args(route))
    return table, {"arn": _arn(target, "route-table", table), "owner_id": target.account}


def default_route_table(inputs: Inputs, target: Target, clients) -> Made:
    """Adopt a VPC's main route table: only the declared routes (and `local`) remain."""
    ec2 = clients("ec2")
    table = inputs.require("default_route_table_id")
    current = ec2.describe_route_tables(RouteTableIds=[table])["RouteTables"][0]
    for route in current.get("Routes", []):
        if route.get("GatewayId") == "local" or route.get("Origin") != "CreateRoute":
            continue
        keys = {k: route[k] for k in _ROUTE_DESTINATIONS.values() if route.get(k)}
        ec2.delete_route(RouteTableId=table, **keys)
    for route in inputs.get("routes") or []:
        ec2.create_route(RouteTableId=table, **_route_args(route))
    _tag(clients, table, inputs, target)
    return table, {
        "arn": _arn(target, "route-table", table),
        "vpc_id": current["VpcId"],
        "owner_id": target.account,
    }


def route(inputs: Inputs, target: Target, clients) -> Made:
    table = inputs.require("route_table_id")
    args = _route_args(inputs)
    clients("ec2").create_route(RouteTableId=table, **args)
    destination = next(args[k] for k in _ROUTE_DESTINATIONS.values() if k in args)
    return f"r-{table}-{destination}", {"state": "active", "origin": "CreateRoute"}


def route_table_association(inputs: Inputs, target: Target, clients) -> Made:
    made = clients("ec2").associate_route_table(
        RouteTableId=inputs.require("route_table_id"),
        **without_none(SubnetId=inputs.get("subnet_id"), GatewayId=inputs.get("gateway_id")),
    )
    return made["AssociationId"], {}


def eip(inputs: Inputs, target: Target, clients) -> Made:
    made = clients("ec2").allocate_address(
        **without_none(
            Domain=inputs.get("domain"),
            PublicIpv4Pool=inputs.get("public_ipv4_pool"),
            NetworkBorderGroup=inputs.get("network_border_group"),
        ),
        TagSpecifications=tag_spec("elastic-ip", tags(inputs, target)),
    )
    allocation = made["AllocationId"]
    return allocation, {
        "allocation_id": allocation,
        "public_ip": made["PublicIp"],
        "domain": made.get("Domain", "vpc"),
        "arn": _arn(target, "elastic-ip", allocation),
    }


def nat_gateway(inputs: Inputs, target: Target, clients) -> Made:
    made = clients("ec2").create_nat_gateway(
        SubnetId=inputs.require("subnet_id"),
        **without_none(
            AllocationId=inputs.get("allocation_id"),
            ConnectivityType=inputs.get("connectivity_type"),
            PrivateIpAddress=inputs.get("private_ip"),
        ),
        TagSpecifications=tag_spec("natgateway", tags(inputs, target)),
    )["NatGateway"]
    addresses = made.get("NatGatewayAddresses") or [{}]
    return made["NatGatewayId"], {
        "public_ip": addresses[0].get("PublicIp"),
        "private_ip": addresses[0].get("PrivateIp"),
        "network_interface_id": addresses[0].get("NetworkInterfaceId"),
    }


def vpc_endpoint(inputs: Inputs, target: Target, clients) -> Made:
    made = clients("ec2").create_vpc_endpoint(
        VpcId=inputs.require("vpc_id"),
        ServiceName=inputs.require("service_name"),
        **without_none(
            VpcEndpointType=inputs.get("vpc_endpoint_type"),
            PolicyDocument=inputs.get("policy"),
            RouteTableIds=inputs.plain("route_table_ids"),
            SubnetIds=inputs.plain("subnet_ids"),
            SecurityGroupIds=inputs.plain("security_group_ids"),
            PrivateDnsEnabled=inputs.get("private_dns_enabled"),
        ),
        TagSpecifications=tag_spec("vpc-endpoint", tags(inputs, target)),
    )["VpcEndpoint"]
    endpoint = made["VpcEndpointId"]
    return endpoint, {
        "arn": _arn(target, "vpc-endpoint", endpoint),
        "prefix_list_id": made.get("PrefixListId"),
        "state": made.get("State"),
    }


def _acl_entries(ec2, acl: str, inputs: Inputs) -> None:
    for key, egress in (("ingress", False), ("egress", True)):
        for rule in inputs.get(key) or []:
            protocol = str(rule["protocol"])
            entry = without_none(
                CidrBlock=rule.get("cidr_block"),
                Ipv6CidrBlock=rule.get("ipv6_cidr_block"),
                IcmpTypeCode={"Type": rule["icmp_type"], "Code": rule.get("icmp_code", -1)}
                if "icmp_type" in rule
                else None,
            )
            if "from_port" in rule or "to_port" in rule:
                entry["PortRange"] = {"From": rule.get("from_port"), "To": rule.get("to_port")}
            ec2.create_network_acl_entry(
                NetworkAclId=acl,
                RuleNumber=rule["rule_no"],
                Protocol=PROTOCOLS.get(protocol.lower(), protocol),
                RuleAction=rule["action"],
                Egress=egress,
                **entry,
            )


def _associate_subnets(ec2, acl: str, subnet_ids: list[str]) -> None:
    """Move each subnet to this ACL (a subnet always belongs to exactly one)."""
    for subnet_id in subnet_ids:
        found = ec2.describe_network_acls(
            Filters=[{"Name": "association.subnet-id", "Values": [subnet_id]}]
        )["NetworkAcls"]
        association = next(
            a["NetworkAclAssociationId"]
            for a in found[0]["Associations"]
            if a["SubnetId"] == subnet_id
        )
        ec2.replace_network_acl_association(AssociationId=association, NetworkAclId=acl)


def network_acl(inputs: Inputs, target: Target, clients) -> Made:
    ec2 = clients("ec2")
    made = ec2.create_network_acl(
        VpcId=inputs.require("vpc_id"),
        TagSpecifications=tag_spec("network-acl", tags(inputs, target)),
    )["NetworkAcl"]
    acl = made["NetworkAclId"]
    _acl_entries(ec2, acl, inputs)
    _associate_subnets(ec2, acl, inputs.plain("subnet_ids", []))
    return acl, {"arn": _arn(target, "network-acl", acl), "owner_id": target.account}


def default_network_acl(inputs: Inputs, target: Target, clients) -> Made:
    """Adopt a VPC's default network ACL: its entries become exactly the declared ones."""
    ec2 = clients("ec2")
    acl = inputs.require("default_network_acl_id")
    current = ec2.describe_network_acls(NetworkAclIds=[acl])["NetworkAcls"][0]
    for entry in current.get("Entries", []):
        if entry["RuleNumber"] != _CATCH_ALL_RULE:
            ec2.delete_network_acl_entry(
                NetworkAclId=acl, RuleNumber=entry["RuleNumber"], Egress=entry["Egress"]
            )
    _acl_entries(ec2, acl, inputs)
    _associate_subnets(ec2, acl, inputs.plain("subnet_ids", []))
    _tag(clients, acl, inputs, target)
    return acl, {
        "arn": _arn(target, "network-acl", acl),
        "vpc_id": current["VpcId"],
        "owner_id": target.account,
    }


def flow_log(inputs: Inputs, target: Target, clients) -> Made:
    kinds = {
        "vpc_id": "VPC",
        "subnet_id": "Subnet",
        "eni_id": "NetworkInterface",
        "transit_gateway_id": "TransitGateway",
    }
    key = next((k for k in kinds if k in inputs), None)
    if key is None:
        raise KeyError("a flow log needs one of vpc_id, subnet_id, eni_id, transit_gateway_id")
    made = clients("ec2").create_flow_logs(
        ResourceIds=[inputs[key]],
        ResourceType=kinds[key],
        **without_none(
            TrafficType=inputs.get("traffic_type"),
            LogDestinationType=inputs.get("log_destination_type"),
            LogDestination=inputs.get("log_destination"),
            LogGroupName=inputs.get("log_group_name"),
            DeliverLogsPermissionArn=inputs.get("iam_role_arn"),
            MaxAggregationInterval=inputs.get("max_aggregation_interval"),
            LogFormat=inputs.get("log_format"),
        ),
        TagSpecifications=tag_spec("vpc-flow-log", tags(inputs, target)),
    )
    if made.get("Unsuccessful"):
        error = made["Unsuccessful"][0]["Error"]
        raise RuntimeError(f"CreateFlowLogs: {error.get('Code')}: {error.get('Message')}")
    flow = made["FlowLogIds"][0]
    return flow, {"arn": _arn(target, "vpc-flow-log", flow)}


CREATORS = {
    "aws:ec2/vpc:Vpc": vpc,
    "aws:ec2/subnet:Subnet": subnet,
    "aws:ec2/internetGateway:InternetGateway": internet_gateway,
    "aws:ec2/routeTable:RouteTable": route_table,
    "aws:ec2/defaultRouteTable:DefaultRouteTable": default_route_table,
    "aws:ec2/route:Route": route,
    "aws:ec2/routeTableAssociation:RouteTableAssociation": route_table_association,
    "aws:ec2/eip:Eip": eip,
    "aws:ec2/natGateway:NatGateway": nat_gateway,
    "aws:ec2/vpcEndpoint:VpcEndpoint": vpc_endpoint,
    "aws:ec2/networkAcl:NetworkAcl": network_acl,
    "aws:ec2/defaultNetworkAcl:DefaultNetworkAcl": default_network_acl,
    "aws:ec2/flowLog:FlowLog": flow_log,
}
