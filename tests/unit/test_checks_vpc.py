"""VPC placement checks: public IPs, flow logs and internet routes from data-tier subnets.
(Network ACLs: test_checks_vpc_nacl.py.)"""

from __future__ import annotations

import pytest

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

LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
LAUNCH_CONFIGURATION = "aws:ec2/launchConfiguration:LaunchConfiguration"


def vpc() -> Resource:
    return Resource("aws:ec2/vpc:Vpc", "vpc", {"cidr_block": "10.0.0.0/16"}, id="vpc-0abc")


def subnet(name: str = "data-a", **props) -> Resource:
    return Resource(
        "aws:ec2/subnet:Subnet", name, {"vpc_id": "vpc-0abc", **props}, id=f"subnet-{name}"
    )


def default_subnet(**props) -> Resource:
    return Resource("aws:ec2/defaultSubnet:DefaultSubnet", "default-a", props, id="subnet-dflt")


def instance(**props) -> Resource:
    return Resource("aws:ec2/instance:Instance", "app", {"ami": "ami-1", **props}, id="i-0app")


def run(fn, target: Resource, *others: Resource):
    return fn(target, Inventory([target, *others]))


def verdict(result) -> tuple:
    return result.status, dict(result.evidence)


# -- subnet_no_auto_public_ip ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "status", "auto"),
    [
        (subnet(), Status.PASS, False),
        (subnet(map_public_ip_on_launch=False), Status.PASS, False),
        (subnet(map_public_ip_on_launch=True), Status.FAIL, True),
        (subnet(map_public_ip_on_launch="true"), Status.FAIL, True),
        (default_subnet(), Status.FAIL, True),
        (default_subnet(map_public_ip_on_launch=True), Status.FAIL, True),
        (default_subnet(map_public_ip_on_launch=False), Status.PASS, False),
    ],
    ids=["absent", "off", "on", "on-string", "default", "default-on", "default-off"],
)
def test_subnet_public_ip_on_launch(target, status, auto):
    result = run(subnet_no_auto_public_ip, target)
    assert verdict(result) == (status, {"map_public_ip_on_launch": auto})


@pytest.mark.parametrize("value", [UNKNOWN, MadeUp(False), SECRET])
def test_subnet_public_ip_that_cannot_be_seen_is_undecidable(value):
    with pytest.raises(Undecidable):
        run(subnet_no_auto_public_ip, subnet(map_public_ip_on_launch=value))


# -- ec2_instance_no_public_ip ---------------------------------------------------------------------


def test_instance_in_a_private_subnet_passes():
    result = run(ec2_instance_no_public_ip, instance(subnet_id="subnet-data-a"), subnet())
    assert verdict(result) == (Status.PASS, {"decided_by": "map_public_ip_on_launch of data-a"})


def test_instance_in_a_public_or_default_subnet_fails():
    public = subnet("web-a", map_public_ip_on_launch=True)
    result = run(ec2_instance_no_public_ip, instance(subnet_id="subnet-web-a"), public)
    assert verdict(result) == (Status.FAIL, {"decided_by": "map_public_ip_on_launch of web-a"})
    dflt = run(ec2_instance_no_public_ip, instance(subnet_id="subnet-dflt"), default_subnet())
    assert verdict(dflt) == (Status.FAIL, {"decided_by": "map_public_ip_on_launch of default-a"})


@pytest.mark.parametrize(
    ("asked", "expected"),
    [(True, Status.FAIL), ("true", Status.FAIL), (False, Status.PASS), ("false", Status.PASS)],
)
def test_the_instances_own_setting_wins_over_its_subnet(asked, expected):
    public = subnet("web-a", map_public_ip_on_launch=True)
    target = instance(associate_public_ip_address=asked, subnet_id="subnet-web-a")
    result = run(ec2_instance_no_public_ip, target, public)
    assert verdict(result) == (expected, {"decided_by": "associate_public_ip_address"})


def test_instance_without_a_subnet_is_in_the_default_vpc_and_fails():
    result = run(ec2_instance_no_public_ip, instance())
    assert verdict(result) == (
        Status.FAIL,
        {"decided_by": "no subnet_id: the default VPC's subnets assign public IPs"},
    )


def test_instance_with_an_elastic_ip_fails_whatever_it_asked():
    eip = Resource("aws:ec2/eip:Eip", "app-ip", {"instance": "i-0app", "domain": "vpc"})
    result = run(ec2_instance_no_public_ip, instance(associate_public_ip_address=False), eip)
    assert verdict(result) == (Status.FAIL, {"decided_by": "Elastic IP app-ip"})
    theirs = Resource("aws:ec2/eip:Eip", "other-ip", {"instance": "i-0other", "domain": "vpc"})
    result = run(ec2_instance_no_public_ip, instance(associate_public_ip_address=False), theirs)
    assert verdict(result) == (Status.PASS, {"decided_by": "associate_public_ip_address"})


def test_an_elastic_ip_whose_instance_cannot_be_seen_is_not_evaluated():
    """An Elastic IP for an instance a data source looked up (made up by the mocks) may be
    this instance's: "no public IP" cannot be told."""
    target = instance(associate_public_ip_address=False)
    check = build_registry().get("ec2_instance_no_public_ip")
    for ref in (MadeUp("i-0app"), SECRET, UNKNOWN):
        eip = Resource("aws:ec2/eip:Eip", "app-ip", {"instance": ref, "domain": "vpc"})
        [finding] = run_check(check, Inventory([target, eip]), target)
        assert (finding.status, dict(finding.evidence)) == (Status.NOT_EVALUATED, {}), ref


@pytest.mark.parametrize(
    "props",
    [
        {"subnet_id": "subnet-elsewhere"},
        {"subnet_id": UNKNOWN},
        {"associate_public_ip_address": UNKNOWN},
        {"subnet_id": "subnet-data-a", "_subnet": UNKNOWN},
    ],
    ids=["subnet-elsewhere", "subnet-unknown", "asked-unknown", "subnet-setting-unknown"],
)
def test_instance_public_ip_that_cannot_be_told_is_undecidable(props):
    props = dict(props)  # the parameter is shared by every run of the test
    setting = props.pop("_subnet", False)
    with pytest.raises(Undecidable):
        run(ec2_instance_no_public_ip, instance(**props), subnet(map_public_ip_on_launch=setting))


# -- launch_template_no_public_ip ------------------------------------------------------------------


def configuration(**props) -> Resource:
    return Resource(LAUNCH_CONFIGURATION, "lc", props)


NO_PUBLIC_IP = {"associate_public_ip_address": "false"}


def template(*interfaces: dict) -> Resource:
    return Resource(LAUNCH_TEMPLATE, "app", {"network_interfaces": list(interfaces)})


@pytest.mark.parametrize(
    ("target", "status", "requested"),
    [
        (template({"associate_public_ip_address": "true"}), Status.FAIL, True),
        (template({"associate_public_ip_address": True}), Status.FAIL, True),
        (template(NO_PUBLIC_IP, {"associate_public_ip_address": "true"}), Status.FAIL, True),
        (template(NO_PUBLIC_IP), Status.PASS, False),
        (template(NO_PUBLIC_IP, {"device_index": 1}), Status.PASS, False),
        (template({"device_index": 0}), Status.PASS, False),
        (Resource(LAUNCH_TEMPLATE, "app", {"image_id": "ami-1"}), Status.PASS, False),
        (configuration(associate_public_ip_address=True), Status.FAIL, True),
        (configuration(associate_public_ip_address=False), Status.PASS, False),
        (configuration(image_id="ami-1"), Status.PASS, False),
    ],
    ids=["lt-string", "lt-bool", "lt-one-of-two", "lt-false", "lt-false-and-unset", "lt-unset",
         "lt-no-interfaces", "lc-true", "lc-false", "lc-unset"],
)  # fmt: skip
def test_launch_template_public_ip(target, status, requested):
    result = run(launch_template_no_public_ip, target)
    assert verdict(result) == (status, {"associate_public_ip_address": requested})


@pytest.mark.parametrize(
    "target",
    [
        configuration(associate_public_ip_address=UNKNOWN),
        template({"associate_public_ip_address": UNKNOWN}),
        Resource(LAUNCH_TEMPLATE, "app", {"network_interfaces": MadeUp([])}),
    ],
)
def test_launch_template_public_ip_that_cannot_be_seen_is_undecidable(target):
    with pytest.raises(Undecidable):
        run(launch_template_no_public_ip, target)


# -- vpc_flow_logs_enabled -------------------------------------------------------------------------


def flow_log(name="vpc-log", vpc_id="vpc-0abc", traffic="ALL") -> Resource:
    props = {"vpc_id": vpc_id} if traffic is None else {"vpc_id": vpc_id, "traffic_type": traffic}
    return Resource("aws:ec2/flowLog:FlowLog", name, props)


def test_vpc_with_a_flow_log_passes():
    result = run(vpc_flow_logs_enabled, vpc(), flow_log())
    assert verdict(result) == (Status.PASS, {"flow_logs": ["vpc-log"], "traffic_type": ["ALL"]})
    unset = run(vpc_flow_logs_enabled, vpc(), flow_log(traffic=None))
    assert verdict(unset) == (Status.PASS, {"flow_logs": ["vpc-log"], "traffic_type": ["ALL"]})


def test_every_flow_log_of_the_vpc_is_named_with_its_traffic():
    logs = (flow_log("rejects", traffic="REJECT"), flow_log("all"), flow_log("other", "vpc-9"))
    result = run(vpc_flow_logs_enabled, vpc(), *logs)
    assert verdict(result) == (
        Status.PASS,
        {"flow_logs": ["rejects", "all"], "traffic_type": ["ALL", "REJECT"]},
    )


@pytest.mark.parametrize(
    ("traffic", "status"),
    [(("REJECT",), Status.FAIL), (("ACCEPT",), Status.FAIL), (("ACCEPT", "REJECT"), Status.PASS),
     (("accept", "REJECT"), Status.PASS), (("REJECT", "REJECT"), Status.FAIL)],
)  # fmt: skip
def test_flow_logs_must_record_accepted_and_rejected_traffic(traffic, status):
    logs = [flow_log(f"log-{i}", traffic=t) for i, t in enumerate(traffic)]
    result = run(vpc_flow_logs_enabled, vpc(), *logs)
    expected = sorted({t.upper() for t in traffic})
    assert verdict(result) == (
        status,
        {"flow_logs": [f"log-{i}" for i in range(len(traffic))], "traffic_type": expected},
    )


def test_vpc_without_a_flow_log_of_its_own_fails():
    expected = (Status.FAIL, {"flow_logs": [], "traffic_type": []})
    assert verdict(run(vpc_flow_logs_enabled, vpc())) == expected
    assert verdict(run(vpc_flow_logs_enabled, vpc(), flow_log(vpc_id="vpc-other"))) == expected


@pytest.mark.parametrize("log", [flow_log(vpc_id=UNKNOWN), flow_log(traffic=UNKNOWN)])
def test_flow_log_that_cannot_be_seen_is_undecidable(log):
    with pytest.raises(Undecidable):
        run(vpc_flow_logs_enabled, vpc(), log)


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


ROUTED_TO_NAT = (
    vpc(),
    igw(),
    table("private", {"cidr_block": "0.0.0.0/0", "nat_gateway_id": "nat-1"}),
    association("private"),
)


def test_data_subnet_routed_to_nat_passes():
    result = run(private_subnet_no_igw_route, subnet(), db_subnets("subnet-data-a"), *ROUTED_TO_NAT)
    assert verdict(result) == (Status.PASS, {"data_tier": ["db-subnets"], "internet_routes": []})


def test_data_subnet_routed_to_the_internet_gateway_fails():
    route = Resource(
        "aws:ec2/route:Route",
        "to-igw",
        {"route_table_id": "rtb-public", "destination_cidr_block": "0.0.0.0/0",
         "gateway_id": "igw-1"},
    )  # fmt: skip
    inline = table("public", {"ipv6_cidr_block": "::/0", "gateway_id": "igw-1"})
    result = run(
        private_subnet_no_igw_route,
        subnet(),
        db_subnets("subnet-data-a"),
        vpc(),
        igw(),
        inline,
        route,
        association("public"),
    )
    assert verdict(result) == (
        Status.FAIL,
        {
            "data_tier": ["db-subnets"],
            "internet_routes": [
                {"route_table": "public", "declared_by": "public", "destination": "::/0",
                 "gateway_id": "igw-1"},
                {"route_table": "public", "declared_by": "to-igw", "destination": "0.0.0.0/0",
                 "gateway_id": "igw-1"},
            ],
        },
    )  # fmt: skip


def test_every_kind_of_data_tier_user_puts_the_subnet_in_scope():
    cache = Resource(
        "aws:elasticache/subnetGroup:SubnetGroup", "cache", {"subnet_ids": ["subnet-data-a"]}
    )
    efs = Resource("aws:efs/mountTarget:MountTarget", "efs-a", {"subnet_id": "subnet-data-a"})
    fn = Resource(
        "aws:lambda/function:Function",
        "api",
        {"vpc_config": {"subnet_ids": ["subnet-other", "subnet-data-a"]}},
    )
    result = run(private_subnet_no_igw_route, subnet(), cache, efs, fn, *ROUTED_TO_NAT)
    assert verdict(result) == (
        Status.PASS,
        {"data_tier": ["cache", "efs-a", "api"], "internet_routes": []},
    )


def test_subnet_without_data_stores_is_not_applicable():
    elsewhere = Resource(
        "aws:lambda/function:Function", "api", {"vpc_config": {"subnet_ids": ["subnet-other"]}}
    )
    for others in ((), (db_subnets("subnet-other"), elsewhere)):
        assert verdict(run(private_subnet_no_igw_route, subnet(), *others)) == (
            Status.NOT_APPLICABLE,
            {},
        )


def test_the_main_table_nobody_declared_holds_only_the_local_route():
    result = run(private_subnet_no_igw_route, subnet(), db_subnets("subnet-data-a"), vpc())
    assert verdict(result) == (Status.PASS, {"data_tier": ["db-subnets"], "internet_routes": []})


@pytest.mark.parametrize(
    "pending",
    [
        Resource(
            "aws:ec2/routeTableAssociation:RouteTableAssociation",
            "a",
            {"route_table_id": UNKNOWN, "subnet_id": "subnet-data-a"},
        ),
        Resource("aws:rds/subnetGroup:SubnetGroup", "pending", {"subnet_ids": [UNKNOWN]}),
        Resource("aws:lambda/function:Function", "api", {"vpc_config": UNKNOWN}),
    ],
    ids=["association", "subnet-group", "function"],
)
def test_a_route_or_data_tier_user_that_cannot_be_seen_is_undecidable(pending):
    with pytest.raises(Undecidable):
        run(private_subnet_no_igw_route, subnet(), db_subnets("subnet-data-a"), vpc(), pending)


def test_a_seen_elastic_ip_fails_the_instance_beside_one_that_cannot_be_seen():
    seen = Resource("aws:ec2/eip:Eip", "app-ip", {"instance": "i-0app", "domain": "vpc"})
    hidden = Resource("aws:ec2/eip:Eip", "pending-ip", {"instance": UNKNOWN, "domain": "vpc"})
    target = instance(associate_public_ip_address=False)
    result = run(ec2_instance_no_public_ip, target, seen, hidden)
    assert (result.status, result.message, result.evidence) == (
        Status.FAIL,
        "the instance gets a public IP (Elastic IP app-ip)",
        {"decided_by": "Elastic IP app-ip"},
    )


def test_a_subnet_outside_the_inventory_is_named_in_the_reason():
    with pytest.raises(Undecidable) as caught:
        run(ec2_instance_no_public_ip, instance(subnet_id="subnet-elsewhere"))
    assert str(caught.value) == "the subnet subnet-elsewhere of app is not in the inventory"
