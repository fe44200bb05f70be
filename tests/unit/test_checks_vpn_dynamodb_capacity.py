"""Live-only facts on hand-built inventories: the tunnels of a site-to-site VPN connection
(judged where the live audit collected their status, NOT_APPLICABLE elsewhere) and the account's
DynamoDB throughput quota (judged per region, silent where no quota was collected)."""

from __future__ import annotations

import pytest

from checks.aws.dynamodb_capacity import ACCOUNT_LIMITS, dynamodb_throughput_below_limit
from checks.aws.vpn import VPN_CONNECTION, VPN_TUNNEL_STATUS, vpn_tunnels_up
from checks.model import UNKNOWN, Inventory, Resource, Undecidable
from checks.registry import Status
from checks.support.resource_types import DYNAMODB_TABLE

VPN_ID = "vpn-0a1b2c3d4e5f60718"


def connection(source: str = "aws") -> Resource:
    props = {"customer_gateway_id": "cgw-1", "vpn_gateway_id": "vgw-1", "type": "ipsec.1"}
    return Resource(VPN_CONNECTION, VPN_ID, props, id=VPN_ID, source=source)


def tunnels(*statuses: str, state: str = "available") -> Resource:
    telemetries = [
        {"outside_ip_address": f"203.0.113.{n}", "status": s} for n, s in enumerate(statuses, 1)
    ]
    props = {"vpn_connection_id": VPN_ID, "state": state, "vgw_telemetries": telemetries}
    return Resource(VPN_TUNNEL_STATUS, VPN_ID, props, id=f"{VPN_ID}/tunnels", source="aws")


def run(res: Resource, *others: Resource):
    return vpn_tunnels_up(res, Inventory([res, *others]))


# -- vpn_tunnels_up ----------------------------------------------------------------------------


def test_both_tunnels_up_passes():
    result = run(connection(), tunnels("UP", "UP"))
    assert (result.status, result.evidence) == (
        Status.PASS,
        {"tunnels": {"203.0.113.1": "UP", "203.0.113.2": "UP"}},
    )


@pytest.mark.parametrize(
    ("statuses", "shown"),
    [(("UP", "DOWN"), {"203.0.113.1": "UP", "203.0.113.2": "DOWN"}),
     (("DOWN", "DOWN"), {"203.0.113.1": "DOWN", "203.0.113.2": "DOWN"}),
     (("UP",), {"203.0.113.1": "UP"})],
)  # fmt: skip
def test_fewer_than_two_tunnels_up_fails(statuses, shown):
    result = run(connection(), tunnels(*statuses))
    assert (result.status, result.evidence) == (Status.FAIL, {"tunnels": shown})


@pytest.mark.parametrize("source", ["program", "preview", "state"])
def test_a_declared_connection_without_live_status_is_not_applicable(source):
    result = run(connection(source))
    assert (result.status, result.evidence) == (Status.NOT_APPLICABLE, {})
    assert "only a live audit" in result.message


def test_a_connection_being_deleted_is_not_applicable():
    result = run(connection(), tunnels("DOWN", "DOWN", state="deleting"))
    assert (result.status, result.evidence) == (Status.NOT_APPLICABLE, {"state": "deleting"})


def test_uncollected_tunnel_status_is_not_evaluated():
    res = connection()
    inv = Inventory([res], gaps={VPN_TUNNEL_STATUS: "access denied to DescribeVpnConnections"})
    with pytest.raises(Undecidable, match="access denied"):
        vpn_tunnels_up(res, inv)


def test_unknown_telemetry_is_not_evaluated():
    status = tunnels("UP", "UP")
    hidden = Resource(VPN_TUNNEL_STATUS, VPN_ID, {**status.props, "vgw_telemetries": UNKNOWN},
                      id=status.id)  # fmt: skip
    with pytest.raises(Undecidable):
        run(connection(), hidden)


# -- dynamodb_throughput_below_limit (threshold: 80% of the quota) -----------------------------


def limits(region: str = "us-east-1", read: int = 1000, write: int = 1000) -> Resource:
    props = {"account_max_read_capacity_units": read, "account_max_write_capacity_units": write}
    return Resource(ACCOUNT_LIMITS, f"dynamodb-limits-{region}", props, region=region,
                    source="aws")  # fmt: skip


def table(name: str, region: str = "us-east-1", **props) -> Resource:
    return Resource(DYNAMODB_TABLE, name, {"name": name, **props}, region=region, source="aws")


def judged(*resources: Resource) -> list[tuple]:
    results = dynamodb_throughput_below_limit(Inventory(resources))
    return [(r.status, dict(r.evidence), r.resource.name) for r in results]


def evidence(read: int, write: int, quota: int = 1000) -> dict:
    return {"read_capacity": read, "account_max_read_capacity_units": quota,
            "write_capacity": write, "account_max_write_capacity_units": quota}  # fmt: skip


def test_exactly_eighty_percent_passes_and_one_unit_more_fails():
    at = table("claims", read_capacity=800, write_capacity=10)
    over = table("claims", read_capacity=801, write_capacity=10)
    assert judged(limits(), at) == [(Status.PASS, evidence(800, 10), "dynamodb-limits-us-east-1")]
    assert judged(limits(), over) == [(Status.FAIL, evidence(801, 10), "dynamodb-limits-us-east-1")]


def test_tables_and_their_indexes_add_up_and_on_demand_tables_count_nothing():
    indexed = table("claims", read_capacity=300, write_capacity=300,
                    global_secondary_indexes=[{"name": "by-patient", "read_capacity": 200,
                                               "write_capacity": 250}])  # fmt: skip
    other = table("sessions", read_capacity=100, write_capacity=260)
    on_demand = table("audit", billing_mode="PAY_PER_REQUEST", read_capacity=5000)
    assert judged(limits(), indexed, other, on_demand) == [
        (Status.FAIL, evidence(600, 810), "dynamodb-limits-us-east-1")
    ]


def test_each_region_counts_only_its_own_tables():
    east = table("claims", read_capacity=900, write_capacity=900)
    west = table("claims-west", "us-west-2", read_capacity=10, write_capacity=10)
    assert judged(limits(), limits("us-west-2"), east, west) == [
        (Status.FAIL, evidence(900, 900), "dynamodb-limits-us-east-1"),
        (Status.PASS, evidence(10, 10), "dynamodb-limits-us-west-2"),
    ]


def test_no_collected_quota_says_nothing():
    assert judged(table("claims", read_capacity=5000, write_capacity=5000)) == []


def test_an_unknown_capacity_is_not_evaluated():
    with pytest.raises(Undecidable):
        dynamodb_throughput_below_limit(
            Inventory([limits(), table("claims", read_capacity=UNKNOWN)])
        )


def test_unread_tables_are_not_evaluated():
    inv = Inventory([limits()], gaps={DYNAMODB_TABLE: "access denied to ListTables"})
    with pytest.raises(Undecidable, match="access denied"):
        dynamodb_throughput_below_limit(inv)


def test_throughput_messages_name_what_is_over():
    low = table("claims", read_capacity=1, write_capacity=1)
    ok = dynamodb_throughput_below_limit(Inventory([limits(), low]))
    assert [(r.status, dict(r.evidence), r.message) for r in ok] == [
        (Status.PASS, evidence(1, 1), "provisioned throughput is within 80% of the quota")
    ]
    both = table("claims", read_capacity=900, write_capacity=900)
    over = dynamodb_throughput_below_limit(Inventory([limits(), both]))
    assert [(r.status, dict(r.evidence), r.message) for r in over] == [
        (
            Status.FAIL,
            evidence(900, 900),
            "provisioned read capacity and write capacity exceed 80% of the account quota",
        )
    ]


def test_capacity_a_table_or_index_leaves_out_counts_nothing():
    bare = table("claims", write_capacity=10, global_secondary_indexes=[{"name": "by-patient"}])
    assert judged(limits(), bare) == [(Status.PASS, evidence(0, 10), "dynamodb-limits-us-east-1")]


@pytest.mark.parametrize(
    ("resources", "label"),
    [((limits(read="lots"),), "account_max_read_capacity_units of dynamodb-limits-us-east-1"),
     ((limits(), table("claims", read_capacity="lots")), "read_capacity of claims"),
     ((limits(), table("claims", global_secondary_indexes=[{"read_capacity": "lots"}])),
      "read_capacity of an index of claims")],
)  # fmt: skip
def test_a_capacity_that_is_not_a_number_is_not_evaluated_naming_it(resources, label):
    with pytest.raises(Undecidable) as caught:
        dynamodb_throughput_below_limit(Inventory(resources))
    assert str(caught.value) == f"{label} is not a number ('lots')"
