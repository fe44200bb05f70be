"""VPC placement checks: public IPs, flow logs, internet routes from data-tier subnets, NACLs."""

from __future__ import annotations

import pytest

from checks.aws.nacl import nacl_no_internet_admin_ingress
from checks.aws.vpc import (
    ec2_instance_no_public_ip,
    launch_template_no_public_ip,
    private_subnet_no_igw_route,
    subnet_no_auto_public_ip,
    vpc_flow_logs_enabled,
)
from checks.evaluate import run_check
from checks.library import build_registry
from checks.model import SECRET, UNKNOWN, Inventory, MadeUp, Resource, Undecidable
from checks.registry import Status


def vpc() -> Resource:
    return Resource("aws:ec2/vpc:Vpc", "vpc", {"cidr_block": "10.0.0.0/16"}, id="vpc-0abc")


def subnet(name: str = "data-a", **props) -> Resource:
    return Resource(
        "aws:ec2/subnet:Subnet", name, {"vpc_id": "vpc-0abc", **props}, id=f"subnet-{name}"
    )


def instance(**props) -> Resource:
    return Resource("aws:ec2/instance:Instance", "app", {"ami": "ami-1", **props}, id="i-0app")


def run(fn, target: Resource, *others: Resource):
    return fn(target, Inventory([target, *others]))


# -- subnet_no_auto_public_ip ----------------------------------------------------------------------


def test_subnet_public_ip_on_launch():
    assert run(subnet_no_auto_public_ip, subnet()).status is Status.PASS
    result = run(subnet_no_auto_public_ip, subnet(map_public_ip_on_launch=True))
    assert (result.status, result.evidence) == (Status.FAIL, {"map_public_ip_on_launch": True})
    default = Resource("aws:ec2/defaultSubnet:DefaultSubnet", "default-a", {})
    assert run(subnet_no_auto_public_ip, default).status is Status.FAIL
    with pytest.raises(Undecidable):
        run(subnet_no_auto_public_ip, subnet(map_public_ip_on_launch=UNKNOWN))


# -- ec2_instance_no_public_ip ---------------------------------------------------------------------


def test_instance_in_a_private_subnet_passes():
    result = run(ec2_instance_no_public_ip, instance(subnet_id="subnet-data-a"), subnet())
    assert (result.status, result.evidence) == (
        Status.PASS,
        {"decided_by": "map_public_ip_on_launch of data-a"},
    )


def test_instance_asking_for_a_public_ip_or_in_the_default_vpc_fails():
    asked = run(ec2_instance_no_public_ip, instance(associate_public_ip_address=True))
    assert (asked.status, asked.evidence["decided_by"]) == (
        Status.FAIL,
        "associate_public_ip_address",
    )
    assert run(ec2_instance_no_public_ip, instance()).status is Status.FAIL


def test_instance_with_an_elastic_ip_fails():
    eip = Resource("aws:ec2/eip:Eip", "app-ip", {"instance": "i-0app", "domain": "vpc"})
    result = run(ec2_instance_no_public_ip, instance(associate_public_ip_address=False), eip)
    assert (result.status, result.evidence["decided_by"]) == (Status.FAIL, "Elastic IP app-ip")


def test_an_elastic_ip_whose_instance_cannot_be_seen_is_not_evaluated():
    """An Elastic IP for an instance a data source looked up (made up by the mocks) may be
    this instance's: "no public IP" cannot be told."""
    target = instance(associate_public_ip_address=False)
    check = build_registry().get("ec2_instance_no_public_ip")
    for ref in (MadeUp("i-0app"), SECRET, UNKNOWN):
        eip = Resource("aws:ec2/eip:Eip", "app-ip", {"instance": ref, "domain": "vpc"})
        [finding] = run_check(check, Inventory([target, eip]), target)
        assert finding.status is Status.NOT_EVALUATED, ref


def test_instance_in_a_subnet_outside_the_inventory_is_undecidable():
    with pytest.raises(Undecidable, match="not in the inventory"):
        run(ec2_instance_no_public_ip, instance(subnet_id="subnet-elsewhere"))


# -- launch_template_no_public_ip ------------------------------------------------------------------


def test_launch_template_public_ip():
    lt = Resource(
        "aws:ec2/launchTemplate:LaunchTemplate",
        "app",
        {"network_interfaces": [{"associate_public_ip_address": "true"}]},
    )
    assert run(launch_template_no_public_ip, lt).status is Status.FAIL
    quiet = Resource("aws:ec2/launchTemplate:LaunchTemplate", "app", {"image_id": "ami-1"})
    result = run(launch_template_no_public_ip, quiet)
    assert (result.status, result.evidence) == (Status.PASS, {"associate_public_ip_address": False})
    lc = Resource(
        "aws:ec2/launchConfiguration:LaunchConfiguration",
        "lc",
        {"associate_public_ip_address": UNKNOWN},
    )
    with pytest.raises(Undecidable):
        run(launch_template_no_public_ip, lc)


# -- vpc_flow_logs_enabled -------------------------------------------------------------------------


def flow_log(vpc_id="vpc-0abc", traffic="ALL") -> Resource:
    return Resource(
        "aws:ec2/flowLog:FlowLog", "vpc-log", {"vpc_id": vpc_id, "traffic_type": traffic}
    )


def test_vpc_with_a_flow_log_passes_and_without_fails():
    result = run(vpc_flow_logs_enabled, vpc(), flow_log())
    assert (result.status, result.evidence) == (
        Status.PASS,
        {"flow_logs": ["vpc-log"], "traffic_type": ["ALL"]},
    )
    assert run(vpc_flow_logs_enabled, vpc(), flow_log(vpc_id="vpc-other")).status is Status.FAIL


def test_flow_log_for_a_vpc_not_known_yet_is_undecidable():
    with pytest.raises(Undecidable):
        run(vpc_flow_logs_enabled, vpc(), flow_log(vpc_id=UNKNOWN))


# -- private_subnet_no_igw_route -------------------------------------------------------------------


def db_subnets(*ids: str) -> Resource:
    return Resource("aws:rds/subnetGroup:SubnetGroup", "db-subnets", {"subnet_ids": list(ids)})


def igw() -> Resource:
    return Resource(
        "aws:ec2/internetGateway:InternetGateway", "igw", {"vpc_id": "vpc-0abc"}, id="igw-1"
    )


def table(name: str, *routes: dict) -> Resource:
    return Resource(
        "aws:ec2/routeTable:RouteTable",
        name,
        {"vpc_id": "vpc-0abc", "routes": list(routes)},
        id=f"rtb-{name}",
    )


def association(table_name: str, subnet_name: str = "data-a") -> Resource:
    return Resource(
        "aws:ec2/routeTableAssociation:RouteTableAssociation",
        f"{subnet_name}-rt",
        {"route_table_id": f"rtb-{table_name}", "subnet_id": f"subnet-{subnet_name}"},
    )


def test_data_subnet_routed_to_nat_passes():
    private = table("private", {"cidr_block": "0.0.0.0/0", "nat_gateway_id": "nat-1"})
    result = run(
        private_subnet_no_igw_route,
        subnet(),
        db_subnets("subnet-data-a"),
        vpc(),
        igw(),
        private,
        association("private"),
    )
    assert (result.status, result.evidence) == (
        Status.PASS,
        {"data_tier": ["db-subnets"], "internet_routes": []},
    )


def test_data_subnet_routed_to_the_internet_gateway_fails():
    public = table("public")
    route = Resource(
        "aws:ec2/route:Route",
        "to-igw",
        {
            "route_table_id": "rtb-public",
            "destination_cidr_block": "0.0.0.0/0",
            "gateway_id": "igw-1",
        },
    )
    result = run(
        private_subnet_no_igw_route,
        subnet(),
        db_subnets("subnet-data-a"),
        vpc(),
        igw(),
        public,
        route,
        association("public"),
    )
    assert result.status is Status.FAIL
    assert result.evidence["internet_routes"] == [
        {
            "route_table": "public",
            "declared_by": "to-igw",
            "destination": "0.0.0.0/0",
            "gateway_id": "igw-1",
        }
    ]


def test_subnet_without_data_stores_is_not_applicable_and_main_table_defaults_to_local():
    assert run(private_subnet_no_igw_route, subnet()).status is Status.NOT_APPLICABLE
    result = run(private_subnet_no_igw_route, subnet(), db_subnets("subnet-data-a"), vpc())
    assert result.status is Status.PASS


def test_association_to_a_table_not_known_yet_is_undecidable():
    pending = Resource(
        "aws:ec2/routeTableAssociation:RouteTableAssociation",
        "a",
        {"route_table_id": UNKNOWN, "subnet_id": "subnet-data-a"},
    )
    with pytest.raises(Undecidable):
        run(private_subnet_no_igw_route, subnet(), db_subnets("subnet-data-a"), vpc(), pending)


# -- nacl_no_internet_admin_ingress ----------------------------------------------------------------


def acl(*ingress: dict) -> Resource:
    return Resource(
        "aws:ec2/networkAcl:NetworkAcl",
        "public-acl",
        {"vpc_id": "vpc-0abc", "ingress": list(ingress)},
        id="acl-1",
    )


def entry(rule_no: int, action: str, from_port=0, to_port=0, protocol="tcp", cidr="0.0.0.0/0"):
    key = "ipv6_cidr_block" if ":" in str(cidr) else "cidr_block"
    return {
        "rule_no": rule_no,
        "action": action,
        "protocol": protocol,
        "from_port": from_port,
        "to_port": to_port,
        key: cidr,
    }


def test_acl_allowing_everything_from_the_internet_fails():
    result = run(nacl_no_internet_admin_ingress, acl(entry(100, "allow", protocol="-1")))
    assert result.status is Status.FAIL
    assert sorted(result.evidence["allowing_rules"]) == ["RDP", "SSH"]


def test_earlier_deny_wins_and_https_only_passes():
    guarded = acl(
        entry(50, "deny", 22, 22), entry(60, "deny", 3389, 3389), entry(100, "allow", protocol="-1")
    )
    assert run(nacl_no_internet_admin_ingress, guarded).status is Status.PASS
    https = acl(entry(100, "allow", 443, 443), entry(110, "allow", 1024, 65535, cidr="10.0.0.0/8"))
    result = run(nacl_no_internet_admin_ingress, https)
    assert (result.status, result.evidence) == (Status.PASS, {"allowing_rules": {}})


def test_ipv4_deny_does_not_close_ipv6():
    rules = acl(
        entry(50, "deny", 22, 22),
        entry(60, "deny", 3389, 3389),
        entry(100, "allow", 22, 22, cidr="::/0"),
    )
    result = run(nacl_no_internet_admin_ingress, rules)
    assert (result.status, list(result.evidence["allowing_rules"])) == (Status.FAIL, ["SSH"])


def test_separate_acl_rule_resource_counts_and_unknown_is_undecidable():
    rule = Resource(
        "aws:ec2/networkAclRule:NetworkAclRule",
        "ssh-in",
        {
            "network_acl_id": "acl-1",
            "rule_number": 10,
            "egress": False,
            "protocol": "6",
            "rule_action": "allow",
            "cidr_block": "0.0.0.0/0",
            "from_port": 22,
            "to_port": 22,
        },
    )
    result = run(nacl_no_internet_admin_ingress, acl(), rule)
    assert result.evidence["allowing_rules"]["SSH"]["declared_by"] == "ssh-in"
    with pytest.raises(Undecidable):
        run(nacl_no_internet_admin_ingress, acl(entry(100, "allow", cidr=UNKNOWN)))
