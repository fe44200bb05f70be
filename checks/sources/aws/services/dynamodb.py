"""DynamoDB tables: keys and capacity, server-side encryption, point-in-time recovery, deletion
protection, TTL and tags, as pulumi_aws names them on `dynamodb.Table`.

Configuration only: never an item (no Scan, Query or GetItem).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from checks.model import Resource
from checks.sources.aws.collect import CollectionError, Collector, Context
from checks.sources.aws.services.datastores import (
    ManagedKeys,
    barely_read,
    partly_read,
    present,
    read_setting,
    tag_map,
)

TABLE = "aws:dynamodb/table:Table"
# SSE states in which the table's data is encrypted under the reported key.
_SSE_ON = ("ENABLED", "UPDATING")
_ON = ("ENABLED", "ENABLING")
# Properties a table may lack because it does not use them (absent: the provider's default).
_OPTIONAL = (
    "range_key", "read_capacity", "write_capacity", "global_secondary_indexes",
    "local_secondary_indexes", "server_side_encryption", "stream_view_type", "stream_arn",
    "table_class", "replicas",
)  # fmt: skip


def _key_schema(schema: Any) -> dict[str, Any]:
    keys = {k.get("KeyType"): k.get("AttributeName") for k in schema or ()}
    return present({"hash_key": keys.get("HASH"), "range_key": keys.get("RANGE")})


def _capacity(throughput: Mapping[str, Any] | None) -> dict[str, Any]:
    throughput = throughput or {}
    return present(
        {
            "read_capacity": throughput.get("ReadCapacityUnits"),
            "write_capacity": throughput.get("WriteCapacityUnits"),
        }
    )


def _index(index: Mapping[str, Any], provisioned: bool) -> dict[str, Any]:
    projection = index.get("Projection") or {}
    return present(
        {
            "name": index.get("IndexName"),
            **_key_schema(index.get("KeySchema")),
            "projection_type": projection.get("ProjectionType"),
            "non_key_attributes": projection.get("NonKeyAttributes"),
            **(_capacity(index.get("ProvisionedThroughput")) if provisioned else {}),
        }
    )


def _encryption(table: Mapping[str, Any], keys: ManagedKeys) -> dict[str, Any] | None:
    """`server_side_encryption` as the provider records it: the key only when it is the
    customer's (a table under the AWS-managed aws/dynamodb key names none; one under an
    AWS-owned key reports no SSE at all)."""
    sse = table.get("SSEDescription")
    if not sse:
        return None
    enabled = sse.get("Status") in _SSE_ON
    key = sse.get("KMSMasterKeyArn")
    if key and not isinstance(named := keys.name(key), str):  # cannot tell whose key it is
        return {"enabled": enabled, "kms_key_arn": named}
    if key and not keys.is_managed(key):
        return {"enabled": enabled, "kms_key_arn": key}
    return {"enabled": enabled}


def table_props(table: Mapping[str, Any], keys: ManagedKeys) -> dict[str, Any]:
    """What DescribeTable says of a table, as `dynamodb.Table` properties."""
    mode = (table.get("BillingModeSummary") or {}).get("BillingMode") or "PROVISIONED"
    provisioned = mode == "PROVISIONED"
    stream = table.get("StreamSpecification") or {}
    return present(
        {
            "name": table["TableName"],
            "billing_mode": mode,
            **_key_schema(table.get("KeySchema")),
            "attributes": [
                {"name": a["AttributeName"], "type": a["AttributeType"]}
                for a in table.get("AttributeDefinitions") or ()
            ],
            **(_capacity(table.get("ProvisionedThroughput")) if provisioned else {}),
            "global_secondary_indexes": [
                _index(i, provisioned) for i in table.get("GlobalSecondaryIndexes") or ()
            ]
            or None,
            "local_secondary_indexes": [
                _index(i, False) for i in table.get("LocalSecondaryIndexes") or ()
            ]
            or None,
            "server_side_encryption": _encryption(table, keys),
            "deletion_protection_enabled": bool(table.get("DeletionProtectionEnabled")),
            "stream_enabled": bool(stream.get("StreamEnabled")),
            "stream_view_type": stream.get("StreamViewType"),
            "stream_arn": table.get("LatestStreamArn"),
            "table_class": (table.get("TableClassSummary") or {}).get("TableClass"),
            "replicas": [
                present(
                    {"region_name": r.get("RegionName"), "kms_key_arn": r.get("KMSMasterKeyId")}
                )
                for r in table.get("Replicas") or ()
            ]
            or None,
        }
    )


def _recovery(answer: Mapping[str, Any] | None) -> dict[str, Any]:
    pitr = (answer or {}).get("ContinuousBackupsDescription", {}).get(
        "PointInTimeRecoveryDescription"
    ) or {}
    if pitr.get("PointInTimeRecoveryStatus") != "ENABLED":
        return {"enabled": False}
    return present({"enabled": True, "recovery_period_in_days": pitr.get("RecoveryPeriodInDays")})


def _ttl(answer: Mapping[str, Any] | None) -> dict[str, Any]:
    ttl = (answer or {}).get("TimeToLiveDescription") or {}
    if ttl.get("TimeToLiveStatus") not in _ON:
        return {"enabled": False}
    return {"enabled": True, "attribute_name": ttl.get("AttributeName")}


def _table(ctx: Context, ddb: Any, name: str, keys: ManagedKeys) -> Resource | None:
    where = f"table {name}"
    answer, read = read_setting(ctx, ddb, "DescribeTable", (TABLE,), where, TableName=name)
    if not read:  # known to exist, nothing else: every check of it cannot decide
        return barely_read(ctx.resource(TABLE, name, {"name": name}, id=name))
    if answer is None:  # deleted while the audit ran
        return None
    table = answer["Table"]
    props = table_props(table, keys)
    unread = []
    settings = (
        ("point_in_time_recovery", "DescribeContinuousBackups", _recovery),
        ("ttl", "DescribeTimeToLive", _ttl),
    )
    for key, operation, shape in settings:
        answer, read = read_setting(ctx, ddb, operation, (TABLE,), where, TableName=name)
        if read:
            props[key] = shape(answer)
        else:
            unread.append(key)
    arn = table.get("TableArn")
    try_tags = ctx.pages(ddb, "ListTagsOfResource", "Tags", ResourceArn=arn)
    tags, read = _tags(ctx, try_tags, where)
    if read:
        props["tags"] = tags
    else:
        unread.append("tags")
    res = ctx.resource(TABLE, name, props, id=name, arn=arn)
    return partly_read(res, unread, absent=_OPTIONAL)


def _tags(ctx: Context, pages: Iterator[Any], where: str) -> tuple[dict[str, str], bool]:
    try:
        return tag_map(list(pages)), True
    except CollectionError as exc:
        ctx.hide((TABLE,), f"{exc} ({where})")
        return {}, False


def _tables(ctx: Context) -> Iterator[Resource]:
    ddb = ctx.client()
    names = list(ctx.pages(ddb, "ListTables", "TableNames"))
    keys = ManagedKeys(ctx) if names else None
    for name in names:
        res = _table(ctx, ddb, name, keys)
        if res is not None:
            yield res


COLLECTORS: list[Collector] = [
    Collector(
        "dynamodb",
        (TABLE,),
        (
            "dynamodb:ListTables",
            "dynamodb:DescribeTable",
            "dynamodb:DescribeContinuousBackups",
            "dynamodb:DescribeTimeToLive",
            "dynamodb:ListTagsOfResource",
            ManagedKeys.ACTION,
        ),
        _tables,
    ),
]
