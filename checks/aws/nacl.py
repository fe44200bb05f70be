"""Network ACLs: no ingress from the whole internet to SSH or RDP (control NET-05).

Rules are evaluated as AWS does: in rule-number order, the first rule that matches a packet
decides. Only rules for the whole internet (/0) decide for "anyone on the internet"; a narrower
deny does not shut the door to everyone else.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from checks.model import Inventory, Resource
from checks.registry import Check, Result, Severity, check, failed, passed
from checks.support.cidr import covers_port, is_internet
from checks.support.joins import referrers
from checks.support.props import blocks, flag, known

CHECKS: list[Check] = []

NETWORK_ACL = "aws:ec2/networkAcl:NetworkAcl"
DEFAULT_NETWORK_ACL = "aws:ec2/defaultNetworkAcl:DefaultNetworkAcl"
NETWORK_ACL_RULE = "aws:ec2/networkAclRule:NetworkAclRule"
# Remote administration a packet can reach: SSH over TCP, RDP over TCP and (since RDP 8) UDP.
ADMIN_PORTS = ((22, "tcp", "SSH"), (3389, "tcp", "RDP"), (3389, "udp", "RDP"))


def _entry(rule: Mapping[str, Any], declared_by: str, separate: bool) -> dict[str, Any]:
    """A rule in one shape, whether inline (rule_no/action) or a NetworkAclRule resource."""
    number, action = ("rule_number", "rule_action") if separate else ("rule_no", "action")
    return {
        "rule_number": int(rule.get(number) or 0),
        "action": str(rule.get(action, "")).lower(),
        "protocol": rule.get("protocol"),
        "from_port": rule.get("from_port"),
        "to_port": rule.get("to_port"),
        "cidr": rule.get("cidr_block") or rule.get("ipv6_cidr_block"),
        "declared_by": declared_by,
    }


# What a NetworkAclRule resource says about the packets it decides, read through the accessor.
_RULE_FIELDS = ("rule_number", "rule_action", "protocol", "from_port", "to_port")
_RULE_FIELDS += ("cidr_block", "ipv6_cidr_block")


def _ingress(acl: Resource, inv: Inventory) -> list[dict[str, Any]]:
    rules = [_entry(r, acl.name, False) for r in blocks(known(acl, "ingress"))]
    rules += [
        _entry({key: known(r, key) for key in _RULE_FIELDS}, r.name, True)
        for r in referrers(inv, acl, (NETWORK_ACL_RULE,), "network_acl_id", every=True)
        if not flag(known(r, "egress", False))
    ]
    return sorted(rules, key=lambda r: r["rule_number"])


def _deciding_rule(
    rules: list[dict[str, Any]], port: int, transport: str, ipv6: bool
) -> dict[str, Any] | None:
    """The first rule, in number order, that decides for the whole IPv4 (or IPv6) internet."""
    for rule in rules:
        if (
            is_internet(rule["cidr"])
            and (":" in str(rule["cidr"])) == ipv6
            and covers_port(rule["protocol"], rule["from_port"], rule["to_port"], port, transport)
        ):
            return rule
    return None


@check(
    into=CHECKS,
    id="nacl_no_internet_admin_ingress",
    control="NET-05",
    title="Network ACL does not admit SSH or RDP from the whole internet",
    severity=Severity.MEDIUM,
    config_rule="nacl-no-unrestricted-ssh-rdp",
    resource_types=(NETWORK_ACL, DEFAULT_NETWORK_ACL),
    reads=("aws:ec2/networkAclRule:NetworkAclRule",),
    remediation=(
        "Add deny entries for TCP 22, TCP 3389 and UDP 3389 from 0.0.0.0/0 and ::/0 numbered "
        "before any broad "
        "allow, or allow only the ports the subnet serves."
    ),
    pulumi_fix='aws.ec2.NetworkAclRule("deny-ssh", network_acl_id=acl.id, rule_number=50,\n'
    '    egress=False, protocol="tcp", rule_action="deny", cidr_block="0.0.0.0/0",\n'
    "    from_port=22, to_port=22)",
)
def nacl_no_internet_admin_ingress(res: Resource, inv: Inventory) -> Result:
    """A second layer, under the security groups, keeps remote administration off the internet."""
    rules = _ingress(res, inv)
    admitted: dict[str, list[dict[str, Any]]] = {}
    for port, transport, name in ADMIN_PORTS:
        for ipv6 in (False, True):
            rule = _deciding_rule(rules, port, transport, ipv6)
            if rule is not None and rule["action"] == "allow":
                shown = admitted.setdefault(name, [])
                if rule not in shown:
                    shown.append(rule)
    if admitted:
        return failed(
            f"the ACL admits {', '.join(admitted)} from the internet", allowing_rules=admitted
        )
    return passed("SSH and RDP from the internet are not admitted", allowing_rules={})
