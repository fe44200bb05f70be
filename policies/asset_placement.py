"""Where each networked resource type names its security groups, subnets and public flag, and
how the ePHI map reads those references (`policies.asset_network` draws the edges)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from checks.splits import reference
from checks.support.cidr import ALL_PROTOCOLS, normalise_protocol
from checks.support.resource_types import (
    ALL_LOAD_BALANCERS,
    EC2_INSTANCE,
    LAMBDA_FUNCTION,
    RDS_CLUSTER,
)

ECS_SERVICE = "aws:ecs/service:Service"
EKS_CLUSTER = "aws:eks/cluster:Cluster"
EFS_FILE_SYSTEM = "aws:efs/fileSystem:FileSystem"
EFS_MOUNT_TARGET = "aws:efs/mountTarget:MountTarget"


@dataclass(frozen=True)
class Placement:
    """Where a type names its security groups, its subnets (or a subnet group) and its public
    flag: each a path of property names through nested blocks."""

    groups: tuple[str, ...]
    subnets: tuple[str, ...] = ()
    subnet_group: tuple[str, str] | None = None  # (property, subnet group type)
    public: tuple[str, ...] = ()
    public_default: bool | None = None  # the flag's value when the resource leaves it unset
    public_when_set: bool = True  # False: the flag says "private" when true (`internal`)


_RDS_GROUP = ("db_subnet_group_name", "aws:rds/subnetGroup:SubnetGroup")
_LB = Placement(("security_groups",), ("subnets",), None, ("internal",), True, False)
PLACEMENTS: Mapping[str, Placement] = {
    **{t: _LB for t in ALL_LOAD_BALANCERS},
    EC2_INSTANCE: Placement(
        ("vpc_security_group_ids",), ("subnet_id",), None, ("associate_public_ip_address",)
    ),
    ECS_SERVICE: Placement(
        ("network_configuration", "security_groups"),
        ("network_configuration", "subnets"),
        None,
        ("network_configuration", "assign_public_ip"),
        False,
    ),
    LAMBDA_FUNCTION: Placement(
        ("vpc_config", "security_group_ids"), ("vpc_config", "subnet_ids"), public_default=False
    ),
    EKS_CLUSTER: Placement(("vpc_config", "security_group_ids"), ("vpc_config", "subnet_ids")),
    "aws:rds/instance:Instance": Placement(
        ("vpc_security_group_ids",), (), _RDS_GROUP, ("publicly_accessible",), False
    ),
    RDS_CLUSTER: Placement(("vpc_security_group_ids",), (), _RDS_GROUP),
    "aws:docdb/cluster:Cluster": Placement(
        ("vpc_security_group_ids",),
        (),
        ("db_subnet_group_name", "aws:docdb/subnetGroup:SubnetGroup"),
    ),
    "aws:neptune/cluster:Cluster": Placement(
        ("vpc_security_group_ids",),
        (),
        ("neptune_subnet_group_name", "aws:neptune/subnetGroup:SubnetGroup"),
    ),
    "aws:elasticache/cluster:Cluster": Placement(
        ("security_group_ids",),
        (),
        ("subnet_group_name", "aws:elasticache/subnetGroup:SubnetGroup"),
        public_default=False,
    ),
    "aws:elasticache/replicationGroup:ReplicationGroup": Placement(
        ("security_group_ids",),
        (),
        ("subnet_group_name", "aws:elasticache/subnetGroup:SubnetGroup"),
        public_default=False,
    ),
    "aws:redshift/cluster:Cluster": Placement(
        ("vpc_security_group_ids",),
        (),
        ("cluster_subnet_group_name", "aws:redshift/subnetGroup:SubnetGroup"),
        ("publicly_accessible",),
    ),
    "aws:opensearch/domain:Domain": Placement(
        ("vpc_options", "security_group_ids"), ("vpc_options", "subnet_ids")
    ),
    "aws:elasticsearch/domain:Domain": Placement(
        ("vpc_options", "security_group_ids"), ("vpc_options", "subnet_ids")
    ),
    "aws:msk/cluster:Cluster": Placement(
        ("broker_node_group_info", "security_groups"), ("broker_node_group_info", "client_subnets")
    ),
}
COMPUTE_TYPES = (EC2_INSTANCE, ECS_SERVICE, LAMBDA_FUNCTION, EKS_CLUSTER)
SEARCH_DOMAINS = ("aws:opensearch/domain:Domain", "aws:elasticsearch/domain:Domain")


def walk(value: Any, path: Sequence[str]) -> tuple[list[Any], bool]:
    """The values at `path` through nested blocks (mappings or lists of them), and whether any
    step could not be read (unknown, secret, made up beyond following)."""
    if not path:
        items = value if isinstance(value, (list, tuple)) else [value]
        return [v for v in items if v is not None], False
    if isinstance(value, Mapping):
        return walk(value.get(path[0]), path[1:])
    if isinstance(value, (list, tuple)):
        found, hidden = [], False
        for item in value:
            more, unseen = walk(item, path)
            found += more
            hidden = hidden or unseen
        return found, hidden
    return [], value is not None


def reference_texts(props: Mapping[str, Any], path: Sequence[str]) -> tuple[list[str], bool]:
    """The references at `path` as text to follow, and whether one could not be read."""
    if not path:
        return [], False
    values, hidden = walk(props, path)
    texts = []
    for value in values:
        text, _ = reference(value)
        if text is None:
            hidden = True
        else:
            texts.append(text)
    return texts, hidden


def ports_text(protocol: Any, low: Any, high: Any) -> str:
    """A rule's protocol and ports in words ("tcp 443", "tcp 1024-65535", "all traffic")."""
    if not all(v is None or isinstance(v, (str, int)) for v in (protocol, low, high)):
        return "ports not known yet"  # an unknown, made-up or secret value: never its text
    proto = normalise_protocol(protocol)
    if proto in ALL_PROTOCOLS:
        return "all traffic"
    if low is None and high is None:
        return f"{proto} all ports"
    if low == high or high is None:
        return f"{proto} {low}"
    return f"{proto} {low}-{high}"
