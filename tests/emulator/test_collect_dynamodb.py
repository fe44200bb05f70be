"""The DynamoDB collector against the emulator: a table collects with the props the program scan
gives, a secure table passes, each console change fails the right check naming the table, and a
call denied for one table hides only what it read, for that table."""

from __future__ import annotations

import pytest

from checks.registry import Status
from checks.sources.aws.services import dynamodb as dynamodb_collectors
from checks.sources.aws.services.dynamodb import TABLE
from tests.emulator.datastore_checks import by_name, deny_when, message, sdk_name_errors
from tests.emulator.live_audit import audit, collect, deny, program_resources, shape_differences

COLLECTORS = dynamodb_collectors.COLLECTORS
SESSIONS = "hipaa-billing-prod-sessions"
TABLE_CHECKS = (
    "dynamodb_pitr_enabled",
    "dynamodb_encrypted_cmk",
    "dynamodb_deletion_protection",
    "data_store_classification_tagged",
)
KEY_SCHEMA = {
    "AttributeDefinitions": [{"AttributeName": "session_id", "AttributeType": "S"}],
    "KeySchema": [{"AttributeName": "session_id", "KeyType": "HASH"}],
    "BillingMode": "PAY_PER_REQUEST",
}


def make_table(aws, name: str, key: str | None, **kwargs) -> None:
    sse = {"Enabled": True, "SSEType": "KMS", **({"KMSMasterKeyId": key} if key else {})}
    aws.client("dynamodb").create_table(
        TableName=name, SSESpecification=sse, **KEY_SCHEMA, **kwargs
    )


@pytest.fixture
def secured(aws):
    """The billing program's sessions table, deployed by hand as the program declares it."""
    ddb = aws.client("dynamodb")
    key = aws.client("kms").create_key()["KeyMetadata"]["Arn"]
    make_table(
        aws, SESSIONS, key, DeletionProtectionEnabled=True,
        Tags=[{"Key": "data-classification", "Value": "ePHI"}],
    )  # fmt: skip
    ddb.update_continuous_backups(
        TableName=SESSIONS,
        PointInTimeRecoverySpecification={
            "PointInTimeRecoveryEnabled": True, "RecoveryPeriodInDays": 35},
    )  # fmt: skip
    ddb.update_time_to_live(
        TableName=SESSIONS,
        TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires_at"},
    )
    aws.key = key
    return aws


def test_a_table_collects_as_the_program_declares_it(secured):
    collected = collect(secured, COLLECTORS)
    assert collected.gaps == {}
    (table,) = collected.resources
    declared = next(r for r in program_resources("prod") if r.type == TABLE)
    assert shape_differences(declared.props, table.props) == []
    assert sdk_name_errors(table) == []
    assert (table.id, table.arn) == (
        SESSIONS, f"arn:aws:dynamodb:us-east-1:123456789012:table/{SESSIONS}"
    )  # fmt: skip
    assert table.props["server_side_encryption"] == {"enabled": True, "kms_key_arn": secured.key}
    assert table.props["point_in_time_recovery"] == {"enabled": True, "recovery_period_in_days": 35}
    assert table.props["ttl"] == {"enabled": True, "attribute_name": "expires_at"}
    assert (table.props["hash_key"], table.props["billing_mode"]) == (
        "session_id", "PAY_PER_REQUEST"
    )  # fmt: skip


def test_the_secure_table_passes(secured):
    evaluation = audit(secured, COLLECTORS)
    for check in TABLE_CHECKS:
        assert by_name(evaluation, check)[SESSIONS] is Status.PASS, check


def test_console_changes_fail_the_right_check(secured):
    ddb = secured.client("dynamodb")
    ddb.update_continuous_backups(
        TableName=SESSIONS,
        PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": False},
    )
    evaluation = audit(secured, COLLECTORS)
    assert {c: by_name(evaluation, c)[SESSIONS] for c in TABLE_CHECKS} == {
        "dynamodb_pitr_enabled": Status.FAIL, "dynamodb_encrypted_cmk": Status.PASS,
        "dynamodb_deletion_protection": Status.PASS,
        "data_store_classification_tagged": Status.PASS,
    }  # fmt: skip
    ddb.update_table(TableName=SESSIONS, DeletionProtectionEnabled=False)
    evaluation = audit(secured, COLLECTORS)
    assert by_name(evaluation, "dynamodb_deletion_protection")[SESSIONS] is Status.FAIL
    assert by_name(evaluation, "dynamodb_encrypted_cmk")[SESSIONS] is Status.PASS


def test_tables_under_aws_keys_fail_the_customer_key_check(aws):
    kms = aws.client("kms")
    aliases = {a["AliasName"]: a["TargetKeyId"] for a in kms.list_aliases()["Aliases"]}
    managed = f"arn:aws:kms:us-east-1:123456789012:key/{aliases['alias/aws/dynamodb']}"
    make_table(aws, "managed-key", managed)
    aws.client("dynamodb").create_table(TableName="owned-key", **KEY_SCHEMA)
    collected = collect(aws, COLLECTORS)
    # As the provider records it: an AWS-managed key is no key of the table's own.
    by_table = {r.name: r.props.get("server_side_encryption") for r in collected.resources}
    assert by_table == {"managed-key": {"enabled": True}, "owned-key": None}
    evaluation = audit(aws, COLLECTORS)
    assert by_name(evaluation, "dynamodb_encrypted_cmk") == {
        "managed-key": Status.FAIL, "owned-key": Status.FAIL
    }  # fmt: skip
    assert "aws/dynamodb" in message(evaluation, "dynamodb_encrypted_cmk", "managed-key")
    assert "AWS-owned" in message(evaluation, "dynamodb_encrypted_cmk", "owned-key")


def _outcomes(evaluation):
    return {
        (f.check.id, f.resource.name if f.resource else "(account)"): (f.status, f.message)
        for f in evaluation.findings
    }


def test_one_tables_backups_denied_hides_only_its_recovery_check(secured, monkeypatch):
    make_table(secured, "claims", secured.key, DeletionProtectionEnabled=True)
    before = _outcomes(audit(secured, COLLECTORS))
    deny_when(
        monkeypatch, "DescribeContinuousBackups", lambda params: params["TableName"] == "claims"
    )
    collected = collect(secured, COLLECTORS)
    assert (
        "access denied to DescribeContinuousBackups (AccessDenied) (table claims)"
        in (collected.gaps[TABLE])
    )
    after = _outcomes(audit(secured, COLLECTORS))
    new = {key: value for key, value in after.items() if before.get(key) != value}
    assert new[("dynamodb_pitr_enabled", "claims")][0] is Status.NOT_EVALUATED
    # Each table check says the table type was only partly seen, and why; the account check
    # that needs every table cannot decide either. Nothing else changes.
    unseen = {k: v for k, v in new.items() if k[1] == "(account)"}
    assert all(v[0] is Status.NOT_EVALUATED for v in unseen.values())
    assert all("DescribeContinuousBackups" in v[1] for v in unseen.values())
    assert set(new) - set(unseen) == {("dynamodb_pitr_enabled", "claims")}
    assert all(before[k] == after[k] for k in before if k[1] == SESSIONS)


def test_listing_denied_hides_every_table_check_with_the_reason(secured, monkeypatch):
    deny(monkeypatch, "dynamodb", "ListTables")
    evaluation = audit(secured, COLLECTORS)
    for check in TABLE_CHECKS[:3]:
        (finding,) = [f for f in evaluation.findings if f.check.id == check]
        assert finding.status is Status.NOT_EVALUATED
        assert "access denied to ListTables (AccessDenied)" in finding.message
