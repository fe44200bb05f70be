"""Security groups and their rules, with the provider's behaviour redone.

The provider (Terraform's `aws_security_group`) revokes the allow-all egress rule AWS gives
every new VPC security group, so a group has only the egress its program declares (inline or
as rule resources). `DefaultSecurityGroup` adopts a VPC's default group and leaves exactly
the declared rules on it.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from scripts.emulate.creators.base import Made, Target, tag_spec, tags, without_none
from scripts.emulate.creators.ec2_network import PROTOCOLS
from scripts.emulate.inputs import Inputs

ALLOW_ALL_EGRESS = {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}
# What the provider gives a group declared without a description.
DEFAULT_DESCRIPTION = "Managed by Pulumi"


def _arn(target: Target, group: str) -> str:
    return target.arn("ec2", f"security-group/{group}")


def _protocol(value: Any) -> str:
    text = str(value).lower()
    return "-1" if PROTOCOLS.get(text) == "-1" else text


def _ports(permission: dict[str, Any], rule: Inputs, protocol: str) -> None:
    if protocol != "-1":
        permission["FromPort"] = rule.get("from_port")
        permission["ToPort"] = rule.get("to_port")
    else:
        rule.provider_only("from_port", "to_port")  # all protocols: ports do not apply


def _inline_permission(rule: Inputs, group: str) -> dict[str, Any]:
    """An inline `ingress`/`egress` block of a security group as one IpPermission."""
    protocol = _protocol(rule.require("protocol"))
    description = rule.get("description")
    permission: dict[str, Any] = {"IpProtocol": protocol}
    _ports(permission, rule, protocol)
    ranges = [
        without_none(CidrIp=c, Description=description) for c in rule.plain("cidr_blocks", [])
    ]
    ipv6 = [
        without_none(CidrIpv6=c, Description=description)
        for c in rule.plain("ipv6_cidr_blocks", [])
    ]
    lists = [
        without_none(PrefixListId=p, Description=description)
        for p in rule.plain("prefix_list_ids", [])
    ]
    peers = list(rule.plain("security_groups", []))
    if rule.get("self"):
        peers.append(group)
    pairs = [without_none(GroupId=p, Description=description) for p in peers]
    for key, value in (
        ("IpRanges", ranges),
        ("Ipv6Ranges", ipv6),
        ("PrefixListIds", lists),
        ("UserIdGroupPairs", pairs),
    ):
        if value:
            permission[key] = value
    return permission


def _apply_inline(ec2, group: str, inputs: Inputs) -> None:
    for key, call in (
        ("ingress", ec2.authorize_security_group_ingress),
        ("egress", ec2.authorize_security_group_egress),
    ):
        permissions = [_inline_permission(rule, group) for rule in inputs.get(key) or []]
        if permissions:
            call(GroupId=group, IpPermissions=permissions)


def security_group(inputs: Inputs, target: Target, clients) -> Made:
    ec2 = clients("ec2")
    name = target.autoname(inputs.get("name"), max_length=255)
    made = ec2.create_security_group(
        GroupName=name,
        Description=inputs.get("description") or DEFAULT_DESCRIPTION,
        **without_none(VpcId=inputs.get("vpc_id")),
        TagSpecifications=tag_spec("security-group", tags(inputs, target)),
    )
    group = made["GroupId"]
    described = ec2.describe_security_groups(GroupIds=[group])["SecurityGroups"][0]
    if described.get("VpcId"):
        ec2.revoke_security_group_egress(GroupId=group, IpPermissions=[ALLOW_ALL_EGRESS])
    _apply_inline(ec2, group, inputs)
    inputs.provider_only("revoke_rules_on_delete")
    return group, {
        "arn": _arn(target, group),
        "name": name,
        "vpc_id": described.get("VpcId"),
        "owner_id": described.get("OwnerId", target.account),
    }


def _revoke_all(ec2, group: dict[str, Any]) -> None:
    for key, call in (
        ("IpPermissions", ec2.revoke_security_group_ingress),
        ("IpPermissionsEgress", ec2.revoke_security_group_egress),
    ):
        if group.get(key):
            call(GroupId=group["GroupId"], IpPermissions=group[key])


def _default_vpc(ec2) -> str:
    """The region's default VPC, which a group declared without `vpc_id` belongs to."""
    vpcs = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"]
    if not vpcs:
        raise KeyError("no vpc_id, and the region has no default VPC")
    return vpcs[0]["VpcId"]


def default_security_group(inputs: Inputs, target: Target, clients) -> Made:
    ec2 = clients("ec2")
    vpc_id = inputs.get("vpc_id") or _default_vpc(ec2)
    found = ec2.describe_security_groups(
        Filters=[
            {"Name": "vpc-id", "Values": [vpc_id]},
            {"Name": "group-name", "Values": ["default"]},
        ]
    )["SecurityGroups"][0]
    _revoke_all(ec2, found)
    _apply_inline(ec2, found["GroupId"], inputs)
    values = tags(inputs, target)
    if values:
        ec2.create_tags(
            Resources=[found["GroupId"]], Tags=[{"Key": k, "Value": v} for k, v in values.items()]
        )
    inputs.provider_only("revoke_rules_on_delete")
    return found["GroupId"], {
        "arn": _arn(target, found["GroupId"]),
        "name": "default",
        "description": found.get("Description"),
        "owner_id": found.get("OwnerId", target.account),
    }


def _rule_permission(rule: Inputs) -> dict[str, Any]:
    """A `vpc.SecurityGroupIngressRule`/`EgressRule` as one IpPermission (one peer each)."""
    protocol = _protocol(rule.require("ip_protocol"))
    description = rule.get("description")
    permission: dict[str, Any] = {"IpProtocol": protocol}
    _ports(permission, rule, protocol)
    peers = {
        "cidr_ipv4": ("IpRanges", "CidrIp"),
        "cidr_ipv6": ("Ipv6Ranges", "CidrIpv6"),
        "prefix_list_id": ("PrefixListIds", "PrefixListId"),
        "referenced_security_group_id": ("UserIdGroupPairs", "GroupId"),
    }
    for key, (field, inner) in peers.items():
        if key in rule:
            permission[field] = [without_none(**{inner: rule[key]}, Description=description)]
    return permission


def _rule(direction: str):
    def create(inputs: Inputs, target: Target, clients) -> Made:
        ec2 = clients("ec2")
        group = inputs.require("security_group_id")
        call = getattr(ec2, f"authorize_security_group_{direction}")
        made = call(
            GroupId=group,
            IpPermissions=[_rule_permission(inputs)],
            TagSpecifications=tag_spec("security-group-rule", tags(inputs, target)),
        )
        rule_id = made["SecurityGroupRules"][0]["SecurityGroupRuleId"]
        return rule_id, {
            "arn": target.arn("ec2", f"security-group-rule/{rule_id}"),
            "security_group_rule_id": rule_id,
        }

    return create


def legacy_rule(inputs: Inputs, target: Target, clients) -> Made:
    """`ec2.SecurityGroupRule`: one inline-style rule on an existing group."""
    ec2 = clients("ec2")
    group = inputs.require("security_group_id")
    kind = inputs.require("type")
    peers = {
        "cidr_blocks": inputs.plain("cidr_blocks"),
        "ipv6_cidr_blocks": inputs.plain("ipv6_cidr_blocks"),
        "prefix_list_ids": inputs.plain("prefix_list_ids"),
        "security_groups": [inputs["source_security_group_id"]]
        if "source_security_group_id" in inputs
        else None,
        "self": inputs.get("self"),
    }
    rule = Inputs(
        {
            "protocol": inputs.require("protocol"),
            "from_port": inputs.get("from_port"),
            "to_port": inputs.get("to_port"),
            "description": inputs.get("description"),
            **{k: v for k, v in peers.items() if v is not None},
        }
    )
    permission = _inline_permission(rule, group)
    getattr(ec2, f"authorize_security_group_{kind}")(GroupId=group, IpPermissions=[permission])
    digest = hashlib.sha256(json.dumps(permission, sort_keys=True).encode()).hexdigest()
    return f"sgrule-{digest[:10]}", {}


CREATORS = {
    "aws:ec2/securityGroup:SecurityGroup": security_group,
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": default_security_group,
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": _rule("ingress"),
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": _rule("egress"),
    "aws:ec2/securityGroupRule:SecurityGroupRule": legacy_rule,
}
