"""SQS queues and queue policies."""

from __future__ import annotations

from typing import Any

from scripts.emulate.creators.base import Made, Target, physical_name, tags
from scripts.emulate.inputs import Inputs

_ATTRIBUTES = {
    "delay_seconds": "DelaySeconds",
    "max_message_size": "MaximumMessageSize",
    "message_retention_seconds": "MessageRetentionPeriod",
    "receive_wait_time_seconds": "ReceiveMessageWaitTimeSeconds",
    "visibility_timeout_seconds": "VisibilityTimeout",
    "policy": "Policy",
    "redrive_policy": "RedrivePolicy",
    "redrive_allow_policy": "RedriveAllowPolicy",
    "fifo_queue": "FifoQueue",
    "content_based_deduplication": "ContentBasedDeduplication",
    "deduplication_scope": "DeduplicationScope",
    "fifo_throughput_limit": "FifoThroughputLimit",
    "kms_master_key_id": "KmsMasterKeyId",
    "kms_data_key_reuse_period_seconds": "KmsDataKeyReusePeriodSeconds",
    "sqs_managed_sse_enabled": "SqsManagedSseEnabled",
}


def _text(value: Any) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def queue(inputs: Inputs, target: Target, clients) -> Made:
    sqs = clients("sqs")
    name = physical_name(inputs, target, max_length=80)
    if inputs.get("fifo_queue") and not name.endswith(".fifo"):
        name += ".fifo"
    attributes = {api: _text(inputs[k]) for k, api in _ATTRIBUTES.items() if k in inputs}
    url = sqs.create_queue(QueueName=name, Attributes=attributes, tags=tags(inputs, target))[
        "QueueUrl"
    ]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    return url, {"arn": arn, "url": url, "name": name}


def queue_policy(inputs: Inputs, target: Target, clients) -> Made:
    url = inputs.require("queue_url")
    clients("sqs").set_queue_attributes(
        QueueUrl=url, Attributes={"Policy": inputs.require("policy")}
    )
    return url, {}


CREATORS = {"aws:sqs/queue:Queue": queue, "aws:sqs/queuePolicy:QueuePolicy": queue_policy}
