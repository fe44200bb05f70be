"""SQS, live: queues (SSE-KMS or SQS-managed SSE, access policy, tags) read as the program declares
them, known by their URL; and the console changes the messaging checks catch."""

from __future__ import annotations

import json

from checks.registry import Status
from checks.sources.aws.services.sqs import COLLECTORS, QUEUE
from tests.emulator.gap_effects import BYSTANDER, hidden_checks, unseen
from tests.emulator.live_audit import audit, collect, deny, program_resources, shape_differences

ACCOUNT = "123456789012"
KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/3a34f661-038d-7bd6-b481-536142e9a889"


def _queues(aws) -> dict[str, str]:
    """claims: SSE-KMS, as the guarantee program's queue. jobs: SQS-managed SSE (the default).
    plain: no encryption and a policy that lets anyone send."""
    sqs = aws.client("sqs")
    urls = {
        "claims-dlq": sqs.create_queue(QueueName="claims-dlq")["QueueUrl"],
        "jobs": sqs.create_queue(QueueName="jobs")["QueueUrl"],
    }
    redrive = {"deadLetterTargetArn": f"arn:aws:sqs:us-east-1:{ACCOUNT}:claims-dlq",
               "maxReceiveCount": 5}  # fmt: skip
    urls["claims"] = sqs.create_queue(
        QueueName="claims",
        Attributes={
            "KmsMasterKeyId": KEY,
            "KmsDataKeyReusePeriodSeconds": "300",
            "VisibilityTimeout": "180",
            "RedrivePolicy": json.dumps(redrive),
        },
        tags={"data-classification": "ephi"},
    )["QueueUrl"]
    public = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "sqs:SendMessage",
                       "Resource": f"arn:aws:sqs:us-east-1:{ACCOUNT}:plain"}],
    }  # fmt: skip
    urls["plain"] = sqs.create_queue(
        QueueName="plain",
        Attributes={"SqsManagedSseEnabled": "false", "Policy": json.dumps(public)},
    )["QueueUrl"]
    return urls


def _verdicts(evaluation, check_id: str) -> dict[str, Status]:
    return {
        f.resource.name: f.status
        for f in evaluation.findings
        if f.check.id == check_id and f.resource is not None
    }


def test_a_queue_is_read_as_the_program_declares_it(aws):
    urls = _queues(aws)
    collected = collect(aws, COLLECTORS)
    assert collected.gaps == {}
    queues = {r.name: r for r in collected.resources}
    claims = queues["claims"]
    assert (claims.type, claims.id, claims.arn) == (
        QUEUE,
        urls["claims"],
        f"arn:aws:sqs:us-east-1:{ACCOUNT}:claims",
    )
    assert {k: claims.props[k] for k in (
        "name", "kms_master_key_id", "kms_data_key_reuse_period_seconds",
        "visibility_timeout_seconds", "tags")} == {
        "name": "claims",
        "kms_master_key_id": KEY,
        "kms_data_key_reuse_period_seconds": 300,
        "visibility_timeout_seconds": 180,
        "tags": {"data-classification": "ephi"},
    }  # fmt: skip
    assert json.loads(claims.props["redrive_policy"])["maxReceiveCount"] == 5
    assert queues["jobs"].props["sqs_managed_sse_enabled"] is True
    assert queues["plain"].props["sqs_managed_sse_enabled"] is False
    declared = next(r for r in program_resources() if r.type == QUEUE and r.name == "claims")
    assert shape_differences(declared.props, claims.props) == []


def test_the_messaging_checks_judge_the_live_queues(aws):
    _queues(aws)
    evaluation = audit(aws, COLLECTORS)
    assert _verdicts(evaluation, "sqs_queue_encrypted") == {
        "claims": Status.PASS,
        "claims-dlq": Status.PASS,
        "jobs": Status.PASS,
        "plain": Status.FAIL,
    }
    assert _verdicts(evaluation, "messaging_policy_not_public") == {
        "claims": Status.PASS,
        "claims-dlq": Status.PASS,
        "jobs": Status.PASS,
        "plain": Status.FAIL,
    }


def test_turning_off_sqs_managed_encryption_fails_the_queue(aws):
    urls = _queues(aws)
    aws.client("sqs").set_queue_attributes(
        QueueUrl=urls["jobs"], Attributes={"SqsManagedSseEnabled": "false"}
    )
    evaluation = audit(aws, COLLECTORS)
    assert _verdicts(evaluation, "sqs_queue_encrypted")["jobs"] is Status.FAIL


def test_denied_queue_attributes_hide_the_queue_checks_and_nothing_else(aws, monkeypatch):
    _queues(aws)
    before = audit(aws, COLLECTORS, also=[BYSTANDER])
    deny(monkeypatch, "sqs", "GetQueueAttributes")
    after = audit(aws, COLLECTORS, also=[BYSTANDER])
    reason = "access denied to GetQueueAttributes (AccessDenied)"
    assert hidden_checks(before, after, reason) == {
        "sqs_queue_encrypted",
        "messaging_policy_not_public",
    }
    (why,) = unseen(after, "sqs_queue_encrypted")
    assert why.endswith("(for the queues claims-dlq, jobs, claims, plain)")
