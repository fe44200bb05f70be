"""RDS and Aurora: DB instances (a cluster's members as `rds.ClusterInstance`, as a program
declares them), clusters, DB and cluster snapshots with who may restore them, parameter groups
and cluster parameter groups with the parameters set in them, subnet groups and event
subscriptions.

Configuration only: never a connection to a database, never a password (a managed master
password is named by its secret's ARN).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from checks.model import Resource
from checks.sources.aws.collect import CollectionError, Collector, Context
from checks.sources.aws.services import rds_shapes as shapes
from checks.sources.aws.services.datastores import ManagedKeys, partly_read, tag_map

INSTANCE = "aws:rds/instance:Instance"
CLUSTER = "aws:rds/cluster:Cluster"
CLUSTER_INSTANCE = "aws:rds/clusterInstance:ClusterInstance"
SNAPSHOT = "aws:rds/snapshot:Snapshot"
CLUSTER_SNAPSHOT = "aws:rds/clusterSnapshot:ClusterSnapshot"
PARAMETER_GROUP = "aws:rds/parameterGroup:ParameterGroup"
CLUSTER_PARAMETER_GROUP = "aws:rds/clusterParameterGroup:ClusterParameterGroup"
SUBNET_GROUP = "aws:rds/subnetGroup:SubnetGroup"
EVENT_SUBSCRIPTION = "aws:rds/eventSubscription:EventSubscription"
TAGS = "rds:ListTagsForResource"


def _ours(engine: Any) -> bool:
    return not str(engine or "").startswith(shapes.OTHER_SERVICES_ENGINES)


def _listed_instances(ctx: Context) -> Iterator[Mapping[str, Any]]:
    """Every instance of the region, or only the changed ones (by identifier or ARN)."""
    wanted = ctx.narrowed(INSTANCE, (INSTANCE, CLUSTER_INSTANCE))
    if wanted is None:
        yield from ctx.pages(ctx.client(), "DescribeDBInstances", "DBInstances")
        return
    for ids in wanted:
        answer = ctx.lookup(ctx.client(), "DescribeDBInstances", DBInstanceIdentifier=ids[0])
        yield from (answer or {}).get("DBInstances") or ()


def _instances(ctx: Context) -> Iterator[Resource]:
    found = [db for db in _listed_instances(ctx) if _ours(db.get("Engine"))]
    keys = ManagedKeys(ctx) if found else None
    for db in found:
        ident, arn = db["DBInstanceIdentifier"], db.get("DBInstanceArn")
        if db.get("DBClusterIdentifier"):
            props = shapes.cluster_instance(db, keys.name)
            yield ctx.resource(CLUSTER_INSTANCE, ident, props, id=ident, arn=arn)
        else:
            # The provider's id for an instance is its resource id (db-...), not its name.
            props = shapes.instance(db, keys.name)
            yield ctx.resource(INSTANCE, ident, props, id=db.get("DbiResourceId") or ident, arn=arn)


def _clusters(ctx: Context) -> Iterator[Resource]:
    found = [
        db
        for db in ctx.pages(ctx.client(), "DescribeDBClusters", "DBClusters")
        if _ours(db.get("Engine"))
    ]
    keys = ManagedKeys(ctx) if found else None
    for db in found:
        ident = db["DBClusterIdentifier"]
        props = shapes.cluster(db, keys.name)
        yield ctx.resource(CLUSTER, ident, props, id=ident, arn=db.get("DBClusterArn"))


def _snapshot_reader(
    token: str,
    list_call: tuple[str, str],
    attributes_call: tuple[str, str, str, str],
    ident_key: str,
    arn_key: str,
    shape: Callable[[Mapping[str, Any], Any], dict[str, Any]],
) -> Callable[[Context], Iterator[Resource]]:
    """A collector of one kind of snapshot and who may restore it (its `restore` attribute)."""
    operation, items = list_call
    attributes_op, param, result_key, attributes_key = attributes_call

    def collect(ctx: Context) -> Iterator[Resource]:
        rds = ctx.client()
        found = [s for s in ctx.pages(rds, operation, items) if _ours(s.get("Engine"))]
        keys = ManagedKeys(ctx) if found else None
        for snap in found:
            ident = snap[ident_key]
            props = shape(snap, keys.name)
            unread: list[str] = []
            if snap.get("SnapshotType") == "automated":
                props["shared_accounts"] = []  # AWS shares no automated snapshot (only copies)
            else:
                try:
                    answer = ctx.call(rds, attributes_op, **{param: ident})
                    props["shared_accounts"] = shapes.shared_accounts(
                        answer, result_key, attributes_key
                    )
                except CollectionError as exc:
                    ctx.hide((token,), f"{exc} (snapshot {ident})")
                    unread.append("shared_accounts")
            res = ctx.resource(token, ident, props, id=ident, arn=snap.get(arn_key))
            yield partly_read(res, unread)

    return collect


def _tags(ctx: Context, rds: Any, token: str, arn: str | None, where: str) -> dict | None:
    """A resource's tags; None (and a partial gap) when they cannot be read."""
    if not arn:
        return None
    try:
        answer = ctx.call(rds, "ListTagsForResource", ResourceName=arn)
    except CollectionError as exc:
        ctx.hide((token,), f"{exc} ({where})")
        return None
    return tag_map(answer.get("TagList"))


def _parameter_groups(
    token: str, list_call: tuple[str, str], params_call: str, prefix: str
) -> Callable[[Context], Iterator[Resource]]:
    """A collector of (cluster) parameter groups with the parameters set in them (the provider
    records the parameters a group sets, as a program declares them: the rest are the
    engine's defaults, which the checks apply themselves)."""
    operation, items = list_call

    def collect(ctx: Context) -> Iterator[Resource]:
        rds = ctx.client()
        for group in ctx.pages(rds, operation, items):
            name, family = group[f"{prefix}Name"], group.get("DBParameterGroupFamily")
            if not _ours(family):
                continue
            arn, where = group.get(f"{prefix}Arn"), f"parameter group {name}"
            props: dict[str, Any] = {
                "name": name,
                "family": family,
                "description": group.get("Description"),
            }
            unread = []
            try:
                props["parameters"] = [
                    shapes.parameter(p)
                    for p in ctx.pages(
                        rds, params_call, "Parameters", **{f"{prefix}Name": name, "Source": "user"}
                    )
                ]
            except CollectionError as exc:
                ctx.hide((token,), f"{exc} ({where})")
                unread.append("parameters")
            tags = _tags(ctx, rds, token, arn, where)
            if tags is None:
                unread.append("tags")
            else:
                props["tags"] = tags
            yield partly_read(ctx.resource(token, name, props, id=name, arn=arn), unread)

    return collect


def _subnet_groups(ctx: Context) -> Iterator[Resource]:
    rds = ctx.client()
    for group in ctx.pages(rds, "DescribeDBSubnetGroups", "DBSubnetGroups"):
        name, arn = group["DBSubnetGroupName"], group.get("DBSubnetGroupArn")
        tags = _tags(ctx, rds, SUBNET_GROUP, arn, f"subnet group {name}")
        res = ctx.resource(SUBNET_GROUP, name, shapes.subnet_group(group, tags), id=name, arn=arn)
        yield partly_read(res, ["tags"] if tags is None else [])


def _event_subscriptions(ctx: Context) -> Iterator[Resource]:
    rds = ctx.client()
    for sub in ctx.pages(rds, "DescribeEventSubscriptions", "EventSubscriptionsList"):
        name, arn = sub["CustSubscriptionId"], sub.get("EventSubscriptionArn")
        tags = _tags(ctx, rds, EVENT_SUBSCRIPTION, arn, f"event subscription {name}")
        props = shapes.event_subscription(sub, tags)
        res = ctx.resource(EVENT_SUBSCRIPTION, name, props, id=name, arn=arn)
        yield partly_read(res, ["tags"] if tags is None else [])


COLLECTORS: list[Collector] = [
    Collector(
        "rds",
        (INSTANCE, CLUSTER_INSTANCE),
        ("rds:DescribeDBInstances", ManagedKeys.ACTION),
        _instances,
    ),
    Collector("rds", (CLUSTER,), ("rds:DescribeDBClusters", ManagedKeys.ACTION), _clusters),
    Collector(
        "rds",
        (SNAPSHOT,),
        ("rds:DescribeDBSnapshots", "rds:DescribeDBSnapshotAttributes", ManagedKeys.ACTION),
        _snapshot_reader(
            SNAPSHOT,
            ("DescribeDBSnapshots", "DBSnapshots"),
            (
                "DescribeDBSnapshotAttributes",
                "DBSnapshotIdentifier",
                "DBSnapshotAttributesResult",
                "DBSnapshotAttributes",
            ),
            "DBSnapshotIdentifier",
            "DBSnapshotArn",
            shapes.snapshot,
        ),
    ),
    Collector(
        "rds",
        (CLUSTER_SNAPSHOT,),
        (
            "rds:DescribeDBClusterSnapshots",
            "rds:DescribeDBClusterSnapshotAttributes",
            ManagedKeys.ACTION,
        ),
        _snapshot_reader(
            CLUSTER_SNAPSHOT,
            ("DescribeDBClusterSnapshots", "DBClusterSnapshots"),
            (
                "DescribeDBClusterSnapshotAttributes",
                "DBClusterSnapshotIdentifier",
                "DBClusterSnapshotAttributesResult",
                "DBClusterSnapshotAttributes",
            ),
            "DBClusterSnapshotIdentifier",
            "DBClusterSnapshotArn",
            shapes.cluster_snapshot,
        ),
    ),
    Collector(
        "rds",
        (PARAMETER_GROUP,),
        ("rds:DescribeDBParameterGroups", "rds:DescribeDBParameters", TAGS),
        _parameter_groups(
            PARAMETER_GROUP,
            ("DescribeDBParameterGroups", "DBParameterGroups"),
            "DescribeDBParameters",
            "DBParameterGroup",
        ),
    ),
    Collector(
        "rds",
        (CLUSTER_PARAMETER_GROUP,),
        ("rds:DescribeDBClusterParameterGroups", "rds:DescribeDBClusterParameters", TAGS),
        _parameter_groups(
            CLUSTER_PARAMETER_GROUP,
            ("DescribeDBClusterParameterGroups", "DBClusterParameterGroups"),
            "DescribeDBClusterParameters",
            "DBClusterParameterGroup",
        ),
    ),
    Collector("rds", (SUBNET_GROUP,), ("rds:DescribeDBSubnetGroups", TAGS), _subnet_groups),
    Collector(
        "rds",
        (EVENT_SUBSCRIPTION,),
        ("rds:DescribeEventSubscriptions", TAGS),
        _event_subscriptions,
    ),
]
