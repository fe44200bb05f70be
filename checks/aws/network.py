"""Security groups: no ingress from the whole internet to admin or database ports (NET-01)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from checks.aws.netutil import covers_port, is_internet
from checks.model import SECURITY_GROUP, IngressRule, Inventory, Resource
from checks.registry import Check, Result, Severity, check, failed, passed

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


def _verdict(
    res: Resource, inv: Inventory, ports: Mapping[int, tuple[str, ...]], kind: str
) -> Result:
    exposures = internet_exposures(inv.ingress_rules(res), ports)
    if exposures:
        first = exposures[0]
        where = f"{first['cidr']} -> {first['protocol']} {first['from_port']}-{first['to_port']}"
        return failed(f"{kind} ports are open to the internet ({where})", offending_rules=exposures)
    return passed(f"no {kind} port is open to the internet", offending_rules=[])


@check(
    into=CHECKS,
    id="sg_no_internet_admin_ports",
    control="NET-01",
    title="Security group allows no internet ingress to SSH or RDP",
    severity=Severity.CRITICAL,
    config_rule="restricted-ssh",
    resource_types=(SECURITY_GROUP,),
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
    resource_types=(SECURITY_GROUP,),
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
