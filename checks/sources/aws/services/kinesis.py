"""Live collectors: Kinesis data streams (`aws.kinesis.Stream`: encryption, key, mode, tags) and
Firehose delivery streams (`aws.kinesis.FirehoseDeliveryStream`: server-side encryption, source,
destination, tags). Never a record: no GetRecords, no shard iterators.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from checks.model import Resource
from checks.sources.aws.collect import MAX_PAGES, CollectionError, Collector, Context
from checks.sources.aws.partial import Misses
from checks.sources.aws.shapes import present, snake, tag_dict

STREAM = "aws:kinesis/stream:Stream"
DELIVERY_STREAM = "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream"


def _followed(
    ctx: Context, call: Callable[[str | None], Mapping[str, Any]], key: str, more: str, last: str
) -> Iterator[Any]:
    """Items of a list Firehose pages by "start after this one" (`more` says whether there are
    more; `last` names the field of an item to start after)."""
    start: str | None = None
    for _ in range(MAX_PAGES):
        answer = call(start)
        items = list(answer.get(key) or ())
        yield from items
        if not answer.get(more) or not items:
            return
        start = items[-1][last] if last else items[-1]
    raise CollectionError(f"the {key} listing was still going after {MAX_PAGES} pages")


def stream_props(summary: Mapping[str, Any], tags: dict[str, Any]) -> dict[str, Any]:
    mode = (summary.get("StreamModeDetails") or {}).get("StreamMode")
    return present({
        "name": summary.get("StreamName"),
        "arn": summary.get("StreamARN"),
        "encryption_type": summary.get("EncryptionType"),
        "kms_key_id": summary.get("KeyId"),
        "retention_period": summary.get("RetentionPeriodHours"),
        "shard_count": summary.get("OpenShardCount") if mode != "ON_DEMAND" else None,
        "stream_mode_details": {"stream_mode": mode} if mode else None,
        "tags": tags,
    })  # fmt: skip


def _streams(ctx: Context) -> Iterator[Resource]:
    client = ctx.client()
    names = list(ctx.pages(client, "ListStreams", "StreamNames"))
    with Misses(ctx, (STREAM,), "stream") as missed:
        for name in names:
            with missed.of(name):
                summary = ctx.call(client, "DescribeStreamSummary", StreamName=name)[
                    "StreamDescriptionSummary"
                ]
                tags = _followed(
                    ctx,
                    lambda start, n=name: ctx.call(
                        client, "ListTagsForStream", StreamName=n,
                        **({"ExclusiveStartTagKey": start} if start else {}),
                    ),
                    "Tags", "HasMoreTags", "Key",
                )  # fmt: skip
                props = stream_props(summary, tag_dict(list(tags)))
                yield ctx.resource(STREAM, name, props, id=name, arn=summary.get("StreamARN"))


def delivery_props(stream: Mapping[str, Any], tags: dict[str, Any]) -> dict[str, Any]:
    sse = stream.get("DeliveryStreamEncryptionConfiguration") or {}
    source = stream.get("Source") or {}
    kinesis = source.get("KinesisStreamSourceDescription") or {}
    msk = source.get("MSKSourceDescription") or {}
    destinations = stream.get("Destinations") or [{}]
    kinds = [k for k in destinations[0] if k.endswith("DestinationDescription")]
    return present({
        "name": stream.get("DeliveryStreamName"),
        "arn": stream.get("DeliveryStreamARN"),
        "destination": snake(kinds[0].removesuffix("DestinationDescription")) if kinds else None,
        # Encryption being switched on (ENABLING) already encrypts new records.
        "server_side_encryption": present({
            "enabled": sse.get("Status") in ("ENABLED", "ENABLING"),
            "key_type": sse.get("KeyType"),
            "key_arn": sse.get("KeyARN"),
        }),
        "kinesis_source_configuration": present({
            "kinesis_stream_arn": kinesis.get("KinesisStreamARN"),
            "role_arn": kinesis.get("RoleARN"),
        }) or None,
        "msk_source_configuration": present({
            "msk_cluster_arn": msk.get("MSKClusterARN"), "topic_name": msk.get("TopicName"),
        }) or None,
        "tags": tags,
    })  # fmt: skip


def _delivery_streams(ctx: Context) -> Iterator[Resource]:
    client = ctx.client()
    names = list(
        _followed(
            ctx,
            lambda start: ctx.call(
                client, "ListDeliveryStreams",
                **({"ExclusiveStartDeliveryStreamName": start} if start else {}),
            ),
            "DeliveryStreamNames", "HasMoreDeliveryStreams", "",
        )
    )  # fmt: skip
    with Misses(ctx, (DELIVERY_STREAM,), "delivery stream") as missed:
        for name in names:
            with missed.of(name):
                described = ctx.call(client, "DescribeDeliveryStream", DeliveryStreamName=name)[
                    "DeliveryStreamDescription"
                ]
                tags = _followed(
                    ctx,
                    lambda start, n=name: ctx.call(
                        client, "ListTagsForDeliveryStream", DeliveryStreamName=n,
                        **({"ExclusiveStartTagKey": start} if start else {}),
                    ),
                    "Tags", "HasMoreTags", "Key",
                )  # fmt: skip
                props = delivery_props(described, tag_dict(list(tags)))
                yield ctx.resource(DELIVERY_STREAM, name, props, id=props.get("arn"),
                                   arn=props.get("arn"))  # fmt: skip


COLLECTORS: list[Collector] = [
    Collector(
        "kinesis",
        (STREAM,),
        ("kinesis:ListStreams", "kinesis:DescribeStreamSummary", "kinesis:ListTagsForStream"),
        _streams,
    ),
    Collector(
        "firehose",
        (DELIVERY_STREAM,),
        (
            "firehose:ListDeliveryStreams",
            "firehose:DescribeDeliveryStream",
            "firehose:ListTagsForDeliveryStream",
        ),
        _delivery_streams,
    ),
]
