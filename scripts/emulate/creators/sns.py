"""SNS topics, topic policies and subscriptions."""

from __future__ import annotations

from typing import Any

from scripts.emulate.creators.base import (
    Made,
    Target,
    physical_name,
    tag_list,
    tags,
)
from scripts.emulate.inputs import Inputs

_TOPIC_ATTRIBUTES = {
    "display_name": "DisplayName",
    "kms_master_key_id": "KmsMasterKeyId",
    "policy": "Policy",
    "delivery_policy": "DeliveryPolicy",
    "signature_version": "SignatureVersion",
    "tracing_config": "TracingConfig",
    "fifo_topic": "FifoTopic",
    "content_based_deduplication": "ContentBasedDeduplication",
    "archive_policy": "ArchivePolicy",
}
_SUBSCRIPTION_ATTRIBUTES = {
    "raw_message_delivery": "RawMessageDelivery",
    "filter_policy": "FilterPolicy",
    "filter_policy_scope": "FilterPolicyScope",
    "delivery_policy": "DeliveryPolicy",
    "redrive_policy": "RedrivePolicy",
    "subscription_role_arn": "SubscriptionRoleArn",
}


def _text(value: Any) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def topic(inputs: Inputs, target: Target, clients) -> Made:
    fifo = bool(inputs.get("fifo_topic"))
    name = physical_name(inputs, target, max_length=256)
    if fifo and not name.endswith(".fifo"):
        name += ".fifo"
    attributes = {api: _text(inputs[k]) for k, api in _TOPIC_ATTRIBUTES.items() if k in inputs}
    made = clients("sns").create_topic(
        Name=name, Attributes=attributes, Tags=tag_list(tags(inputs, target))
    )
    arn = made["TopicArn"]
    return arn, {"arn": arn, "name": name, "owner": target.account}


def topic_policy(inputs: Inputs, target: Target, clients) -> Made:
    arn = inputs.require("arn")
    clients("sns").set_topic_attributes(
        TopicArn=arn, AttributeName="Policy", AttributeValue=inputs.require("policy")
    )
    return arn, {"owner": target.account}


def subscription(inputs: Inputs, target: Target, clients) -> Made:
    attributes = {
        api: _text(inputs[k]) for k, api in _SUBSCRIPTION_ATTRIBUTES.items() if k in inputs
    }
    made = clients("sns").subscribe(
        TopicArn=inputs.require("topic"),
        Protocol=inputs.require("protocol"),
        Endpoint=inputs.require("endpoint"),
        Attributes=attributes,
        ReturnSubscriptionArn=True,
    )
    # How long the provider waits for a confirmation: nothing AWS stores.
    inputs.provider_only("endpoint_auto_confirms", "confirmation_timeout_in_minutes")
    arn = made["SubscriptionArn"]
    return arn, {"arn": arn, "owner_id": target.account}


CREATORS = {
    "aws:sns/topic:Topic": topic,
    "aws:sns/topicPolicy:TopicPolicy": topic_policy,
    "aws:sns/topicSubscription:TopicSubscription": subscription,
}
