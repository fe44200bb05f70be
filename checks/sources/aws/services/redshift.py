"""Live collector: Redshift clusters as `aws.redshift.Cluster` declares them, the parameter groups
they use (`aws.redshift.ParameterGroup`, the parameters a group sets) and their audit logging
(`aws.redshift.Logging`, one per cluster that logs). Configuration only: never a query, a table
or a log file.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from checks.model import Resource
from checks.sources.aws.collect import Collector, Context
from checks.sources.aws.partial import Misses
from checks.sources.aws.shapes import present, tag_dict

CLUSTER = "aws:redshift/cluster:Cluster"
PARAMETER_GROUP = "aws:redshift/parameterGroup:ParameterGroup"
LOGGING = "aws:redshift/logging:Logging"
# AWS's own parameter groups ("default.redshift-1.0"): no program declares one, so every
# parameter is recorded (a group of the customer's records the parameters it sets, as a program
# declares them; the checks apply the engine's defaults to the rest).
_DEFAULT_GROUP_PREFIX = "default."


def cluster_props(cluster: Mapping[str, Any]) -> dict[str, Any]:
    groups = cluster.get("ClusterParameterGroups") or [{}]
    return present({
        "cluster_identifier": cluster["ClusterIdentifier"],
        "node_type": cluster.get("NodeType"),
        "number_of_nodes": cluster.get("NumberOfNodes"),
        "cluster_version": cluster.get("ClusterVersion"),
        "database_name": cluster.get("DBName"),
        "master_username": cluster.get("MasterUsername"),
        # AWS reports the secret only when it manages the password (never its value).
        "manage_master_password": bool(cluster.get("MasterPasswordSecretArn")),
        # pulumi_aws v7 declares `encrypted` as text ("true"/"false").
        "encrypted": "true" if cluster.get("Encrypted") else "false",
        "kms_key_id": cluster.get("KmsKeyId"),
        "publicly_accessible": cluster.get("PubliclyAccessible"),
        "allow_version_upgrade": cluster.get("AllowVersionUpgrade"),
        "automated_snapshot_retention_period": cluster.get("AutomatedSnapshotRetentionPeriod"),
        "manual_snapshot_retention_period": cluster.get("ManualSnapshotRetentionPeriod"),
        "preferred_maintenance_window": cluster.get("PreferredMaintenanceWindow"),
        "maintenance_track_name": cluster.get("MaintenanceTrackName"),
        "cluster_parameter_group_name": groups[0].get("ParameterGroupName"),
        "cluster_subnet_group_name": cluster.get("ClusterSubnetGroupName"),
        "vpc_security_group_ids": [
            g["VpcSecurityGroupId"] for g in cluster.get("VpcSecurityGroups") or ()
            if "VpcSecurityGroupId" in g
        ],
        "enhanced_vpc_routing": cluster.get("EnhancedVpcRouting"),
        "port": (cluster.get("Endpoint") or {}).get("Port"),
        "tags": tag_dict(cluster.get("Tags")),
    })  # fmt: skip


def _arn(ctx: Context, ident: str) -> str:
    return f"arn:{ctx.partition}:redshift:{ctx.region}:{ctx.account_id}:cluster:{ident}"


def _logging(ctx: Context, client: Any, ident: str) -> Resource | None:
    """The cluster's audit logging, as the `aws.redshift.Logging` that turns it on (None: off)."""
    status = ctx.call(client, "DescribeLoggingStatus", ClusterIdentifier=ident)
    if not status.get("LoggingEnabled"):
        return None
    props = present({
        "cluster_identifier": ident,
        "log_destination_type": status.get("LogDestinationType"),
        "bucket_name": status.get("BucketName"),
        "s3_key_prefix": status.get("S3KeyPrefix"),
        "log_exports": status.get("LogExports") or None,
    })  # fmt: skip
    return ctx.resource(LOGGING, ident, props, id=ident)


def _parameter_group(ctx: Context, client: Any, name: str) -> Resource | None:
    """One parameter group with the parameters it sets (None: it no longer exists)."""
    groups = list(ctx.pages(client, "DescribeClusterParameterGroups", "ParameterGroups",
                            ParameterGroupName=name))  # fmt: skip
    if not groups:
        return None
    source = {} if name.startswith(_DEFAULT_GROUP_PREFIX) else {"Source": "user"}
    parameters = [
        {"name": p["ParameterName"], "value": p.get("ParameterValue")}
        for p in ctx.pages(client, "DescribeClusterParameters", "Parameters",
                           ParameterGroupName=name, **source)
        if "ParameterName" in p
    ]  # fmt: skip
    props = present({
        "name": name,
        "family": groups[0].get("ParameterGroupFamily"),
        "description": groups[0].get("Description"),
        "parameters": parameters,
        "tags": tag_dict(groups[0].get("Tags")),
    })  # fmt: skip
    return ctx.resource(PARAMETER_GROUP, name, props, id=name)


def _clusters(ctx: Context) -> Iterator[Resource]:
    client = ctx.client()
    clusters = list(ctx.pages(client, "DescribeClusters", "Clusters"))
    groups: set[str] = set()
    for cluster in clusters:
        ident = cluster["ClusterIdentifier"]
        props = cluster_props(cluster)
        if props.get("cluster_parameter_group_name"):
            groups.add(props["cluster_parameter_group_name"])
        yield ctx.resource(CLUSTER, ident, props, id=ident, arn=_arn(ctx, ident))
    with Misses(ctx, (LOGGING,), "cluster") as missed:
        for cluster in clusters:
            with missed.of(cluster["ClusterIdentifier"]):
                logging = _logging(ctx, client, cluster["ClusterIdentifier"])
                if logging is not None:
                    yield logging
    # Only the groups clusters use: every region holds AWS's default groups, which judge nothing
    # until a cluster names one.
    with Misses(ctx, (PARAMETER_GROUP,), "parameter group") as missed:
        for name in sorted(groups):
            with missed.of(name):
                group = _parameter_group(ctx, client, name)
                if group is not None:
                    yield group


COLLECTORS: list[Collector] = [
    Collector(
        "redshift",
        (CLUSTER, LOGGING, PARAMETER_GROUP),
        (
            "redshift:DescribeClusters",
            "redshift:DescribeLoggingStatus",
            "redshift:DescribeClusterParameterGroups",
            "redshift:DescribeClusterParameters",
        ),
        _clusters,
    ),
]
