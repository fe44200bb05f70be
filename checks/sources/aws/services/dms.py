"""Live collector: DMS replication instances as `aws.dms.ReplicationInstance` declares them
(placement, public access, key). Configuration only: never a task's data or its table
statistics."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from checks.model import Resource
from checks.sources.aws.collect import Collector, Context
from checks.sources.aws.shapes import present

REPLICATION_INSTANCE = "aws:dms/replicationInstance:ReplicationInstance"


def replication_instance_props(instance: Mapping[str, Any]) -> dict[str, Any]:
    subnet_group = instance.get("ReplicationSubnetGroup") or {}
    return present({
        "replication_instance_id": instance["ReplicationInstanceIdentifier"],
        "replication_instance_class": instance.get("ReplicationInstanceClass"),
        "replication_instance_arn": instance.get("ReplicationInstanceArn"),
        "publicly_accessible": instance.get("PubliclyAccessible"),
        "kms_key_arn": instance.get("KmsKeyId"),
        "multi_az": instance.get("MultiAZ"),
        "engine_version": instance.get("EngineVersion"),
        "auto_minor_version_upgrade": instance.get("AutoMinorVersionUpgrade"),
        "allocated_storage": instance.get("AllocatedStorage"),
        "replication_subnet_group_id": subnet_group.get("ReplicationSubnetGroupIdentifier"),
        "vpc_security_group_ids": [
            g["VpcSecurityGroupId"] for g in instance.get("VpcSecurityGroups") or ()
            if "VpcSecurityGroupId" in g
        ] or None,
        "preferred_maintenance_window": instance.get("PreferredMaintenanceWindow"),
        "network_type": instance.get("NetworkType"),
    })  # fmt: skip


def _replication_instances(ctx: Context) -> Iterator[Resource]:
    client = ctx.client()
    for instance in ctx.pages(client, "DescribeReplicationInstances", "ReplicationInstances"):
        ident = instance["ReplicationInstanceIdentifier"]
        props = replication_instance_props(instance)
        arn = instance.get("ReplicationInstanceArn")
        yield ctx.resource(REPLICATION_INSTANCE, ident, props, id=ident, arn=arn)


COLLECTORS: list[Collector] = [
    Collector(
        "dms",
        (REPLICATION_INSTANCE,),
        ("dms:DescribeReplicationInstances",),
        _replication_instances,
    )
]
