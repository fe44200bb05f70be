"""DynamoDB tables, with point-in-time recovery and TTL (which DynamoDB sets apart from the
table)."""

from __future__ import annotations

from typing import Any

from scripts.emulate.creators.base import (
    Made,
    Target,
    physical_name,
    tag_list,
    tags,
    without_none,
)
from scripts.emulate.inputs import Inputs


def _index(index: Inputs, provisioned: bool) -> dict[str, Any]:
    keys = [{"AttributeName": index.require("hash_key"), "KeyType": "HASH"}]
    if "range_key" in index:
        keys.append({"AttributeName": index["range_key"], "KeyType": "RANGE"})
    projection = without_none(
        ProjectionType=index.require("projection_type"),
        NonKeyAttributes=index.plain("non_key_attributes"),
    )
    out: dict[str, Any] = {"IndexName": index.require("name"), "KeySchema": keys}
    out["Projection"] = projection
    if provisioned:
        out["ProvisionedThroughput"] = {
            "ReadCapacityUnits": index.get("read_capacity", 1),
            "WriteCapacityUnits": index.get("write_capacity", 1),
        }
    return out


def table(inputs: Inputs, target: Target, clients) -> Made:
    dynamodb = clients("dynamodb")
    name = physical_name(inputs, target, max_length=255)
    mode = inputs.get("billing_mode", "PROVISIONED")
    provisioned = mode == "PROVISIONED"
    keys = [{"AttributeName": inputs.require("hash_key"), "KeyType": "HASH"}]
    if "range_key" in inputs:
        keys.append({"AttributeName": inputs["range_key"], "KeyType": "RANGE"})
    args: dict[str, Any] = {
        "TableName": name,
        "BillingMode": mode,
        "KeySchema": keys,
        "AttributeDefinitions": [
            {"AttributeName": a.require("name"), "AttributeType": a.require("type")}
            for a in inputs.require("attributes")
        ],
        "Tags": tag_list(tags(inputs, target)),
    }
    if provisioned:
        args["ProvisionedThroughput"] = {
            "ReadCapacityUnits": inputs.get("read_capacity", 1),
            "WriteCapacityUnits": inputs.get("write_capacity", 1),
        }
    sse = inputs.get("server_side_encryption")
    if sse is not None:
        args["SSESpecification"] = without_none(
            Enabled=sse.require("enabled"),
            SSEType="KMS" if sse.get("enabled") else None,
            KMSMasterKeyId=sse.get("kms_key_arn"),
        )
    if "stream_enabled" in inputs:
        args["StreamSpecification"] = without_none(
            StreamEnabled=inputs["stream_enabled"], StreamViewType=inputs.get("stream_view_type")
        )
    gsis = [_index(i, provisioned) for i in inputs.get("global_secondary_indexes") or []]
    if gsis:
        args["GlobalSecondaryIndexes"] = gsis
    args.update(
        without_none(
            DeletionProtectionEnabled=inputs.get("deletion_protection_enabled"),
            TableClass=inputs.get("table_class"),
        )
    )
    made = dynamodb.create_table(**args)["TableDescription"]
    recovery = inputs.get("point_in_time_recovery")
    if recovery is not None and recovery.get("enabled"):
        dynamodb.update_continuous_backups(
            TableName=name,
            PointInTimeRecoverySpecification=without_none(
                PointInTimeRecoveryEnabled=True,
                RecoveryPeriodInDays=recovery.get("recovery_period_in_days"),
            ),
        )
    ttl = inputs.get("ttl")
    if ttl is not None and ttl.get("enabled"):
        dynamodb.update_time_to_live(
            TableName=name,
            TimeToLiveSpecification={
                "Enabled": True,
                "AttributeName": ttl.require("attribute_name"),
            },
        )
    return name, {
        "arn": made["TableArn"],
        "name": name,
        "stream_arn": made.get("LatestStreamArn"),
        "stream_label": made.get("LatestStreamLabel"),
    }


CREATORS = {"aws:dynamodb/table:Table": table}
