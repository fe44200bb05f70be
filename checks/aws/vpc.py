"""VPC placement: no automatic or attached public IPs, flow logs on every VPC, and no internet
route from subnets that hold data (controls NET-02, NET-03, NET-04)."""

from __future__ import annotations

from typing import Any

from checks.model import Inventory, Resource, Undecidable
from checks.registry import Check, Result, Severity, check, failed, not_applicable, passed
from checks.support.joins import referrers, refers_to, resolve
from checks.support.props import blocks, flag, known
from checks.support.resource_types import (
    EC2_INSTANCE,
    LAMBDA_FUNCTION,
    LAUNCH_CONFIGURATION,
    LAUNCH_TEMPLATE,
    VPC_TYPES,
)
from checks.support.routes import internet_routes, subnet_route_tables

CHECKS: list[Check] = []

SUBNET = "aws:ec2/subnet:Subnet"
DEFAULT_SUBNET = "aws:ec2/defaultSubnet:DefaultSubnet"
EIP = "aws:ec2/eip:Eip"
FLOW_LOG = "aws:ec2/flowLog:FlowLog"
# Subnet-hosted places where ePHI comes to rest or is processed, by the property listing subnets.
DATA_TIER_SUBNET_USERS = (
    ("aws:rds/subnetGroup:SubnetGroup", "subnet_ids"),
    ("aws:elasticache/subnetGroup:SubnetGroup", "subnet_ids"),
    ("aws:efs/mountTarget:MountTarget", "subnet_id"),
)


def _auto_public_ip(subnet: Resource) -> bool:
    """Default subnets hand out public IPs unless told not to; other subnets do not."""
    return flag(known(subnet, "map_public_ip_on_launch", subnet.type == DEFAULT_SUBNET))


@check(
    into=CHECKS,
    id="subnet_no_auto_public_ip",
    control="NET-02",
    title="Subnet does not assign public IPs automatically",
    severity=Severity.MEDIUM,
    config_rule="subnet-auto-assign-public-ip-disabled",
    resource_types=(SUBNET, DEFAULT_SUBNET),
    remediation=(
        "Set map_public_ip_on_launch=False; public entry points (load balancers, NAT gateways) "
        "get their addresses without it."
    ),
    pulumi_fix='aws.ec2.Subnet("private-a", vpc_id=vpc.id, cidr_block="10.0.1.0/24",\n'
    "    map_public_ip_on_launch=False)",
)
def subnet_no_auto_public_ip(res: Resource, inv: Inventory) -> Result:
    """Nothing launched here becomes reachable from the internet by default."""
    auto = _auto_public_ip(res)
    if auto:
        return failed("instances launched here get public IPs", map_public_ip_on_launch=True)
    return passed("no public IP is assigned on launch", map_public_ip_on_launch=False)


def _instance_public_ip(res: Resource, inv: Inventory) -> tuple[bool, str]:
    # Any Elastic IP seen makes the instance public, whatever a hidden one names: no `every`.
    eips = referrers(inv, res, (EIP,), "instance")
    if eips:
        return True, f"Elastic IP {eips[0].name}"
    explicit = known(res, "associate_public_ip_address")
    if explicit is not None:
        return flag(explicit), "associate_public_ip_address"
    subnet_ref = known(res, "subnet_id")
    if subnet_ref is None:
        return True, "no subnet_id: the default VPC's subnets assign public IPs"
    subnet = resolve(inv, subnet_ref, (SUBNET, DEFAULT_SUBNET), f"subnet_id of {res.name}")
    if subnet is None:
        raise Undecidable(f"the subnet {subnet_ref} of {res.name} is not in the inventory")
    return _auto_public_ip(subnet), f"map_public_ip_on_launch of {subnet.name}"


@check(
    into=CHECKS,
    id="ec2_instance_no_public_ip",
    control="NET-02",
    title="EC2 instance has no public IP address",
    severity=Severity.HIGH,
    config_rule="ec2-instance-no-public-ip",
    resource_types=(EC2_INSTANCE,),
    reads=("aws:ec2/eip:Eip",),
    remediation=(
        "Launch into a private subnet with associate_public_ip_address=False and no Elastic IP; "
        "publish services through a load balancer and administer through SSM Session Manager."
    ),
    pulumi_fix='aws.ec2.Instance("app", ..., subnet_id=private_subnet.id,\n'
    "    associate_public_ip_address=False)",
)
def ec2_instance_no_public_ip(res: Resource, inv: Inventory) -> Result:
    """Hosts that process ePHI are not directly addressable from the internet."""
    public, decided_by = _instance_public_ip(res, inv)
    if public:
        return failed(f"the instance gets a public IP ({decided_by})", decided_by=decided_by)
    return passed(f"no public IP ({decided_by})", decided_by=decided_by)


def _launch_public_ip(res: Resource) -> list[Any]:
    if res.type == LAUNCH_CONFIGURATION:
        return [known(res, "associate_public_ip_address")]
    return [n.get("associate_public_ip_address") for n in blocks(known(res, "network_interfaces"))]


@check(
    into=CHECKS,
    id="launch_template_no_public_ip",
    control="NET-02",
    title="Launch template or configuration does not request public IPs",
    severity=Severity.MEDIUM,
    config_rule="autoscaling-launch-config-public-ip-disabled",
    resource_types=(LAUNCH_TEMPLATE, LAUNCH_CONFIGURATION),
    remediation="Remove associate_public_ip_address=True (or set it False) from the template.",
    pulumi_fix='aws.ec2.LaunchTemplate("app", ..., network_interfaces=[{\n'
    '    "associate_public_ip_address": "false", "security_groups": [app_sg.id]}])',
)
def launch_template_no_public_ip(res: Resource, inv: Inventory) -> Result:
    """Instances scaled out from the template stay private."""
    requested = [v for v in _launch_public_ip(res) if v is not None]
    if any(flag(v) for v in requested):
        return failed("the template requests a public IP", associate_public_ip_address=True)
    return passed(
        "no public IP is requested (the subnet decides)", associate_public_ip_address=False
    )


@check(
    into=CHECKS,
    id="vpc_flow_logs_enabled",
    control="NET-03",
    title="VPC has flow logs",
    severity=Severity.MEDIUM,
    config_rule="vpc-flow-logs-enabled",
    resource_types=VPC_TYPES,
    reads=("aws:ec2/flowLog:FlowLog",),
    remediation=(
        "Declare an aws.ec2.FlowLog for the VPC with traffic_type 'ALL' into an encrypted log "
        "group or bucket with long retention."
    ),
    pulumi_fix='aws.ec2.FlowLog("vpc", vpc_id=vpc.id, traffic_type="ALL",\n'
    '    log_destination_type="cloud-watch-logs", log_destination=log_group.arn,\n'
    "    iam_role_arn=flow_logs_role.arn)",
)
def vpc_flow_logs_enabled(res: Resource, inv: Inventory) -> Result:
    """Every connection into and out of the network is recorded (information system activity)."""
    logs = referrers(inv, res, (FLOW_LOG,), "vpc_id")
    traffic = sorted({str(known(f, "traffic_type", "ALL")).upper() for f in logs})
    evidence = {"flow_logs": [f.name for f in logs], "traffic_type": traffic}
    if not logs:
        return failed("the VPC has no flow log", **evidence)
    if "ALL" in traffic or {"ACCEPT", "REJECT"} <= set(traffic):
        return passed(f"flow logs record {'/'.join(traffic)} traffic", **evidence)
    # Rejected packets alone miss every connection that got through (and accepted alone, probes).
    return failed(f"flow logs record only {'/'.join(traffic)} traffic", **evidence)


def _data_tier_users(subnet: Resource, inv: Inventory) -> list[str]:
    users = [
        r.name
        for token, key in DATA_TIER_SUBNET_USERS
        for r in referrers(inv, subnet, (token,), key, every=True)
    ]
    users += [
        f.name
        for f in inv.by_type(LAMBDA_FUNCTION)
        for v in blocks(known(f, "vpc_config"))
        if any(refers_to(s, subnet) for s in v.get("subnet_ids") or [])
    ]
    return users


@check(
    into=CHECKS,
    id="private_subnet_no_igw_route",
    control="NET-04",
    title="Subnet holding data stores or functions has no route to an internet gateway",
    severity=Severity.HIGH,
    config_rule="no-unrestricted-route-to-igw",
    resource_types=(SUBNET, DEFAULT_SUBNET),
    reads=(
        "aws:ec2/defaultRouteTable:DefaultRouteTable",
        "aws:ec2/defaultVpc:DefaultVpc",
        "aws:ec2/internetGateway:InternetGateway",
        "aws:ec2/mainRouteTableAssociation:MainRouteTableAssociation",
        "aws:ec2/route:Route",
        "aws:ec2/routeTable:RouteTable",
        "aws:ec2/routeTableAssociation:RouteTableAssociation",
        "aws:ec2/vpc:Vpc",
        "aws:efs/mountTarget:MountTarget",
        "aws:elasticache/subnetGroup:SubnetGroup",
        "aws:lambda/function:Function",
        "aws:rds/subnetGroup:SubnetGroup",
    ),
    remediation=(
        "Associate data-tier subnets with a route table whose default route (if any) goes to a "
        "NAT gateway or VPC endpoints, never to the internet gateway; keep the IGW for the "
        "load balancer's public subnets."
    ),
    pulumi_fix='private_rt = aws.ec2.RouteTable("private", vpc_id=vpc.id, routes=[{\n'
    '    "cidr_block": "0.0.0.0/0", "nat_gateway_id": nat.id}])\n'
    'aws.ec2.RouteTableAssociation("private-a", subnet_id=private_a.id,\n'
    "    route_table_id=private_rt.id)",
)
def private_subnet_no_igw_route(res: Resource, inv: Inventory) -> Result:
    """Databases and functions live in private subnets the internet cannot route into."""
    users = _data_tier_users(res, inv)
    if not users:
        return not_applicable("no data store or function is placed in this subnet")
    routes = [r for t in subnet_route_tables(res, inv) for r in internet_routes(t, inv)]
    if routes:
        return failed(
            "a data-tier subnet routes the internet to an internet gateway",
            data_tier=users,
            internet_routes=routes,
        )
    return passed(
        "the data-tier subnet has no internet gateway route", data_tier=users, internet_routes=[]
    )
