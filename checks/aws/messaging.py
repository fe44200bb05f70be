"""SNS topics and SQS queues: encrypted at rest, and no policy open to anyone (MSG-01 to MSG-03).

Since 2023 SQS encrypts new queues with SQS-owned keys (SSE-SQS) unless told not to, so an
unspecified queue is encrypted; SSE-KMS with a customer key is preferred and said so.
"""

from __future__ import annotations

from typing import Any

from checks.model import Inventory, Resource
from checks.registry import Check, Result, Severity, check, failed, passed
from checks.support.joins import referrers
from checks.support.policydoc import has_wildcard_principal, parse_policy
from checks.support.props import flag, known

CHECKS: list[Check] = []

TOPIC = "aws:sns/topic:Topic"
TOPIC_POLICY = "aws:sns/topicPolicy:TopicPolicy"
QUEUE = "aws:sqs/queue:Queue"
QUEUE_POLICY = "aws:sqs/queuePolicy:QueuePolicy"


@check(
    into=CHECKS,
    id="sns_topic_encrypted",
    control="MSG-01",
    title="SNS topic is encrypted with KMS",
    severity=Severity.MEDIUM,
    config_rule="sns-encrypted-kms",
    resource_types=(TOPIC,),
    remediation="Set kms_master_key_id (a customer-managed key, or alias/aws/sns at least).",
    pulumi_fix='aws.sns.Topic("alerts", kms_master_key_id=key.arn)',
)
def sns_topic_encrypted(res: Resource, inv: Inventory) -> Result:
    """Messages, which may carry ePHI, are encrypted while SNS holds them."""
    key = known(res, "kms_master_key_id")
    if key:
        return passed("the topic is encrypted with KMS", kms_master_key_id=key)
    return failed("the topic is not encrypted at rest", kms_master_key_id=None)


@check(
    into=CHECKS,
    id="sqs_queue_encrypted",
    control="MSG-02",
    title="SQS queue is encrypted (SSE-KMS preferred)",
    severity=Severity.MEDIUM,
    resource_types=(QUEUE,),
    remediation="Set kms_master_key_id to a customer-managed key; never sqs_managed_sse_enabled="
    "False without one.",
    pulumi_fix='aws.sqs.Queue("claims", kms_master_key_id=key.arn)',
)
def sqs_queue_encrypted(res: Resource, inv: Inventory) -> Result:
    """Queued messages, which may carry ePHI, are encrypted at rest."""
    key = known(res, "kms_master_key_id")
    if key:
        return passed(
            "the queue is encrypted with KMS (SSE-KMS)", kms_master_key_id=key, sse_sqs=False
        )
    if flag(known(res, "sqs_managed_sse_enabled", True)):
        return passed(
            "the queue uses SQS-owned keys (SSE-SQS); SSE-KMS is preferred",
            kms_master_key_id=None,
            sse_sqs=True,
        )
    return failed("the queue is not encrypted at rest", kms_master_key_id=None, sse_sqs=False)


def _policies(res: Resource, inv: Inventory) -> list[tuple[str, Any]]:
    companion_type, key = (
        (TOPIC_POLICY, "arn") if res.type == TOPIC else (QUEUE_POLICY, "queue_url")
    )
    companions = referrers(inv, res, (companion_type,), key, every=True)
    found = [(p.name, known(p, "policy")) for p in companions]
    if res.is_set("policy"):
        found.append((res.name, known(res, "policy")))
    return found


@check(
    into=CHECKS,
    id="messaging_policy_not_public",
    control="MSG-03",
    title="SNS topic or SQS queue policy allows no '*' principal without a condition",
    severity=Severity.HIGH,
    resource_types=(TOPIC, QUEUE),
    reads=(
        "aws:sns/topicPolicy:TopicPolicy",
        "aws:sqs/queuePolicy:QueuePolicy",
    ),
    remediation=(
        "Name the publishing/consuming principals, or narrow a '*' principal with aws:SourceArn "
        "or aws:SourceAccount."
    ),
    pulumi_fix='aws.sqs.QueuePolicy("claims", queue_url=queue.id, policy=json.dumps({\n'
    '    "Version": "2012-10-17", "Statement": [{"Effect": "Allow",\n'
    '        "Principal": {"Service": "sns.amazonaws.com"}, "Action": "sqs:SendMessage",\n'
    '        "Resource": queue_arn, "Condition": {"ArnEquals": {"aws:SourceArn": topic_arn}}}]}))',
)
def messaging_policy_not_public(res: Resource, inv: Inventory) -> Result:
    """No one outside the entity can read, send or subscribe to its messages."""
    open_statements = [
        {"policy": name, **s.evidence()}
        for name, doc in _policies(res, inv)
        for s in has_wildcard_principal(parse_policy(doc, f"the policy {name}"))
    ]
    if open_statements:
        return failed(
            "the policy allows '*' without a condition", public_statements=open_statements
        )
    return passed("no policy statement allows '*' unconditionally", public_statements=[])
