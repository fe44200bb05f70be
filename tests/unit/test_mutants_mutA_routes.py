"""Route-table joins (checks/support/routes.py) pinned case by case: which tables serve a subnet
(explicit association, the VPC's main-table association, the default table) and which routes
count as going to an internet gateway. Each case names the survivor it answers."""

from __future__ import annotations

import pytest

from checks.aws.vpc import private_subnet_no_igw_route
from checks.model import UNKNOWN, Inventory, Resource, Undecidable
from checks.registry import Status
from checks.support.routes import internet_routes, subnet_route_tables

IGW = "aws:ec2/internetGateway:InternetGateway"
ROUTE = "aws:ec2/route:Route"


def vpc(vpc_id: str = "vpc-0abc") -> Resource:
    return Resource("aws:ec2/vpc:Vpc", vpc_id, {"cidr_block": "10.0.0.0/16"}, id=vpc_id)


def subnet() -> Resource:
    return Resource("aws:ec2/subnet:Subnet", "data-a", {"vpc_id": "vpc-0abc"}, id="subnet-data-a")


def db_subnets() -> Resource:
    return Resource(
        "aws:rds/subnetGroup:SubnetGroup", "db-subnets", {"subnet_ids": ["subnet-data-a"]}
    )


def table(name: str, *routes: dict, type_: str = "aws:ec2/routeTable:RouteTable") -> Resource:
    return Resource(type_, name, {"vpc_id": "vpc-0abc", "routes": list(routes)}, id=f"rtb-{name}")


def default_table(name: str, *routes: dict) -> Resource:
    return table(name, *routes, type_="aws:ec2/defaultRouteTable:DefaultRouteTable")


def main_association(name: str, route_table_id, vpc_id="vpc-0abc") -> Resource:
    return Resource(
        "aws:ec2/mainRouteTableAssociation:MainRouteTableAssociation",
        name,
        {"vpc_id": vpc_id, "route_table_id": route_table_id},
    )


def association(name: str, route_table_id, subnet_id="subnet-data-a") -> Resource:
    return Resource(
        "aws:ec2/routeTableAssociation:RouteTableAssociation",
        name,
        {"route_table_id": route_table_id, "subnet_id": subnet_id},
    )


TO_IGW = {"cidr_block": "0.0.0.0/0", "gateway_id": "igw-1"}


def routes_of(*others: Resource) -> list[str]:
    target = subnet()
    return [t.name for t in subnet_route_tables(target, Inventory([target, *others]))]


def check(*others: Resource) -> tuple:
    target = subnet()
    result = private_subnet_no_igw_route(target, Inventory([target, db_subnets(), *others]))
    return result.status, dict(result.evidence)


def igw_route(table_name: str, declared_by: str, destination: str, gateway: str) -> dict:
    return {
        "route_table": table_name,
        "declared_by": declared_by,
        "destination": destination,
        "gateway_id": gateway,
    }


# -- the VPC's main table (_main_tables) -------------------------------------------------------


def test_the_vpc_main_table_association_decides_for_an_unassociated_subnet():
    # routes x__main_tables__mutmut_1/3/11/14-17/21/28/29/31/34/35/37-42
    others = (
        vpc(),
        table("public", TO_IGW),
        table("spare"),
        main_association("main", "rtb-public"),
    )
    assert routes_of(*others) == ["public"]
    assert check(*others) == (
        Status.FAIL,
        {
            "data_tier": ["db-subnets"],
            "internet_routes": [igw_route("public", "public", "0.0.0.0/0", "igw-1")],
        },
    )


def test_a_main_association_whose_vpc_cannot_be_seen_makes_the_main_table_undecidable():
    # routes x__main_tables__mutmut_22/27/30: every referrer is judged, the hidden one too
    others = (vpc(), table("private"), main_association("main", "rtb-private"))
    hidden = main_association("other-main", "rtb-private", vpc_id=UNKNOWN)
    with pytest.raises(Undecidable) as caught:
        routes_of(*others, hidden)
    assert str(caught.value) == (
        "the vpc_id of other-main cannot be seen, so whether it names vpc-0abc cannot be told"
    )


def test_a_main_association_to_a_table_not_in_the_inventory_names_it():
    # routes x__main_tables__mutmut_32/33/36, x__table__mutmut_11
    with pytest.raises(Undecidable) as caught:
        routes_of(vpc(), main_association("main", "rtb-gone"))
    assert str(caught.value) == "the route table rtb-gone (main) is not in the inventory"


def test_the_one_default_table_serves_a_subnet_of_the_one_vpc():
    # routes x__main_tables__mutmut_44/46/48/49
    others = (vpc(), default_table("default", TO_IGW))
    assert routes_of(*others) == ["default"]
    assert check(*others) == (
        Status.FAIL,
        {
            "data_tier": ["db-subnets"],
            "internet_routes": [igw_route("default", "default", "0.0.0.0/0", "igw-1")],
        },
    )


@pytest.mark.parametrize(
    "others",
    [
        (vpc(), default_table("default-a"), default_table("default-b")),  # mutmut_45/47
        (vpc(), vpc("vpc-0def"), default_table("default")),  # mutmut_50
    ],
    ids=["two-default-tables", "two-vpcs"],
)
def test_which_default_table_serves_the_subnet_cannot_be_told(others):
    # routes x__main_tables__mutmut_51: the reason names the subnet
    with pytest.raises(Undecidable) as caught:
        routes_of(*others)
    assert str(caught.value) == "which VPC's main route table serves data-a cannot be told"


def test_no_default_table_and_one_vpc_leaves_the_local_route_only():
    assert routes_of(vpc()) == []


# -- explicit associations (subnet_route_tables) -----------------------------------------------


def test_an_association_that_cannot_be_seen_beside_a_known_one_is_undecidable():
    # routes x_subnet_route_tables__mutmut_6/11/14
    others = (vpc(), table("private"), association("data-a-rt", "rtb-private"))
    hidden = association("other-rt", "rtb-private", subnet_id=UNKNOWN)
    assert routes_of(*others) == ["private"]
    with pytest.raises(Undecidable) as caught:
        routes_of(*others, hidden)
    assert str(caught.value) == (
        "the subnet_id of other-rt cannot be seen, so whether it names data-a cannot be told"
    )


def test_an_association_to_a_table_not_in_the_inventory_names_it():
    # routes x_subnet_route_tables__mutmut_17
    with pytest.raises(Undecidable) as caught:
        routes_of(vpc(), association("data-a-rt", "rtb-gone"))
    assert str(caught.value) == "the route table rtb-gone (data-a-rt) is not in the inventory"


# -- which routes reach an internet gateway (internet_routes, _is_internet_gateway) ------------


def routes_in(tbl: Resource, *others: Resource) -> list[dict]:
    return internet_routes(tbl, Inventory([tbl, *others]))


def test_an_inline_ipv4_default_route_to_an_igw_counts():
    # routes x_internet_routes__mutmut_3/4/5; x__is_internet_gateway__mutmut_3/5/6 (no IGW
    # resource: the igw- prefix alone says what it is)
    tbl = table("public", TO_IGW)
    assert routes_in(tbl) == [igw_route("public", "public", "0.0.0.0/0", "igw-1")]


def test_a_route_resource_for_ipv6_counts():
    # routes x_internet_routes__mutmut_28-33
    tbl = table("public")
    route = Resource(
        ROUTE,
        "v6",
        {
            "route_table_id": "rtb-public",
            "destination_ipv6_cidr_block": "::/0",
            "gateway_id": "igw-1",
        },
    )
    assert routes_in(tbl, route) == [igw_route("public", "v6", "::/0", "igw-1")]


def test_a_gateway_named_by_an_id_without_the_igw_prefix_is_resolved():
    # routes x__is_internet_gateway__mutmut_7-9/11-14/17, x_internet_routes__mutmut_64
    gateway = Resource(IGW, "main-gw", {"vpc_id": "vpc-0abc"}, id="main-gw-id")
    tbl = table("public", {"cidr_block": "0.0.0.0/0", "gateway_id": "main-gw-id"})
    assert routes_in(tbl, gateway) == [igw_route("public", "public", "0.0.0.0/0", "main-gw-id")]


def test_routes_to_other_gateways_or_narrower_ranges_do_not_count():
    # routes x__is_internet_gateway__mutmut_17 (an unresolved gateway is no IGW)
    tbl = table(
        "private",
        {"cidr_block": "0.0.0.0/0", "gateway_id": "vgw-1"},
        {"cidr_block": "10.1.0.0/16", "gateway_id": "igw-1"},
        {"cidr_block": "0.0.0.0/0", "nat_gateway_id": "nat-1"},
    )
    gateway = Resource(IGW, "igw", {"vpc_id": "vpc-0abc"}, id="igw-1")
    assert routes_in(tbl, gateway) == []


def test_a_route_resource_that_cannot_be_seen_beside_a_known_one_is_undecidable():
    # routes x_internet_routes__mutmut_44/49/52
    tbl = table("public")
    known_route = Resource(
        ROUTE, "v4", {"route_table_id": "rtb-public", "destination_cidr_block": "10.2.0.0/16"}
    )
    hidden = Resource(ROUTE, "hidden", {"route_table_id": UNKNOWN, "gateway_id": "igw-1"})
    assert routes_in(tbl, known_route) == []
    with pytest.raises(Undecidable) as caught:
        routes_in(tbl, known_route, hidden)
    assert str(caught.value) == (
        "the route_table_id of hidden cannot be seen, so whether it names public cannot be told"
    )
