"""Live collectors: AWS Config in each region, as `aws.cfg.Recorder` (what it records),
`aws.cfg.RecorderStatus` (whether it is recording) and `aws.cfg.DeliveryChannel` (where the
records go) declare it. One collector each, so a denied call hides only its own type.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from checks.model import Resource
from checks.sources.aws.collect import Collector, Context
from checks.sources.aws.shapes import present, snake_keys

RECORDER = "aws:cfg/recorder:Recorder"
RECORDER_STATUS = "aws:cfg/recorderStatus:RecorderStatus"
DELIVERY_CHANNEL = "aws:cfg/deliveryChannel:DeliveryChannel"


def recording_group(group: Mapping[str, Any]) -> dict[str, Any]:
    """The recording group as the provider declares it. Checks take an absent `all_supported`
    for the API's default (on): it must be real."""
    excluded = (group.get("exclusionByResourceTypes") or {}).get("resourceTypes") or []
    strategy = (group.get("recordingStrategy") or {}).get("useOnly")
    return present(
        {
            "all_supported": bool(group["allSupported"]),
            "include_global_resource_types": group.get("includeGlobalResourceTypes"),
            "resource_types": list(group.get("resourceTypes") or []) or None,
            "exclusion_by_resource_types": [{"resource_types": excluded}] if excluded else None,
            "recording_strategies": [{"use_only": strategy}] if strategy else None,
        }
    )


def recorder_props(recorder: Mapping[str, Any]) -> dict[str, Any]:
    mode = recorder.get("recordingMode")
    return present(
        {
            "name": recorder["name"],
            "role_arn": recorder.get("roleARN"),
            "recording_group": recording_group(recorder["recordingGroup"]),
            "recording_mode": snake_keys(mode) if mode else None,
        }
    )


def _recorders(ctx: Context) -> Iterator[Resource]:
    client = ctx.client()
    for recorder in ctx.pages(client, "DescribeConfigurationRecorders", "ConfigurationRecorders"):
        name, arn = recorder["name"], recorder.get("arn")
        yield ctx.resource(RECORDER, name, recorder_props(recorder), id=name, arn=arn)


def _statuses(ctx: Context) -> Iterator[Resource]:
    client = ctx.client()
    found = ctx.pages(client, "DescribeConfigurationRecorderStatus", "ConfigurationRecordersStatus")
    for status in found:
        name = status["name"]
        props = {"name": name, "is_enabled": bool(status["recording"])}
        yield ctx.resource(RECORDER_STATUS, name, props, id=name)


def channel_props(channel: Mapping[str, Any]) -> dict[str, Any]:
    snapshots = (channel.get("configSnapshotDeliveryProperties") or {}).get("deliveryFrequency")
    return present(
        {
            "name": channel["name"],
            "s3_bucket_name": channel.get("s3BucketName"),
            "s3_key_prefix": channel.get("s3KeyPrefix"),
            "s3_kms_key_arn": channel.get("s3KmsKeyArn"),
            "sns_topic_arn": channel.get("snsTopicARN"),
            "snapshot_delivery_properties": (
                {"delivery_frequency": snapshots} if snapshots else None
            ),
        }
    )


def _channels(ctx: Context) -> Iterator[Resource]:
    for channel in ctx.pages(ctx.client(), "DescribeDeliveryChannels", "DeliveryChannels"):
        name = channel["name"]
        yield ctx.resource(DELIVERY_CHANNEL, name, channel_props(channel), id=name)


COLLECTORS: list[Collector] = [
    Collector("config", (RECORDER,), ("config:DescribeConfigurationRecorders",), _recorders),
    Collector(
        "config", (RECORDER_STATUS,), ("config:DescribeConfigurationRecorderStatus",), _statuses
    ),
    Collector("config", (DELIVERY_CHANNEL,), ("config:DescribeDeliveryChannels",), _channels),
]
