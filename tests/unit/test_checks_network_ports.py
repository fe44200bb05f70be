"""Security group checks at their port boundaries: each admin, database and web port, the ports
beside it, ranges that reach it from outside, transports, and rule resources judged alone."""

from __future__ import annotations

import pytest

from checks.aws.network import (
    sg_internet_ingress_authorized_ports,
    sg_no_internet_admin_ports,
    sg_no_internet_db_ports,
)
from checks.model import UNKNOWN, Inventory, Resource, Undecidable
from checks.registry import Status

SG_URN = "urn:pulumi:dev::phi::aws:ec2/securityGroup:SecurityGroup::web"
RULE_URN = "urn:pulumi:dev::phi::aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule::r"
INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
LEGACY_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
SG_CHECKS = (
    sg_no_internet_admin_ports,
    sg_no_internet_db_ports,
    sg_internet_ingress_authorized_ports,
)


def group(*ingress: dict) -> Resource:
    props = {"vpc_id": "vpc-0abc", "ingress": list(ingress)}
    return Resource("aws:ec2/securityGroup:SecurityGroup", "web", props, urn=SG_URN, id="sg-0web")


def rule(low, high, protocol="tcp", cidrs=("0.0.0.0/0",), v6=()) -> dict:
    return {
        "protocol": protocol,
        "from_port": low,
        "to_port": high,
        "cidr_blocks": list(cidrs),
        "ipv6_cidr_blocks": list(v6),
    }


def judge(fn, *resources: Resource) -> tuple:
    result = fn(resources[0], Inventory(resources))
    return result.status, dict(result.evidence)


def entry(low, high, ports, protocol="tcp", cidr="0.0.0.0/0", declared_by=SG_URN) -> dict:
    return {"declared_by": declared_by, "protocol": protocol, "from_port": low, "to_port": high,
            "cidr": cidr, "exposed_ports": ports}  # fmt: skip


def exposed(low, high, ports, protocol="tcp", cidr="0.0.0.0/0", declared_by=SG_URN) -> tuple:
    found = {"declared_by": declared_by, "protocol": protocol, "from_port": low, "to_port": high,
             "cidr": cidr, "exposed_ports": ports}  # fmt: skip
    return Status.FAIL, {"offending_rules": [found]}


CLOSED = (Status.PASS, {"offending_rules": []})


# -- sg_no_internet_admin_ports --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("low", "high", "protocol", "status", "ports"),
    [
        (21, 21, "tcp", Status.PASS, None),
        (22, 22, "tcp", Status.FAIL, [22]),
        (23, 23, "tcp", Status.PASS, None),
        (3388, 3388, "tcp", Status.PASS, None),
        (3389, 3389, "tcp", Status.FAIL, [3389]),
        (3390, 3390, "tcp", Status.PASS, None),
        (20, 21, "tcp", Status.PASS, None),
        (10, 22, "tcp", Status.FAIL, [22]),
        (22, 30, "tcp", Status.FAIL, [22]),
        (0, 1023, "tcp", Status.FAIL, [22]),
        (23, 3388, "tcp", Status.PASS, None),
        (22, 3389, "tcp", Status.FAIL, [22, 3389]),
        (3389, 3390, "tcp", Status.FAIL, [3389]),
        (3387, 3388, "tcp", Status.PASS, None),
        (3390, 65535, "tcp", Status.PASS, None),
        (1024, 65535, "tcp", Status.FAIL, [3389]),
        (None, None, "tcp", Status.FAIL, [22, 3389]),
        (3389, 3389, "udp", Status.FAIL, [3389]),
        (22, 22, "udp", Status.PASS, None),
        (0, 65535, "udp", Status.FAIL, [3389]),
        (22, 22, "6", Status.FAIL, [22]),
        (3389, 3389, "17", Status.FAIL, [3389]),
        (-1, -1, "icmp", Status.PASS, None),
        (0, 0, "-1", Status.FAIL, [22, 3389]),
    ],
)
def test_admin_port_boundaries(low, high, protocol, status, ports):
    verdict = judge(sg_no_internet_admin_ports, group(rule(low, high, protocol)))
    rules = [] if ports is None else [entry(low, high, ports, protocol)]
    assert verdict == (status, {"offending_rules": rules})


def test_admin_port_from_a_narrower_block_is_not_the_internet():
    narrow = rule(22, 22, cidrs=("0.0.0.0/1", "10.0.0.0/8"), v6=("2001:db8::/32",))
    assert judge(sg_no_internet_admin_ports, group(narrow)) == CLOSED


def test_only_the_internet_blocks_of_a_rule_are_named():
    mixed = rule(22, 22, cidrs=("10.0.0.0/8", "0.0.0.0/0"), v6=("2001:db8::/32", "::/0"))
    assert judge(sg_no_internet_admin_ports, group(mixed)) == (
        Status.FAIL,
        {"offending_rules": [entry(22, 22, [22]), entry(22, 22, [22], cidr="::/0")]},
    )


def test_every_open_rule_is_named_in_order():
    assert judge(sg_no_internet_admin_ports, group(rule(3389, 3389), rule(22, 22))) == (
        Status.FAIL,
        {"offending_rules": [entry(3389, 3389, [3389]), entry(22, 22, [22])]},
    )


# -- sg_no_internet_db_ports -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("low", "high", "protocol", "status", "ports"),
    [
        (5431, 5431, "tcp", Status.PASS, None),
        (5432, 5432, "tcp", Status.FAIL, [5432]),
        (5433, 5433, "tcp", Status.PASS, None),
        (5430, 5440, "tcp", Status.FAIL, [5432, 5439]),
        (5433, 5438, "tcp", Status.PASS, None),
        (5440, 6378, "tcp", Status.PASS, None),
        (6379, 6379, "tcp", Status.FAIL, [6379]),
        (1433, 1433, "tcp", Status.FAIL, [1433]),
        (1434, 1520, "tcp", Status.PASS, None),
        (3306, 3306, "tcp", Status.FAIL, [3306]),
        (3306, 3306, "udp", Status.PASS, None),
        (9200, 9300, "tcp", Status.FAIL, [9200, 9300]),
        (11211, 11211, "udp", Status.FAIL, [11211]),
        (11211, 11211, "tcp", Status.FAIL, [11211]),
        (27016, 27016, "tcp", Status.PASS, None),
        (27017, 27017, "tcp", Status.FAIL, [27017]),
        (27018, 65535, "tcp", Status.PASS, None),
        (80, 443, "tcp", Status.PASS, None),
    ],
)
def test_database_port_boundaries(low, high, protocol, status, ports):
    verdict = judge(sg_no_internet_db_ports, group(rule(low, high, protocol)))
    rules = [] if ports is None else [entry(low, high, ports, protocol)]
    assert verdict == (status, {"offending_rules": rules})


# -- sg_internet_ingress_authorized_ports ----------------------------------------------------------


def opened(low, high, protocol="tcp", cidr="0.0.0.0/0") -> tuple:
    found = {"declared_by": SG_URN, "protocol": protocol, "from_port": low, "to_port": high,
             "cidr": cidr}  # fmt: skip
    return Status.FAIL, {"offending_rules": [found]}


@pytest.mark.parametrize(
    ("low", "high", "protocol"),
    [
        (80, 80, "tcp"),
        (443, 443, "tcp"),
        (443, 443, "TCP"),
        (443, 443, "6"),
        (-1, -1, "icmp"),
        (8, 0, "1"),
        (-1, -1, "icmpv6"),
        (None, None, "icmp"),
    ],
)
def test_web_ports_and_icmp_are_authorized(low, high, protocol):
    verdict = judge(sg_internet_ingress_authorized_ports, group(rule(low, high, protocol)))
    assert verdict == CLOSED


@pytest.mark.parametrize(
    ("low", "high", "protocol"),
    [
        (79, 79, "tcp"),
        (81, 81, "tcp"),
        (442, 442, "tcp"),
        (444, 444, "tcp"),
        (80, 81, "tcp"),
        (79, 80, "tcp"),
        (443, 444, "tcp"),
        (442, 443, "tcp"),
        (443, 443, "udp"),
        (80, 80, "17"),
        (0, 0, "-1"),
        (None, 443, "tcp"),
        (443, None, "tcp"),
        (None, None, "tcp"),
    ],
)
def test_anything_but_single_web_ports_over_tcp_is_not_authorized(low, high, protocol):
    verdict = judge(sg_internet_ingress_authorized_ports, group(rule(low, high, protocol)))
    assert verdict == opened(low, high, protocol)


def test_any_port_from_a_private_block_is_not_internet_ingress():
    private = rule(0, 65535, cidrs=("10.0.0.0/8",), v6=("fd00::/8",))
    assert judge(sg_internet_ingress_authorized_ports, group(private)) == CLOSED


def test_each_open_rule_beside_an_authorized_one_is_named():
    verdict = judge(sg_internet_ingress_authorized_ports, group(rule(443, 443), rule(22, 22)))
    assert verdict == opened(22, 22)


# -- rule resources judged on their own (their group is in another stack) --------------------------


def ingress_rule(low, high, group_id="sg-0elsewhere", cidr="0.0.0.0/0") -> Resource:
    props = {"security_group_id": group_id, "ip_protocol": "tcp", "from_port": low,
             "to_port": high, "cidr_ipv4": cidr}  # fmt: skip
    return Resource(INGRESS_RULE, "r", props, urn=RULE_URN)


def test_a_rule_of_a_group_elsewhere_is_judged_alone():
    assert judge(sg_no_internet_admin_ports, ingress_rule(22, 22)) == exposed(
        22, 22, [22], declared_by=RULE_URN
    )
    assert judge(sg_no_internet_db_ports, ingress_rule(5432, 5432)) == exposed(
        5432, 5432, [5432], declared_by=RULE_URN
    )
    https = ingress_rule(443, 443)
    for fn in SG_CHECKS:
        assert judge(fn, https) == CLOSED, fn.__name__


@pytest.mark.parametrize("fn", SG_CHECKS)
def test_a_legacy_egress_rule_alone_is_not_applicable(fn):
    egress = Resource(
        LEGACY_RULE,
        "out",
        {"type": "egress", "security_group_id": "sg-0elsewhere", "protocol": "-1",
         "from_port": 0, "to_port": 0, "cidr_blocks": ["0.0.0.0/0"]},
    )  # fmt: skip
    assert judge(fn, egress) == (Status.NOT_APPLICABLE, {})


def test_a_legacy_egress_rule_of_the_group_lets_nothing_in():
    egress = Resource(
        LEGACY_RULE,
        "out",
        {"type": "egress", "security_group_id": "sg-0web", "protocol": "-1",
         "from_port": 0, "to_port": 0, "cidr_blocks": ["0.0.0.0/0"]},
    )  # fmt: skip
    for fn in SG_CHECKS:
        assert judge(fn, group(rule(443, 443)), egress) == CLOSED, fn.__name__


@pytest.mark.parametrize("fn", SG_CHECKS)
def test_a_closed_rule_whose_group_is_not_known_yet_is_undecidable(fn):
    """It passes only when its group is known to be elsewhere: the group may be open."""
    with pytest.raises(Undecidable, match="names its security_group_id"):
        fn(ingress_rule(443, 443, UNKNOWN), Inventory([ingress_rule(443, 443, UNKNOWN)]))


@pytest.mark.parametrize("fn", SG_CHECKS)
def test_a_rule_whose_direction_or_ports_are_not_known_is_undecidable(fn):
    unknown_type = Resource(
        LEGACY_RULE,
        "r",
        {"type": UNKNOWN, "security_group_id": "sg-0web", "protocol": "tcp",
         "from_port": 22, "to_port": 22, "cidr_blocks": ["0.0.0.0/0"]},
    )  # fmt: skip
    for pending in (unknown_type, ingress_rule(UNKNOWN, 22), ingress_rule(22, 22, cidr=UNKNOWN)):
        with pytest.raises(Undecidable):
            fn(pending, Inventory([pending]))


@pytest.mark.parametrize("fn", SG_CHECKS)
def test_a_legacy_egress_rule_says_why_it_is_not_applicable(fn):
    egress = Resource(
        LEGACY_RULE,
        "out",
        {"type": "egress", "security_group_id": "sg-0elsewhere", "protocol": "-1",
         "from_port": 0, "to_port": 0, "cidr_blocks": ["0.0.0.0/0"]},
    )  # fmt: skip
    result = fn(egress, Inventory([egress]))
    assert (result.status, result.message, result.evidence) == (
        Status.NOT_APPLICABLE,
        "an egress rule lets no traffic in",
        {},
    )
