"""Rules are resources too: a security group rule whose group the inventory does not hold (the
group comes from another stack, or from `get()`) is judged on its own, and every resource no check
judged is listed as uncovered."""

from __future__ import annotations

import pytest

from checks.evaluate import evaluate
from checks.library import build_registry
from checks.model import SECRET, UNKNOWN, Inventory, Resource
from checks.registry import Status

SG = "aws:ec2/securityGroup:SecurityGroup"
DEFAULT_SG = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"
LEGACY_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
EGRESS_RULE = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
EXCLUSIVE = "aws:ec2/vpcSecurityGroupRulesExclusive:VpcSecurityGroupRulesExclusive"
POLICY = "aws:s3/bucketPolicy:BucketPolicy"
SG_CHECKS = (
    "sg_no_internet_admin_ports",
    "sg_no_internet_db_ports",
    "sg_internet_ingress_authorized_ports",
)


def ingress_rule(name: str, port, cidr="0.0.0.0/0", group="sg-0fromanotherstack", **extra):
    props = {
        "security_group_id": group,
        "ip_protocol": "tcp",
        "from_port": port,
        "to_port": port,
        "cidr_ipv4": cidr,
        **extra,
    }
    return Resource(INGRESS_RULE, name, props, urn=f"urn:{name}", id=f"sgr-{name}")


def legacy_rule(name: str, port, cidrs=("0.0.0.0/0",), group="sg-0fromanotherstack", **extra):
    props = {
        "type": "ingress",
        "security_group_id": group,
        "protocol": "tcp",
        "from_port": port,
        "to_port": port,
        "cidr_blocks": list(cidrs),
        **extra,
    }
    return Resource(LEGACY_RULE, name, props, urn=f"urn:{name}", id=f"sgrule-{name}")


def findings_on(resources, address: str) -> dict[str, Status]:
    """check id -> status of the findings the whole library gives on one resource."""
    evaluation = evaluate(Inventory(resources), build_registry())
    return {
        f.check.id: f.status
        for f in evaluation.findings
        if f.resource is not None and f.resource.address == address
    }


def sg_statuses(resources, address: str) -> tuple[Status | None, ...]:
    found = findings_on(resources, address)
    return tuple(found.get(c) for c in SG_CHECKS)


# -- a rule on a group from elsewhere is judged on its own ---------------------------------------


@pytest.mark.parametrize("port", [22, 3389])
@pytest.mark.parametrize("make", [ingress_rule, legacy_rule])
def test_orphan_rule_opening_an_admin_port_to_the_world_fails(make, port):
    rule = make("ssh-open", port)
    assert sg_statuses([rule], "urn:ssh-open") == (Status.FAIL, Status.PASS, Status.FAIL)


def test_orphan_rule_finding_names_the_rule_as_evidence():
    rule = ingress_rule("rdp", 3389, cidr="::/0")
    evaluation = evaluate(Inventory([rule]), build_registry())
    [admin] = [f for f in evaluation.findings if f.check.id == "sg_no_internet_admin_ports"]
    assert admin.resource is rule and admin.status is Status.FAIL
    assert [
        (o["declared_by"], o["cidr"], o["exposed_ports"]) for o in admin.evidence["offending_rules"]
    ] == [("urn:rdp", "::/0", [3389])]


@pytest.mark.parametrize("make", [ingress_rule, legacy_rule])
def test_orphan_rule_opening_a_database_port_fails_the_db_check(make):
    rule = make("pg", 5432)
    assert sg_statuses([rule], "urn:pg") == (Status.PASS, Status.FAIL, Status.FAIL)


def test_orphan_all_protocols_rule_from_ipv6_anywhere_fails_every_port_check():
    rule = legacy_rule("all", 0, cidrs=(), protocol="-1", to_port=0, ipv6_cidr_blocks=["::/0"])
    assert sg_statuses([rule], "urn:all") == (Status.FAIL, Status.FAIL, Status.FAIL)


@pytest.mark.parametrize("make", [ingress_rule, legacy_rule])
def test_orphan_https_rule_passes_every_port_check(make):
    rule = make("https", 443)
    assert sg_statuses([rule], "urn:https") == (Status.PASS, Status.PASS, Status.PASS)


def test_orphan_ssh_rule_from_a_private_range_passes():
    rule = ingress_rule("ssh-vpn", 22, cidr="10.8.0.0/16")
    assert sg_statuses([rule], "urn:ssh-vpn") == (Status.PASS, Status.PASS, Status.PASS)


@pytest.mark.parametrize("value", [UNKNOWN, SECRET])
def test_orphan_rule_with_a_cidr_that_cannot_be_seen_is_not_evaluated(value):
    rule = ingress_rule("hidden", 22, cidr=value)
    assert sg_statuses([rule], "urn:hidden") == (Status.NOT_EVALUATED,) * 3


@pytest.mark.parametrize("value", [UNKNOWN, SECRET])
def test_orphan_legacy_rule_whose_direction_cannot_be_seen_is_not_evaluated(value):
    rule = legacy_rule("which-way", 22, type=value)
    assert sg_statuses([rule], "urn:which-way") == (Status.NOT_EVALUATED,) * 3


@pytest.mark.parametrize("value", [UNKNOWN, SECRET, None])
def test_benign_rule_whose_group_cannot_be_told_is_not_evaluated(value):
    """It may belong to a group the inventory holds: never an empty match, never a PASS."""
    rule = ingress_rule("maybe-mine", 443, group=value)
    assert sg_statuses([rule], "urn:maybe-mine") == (Status.NOT_EVALUATED,) * 3


def test_open_rule_whose_group_is_unknown_still_fails_on_what_it_opens():
    rule = ingress_rule("open-anyway", 22, group=UNKNOWN)
    admin, _, authorized = sg_statuses([rule], "urn:open-anyway")
    assert (admin, authorized) == (Status.FAIL, Status.FAIL)


@pytest.mark.parametrize("make", [ingress_rule, legacy_rule])
def test_egress_rules_are_not_judged_by_the_ingress_checks(make):
    if make is legacy_rule:
        rule = legacy_rule("out", 22, type="egress")
    else:
        rule = Resource(EGRESS_RULE, "out", dict(ingress_rule("out", 22).props), urn="urn:out")
    assert findings_on([rule], "urn:out") == {}


# -- a rule on a group the inventory holds is judged through the group, once -------------------


def group(name="web", ident="sg-0web", type_=SG, ingress=()) -> Resource:
    props = {"vpc_id": "vpc-1", "ingress": list(ingress), "egress": []}
    return Resource(type_, name, props, urn=f"urn:{name}", id=ident)


@pytest.mark.parametrize("make", [ingress_rule, legacy_rule])
def test_rule_of_a_held_group_is_judged_through_the_group_only(make):
    web = group()
    rule = make("ssh", 22, group="sg-0web")
    assert findings_on([web, rule], "urn:ssh") == {}
    assert sg_statuses([web, rule], "urn:web") == (Status.FAIL, Status.PASS, Status.FAIL)


def test_rule_naming_its_group_by_arn_is_judged_through_the_group():
    web = Resource(SG, "web", {"ingress": []}, urn="urn:web", id="sg-0web",
                   arn="arn:aws:ec2:us-east-1:111122223333:security-group/sg-0web")  # fmt: skip
    rule = ingress_rule("ssh", 22, group=web.arn)
    assert findings_on([web, rule], "urn:ssh") == {}
    assert sg_statuses([web, rule], "urn:web")[0] is Status.FAIL


def test_unknown_group_reference_makes_the_held_groups_not_evaluated_too():
    web = group()
    rule = ingress_rule("pending", 443, group=UNKNOWN)
    assert sg_statuses([web, rule], "urn:web") == (Status.NOT_EVALUATED,) * 3


def test_a_vpc_default_group_is_a_group_like_any_other():
    open_default = group(
        "default", "sg-0default", DEFAULT_SG,
        ingress=[{"protocol": "tcp", "from_port": 22, "to_port": 22,
                  "cidr_blocks": ["0.0.0.0/0"]}],
    )  # fmt: skip
    assert sg_statuses([open_default], "urn:default") == (Status.FAIL, Status.PASS, Status.FAIL)
    closed_default = group("default", "sg-0default", DEFAULT_SG)
    rule = ingress_rule("db-open", 3306, group="sg-0default")
    assert findings_on([closed_default, rule], "urn:db-open") == {}
    assert sg_statuses([closed_default, rule], "urn:default") == (
        Status.PASS,
        Status.FAIL,
        Status.FAIL,
    )


# -- the uncovered list is honest ----------------------------------------------------------------


def uncovered(resources) -> tuple[str, ...]:
    return evaluate(Inventory(resources), build_registry()).uncovered_types


def test_orphan_egress_rules_and_bucket_settings_are_listed_as_uncovered():
    egress = Resource(EGRESS_RULE, "out", {"security_group_id": "sg-0elsewhere"}, urn="urn:out")
    legacy_egress = legacy_rule("out-legacy", 443, type="egress")
    orphan_policy = Resource(POLICY, "pol", {"bucket": "bucket-of-another-stack"}, urn="urn:pol")
    exclusive = Resource(EXCLUSIVE, "only", {"security_group_id": "sg-0elsewhere"})
    judged_alone = ingress_rule("ssh", 22)
    inventory = [egress, legacy_egress, orphan_policy, exclusive, judged_alone]
    assert uncovered(inventory) == tuple(sorted({EGRESS_RULE, LEGACY_RULE, POLICY, EXCLUSIVE}))


def test_orphan_ingress_rules_judged_on_their_own_are_covered():
    assert uncovered([ingress_rule("ssh", 22), legacy_rule("rdp", 3389)]) == ()


def test_rules_and_settings_read_with_their_parent_are_covered():
    web = group()
    rules = [
        ingress_rule("https", 443, group="sg-0web"),
        legacy_rule("out", 443, group="sg-0web", type="egress"),
        Resource(EGRESS_RULE, "eg", {"security_group_id": "sg-0web"}, urn="urn:eg"),
    ]
    bucket = Resource("aws:s3/bucket:Bucket", "b", {"bucket": "bkt-1"}, urn="urn:b")
    policy = Resource(POLICY, "pol", {"bucket": "bkt-1", "policy": "{}"}, urn="urn:pol")
    # Coverage is what checks examined: the legacy rule's direction is read to tell it is an
    # egress rule; an egress-only rule resource is read by no check (none judges egress).
    assert uncovered([web, *rules, bucket, policy]) == (EGRESS_RULE,)
    assert uncovered([web, *rules[:2], bucket, policy]) == ()


# -- the case, as a program: the group comes from another stack ------------------------

ORPHAN_RULES_PROGRAM = """
import pulumi_aws as aws

shared = aws.ec2.get_security_group(name="shared-bastion")  # a group of another stack
aws.vpc.SecurityGroupIngressRule(
    "ssh-from-anywhere", security_group_id="sg-0123456789abcdef0", ip_protocol="tcp",
    from_port=22, to_port=22, cidr_ipv4="0.0.0.0/0",
)
aws.ec2.SecurityGroupRule(
    "rdp-from-anywhere", type="ingress", security_group_id=shared.id, protocol="tcp",
    from_port=3389, to_port=3389, cidr_blocks=["0.0.0.0/0"],
)
fetched = aws.ec2.SecurityGroup.get("fetched", "sg-0fedcba9876543210")  # read, not declared
aws.vpc.SecurityGroupIngressRule(
    "postgres-from-anywhere", security_group_id=fetched.id, ip_protocol="tcp",
    from_port=5432, to_port=5432, cidr_ipv4="0.0.0.0/0",
)
aws.vpc.SecurityGroupIngressRule(
    "https-from-anywhere", security_group_id="sg-0123456789abcdef0", ip_protocol="tcp",
    from_port=443, to_port=443, cidr_ipv4="0.0.0.0/0",
)
"""


def test_a_program_opening_admin_ports_on_a_group_it_does_not_declare_fails(tmp_path):
    from checks.sources.program import scan_program

    (tmp_path / "Pulumi.yaml").write_text("name: orphan-rules\nruntime: python\n")
    (tmp_path / "__main__.py").write_text(ORPHAN_RULES_PROGRAM)
    scan = scan_program(tmp_path, stack="dev")
    evaluation = evaluate(Inventory(scan.resources), build_registry())
    found = {
        (f.check.id, f.resource.name): f.status
        for f in evaluation.findings
        if f.check.id in SG_CHECKS[:2]
    }
    admin, db = SG_CHECKS[:2]
    assert found == {
        (admin, "ssh-from-anywhere"): Status.FAIL,
        (admin, "rdp-from-anywhere"): Status.FAIL,
        (admin, "postgres-from-anywhere"): Status.PASS,
        (admin, "https-from-anywhere"): Status.PASS,
        (db, "ssh-from-anywhere"): Status.PASS,
        # its group's id was made up by the mocks: it may be a group of the program's own
        (db, "rdp-from-anywhere"): Status.NOT_EVALUATED,
        (db, "postgres-from-anywhere"): Status.FAIL,
        (db, "https-from-anywhere"): Status.PASS,
    }
    assert evaluation.uncovered_types == ()
