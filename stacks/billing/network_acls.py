"""Network ACL rules per tier: a stateless second fence behind the security groups.

Return traffic needs the ephemeral ports open, but a range from 0.0.0.0/0 that contains an
administration port (22, 3389) is exactly what NACL audits flag, so the internet-facing
ephemeral range is split around 3389 (22 lies below it). A reply the NAT gateway happened to
send from port 3389 is dropped and retried; nothing depends on it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi_aws as aws

ANYWHERE = "0.0.0.0/0"
HTTPS = 443
HTTP = 80
EPHEMERAL = (1024, 65535)
# Ephemeral ports reachable from the internet: everything above 1023 except RDP.
INTERNET_EPHEMERAL = ((1024, 3388), (3390, 65535))


@dataclass(frozen=True)
class Rule:
    cidr: str
    from_port: int
    to_port: int


def _entries(rules: Sequence[Rule], kind: type) -> list:
    return [
        kind(
            rule_no=100 + 10 * index,
            action="allow",
            protocol="tcp",
            cidr_block=rule.cidr,
            from_port=rule.from_port,
            to_port=rule.to_port,
        )
        for index, rule in enumerate(rules)
    ]


def ingress(rules: Sequence[Rule]) -> list[aws.ec2.NetworkAclIngressArgs]:
    return _entries(rules, aws.ec2.NetworkAclIngressArgs)


def egress(rules: Sequence[Rule]) -> list[aws.ec2.NetworkAclEgressArgs]:
    return _entries(rules, aws.ec2.NetworkAclEgressArgs)


def _from_internet_ephemeral() -> list[Rule]:
    return [Rule(ANYWHERE, low, high) for low, high in INTERNET_EPHEMERAL]


def public_tier(
    app_cidrs: Sequence[str], app_port: int, http_redirect: bool
) -> tuple[list[Rule], list[Rule]]:
    """Load balancer and NAT gateways: HTTPS in from clients, app port out to the app tier."""
    inbound = [Rule(ANYWHERE, HTTPS, HTTPS)]
    if http_redirect:
        inbound.append(Rule(ANYWHERE, HTTP, HTTP))
    inbound += _from_internet_ephemeral()
    outbound = [Rule(ANYWHERE, HTTPS, HTTPS)]
    outbound += [Rule(cidr, app_port, app_port) for cidr in app_cidrs]
    outbound.append(Rule(ANYWHERE, *EPHEMERAL))
    return inbound, outbound


def app_tier(
    public_cidrs: Sequence[str], data_cidrs: Sequence[str], app_port: int, db_port: int
) -> tuple[list[Rule], list[Rule]]:
    """App: requests from the load balancer, HTTPS out (via NAT), SQL to the data tier."""
    inbound = [Rule(cidr, app_port, app_port) for cidr in public_cidrs]
    inbound += _from_internet_ephemeral()
    outbound = [Rule(ANYWHERE, HTTPS, HTTPS)]
    outbound += [Rule(cidr, db_port, db_port) for cidr in data_cidrs]
    outbound += [Rule(cidr, *EPHEMERAL) for cidr in public_cidrs]
    return inbound, outbound


def data_tier(app_cidrs: Sequence[str], db_port: int) -> tuple[list[Rule], list[Rule]]:
    """Database: SQL from the application subnets only, replies to them only."""
    inbound = [Rule(cidr, db_port, db_port) for cidr in app_cidrs]
    outbound = [Rule(cidr, *EPHEMERAL) for cidr in app_cidrs]
    return inbound, outbound
