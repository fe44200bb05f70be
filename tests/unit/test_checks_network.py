"""Security group checks and the network helpers they share."""

from __future__ import annotations

import pytest

from checks.aws.network import (
    sg_internet_ingress_authorized_ports,
    sg_no_internet_admin_ports,
    sg_no_internet_db_ports,
    vpc_default_security_group_closed,
)
from checks.evaluate import evaluate
from checks.library import build_registry
from checks.model import SECRET, UNKNOWN, Inventory, Resource, Secret, Undecidable
from checks.registry import Status
from checks.support.cidr import covers_port, is_internet

SG_URN = "urn:pulumi:dev::phi::aws:ec2/securityGroup:SecurityGroup::web"


def group(*ingress: dict) -> Resource:
    props = {"vpc_id": "vpc-0abc", "ingress": list(ingress)}
    return Resource("aws:ec2/securityGroup:SecurityGroup", "web", props, urn=SG_URN, id="sg-0web")


def rule(port: int | None, cidrs=("0.0.0.0/0",), protocol="tcp", to_port=None, v6=()) -> dict:
    return {
        "protocol": protocol,
        "from_port": port,
        "to_port": port if to_port is None else to_port,
        "cidr_blocks": list(cidrs),
        "ipv6_cidr_blocks": list(v6),
    }


def run(fn, target: Resource, *others: Resource):
    return fn(target, Inventory([target, *others]))


def verdict(result) -> tuple:
    return result.status, dict(result.evidence)


def exposure(low, high, ports, cidr="0.0.0.0/0", protocol="tcp", declared_by=SG_URN) -> dict:
    return {
        "declared_by": declared_by,
        "protocol": protocol,
        "from_port": low,
        "to_port": high,
        "cidr": cidr,
        "exposed_ports": ports,
    }


def opening(low, high, cidr="0.0.0.0/0", protocol="tcp", declared_by=SG_URN) -> dict:
    return {
        "declared_by": declared_by,
        "protocol": protocol,
        "from_port": low,
        "to_port": high,
        "cidr": cidr,
    }


EVERY_DB_PORT = [1433, 1521, 3306, 5432, 5439, 6379, 9200, 9300, 11211, 27017]


# -- helpers -------------------------------------------------------------------------------------


@pytest.mark.parametrize("cidr", ["0.0.0.0/0", "::/0", "::0/0", " 0.0.0.0/0 "])
def test_any_address_blocks_are_the_internet(cidr):
    assert is_internet(cidr) is True


@pytest.mark.parametrize(
    "cidr", ["10.0.0.0/8", "0.0.0.0/1", "::/1", "192.0.2.10/32", "pl-123", None]
)
def test_narrower_or_invalid_blocks_are_not_the_internet(cidr):
    assert is_internet(cidr) is False


@pytest.mark.parametrize(
    ("protocol", "low", "high", "expected"),
    [
        ("-1", 0, 0, True),
        (-1, None, None, True),
        ("all", 0, 0, True),
        ("tcp", 22, 22, True),
        ("TCP", 0, 65535, True),
        ("6", 20, 25, True),
        ("tcp", 23, 3388, False),
        ("udp", 22, 22, False),
        ("icmp", -1, -1, False),
    ],
)
def test_covers_port_22_over_tcp(protocol, low, high, expected):
    assert covers_port(protocol, low, high, 22, "tcp") is expected


# -- sg_no_internet_admin_ports ----------------------------------------------------------------


def test_ssh_from_anywhere_fails_naming_the_rule():
    result = run(sg_no_internet_admin_ports, group(rule(443), rule(22)))
    assert verdict(result) == (Status.FAIL, {"offending_rules": [exposure(22, 22, [22])]})
    assert "0.0.0.0/0 -> tcp 22-22" in result.message


def test_rdp_from_ipv6_anywhere_fails():
    result = run(sg_no_internet_admin_ports, group(rule(3389, cidrs=(), v6=("::/0",))))
    assert verdict(result) == (
        Status.FAIL,
        {"offending_rules": [exposure(3389, 3389, [3389], cidr="::/0")]},
    )


def test_ssh_from_private_range_and_https_from_anywhere_pass():
    result = run(sg_no_internet_admin_ports, group(rule(22, cidrs=("10.0.0.0/16",)), rule(443)))
    assert verdict(result) == (Status.PASS, {"offending_rules": []})


def test_all_protocols_from_anywhere_fails_admin_and_db():
    open_all = group(rule(0, protocol="-1"))
    admin = run(sg_no_internet_admin_ports, open_all)
    db = run(sg_no_internet_db_ports, open_all)
    assert verdict(admin) == (
        Status.FAIL,
        {"offending_rules": [exposure(0, 0, [22, 3389], protocol="-1")]},
    )
    assert verdict(db) == (
        Status.FAIL,
        {"offending_rules": [exposure(0, 0, EVERY_DB_PORT, protocol="-1")]},
    )


def test_unknown_cidr_is_undecidable():
    with pytest.raises(Undecidable, match="ingress rules of web"):
        run(sg_no_internet_admin_ports, group(rule(22, cidrs=(UNKNOWN,))))


# -- sg_no_internet_db_ports -------------------------------------------------------------------


def test_postgres_opened_by_a_separate_rule_resource_fails_naming_that_resource():
    separate = Resource(
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        "pg-open",
        {
            "security_group_id": "sg-0web",
            "ip_protocol": "tcp",
            "from_port": 5432,
            "to_port": 5432,
            "cidr_ipv4": "0.0.0.0/0",
        },
        urn="urn:pg-open",
    )
    result = run(sg_no_internet_db_ports, group(rule(443)), separate)
    assert verdict(result) == (
        Status.FAIL,
        {"offending_rules": [exposure(5432, 5432, [5432], declared_by="urn:pg-open")]},
    )


def test_wide_tcp_range_rule_resource_exposes_every_db_port():
    wide = Resource(
        "aws:ec2/securityGroupRule:SecurityGroupRule",
        "wide",
        {
            "type": "ingress",
            "security_group_id": "sg-0web",
            "protocol": "tcp",
            "from_port": 1024,
            "to_port": 65535,
            "cidr_blocks": ["0.0.0.0/0"],
        },
        urn="urn:wide",
    )
    result = run(sg_no_internet_db_ports, group(), wide)
    assert verdict(result) == (
        Status.FAIL,
        {"offending_rules": [exposure(1024, 65535, EVERY_DB_PORT, declared_by="urn:wide")]},
    )


def test_db_port_from_vpc_only_passes():
    result = run(sg_no_internet_db_ports, group(rule(5432, cidrs=("10.0.0.0/16",)), rule(443)))
    assert verdict(result) == (Status.PASS, {"offending_rules": []})


def test_rule_resource_with_unknown_group_is_undecidable():
    pending = Resource(
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        "pending",
        {"security_group_id": UNKNOWN, "ip_protocol": "tcp", "from_port": 3306, "to_port": 3306},
    )
    with pytest.raises(Undecidable):
        run(sg_no_internet_db_ports, group(), pending)


# -- sg_internet_ingress_authorized_ports ----------------------------------------------------------


def test_https_and_http_from_anywhere_are_authorized():
    result = run(
        sg_internet_ingress_authorized_ports,
        group(rule(443), rule(80), rule(8080, cidrs=("10.0.0.0/8",))),
    )
    assert verdict(result) == (Status.PASS, {"offending_rules": []})


def test_other_port_from_anywhere_fails():
    result = run(sg_internet_ingress_authorized_ports, group(rule(443), rule(8443, v6=("::/0",))))
    assert verdict(result) == (
        Status.FAIL,
        {"offending_rules": [opening(8443, 8443), opening(8443, 8443, cidr="::/0")]},
    )
    assert result.message == "2 internet ingress rule(s) beyond TCP 80/443"


def test_port_range_spanning_80_to_443_is_not_authorized():
    result = run(sg_internet_ingress_authorized_ports, group(rule(80, to_port=443)))
    assert verdict(result) == (Status.FAIL, {"offending_rules": [opening(80, 443)]})


def test_unknown_ingress_is_undecidable_for_authorized_ports():
    with pytest.raises(Undecidable):
        run(sg_internet_ingress_authorized_ports, group(rule(443, cidrs=(UNKNOWN,))))


# -- vpc_default_security_group_closed -------------------------------------------------------------


def vpc() -> Resource:
    return Resource("aws:ec2/vpc:Vpc", "vpc", {"cidr_block": "10.0.0.0/16"}, id="vpc-0abc")


def default_group(**props) -> Resource:
    return Resource(
        "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
        "default-deny",
        {"vpc_id": "vpc-0abc", **props},
        id="sg-0default",
    )


def test_adopted_default_group_without_rules_passes():
    result = run(vpc_default_security_group_closed, vpc(), default_group(ingress=[], egress=[]))
    assert verdict(result) == (
        Status.PASS,
        {"default_group": "default-deny", "rules": []},
    )


def test_default_group_with_rules_or_not_adopted_fails():
    open_group = default_group(egress=[{"protocol": "-1", "cidr_blocks": ["0.0.0.0/0"]}])
    result = run(vpc_default_security_group_closed, vpc(), open_group)
    assert verdict(result) == (
        Status.FAIL,
        {"default_group": "default-deny", "rules": ["egress[0]"]},
    )
    assert verdict(run(vpc_default_security_group_closed, vpc())) == (
        Status.FAIL,
        {"default_group": None, "rules": []},
    )
    elsewhere = default_group(vpc_id="vpc-other")
    assert verdict(run(vpc_default_security_group_closed, vpc(), elsewhere)) == (
        Status.FAIL,
        {"default_group": None, "rules": []},
    )


def test_every_rule_of_the_default_group_is_listed():
    everything = {"protocol": "-1", "from_port": 0, "to_port": 0, "self": True}
    both = default_group(ingress=[everything, everything], egress=[everything])
    extra = Resource(
        "aws:ec2/securityGroupRule:SecurityGroupRule",
        "legacy",
        {"type": "egress", "security_group_id": "sg-0default", "protocol": "-1"},
    )
    result = run(vpc_default_security_group_closed, vpc(), both, extra)
    assert verdict(result) == (
        Status.FAIL,
        {
            "default_group": "default-deny",
            "rules": ["ingress[0]", "ingress[1]", "egress[0]", "legacy"],
        },
    )
    assert result.message == "the default security group has 4 rule(s)"


def test_separate_rule_on_the_default_group_fails():
    extra = Resource(
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        "self-ingress",
        {"security_group_id": "sg-0default", "ip_protocol": "-1"},
    )
    result = run(vpc_default_security_group_closed, vpc(), default_group(), extra)
    assert verdict(result) == (
        Status.FAIL,
        {"default_group": "default-deny", "rules": ["self-ingress"]},
    )


def test_default_group_of_an_unknown_vpc_is_undecidable():
    with pytest.raises(Undecidable):
        run(vpc_default_security_group_closed, vpc(), default_group(vpc_id=UNKNOWN))


# -- values a rule cannot be judged on, wherever the rule is declared ---------------------------


def _admin_finding(*resources: Resource):
    evaluation = evaluate(Inventory(resources), build_registry())
    return next(
        f
        for f in evaluation.findings
        if f.check.id == "sg_no_internet_admin_ports" and f.resource is resources[0]
    )


def test_a_secret_cidr_is_judged_on_its_plaintext_and_shown_as_secret():
    finding = _admin_finding(group(rule(22, cidrs=(Secret("0.0.0.0/0"),))))
    assert verdict(finding) == (
        Status.FAIL,
        {"offending_rules": [exposure(22, 22, [22], cidr="[secret]")]},
    )
    assert "0.0.0.0/0" not in finding.message


def test_a_secret_cidr_of_a_rule_resource_is_judged_on_its_plaintext():
    separate = Resource(
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        "ssh",
        {"security_group_id": "sg-0web", "ip_protocol": "tcp", "from_port": 22, "to_port": 22,
         "cidr_ipv4": Secret("0.0.0.0/0")},
        urn="urn:ssh",
    )  # fmt: skip
    assert verdict(_admin_finding(group(), separate)) == (
        Status.FAIL,
        {"offending_rules": [exposure(22, 22, [22], cidr="[secret]", declared_by="urn:ssh")]},
    )


def test_a_secret_cidr_without_its_plaintext_is_not_evaluated():
    assert verdict(_admin_finding(group(rule(22, cidrs=(SECRET,))))) == (Status.NOT_EVALUATED, {})
    assert verdict(_admin_finding(group(rule(SECRET)))) == (Status.NOT_EVALUATED, {})


def test_a_group_whose_ingress_the_file_did_not_record_is_not_evaluated():
    """A state entry with only urn, type and id: no ingress recorded is not "no ingress"."""
    bare = Resource(
        "aws:ec2/securityGroup:SecurityGroup", "web", {}, urn=SG_URN, id="sg-0web",
        source="state", recorded=frozenset(),
    )  # fmt: skip
    assert verdict(_admin_finding(bare)) == (Status.NOT_EVALUATED, {})


def test_two_adopted_default_groups_are_judged_together_under_the_first():
    second = Resource(
        "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
        "default-again",
        {"vpc_id": "vpc-0abc", "ingress": [{"protocol": "-1", "self": True}]},
        id="sg-0default2",
    )
    result = run(vpc_default_security_group_closed, vpc(), default_group(), second)
    assert verdict(result) == (
        Status.FAIL,
        {"default_group": "default-deny", "rules": ["ingress[0]"]},
    )
