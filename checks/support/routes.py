"""Route tables: which tables route a subnet's traffic, and whether one sends the internet's
address range to an internet gateway.

A subnet uses the route tables explicitly associated with it, else its VPC's main table. A main
table nobody declared holds only the local route, as AWS creates it.
"""

from __future__ import annotations

from typing import Any

from checks.model import Inventory, Resource, Undecidable
from checks.support.cidr import is_internet
from checks.support.joins import referrers, resolve
from checks.support.props import blocks, known
from checks.support.resource_types import VPC_TYPES

ROUTE_TABLE = "aws:ec2/routeTable:RouteTable"
DEFAULT_ROUTE_TABLE = "aws:ec2/defaultRouteTable:DefaultRouteTable"
ROUTE = "aws:ec2/route:Route"
ROUTE_TABLE_ASSOCIATION = "aws:ec2/routeTableAssociation:RouteTableAssociation"
MAIN_ROUTE_TABLE_ASSOCIATION = "aws:ec2/mainRouteTableAssociation:MainRouteTableAssociation"
INTERNET_GATEWAY = "aws:ec2/internetGateway:InternetGateway"
TABLE_TYPES = (ROUTE_TABLE, DEFAULT_ROUTE_TABLE)


def _table(inv: Inventory, ref: Any, what: str) -> Resource:
    table = resolve(inv, ref, TABLE_TYPES, what)
    if table is None:
        raise Undecidable(f"the route table {ref} ({what}) is not in the inventory")
    return table


def _main_tables(subnet: Resource, inv: Inventory) -> list[Resource]:
    vpc = resolve(inv, known(subnet, "vpc_id"), VPC_TYPES, f"vpc_id of {subnet.name}")
    if vpc is not None:
        mains = referrers(inv, vpc, (MAIN_ROUTE_TABLE_ASSOCIATION,), "vpc_id", every=True)
        if mains:
            return [_table(inv, known(m, "route_table_id"), m.name) for m in mains]
    defaults = inv.by_type(DEFAULT_ROUTE_TABLE)
    if len(defaults) > 1 or (defaults and len(inv.by_type(*VPC_TYPES)) > 1):
        raise Undecidable(f"which VPC's main route table serves {subnet.name} cannot be told")
    return defaults


def subnet_route_tables(subnet: Resource, inv: Inventory) -> list[Resource]:
    """The route tables that route the subnet's traffic."""
    explicit = referrers(inv, subnet, (ROUTE_TABLE_ASSOCIATION,), "subnet_id", every=True)
    if explicit:
        return [_table(inv, known(a, "route_table_id"), a.name) for a in explicit]
    return _main_tables(subnet, inv)


def _is_internet_gateway(ref: Any, inv: Inventory) -> bool:
    if not isinstance(ref, str):
        return False
    return (
        ref.startswith("igw-") or resolve(inv, ref, (INTERNET_GATEWAY,), "gateway_id") is not None
    )


def internet_routes(table: Resource, inv: Inventory) -> list[dict[str, Any]]:
    """The table's routes that send 0.0.0.0/0 or ::/0 to an internet gateway."""
    routes = [
        (r.get("cidr_block") or r.get("ipv6_cidr_block"), r.get("gateway_id"), table.name)
        for r in blocks(known(table, "routes"))
    ]
    routes += [
        (
            known(r, "destination_cidr_block") or known(r, "destination_ipv6_cidr_block"),
            known(r, "gateway_id"),
            r.name,
        )
        for r in referrers(inv, table, (ROUTE,), "route_table_id", every=True)
    ]
    return [
        {"route_table": table.name, "declared_by": by, "destination": dest, "gateway_id": gw}
        for dest, gw, by in routes
        if is_internet(dest) and _is_internet_gateway(gw, inv)
    ]
