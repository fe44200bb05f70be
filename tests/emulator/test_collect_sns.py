"""SNS, live: topics (KMS key, access policy, tags) and subscriptions read as the program declares
them, a person's endpoint withheld; and the console changes the messaging checks catch."""

from __future__ import annotations

import json

from checks.model import WITHHELD
from checks.registry import Status
from checks.sources.aws.services.sns import COLLECTORS, SUBSCRIPTION, TOPIC
from tests.emulator.gap_effects import BYSTANDER, hidden_checks
from tests.emulator.live_audit import audit, collect, deny, program_resources, shape_differences

ACCOUNT = "123456789012"
KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/b2487084-7f25-8354-d5c5-ad37e41d6e4a"


def _arn(name: str) -> str:
    return f"arn:aws:sns:us-east-1:{ACCOUNT}:{name}"


def _topics(aws) -> None:
    """security-alerts: encrypted, the default policy. open-topic: unencrypted, anyone may
    publish."""
    sns = aws.client("sns")
    sns.create_topic(
        Name="security-alerts",
        Attributes={"KmsMasterKeyId": KEY, "DisplayName": "Billing security alerts"},
        Tags=[{"Key": "data-classification", "Value": "internal"}],
    )
    public = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "sns:Publish",
                       "Resource": _arn("open-topic")}],
    }  # fmt: skip
    sns.create_topic(Name="open-topic", Attributes={"Policy": json.dumps(public)})
    sns.subscribe(TopicArn=_arn("security-alerts"), Protocol="email", Endpoint="oncall@clinic.test")
    sns.subscribe(
        TopicArn=_arn("security-alerts"),
        Protocol="sqs",
        Endpoint=f"arn:aws:sqs:us-east-1:{ACCOUNT}:alerts",
    )


def _verdicts(evaluation, check_id: str) -> dict[str, Status]:
    return {
        f.resource.name: f.status
        for f in evaluation.findings
        if f.check.id == check_id and f.resource is not None
    }


def test_topics_and_subscriptions_are_read_as_the_program_declares_them(aws):
    _topics(aws)
    collected = collect(aws, COLLECTORS)
    assert collected.gaps == {}
    topics = {r.name: r for r in collected.resources if r.type == TOPIC}
    alerts = topics["security-alerts"]
    assert (alerts.id, alerts.arn) == (_arn("security-alerts"), _arn("security-alerts"))
    assert {k: alerts.props[k] for k in ("name", "display_name", "kms_master_key_id", "tags")} == {
        "name": "security-alerts",
        "display_name": "Billing security alerts",
        "kms_master_key_id": KEY,
        "tags": {"data-classification": "internal"},
    }
    assert json.loads(alerts.props["policy"])["Statement"]
    declared = next(r for r in program_resources("prod") if r.type == TOPIC)
    assert shape_differences(declared.props, alerts.props) == []
    subscriptions = sorted(
        (r.props["protocol"], r.props["endpoint"], r.props["topic"])
        for r in collected.resources
        if r.type == SUBSCRIPTION
    )
    # The e-mail address is a person's: withheld, as any endpoint that reaches a person.
    assert subscriptions == [
        ("email", WITHHELD, _arn("security-alerts")),
        ("sqs", f"arn:aws:sqs:us-east-1:{ACCOUNT}:alerts", _arn("security-alerts")),
    ]


def test_the_messaging_checks_judge_the_live_topics(aws):
    _topics(aws)
    evaluation = audit(aws, COLLECTORS)
    assert _verdicts(evaluation, "sns_topic_encrypted") == {
        "security-alerts": Status.PASS,
        "open-topic": Status.FAIL,
    }
    # The default policy allows '*' only under an AWS:SourceOwner condition.
    assert _verdicts(evaluation, "messaging_policy_not_public") == {
        "security-alerts": Status.PASS,
        "open-topic": Status.FAIL,
    }


def test_removing_the_topics_key_fails_it(aws):
    _topics(aws)
    aws.client("sns").set_topic_attributes(
        TopicArn=_arn("security-alerts"), AttributeName="KmsMasterKeyId", AttributeValue=""
    )
    evaluation = audit(aws, COLLECTORS)
    assert _verdicts(evaluation, "sns_topic_encrypted")["security-alerts"] is Status.FAIL


def test_denied_topic_attributes_hide_the_topic_checks_and_nothing_else(aws, monkeypatch):
    _topics(aws)
    before = audit(aws, COLLECTORS, also=[BYSTANDER])
    deny(monkeypatch, "sns", "GetTopicAttributes")
    after = audit(aws, COLLECTORS, also=[BYSTANDER])
    reason = "access denied to GetTopicAttributes (AccessDenied)"
    # The bystander, a topic of the same type, is not read again: its verdicts stand, and one
    # NOT_EVALUATED finding says the account's live topics could not be.
    assert hidden_checks(before, after, reason) == {
        "sns_topic_encrypted",
        "messaging_policy_not_public",
    }
    assert _verdicts(after, "sns_topic_encrypted") == {"bystander": Status.PASS}
