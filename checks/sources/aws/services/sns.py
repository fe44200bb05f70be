"""Live collectors: SNS topics as `aws.sns.Topic` declares them (KMS key, access policy, tags) and
their subscriptions as `aws.sns.TopicSubscription`.

A topic's access policy is read as the topic's own `policy` (the live topic has exactly one),
never also as an `aws.sns.TopicPolicy`, which would judge it twice. Messages are never read; the
endpoint of a subscription that reaches a person (an e-mail address, a phone number, a device)
is withheld: it may identify a patient.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from checks.model import WITHHELD, Resource
from checks.sources.aws.collect import Collector, Context
from checks.sources.aws.partial import Misses
from checks.sources.aws.shapes import arn_tail, present, tag_dict, true

TOPIC = "aws:sns/topic:Topic"
SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription"
# Subscription protocols whose endpoint is a person's address or device.
PERSONAL_PROTOCOLS = frozenset({"email", "email-json", "sms", "application"})
_PENDING = "PendingConfirmation"


def topic_props(arn: str, attributes: Mapping[str, Any], tags: dict[str, Any]) -> dict[str, Any]:
    def text(key: str) -> str | None:
        return attributes.get(key) or None

    return present(
        {
            "name": arn_tail(arn),
            "display_name": text("DisplayName"),
            "policy": text("Policy"),
            "kms_master_key_id": text("KmsMasterKeyId"),
            "delivery_policy": text("DeliveryPolicy"),
            "fifo_topic": true(attributes["FifoTopic"]) if "FifoTopic" in attributes else None,
            "content_based_deduplication": (
                true(attributes["ContentBasedDeduplication"])
                if "ContentBasedDeduplication" in attributes
                else None
            ),
            "signature_version": int(attributes["SignatureVersion"])
            if str(attributes.get("SignatureVersion", "")).isdigit()
            else None,
            "tracing_config": text("TracingConfig"),
            "archive_policy": text("ArchivePolicy"),
            "tags": tags,
        }
    )


def _topics(ctx: Context) -> Iterator[Resource]:
    client = ctx.client()
    with Misses(ctx, (TOPIC,), "topic") as missed:
        for topic in ctx.pages(client, "ListTopics", "Topics"):
            arn = topic["TopicArn"]
            with missed.of(arn_tail(arn)):
                attributes = ctx.call(client, "GetTopicAttributes", TopicArn=arn)["Attributes"]
                found = ctx.call(client, "ListTagsForResource", ResourceArn=arn)
                props = topic_props(arn, attributes, tag_dict(found.get("Tags")))
                yield ctx.resource(TOPIC, arn_tail(arn), props, id=arn, arn=arn)


def subscription_props(found: Mapping[str, Any]) -> dict[str, Any]:
    protocol = found.get("Protocol")
    endpoint = found.get("Endpoint")
    return present(
        {
            "topic": found.get("TopicArn"),
            "protocol": protocol,
            "endpoint": WITHHELD if protocol in PERSONAL_PROTOCOLS and endpoint else endpoint,
            "pending_confirmation": found.get("SubscriptionArn") == _PENDING,
        }
    )


def _subscriptions(ctx: Context) -> Iterator[Resource]:
    for index, found in enumerate(ctx.pages(ctx.client(), "ListSubscriptions", "Subscriptions")):
        arn = found.get("SubscriptionArn")
        if arn and arn != _PENDING:
            yield ctx.resource(SUBSCRIPTION, arn, subscription_props(found), id=arn, arn=arn)
        else:
            # A subscription not confirmed yet has no ARN (and receives nothing until it is).
            name = f"{found.get('TopicArn')} pending subscription {index + 1}"
            yield ctx.resource(SUBSCRIPTION, name, subscription_props(found))


COLLECTORS: list[Collector] = [
    Collector(
        "sns",
        (TOPIC,),
        ("sns:GetTopicAttributes", "sns:ListTagsForResource", "sns:ListTopics"),
        _topics,
    ),
    Collector("sns", (SUBSCRIPTION,), ("sns:ListSubscriptions",), _subscriptions),
]
