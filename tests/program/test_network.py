"""Network: tiers across zones, nothing public but the load balancer's door, every flow logged."""

from __future__ import annotations

import ipaddress

from tests.program.stack import Stack

SUBNET = "aws:ec2/subnet:Subnet"
SG = "aws:ec2/securityGroup:SecurityGroup"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
NACL = "aws:ec2/networkAcl:NetworkAcl"
ROUTE = "aws:ec2/route:Route"
ROUTE_TABLE = "aws:ec2/routeTable:RouteTable"
ASSOCIATION = "aws:ec2/routeTableAssociation:RouteTableAssociation"
ANYWHERE = "0.0.0.0/0"


def _tier(stack: Stack, tier: str) -> list:
    return [s for s in stack.of(SUBNET) if s.props["tags"]["tier"] == tier]


def test_each_tier_spans_distinct_zones_with_no_public_ips(stack: Stack):
    az_count = 3 if stack.scan.stack == "prod" else 2
    for tier in ("public", "app", "data"):
        subnets = _tier(stack, tier)
        assert len({s.props["availability_zone"] for s in subnets}) == az_count, tier
        assert all(s.props["map_public_ip_on_launch"] is False for s in subnets)
    vpc = ipaddress.ip_network(stack.one("aws:ec2/vpc:Vpc", "vpc").props["cidr_block"])
    cidrs = [ipaddress.ip_network(s.props["cidr_block"]) for s in stack.of(SUBNET)]
    assert all(c.subnet_of(vpc) for c in cidrs)
    assert not any(a.overlaps(b) for i, a in enumerate(cidrs) for b in cidrs[i + 1 :])


def test_defaults_are_adopted_and_emptied(stack: Stack):
    group = stack.one("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", "default-security-group")
    assert group.props["ingress"] == [] and group.props["egress"] == []
    acl = stack.one("aws:ec2/defaultNetworkAcl:DefaultNetworkAcl", "default-network-acl")
    assert acl.props["ingress"] == [] and acl.props["egress"] == []
    table = stack.one("aws:ec2/defaultRouteTable:DefaultRouteTable", "default-route-table")
    assert table.props["routes"] == []


def test_only_the_public_tier_routes_to_the_internet_gateway(stack: Stack):
    igw = stack.one("aws:ec2/internetGateway:InternetGateway", "internet-gateway")
    to_igw = [r for r in stack.of(ROUTE) if r.props.get("gateway_id") == igw.id]
    assert [stack.ref(r.props["route_table_id"]).name for r in to_igw] == ["public-routes"]
    tables = {
        stack.ref(a.props["subnet_id"]).props["tags"]["tier"]: stack.ref(a.props["route_table_id"])
        for a in stack.of(ASSOCIATION)
    }
    data_routes = [r for r in stack.of(ROUTE) if r.props["route_table_id"] == tables["data"].id]
    assert data_routes == [], "the data tier must have no route out of the VPC"
    nat_routes = [r for r in stack.of(ROUTE) if r.props.get("nat_gateway_id")]
    assert {stack.ref(r.props["route_table_id"]).name.split("-")[0] for r in nat_routes} == {"app"}


def test_prod_has_a_nat_gateway_per_zone_and_dev_one(dev: Stack, prod: Stack):
    assert len(prod.of("aws:ec2/natGateway:NatGateway")) == 3
    assert len(dev.of("aws:ec2/natGateway:NatGateway")) == 1


def _rules(stack: Stack, type_: str, group: str) -> list:
    sg = stack.one(SG, f"{group}-security-group")
    return [r for r in stack.of(type_) if r.props["security_group_id"] == sg.id]


def test_only_the_load_balancer_accepts_internet_traffic_and_only_on_443_and_80(stack: Stack):
    internet = [r for r in stack.of(INGRESS) if r.props.get("cidr_ipv4") == ANYWHERE]
    assert {stack.ref(r.props["security_group_id"]).name for r in internet} == {
        "alb-security-group"
    }
    assert sorted((r.props["from_port"], r.props["to_port"]) for r in internet) == [
        (80, 80),
        (443, 443),
    ]
    assert not any(r.props.get("cidr_ipv6") for r in stack.of(INGRESS))


def test_tiers_talk_only_on_their_ports(stack: Stack):
    db_in = _rules(stack, INGRESS, "db")
    assert [(r.props["from_port"], r.props["to_port"]) for r in db_in] == [(5432, 5432)]
    assert stack.ref(db_in[0].props["referenced_security_group_id"]).name == "app-security-group"
    assert _rules(stack, EGRESS, "db") == []
    app_in = _rules(stack, INGRESS, "app")
    assert [(r.props["from_port"], r.props["to_port"]) for r in app_in] == [(8443, 8443)]
    assert stack.ref(app_in[0].props["referenced_security_group_id"]).name == "alb-security-group"
    app_out = {r.props["from_port"]: r for r in _rules(stack, EGRESS, "app")}
    assert set(app_out) == {443, 5432}
    assert stack.ref(app_out[5432].props["referenced_security_group_id"]).name == (
        "db-security-group"
    )


def _nacl(stack: Stack, tier: str):
    return stack.one(NACL, f"{tier}-network-acl")


def test_nacls_cover_every_subnet_of_their_tier(stack: Stack):
    for tier in ("public", "app", "data"):
        acl = _nacl(stack, tier)
        assert sorted(acl.props["subnet_ids"]) == sorted(s.id for s in _tier(stack, tier))


def test_no_nacl_admits_admin_ports_from_the_internet(stack: Stack):
    for acl in stack.of(NACL):
        for entry in acl.props["ingress"]:
            assert entry["action"] == "allow" and entry["protocol"] == "tcp"
            if entry["cidr_block"] == ANYWHERE:
                ports = range(entry["from_port"], entry["to_port"] + 1)
                assert 22 not in ports and 3389 not in ports, (acl.name, entry)


def test_data_tier_nacl_admits_only_postgres_from_the_app_subnets(stack: Stack):
    app_cidrs = sorted(s.props["cidr_block"] for s in _tier(stack, "app"))
    ingress = _nacl(stack, "data").props["ingress"]
    assert sorted(e["cidr_block"] for e in ingress) == app_cidrs
    assert {(e["from_port"], e["to_port"]) for e in ingress} == {(5432, 5432)}


def test_every_flow_is_logged_to_an_encrypted_group_kept_a_year_or_more(stack: Stack):
    flow = stack.one("aws:ec2/flowLog:FlowLog", "vpc-flow-log")
    assert flow.props["traffic_type"] == "ALL"
    assert flow.props["vpc_id"] == stack.one("aws:ec2/vpc:Vpc", "vpc").id
    group = stack.ref(flow.props["log_destination"])
    assert stack.key_domain(group.props["kms_key_id"]) == "logs"
    expected = 2192 if stack.scan.stack == "prod" else 365
    assert group.props["retention_in_days"] == expected
