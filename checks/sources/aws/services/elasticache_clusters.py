"""Live collectors: ElastiCache cache clusters (`aws.elasticache.Cluster`) and replication groups
(`aws.elasticache.ReplicationGroup`): engine, backups, encryption and placement. Cached data is
never read."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from checks.model import Resource
from checks.sources.aws.collect import Collector, Context
from checks.sources.aws.shapes import present

CACHE_CLUSTER = "aws:elasticache/cluster:Cluster"
REPLICATION_GROUP = "aws:elasticache/replicationGroup:ReplicationGroup"


def cache_cluster_props(cluster: Mapping[str, Any]) -> dict[str, Any]:
    auto_upgrade = cluster.get("AutoMinorVersionUpgrade")
    return present({
        "cluster_id": cluster["CacheClusterId"],
        "engine": cluster.get("Engine"),
        "engine_version": cluster.get("EngineVersion"),
        "node_type": cluster.get("CacheNodeType"),
        "num_cache_nodes": cluster.get("NumCacheNodes"),
        "replication_group_id": cluster.get("ReplicationGroupId"),
        "snapshot_retention_limit": cluster.get("SnapshotRetentionLimit"),
        "snapshot_window": cluster.get("SnapshotWindow"),
        "subnet_group_name": cluster.get("CacheSubnetGroupName"),
        "security_group_ids": [
            g["SecurityGroupId"] for g in cluster.get("SecurityGroups") or ()
            if "SecurityGroupId" in g
        ] or None,
        "transit_encryption_enabled": cluster.get("TransitEncryptionEnabled"),
        "maintenance_window": cluster.get("PreferredMaintenanceWindow"),
        # pulumi_aws v7 declares it as text ("true"/"false").
        "auto_minor_version_upgrade": None if auto_upgrade is None else str(auto_upgrade).lower(),
        "arn": cluster.get("ARN"),
    })  # fmt: skip


def replication_group_props(group: Mapping[str, Any]) -> dict[str, Any]:
    return present({
        "replication_group_id": group["ReplicationGroupId"],
        "description": group.get("Description"),
        "engine": group.get("Engine"),
        "node_type": group.get("CacheNodeType"),
        "snapshot_retention_limit": group.get("SnapshotRetentionLimit"),
        "snapshot_window": group.get("SnapshotWindow"),
        "automatic_failover_enabled": group.get("AutomaticFailover") in ("enabled", "enabling"),
        "multi_az_enabled": group.get("MultiAZ") == "enabled",
        "at_rest_encryption_enabled": group.get("AtRestEncryptionEnabled"),
        "transit_encryption_enabled": group.get("TransitEncryptionEnabled"),
        "kms_key_id": group.get("KmsKeyId"),
        "arn": group.get("ARN"),
    })  # fmt: skip


def _cache_clusters(ctx: Context) -> Iterator[Resource]:
    client = ctx.client()
    for cluster in ctx.pages(client, "DescribeCacheClusters", "CacheClusters"):
        ident = cluster["CacheClusterId"]
        props = cache_cluster_props(cluster)
        yield ctx.resource(CACHE_CLUSTER, ident, props, id=ident, arn=cluster.get("ARN"))


def _replication_groups(ctx: Context) -> Iterator[Resource]:
    client = ctx.client()
    for group in ctx.pages(client, "DescribeReplicationGroups", "ReplicationGroups"):
        ident = group["ReplicationGroupId"]
        props = replication_group_props(group)
        yield ctx.resource(REPLICATION_GROUP, ident, props, id=ident, arn=group.get("ARN"))


COLLECTORS: list[Collector] = [
    Collector(
        "elasticache",
        (CACHE_CLUSTER,),
        ("elasticache:DescribeCacheClusters",),
        _cache_clusters,
    ),
    Collector(
        "elasticache",
        (REPLICATION_GROUP,),
        ("elasticache:DescribeReplicationGroups",),
        _replication_groups,
    ),
]
