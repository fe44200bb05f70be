"""DynamoDB, SNS/SQS and data-classification checks.
(Lambda: test_checks_data_services_lambda.py.)"""

from __future__ import annotations

import json

import pytest

from checks.aws.dynamodb import (
    dynamodb_deletion_protection,
    dynamodb_encrypted_cmk,
    dynamodb_in_backup_plan,
    dynamodb_pitr_enabled,
)
from checks.aws.governance import data_store_classification_tagged
from checks.aws.messaging import (
    messaging_policy_not_public,
    sns_topic_encrypted,
    sqs_queue_encrypted,
)
from checks.evaluate import run_check
from checks.library import build_registry
from checks.model import SECRET, UNKNOWN, Inventory, MadeUp, Resource, Undecidable
from checks.registry import Status

KEY = "arn:aws:kms:us-east-1:1:key/k"
TABLE_ARN = "arn:aws:dynamodb:us-east-1:1:table/sessions"
SELECTION = "aws:backup/selection:Selection"


def table(**props) -> Resource:
    return Resource(
        "aws:dynamodb/table:Table", "sessions", {"name": "sessions", **props}, arn=TABLE_ARN
    )


def run(fn, target: Resource, *others: Resource):
    return fn(target, Inventory([target, *others]))


# -- dynamodb_pitr_enabled ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "pitr",
    [{"enabled": True}, {"enabled": "true"}, [{"enabled": False}, {"enabled": True}]],
)
def test_pitr_on_passes(pitr):
    result = run(dynamodb_pitr_enabled, table(point_in_time_recovery=pitr))
    assert (result.status, result.evidence) == (Status.PASS, {"point_in_time_recovery": True})


@pytest.mark.parametrize("props", [{}, {"point_in_time_recovery": {"enabled": False}}])
def test_pitr_off_fails_and_is_the_default(props):
    result = run(dynamodb_pitr_enabled, table(**props))
    assert (result.status, result.evidence) == (Status.FAIL, {"point_in_time_recovery": False})


def test_pitr_not_known_is_not_evaluated():
    with pytest.raises(Undecidable, match="point_in_time_recovery of sessions"):
        run(dynamodb_pitr_enabled, table(point_in_time_recovery=UNKNOWN))


# -- dynamodb_encrypted_cmk ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sse",
    [
        {"enabled": True, "kms_key_arn": KEY},
        [{"enabled": True}, {"enabled": True, "kms_key_arn": KEY}],
    ],
)
def test_table_under_a_customer_key_passes(sse):
    result = run(dynamodb_encrypted_cmk, table(server_side_encryption=sse))
    assert (result.status, result.evidence) == (Status.PASS, {"kms_key_arn": KEY})


@pytest.mark.parametrize(
    ("props", "which"),
    [
        ({"server_side_encryption": {"enabled": True}}, "the AWS-managed aws/dynamodb key"),
        # a key named while server-side encryption is off is not used
        ({"server_side_encryption": {"enabled": False, "kms_key_arn": KEY}}, "an AWS-owned key"),
        ({}, "an AWS-owned key"),
    ],
)
def test_table_under_an_aws_key_fails_saying_which(props, which):
    result = run(dynamodb_encrypted_cmk, table(**props))
    assert (result.status, result.evidence, result.message) == (
        Status.FAIL,
        {"kms_key_arn": None},
        f"the table is encrypted with {which}",
    )


@pytest.mark.parametrize(
    "sse", [UNKNOWN, {"enabled": True, "kms_key_arn": UNKNOWN}, {"enabled": UNKNOWN}]
)
def test_table_key_not_known_is_not_evaluated(sse):
    with pytest.raises(Undecidable):
        run(dynamodb_encrypted_cmk, table(server_side_encryption=sse))


# -- dynamodb_in_backup_plan -----------------------------------------------------------------------


def selection(name="tables", **props) -> Resource:
    return Resource(SELECTION, name, props)


@pytest.mark.parametrize(
    "chosen",
    [
        selection(resources=[TABLE_ARN]),
        selection(resources=["arn:aws:s3:::b", "arn:aws:dynamodb:*:*:table/*"]),  # one of several
        selection(selection_tags=[{"type": "STRINGEQUALS", "key": "backup", "value": "daily"}]),
    ],
)
def test_table_selected_by_a_backup_plan_passes(chosen):
    result = run(dynamodb_in_backup_plan, table(tags={"backup": "daily"}), chosen)
    assert (result.status, result.evidence) == (Status.PASS, {"backup_selections": ["tables"]})


def test_every_selection_choosing_the_table_is_named():
    by_arn = selection("by-arn", resources=[TABLE_ARN])
    by_wildcard = selection("everything", resources=["*"])
    result = run(dynamodb_in_backup_plan, table(), by_arn, by_wildcard)
    assert (result.status, result.evidence) == (
        Status.PASS,
        {"backup_selections": ["by-arn", "everything"]},
    )


@pytest.mark.parametrize(
    "others",
    [
        (),
        (selection(resources=["arn:aws:dynamodb:*:*:table/other"]),),
        (selection(resources=["*"], not_resources=[TABLE_ARN]),),
        (selection(selection_tags=[{"type": "STRINGEQUALS", "key": "backup", "value": "weekly"}]),),
        (
            selection(
                resources=["*"],
                conditions=[{"string_equals": [{"key": "aws:ResourceTag/env", "value": "prod"}]}],
            ),
        ),
    ],
)
def test_table_no_selection_chooses_fails(others):
    result = run(dynamodb_in_backup_plan, table(tags={"backup": "daily"}), *others)
    assert (result.status, result.evidence) == (Status.FAIL, {"backup_selections": []})


def test_table_membership_that_cannot_be_seen_is_not_evaluated():
    with pytest.raises(Undecidable):
        run(dynamodb_in_backup_plan, table(), selection(resources=UNKNOWN))
    with pytest.raises(Undecidable, match="arn of sessions"):
        run(dynamodb_in_backup_plan, table(arn=UNKNOWN), selection(resources=["*"]))
    gapped = Inventory([table()], gaps={SELECTION: "AccessDenied on ListBackupSelections"})
    with pytest.raises(Undecidable, match="ListBackupSelections"):
        dynamodb_in_backup_plan(table(), gapped)


# -- dynamodb_deletion_protection ------------------------------------------------------------------


def test_deletion_protection():
    on = run(dynamodb_deletion_protection, table(deletion_protection_enabled=True))
    assert (on.status, on.evidence) == (Status.PASS, {"deletion_protection_enabled": True})
    for props in ({}, {"deletion_protection_enabled": False}):
        off = run(dynamodb_deletion_protection, table(**props))
        assert (off.status, off.evidence) == (Status.FAIL, {"deletion_protection_enabled": False})
    with pytest.raises(Undecidable):
        run(dynamodb_deletion_protection, table(deletion_protection_enabled=UNKNOWN))


# -- SNS / SQS encryption --------------------------------------------------------------------------


def topic(**props) -> Resource:
    return Resource("aws:sns/topic:Topic", "alerts", props, arn="arn:aws:sns:us-east-1:1:alerts")


def queue(**props) -> Resource:
    return Resource(
        "aws:sqs/queue:Queue", "claims", props, id="https://sqs.us-east-1.amazonaws.com/1/claims"
    )


@pytest.mark.parametrize("key", [KEY, "alias/aws/sns"])
def test_topic_encrypted_with_kms_passes(key):
    result = run(sns_topic_encrypted, topic(kms_master_key_id=key))
    assert (result.status, result.evidence) == (Status.PASS, {"kms_master_key_id": key})


@pytest.mark.parametrize("props", [{}, {"kms_master_key_id": ""}, {"kms_master_key_id": None}])
def test_topic_without_a_key_fails(props):
    result = run(sns_topic_encrypted, topic(**props))
    assert (result.status, result.evidence) == (Status.FAIL, {"kms_master_key_id": None})


@pytest.mark.parametrize("key", [UNKNOWN, MadeUp(KEY)])
def test_topic_key_that_cannot_be_seen_is_not_evaluated(key):
    with pytest.raises(Undecidable, match="kms_master_key_id of alerts"):
        run(sns_topic_encrypted, topic(kms_master_key_id=key))


@pytest.mark.parametrize("sse_sqs", [None, True, False])
def test_queue_with_a_kms_key_passes_as_sse_kms(sse_sqs):
    props = {} if sse_sqs is None else {"sqs_managed_sse_enabled": sse_sqs}
    result = run(sqs_queue_encrypted, queue(kms_master_key_id=KEY, **props))
    assert (result.status, result.evidence) == (
        Status.PASS,
        {"kms_master_key_id": KEY, "sse_sqs": False},
    )


@pytest.mark.parametrize("props", [{}, {"sqs_managed_sse_enabled": True}])
def test_queue_without_a_key_uses_sse_sqs_by_default(props):
    result = run(sqs_queue_encrypted, queue(**props))
    assert (result.status, result.evidence) == (
        Status.PASS,
        {"kms_master_key_id": None, "sse_sqs": True},
    )


def test_queue_with_sse_sqs_turned_off_and_no_key_fails():
    result = run(sqs_queue_encrypted, queue(sqs_managed_sse_enabled=False))
    assert (result.status, result.evidence) == (
        Status.FAIL,
        {"kms_master_key_id": None, "sse_sqs": False},
    )


@pytest.mark.parametrize(
    "props", [{"kms_master_key_id": UNKNOWN}, {"sqs_managed_sse_enabled": UNKNOWN}]
)
def test_queue_encryption_not_known_is_not_evaluated(props):
    with pytest.raises(Undecidable):
        run(sqs_queue_encrypted, queue(**props))


# -- messaging_policy_not_public -------------------------------------------------------------------


def _doc(*statements: dict) -> str:
    return json.dumps({"Statement": list(statements)})


def _allow(**statement) -> dict:
    return {"Effect": "Allow", "Action": "sns:Publish", "Resource": "*", **statement}


def _open(policy: str, index: int = 0, principal="*") -> dict:
    return {"policy": policy, "statement": f"Statement[{index}]", "effect": "Allow",
            "action": ["sns:Publish"], "resource": ["*"], "principal": principal}  # fmt: skip


def topic_policy(policy: str) -> Resource:
    return Resource(
        "aws:sns/topicPolicy:TopicPolicy",
        "alerts-policy",
        {"arn": "arn:aws:sns:us-east-1:1:alerts", "policy": policy},
    )


def queue_policy(policy: str, ref="https://sqs.us-east-1.amazonaws.com/1/claims") -> Resource:
    return Resource(
        "aws:sqs/queuePolicy:QueuePolicy", "claims-policy", {"queue_url": ref, "policy": policy}
    )


def test_public_topic_policy_fails_naming_the_statement():
    result = run(messaging_policy_not_public, topic(), topic_policy(_doc(_allow(Principal="*"))))
    assert (result.status, result.evidence) == (
        Status.FAIL,
        {"public_statements": [_open("alerts-policy")]},
    )


def test_only_the_open_statement_of_several_is_named():
    named = _allow(Principal={"AWS": "arn:aws:iam::1:root"})
    policy = _doc(named, _allow(Principal={"AWS": ["*"]}))
    result = run(messaging_policy_not_public, topic(policy=policy))
    assert (result.status, result.evidence) == (
        Status.FAIL,
        {"public_statements": [_open("alerts", 1, {"aws": ["*"]})]},
    )


def test_a_topics_own_policy_and_its_companion_are_both_read():
    own = _doc(_allow(Principal={"AWS": "arn:aws:iam::1:root"}))
    companion = topic_policy(_doc(_allow(Principal="*")))
    result = run(messaging_policy_not_public, topic(policy=own), companion)
    assert (result.status, result.evidence) == (
        Status.FAIL,
        {"public_statements": [_open("alerts-policy")]},
    )


@pytest.mark.parametrize(
    "statement",
    [
        _allow(Principal="*", Condition={"ArnEquals": {"aws:SourceArn": "arn:sns"}}),
        {**_allow(Principal="*"), "Effect": "Deny"},
        _allow(Principal={"Service": "s3.amazonaws.com"}),
    ],
)
def test_conditioned_denying_or_named_statements_pass(statement):
    result = run(messaging_policy_not_public, queue(), queue_policy(_doc(statement)))
    assert (result.status, result.evidence) == (Status.PASS, {"public_statements": []})


def test_queue_without_any_policy_passes():
    result = run(messaging_policy_not_public, queue())
    assert (result.status, result.evidence) == (Status.PASS, {"public_statements": []})


def test_a_policy_document_not_known_is_not_evaluated():
    with pytest.raises(Undecidable):
        run(messaging_policy_not_public, topic(policy=UNKNOWN))


def test_a_queue_policy_naming_its_queue_by_a_value_that_cannot_be_seen_is_not_evaluated():
    """`queue_url=queue.url` under mocks is a made-up URL: the policy may be this queue's."""
    for ref in (MadeUp("https://sqs.us-east-1.amazonaws.com/1/claims"), SECRET, UNKNOWN):
        inventory = Inventory([queue(), queue_policy(_doc(_allow(Principal="*")), ref)])
        [finding] = run_check(
            build_registry().get("messaging_policy_not_public"), inventory, queue()
        )
        assert finding.status is Status.NOT_EVALUATED, ref


# -- data classification ---------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["ePHI", "internal", "public"])
def test_a_classified_data_store_passes(value):
    result = run(data_store_classification_tagged, table(tags={"data-classification": value}))
    assert (result.status, result.evidence) == (Status.PASS, {"classification": value})


@pytest.mark.parametrize(
    "tags",
    [{"owner": "billing"}, {}, None, {"data-classification": ""}, {"Data-Classification": "ePHI"}],
)
def test_a_data_store_without_a_classification_fails(tags):
    result = run(data_store_classification_tagged, table(tags=tags))
    assert (result.status, result.evidence) == (Status.FAIL, {"classification": None})


def test_tags_not_known_are_not_evaluated():
    with pytest.raises(Undecidable):
        run(data_store_classification_tagged, table(tags=UNKNOWN))


def test_a_safe_queue_policy_does_not_vouch_for_one_whose_queue_cannot_be_seen():
    safe = queue_policy(_doc(_allow(Principal={"Service": "s3.amazonaws.com"})))
    hidden = Resource(
        "aws:sqs/queuePolicy:QueuePolicy",
        "pending-policy",
        {"queue_url": UNKNOWN, "policy": _doc(_allow(Principal="*"))},
    )
    with pytest.raises(Undecidable) as caught:
        run(messaging_policy_not_public, queue(), safe, hidden)
    assert str(caught.value) == (
        "the queue_url of pending-policy cannot be seen, so whether it names claims cannot be told"
    )
