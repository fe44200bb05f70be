"""Joins the check library shares beyond the model's own: references between resources by id,
ARN or name, and the regions an inventory spans.

A reference property (`vpc_id`, `parameter_group_name`, `web_acl_arn`, ...) may hold any of a
resource's identifiers, so a resource is matched on its id, its ARN and its name properties.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from checks.model import Inventory, Resource, Undecidable, contains_unknown
from checks.support.props import known_value

# Properties that carry a resource's own name, by which other resources may refer to it.
NAME_KEYS = ("name", "identifier", "cluster_identifier", "bucket", "function_name")


def names(res: Resource) -> set[str]:
    """Every identifier by which another resource may refer to `res`."""
    found = {res.id, res.arn, *(res.props.get(k) for k in NAME_KEYS)}
    return {n for n in found if isinstance(n, str) and n}


def refers_to(ref: Any, res: Resource) -> bool:
    return isinstance(ref, str) and ref in names(res)


def _name_index(inv: Inventory) -> dict[str, list[Resource]]:
    def build() -> dict[str, list[Resource]]:
        index: dict[str, list[Resource]] = {}
        for res in inv:
            for name in names(res):
                index.setdefault(name, []).append(res)
        return index

    return inv.memo("joins.names", build)


def resolve(inv: Inventory, ref: Any, types: Iterable[str], what: str) -> Resource | None:
    """The resource of one of `types` that `ref` names; None when the inventory has none.

    Undecidable when the reference itself is not known yet.
    """
    ref = known_value(ref, what)
    if not isinstance(ref, str) or not ref:
        return None
    order = {t: i for i, t in enumerate(types)}
    matches = [r for r in _name_index(inv).get(ref, ()) if r.type in order]
    return min(matches, key=lambda r: order[r.type]) if matches else None


def _refs(value: Any) -> list[Any]:
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _reference_index(
    inv: Inventory, types: tuple[str, ...], key: str
) -> tuple[dict[str, list[Resource]], list[Resource]]:
    """Resources of `types` by each reference their `key` holds, and those whose is unknown."""

    def build() -> tuple[dict[str, list[Resource]], list[Resource]]:
        index: dict[str, list[Resource]] = {}
        pending: list[Resource] = []
        for res in inv.by_type(*types):
            refs = _refs(res.props.get(key))
            for ref in refs:
                if isinstance(ref, str):
                    index.setdefault(ref, []).append(res)
            if contains_unknown(refs):
                pending.append(res)
        return index, pending

    return inv.memo(("joins.refs", types, key), build)


def _positions(inv: Inventory, types: Iterable[str]) -> dict[int, int]:
    return {id(r): i for i, r in enumerate(inv.by_type(*types))}


def referrers(inv: Inventory, target: Resource, types: Iterable[str], key: str) -> list[Resource]:
    """Resources of `types` whose property `key` (one reference or a list) names `target`.

    Undecidable when none does but some reference is not known yet: it may be the target.
    """
    index, pending = _reference_index(inv, tuple(types), key)
    found: list[Resource] = []
    for name in sorted(names(target)):
        found.extend(r for r in index.get(name, ()) if not any(r is f for f in found))
    if len(found) > 1:  # keep the inventory's order, as a plain scan would
        order = inv.memo(("joins.order", tuple(types)), lambda: _positions(inv, types))
        found.sort(key=lambda r: order[id(r)])
    if not found and pending:
        raise Undecidable(
            f"the {key} of {pending[0].name} is not known yet, so whether it names "
            f"{target.name} cannot be told"
        )
    return found


def audited_regions(inv: Inventory) -> list[str]:
    """The regions the inventory's resources live in: those account-wide services must cover."""
    return sorted({r.region for r in inv if isinstance(r.region, str) and r.region})


def arn_of(res: Resource) -> str:
    for arn in (res.arn, res.props.get("arn")):
        if isinstance(arn, str) and arn:
            return arn
    raise Undecidable(f"the ARN of {res.name} is not known yet")


# Types no check is declared for, but that checks read through the joins above (or account-level
# checks read whole): a scan that holds them has not left them unexamined.
READ_THROUGH_JOINS: frozenset[str] = frozenset(
    {
        "aws:backup/restoreTestingPlan:RestoreTestingPlan",
        "aws:backup/restoreTestingSelection:RestoreTestingSelection",
        "aws:backup/selection:Selection",
        "aws:backup/vaultLockConfiguration:VaultLockConfiguration",
        "aws:backup/vaultPolicy:VaultPolicy",
        "aws:cfg/deliveryChannel:DeliveryChannel",
        "aws:cfg/recorder:Recorder",
        "aws:cfg/recorderStatus:RecorderStatus",
        "aws:cloudwatch/logMetricFilter:LogMetricFilter",
        "aws:ebs/encryptionByDefault:EncryptionByDefault",
        "aws:ec2/defaultRouteTable:DefaultRouteTable",
        "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
        "aws:ec2/eip:Eip",
        "aws:ec2/flowLog:FlowLog",
        "aws:ec2/instanceMetadataDefaults:InstanceMetadataDefaults",
        "aws:ec2/internetGateway:InternetGateway",
        "aws:ec2/mainRouteTableAssociation:MainRouteTableAssociation",
        "aws:ec2/networkAclRule:NetworkAclRule",
        "aws:ec2/route:Route",
        "aws:ec2/routeTable:RouteTable",
        "aws:ec2/routeTableAssociation:RouteTableAssociation",
        "aws:efs/mountTarget:MountTarget",
        "aws:elasticache/subnetGroup:SubnetGroup",
        "aws:guardduty/detector:Detector",
        "aws:iam/accountPasswordPolicy:AccountPasswordPolicy",
        "aws:iam/group:Group",
        "aws:iam/groupMembership:GroupMembership",
        "aws:iam/userGroupMembership:UserGroupMembership",
        "aws:rds/clusterParameterGroup:ClusterParameterGroup",
        "aws:rds/parameterGroup:ParameterGroup",
        "aws:rds/subnetGroup:SubnetGroup",
        "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock",
        "aws:secretsmanager/secretRotation:SecretRotation",
        "aws:securityhub/account:Account",
        "aws:sns/topicPolicy:TopicPolicy",
        "aws:sqs/queuePolicy:QueuePolicy",
        "aws:wafv2/webAclAssociation:WebAclAssociation",
        "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration",
        "aws:wafv2/webAclRule:WebAclRule",
        "aws:wafv2/webAclRuleGroupAssociation:WebAclRuleGroupAssociation",
    }
)
