"""Security groups: no ingress from the whole internet to admin or database ports, nothing but
HTTP(S) open to the internet, and every VPC's default group closed (NET-01).

A rule declared as a resource of its own is judged with its group when the inventory holds the
group, and on its own otherwise (the group comes from another stack, or from `get()`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from checks.model import SECURITY_GROUP_RULES, IngressRule, Inventory, Resource
from checks.registry import Check, Result, Severity, check, failed, not_applicable, passed
from checks.splits import (
    DEFAULT_SECURITY_GROUP,
    INGRESS_RULE_TYPES,
    SECURITY_GROUPS,
    may_let_in,
    rule_ingress,
)
from checks.support.cidr import covers_port, is_internet, normalise_protocol
from checks.support.joins import referrers
from checks.support.props import blocks, known
from checks.support.resource_types import VPC_TYPES

CHECKS: list[Check] = []

# port -> transports it is served over.
ADMIN_PORTS: Mapping[int, tuple[str, ...]] = {22: ("tcp",), 3389: ("tcp", "udp")}
DATABASE_PORTS: Mapping[int, tuple[str, ...]] = {
    1433: ("tcp",),  # SQL Server
    1521: ("tcp",),  # Oracle
    3306: ("tcp",),  # MySQL / MariaDB / Aurora MySQL
    5432: ("tcp",),  # PostgreSQL / Aurora PostgreSQL
    5439: ("tcp",),  # Redshift
    6379: ("tcp",),  # Redis / Valkey
    9200: ("tcp",),  # OpenSearch / Elasticsearch
    9300: ("tcp",),  # OpenSearch / Elasticsearch transport
    11211: ("tcp", "udp"),  # Memcached
    27017: ("tcp",),  # MongoDB / DocumentDB
}


def internet_exposures(
    rules: list[IngressRule], ports: Mapping[int, tuple[str, ...]]
) -> list[dict[str, Any]]:
    """One evidence entry per (rule, internet CIDR) that admits any of `ports`."""
    exposures: list[dict[str, Any]] = []
    for rule in rules:
        exposed = sorted(
            port
            for port, transports in ports.items()
            if any(
                covers_port(rule.protocol, rule.from_port, rule.to_port, port, t)
                for t in transports
            )
        )
        if not exposed:
            continue
        exposures += [
            {
                "declared_by": rule.declared_by,
                "protocol": rule.protocol,
                "from_port": rule.from_port,
                "to_port": rule.to_port,
                "cidr": cidr,
                "exposed_ports": exposed,
            }
            for cidr in (*rule.cidr_ipv4, *rule.cidr_ipv6)
            if is_internet(cidr)
        ]
    return exposures


# What the internet-ingress checks judge: groups (a VPC's default one too) with their rules, and
# rules that may let traffic in, on their own when their group is not in the inventory.
JUDGED_TYPES = (*SECURITY_GROUPS, *INGRESS_RULE_TYPES)
_EGRESS_ONLY = "an egress rule lets no traffic in"


def _ingress_of(res: Resource, inv: Inventory) -> list[IngressRule]:
    """A group's ingress with all its rules, or a rule's own when it is judged apart."""
    if res.type in SECURITY_GROUPS:
        return inv.ingress_rules(res)
    return rule_ingress(res)


def _nothing_found(res: Resource, inv: Inventory, message: str) -> Result:
    """A rule judged apart that opens nothing passes only when its group is known to be
    elsewhere: a group it may belong to is judged with it, and may be open by another rule."""
    if res.type not in SECURITY_GROUPS:
        inv.parent_of(res)
    return passed(message, offending_rules=[])


def _verdict(
    res: Resource, inv: Inventory, ports: Mapping[int, tuple[str, ...]], kind: str
) -> Result:
    if res.type not in SECURITY_GROUPS and not may_let_in(res):
        return not_applicable(_EGRESS_ONLY)
    exposures = internet_exposures(_ingress_of(res, inv), ports)
    if exposures:
        first = exposures[0]
        where = f"{first['cidr']} -> {first['protocol']} {first['from_port']}-{first['to_port']}"
        return failed(f"{kind} ports are open to the internet ({where})", offending_rules=exposures)
    return _nothing_found(res, inv, f"no {kind} port is open to the internet")


@check(
    into=CHECKS,
    id="sg_no_internet_admin_ports",
    control="NET-01",
    title="Security group allows no internet ingress to SSH or RDP",
    severity=Severity.CRITICAL,
    config_rule="restricted-ssh",
    resource_types=JUDGED_TYPES,
    reads=("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",),
    remediation=(
        "Remove 0.0.0.0/0 and ::/0 ingress on 22 and 3389; use SSM Session Manager, or allow "
        "only a bastion's or VPN's CIDR."
    ),
    pulumi_fix=(
        'aws.ec2.SecurityGroup("admin", vpc_id=vpc.id, ingress=[{\n'
        '    "protocol": "tcp", "from_port": 22, "to_port": 22,\n'
        '    "cidr_blocks": ["10.0.0.0/16"]}])  # or no SSH at all: use SSM Session Manager'
    ),
)
def sg_no_internet_admin_ports(res: Resource, inv: Inventory) -> Result:
    """Remote administration cannot be attempted from anywhere on the internet."""
    return _verdict(res, inv, ADMIN_PORTS, "admin (SSH/RDP)")


@check(
    into=CHECKS,
    id="sg_no_internet_db_ports",
    control="NET-01",
    title="Security group allows no internet ingress to database ports",
    severity=Severity.CRITICAL,
    config_rule="restricted-common-ports",
    resource_types=JUDGED_TYPES,
    reads=("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",),
    remediation=(
        "Allow database ports only from the application tier's security group, never from "
        "0.0.0.0/0 or ::/0."
    ),
    pulumi_fix=(
        'aws.vpc.SecurityGroupIngressRule("db-from-app", security_group_id=db_sg.id,\n'
        '    ip_protocol="tcp", from_port=5432, to_port=5432,\n'
        "    referenced_security_group_id=app_sg.id)"
    ),
)
def sg_no_internet_db_ports(res: Resource, inv: Inventory) -> Result:
    """Data stores holding ePHI are not reachable from the internet."""
    return _verdict(res, inv, DATABASE_PORTS, "database")


# Ports a security group may open to the whole internet: the HTTPS front door (and its redirect).
AUTHORIZED_INTERNET_TCP_PORTS = frozenset({80, 443})
# Protocols without ports, left to the port-based checks' judgement (ICMP path MTU discovery).
_PORTLESS = frozenset({"icmp", "icmpv6"})


def _authorized(rule: IngressRule) -> bool:
    proto = normalise_protocol(rule.protocol)
    if proto in _PORTLESS:
        return True
    if proto != "tcp" or rule.from_port is None or rule.to_port is None:
        return False
    low, high = int(rule.from_port), int(rule.to_port)
    return low == high and low in AUTHORIZED_INTERNET_TCP_PORTS


@check(
    into=CHECKS,
    id="sg_internet_ingress_authorized_ports",
    control="NET-01",
    title="Security group opens only HTTP/HTTPS to the internet",
    severity=Severity.HIGH,
    config_rule="vpc-sg-open-only-to-authorized-ports",
    resource_types=JUDGED_TYPES,
    reads=("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",),
    remediation=(
        "Open only TCP 443 (and 80 for the redirect) to 0.0.0.0/0 or ::/0, on the load "
        "balancer's group; reach everything else through private addresses."
    ),
    pulumi_fix=(
        'aws.vpc.SecurityGroupIngressRule("alb-https", security_group_id=alb_sg.id,\n'
        '    ip_protocol="tcp", from_port=443, to_port=443, cidr_ipv4="0.0.0.0/0")'
    ),
)
def sg_internet_ingress_authorized_ports(res: Resource, inv: Inventory) -> Result:
    """The only door open to the internet is the web front end."""
    if res.type not in SECURITY_GROUPS and not may_let_in(res):
        return not_applicable(_EGRESS_ONLY)
    offending = [
        {
            "declared_by": r.declared_by,
            "protocol": r.protocol,
            "from_port": r.from_port,
            "to_port": r.to_port,
            "cidr": cidr,
        }
        for r in _ingress_of(res, inv)
        if not _authorized(r)
        for cidr in (*r.cidr_ipv4, *r.cidr_ipv6)
        if is_internet(cidr)
    ]
    if offending:
        return failed(
            f"{len(offending)} internet ingress rule(s) beyond TCP 80/443",
            offending_rules=offending,
        )
    return _nothing_found(res, inv, "internet ingress is limited to TCP 80/443")


def _default_group_rules(group: Resource, inv: Inventory) -> list[str]:
    inline = [
        f"{kind}[{i}]"
        for kind in ("ingress", "egress")
        for i, _ in enumerate(blocks(known(group, kind)))
    ]
    separate = [
        r.name for r in referrers(inv, group, tuple(SECURITY_GROUP_RULES), "security_group_id")
    ]
    return inline + separate


@check(
    into=CHECKS,
    id="vpc_default_security_group_closed",
    control="NET-01",
    title="VPC's default security group allows no traffic",
    severity=Severity.MEDIUM,
    config_rule="vpc-default-security-group-closed",
    resource_types=VPC_TYPES,
    reads=(
        "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
        "aws:ec2/securityGroupRule:SecurityGroupRule",
        "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    ),
    remediation=(
        "Adopt the default group with aws.ec2.DefaultSecurityGroup and no ingress or egress "
        "rules, so anything launched without a group is isolated rather than open to its peers."
    ),
    pulumi_fix='aws.ec2.DefaultSecurityGroup("default-deny", vpc_id=vpc.id)  # no rules',
)
def vpc_default_security_group_closed(res: Resource, inv: Inventory) -> Result:
    """A resource that forgot its security group is cut off, not silently connected."""
    adopted = referrers(inv, res, (DEFAULT_SECURITY_GROUP,), "vpc_id")
    if not adopted:
        return failed(
            "the default security group is not managed: it keeps AWS's allow rules "
            "(all traffic from itself, all egress)",
            default_group=None,
            rules=[],
        )
    rules = [r for g in adopted for r in _default_group_rules(g, inv)]
    evidence = {"default_group": adopted[0].name, "rules": rules}
    if rules:
        return failed(f"the default security group has {len(rules)} rule(s)", **evidence)
    return passed("the default security group has no rules", **evidence)
