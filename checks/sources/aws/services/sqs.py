"""Live collectors: SQS queues as `aws.sqs.Queue` declares them (SSE-KMS key or SQS-managed SSE,
access policy, tags). A queue is known by its URL, as the provider's id.

A queue's access policy is read as the queue's own `policy`, never also as an
`aws.sqs.QueuePolicy`, which would judge it twice. Messages are never read.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from checks.model import Resource
from checks.sources.aws.collect import CollectionError, Collector, Context
from checks.sources.aws.partial import Misses
from checks.sources.aws.shapes import arn_tail, present, true

QUEUE = "aws:sqs/queue:Queue"

# Queue attribute -> (provider property, how to read the text AWS gives).
_ATTRIBUTES = {
    "KmsMasterKeyId": ("kms_master_key_id", str),
    "KmsDataKeyReusePeriodSeconds": ("kms_data_key_reuse_period_seconds", int),
    "Policy": ("policy", str),
    "VisibilityTimeout": ("visibility_timeout_seconds", int),
    "MessageRetentionPeriod": ("message_retention_seconds", int),
    "DelaySeconds": ("delay_seconds", int),
    "MaximumMessageSize": ("max_message_size", int),
    "ReceiveMessageWaitTimeSeconds": ("receive_wait_time_seconds", int),
    "RedrivePolicy": ("redrive_policy", str),
    "RedriveAllowPolicy": ("redrive_allow_policy", str),
    "FifoQueue": ("fifo_queue", true),
    "ContentBasedDeduplication": ("content_based_deduplication", true),
    "DeduplicationScope": ("deduplication_scope", str),
    "FifoThroughputLimit": ("fifo_throughput_limit", str),
}


def queue_props(url: str, attributes: Mapping[str, Any], tags: dict[str, Any]) -> dict[str, Any]:
    props: dict[str, Any] = {"name": arn_tail(url, "/")}
    for key, (prop, read) in _ATTRIBUTES.items():
        if attributes.get(key) not in (None, ""):
            props[prop] = read(attributes[key])
    # Checks take an absent `sqs_managed_sse_enabled` for the default of new queues (on): a
    # queue without a KMS key must say which it is.
    if "SqsManagedSseEnabled" in attributes:
        props["sqs_managed_sse_enabled"] = true(attributes["SqsManagedSseEnabled"])
    elif "kms_master_key_id" not in props:
        raise CollectionError(
            f"GetQueueAttributes did not say whether {props['name']} is encrypted "
            "(no SqsManagedSseEnabled, no KmsMasterKeyId)"
        )
    props["tags"] = tags
    return present(props)


def _queues(ctx: Context) -> Iterator[Resource]:
    client = ctx.client()
    with Misses(ctx, (QUEUE,), "queue") as missed:
        for url in ctx.pages(client, "ListQueues", "QueueUrls"):
            name = arn_tail(url, "/")
            with missed.of(name):
                answer = ctx.call(
                    client, "GetQueueAttributes", QueueUrl=url, AttributeNames=["All"]
                )
                attributes = answer.get("Attributes") or {}
                tags = ctx.call(client, "ListQueueTags", QueueUrl=url).get("Tags") or {}
                props = queue_props(url, attributes, tags)
                yield ctx.resource(QUEUE, name, props, id=url, arn=attributes.get("QueueArn"))


COLLECTORS: list[Collector] = [
    Collector(
        "sqs",
        (QUEUE,),
        ("sqs:GetQueueAttributes", "sqs:ListQueueTags", "sqs:ListQueues"),
        _queues,
    )
]
