"""The AWS Backup collectors: vaults, their locks and plans against the emulator, and what the
emulator does not answer (selections, vault access policies and notifications, restore testing)
against botocore's Stubber, whose answers are checked against the service's own model. Each
collects with the props the program scan gives; secure configurations pass; console changes fail
the right check; a denied call hides only what it read."""

from __future__ import annotations

import datetime
import json

import pytest
from botocore.stub import Stubber

from checks.evaluate import evaluate
from checks.library import build_registry
from checks.model import Inventory
from checks.registry import Status
from checks.sources.aws import session
from checks.sources.aws.collect import run
from checks.sources.aws.services import backup as backup_collectors
from checks.sources.aws.services import dynamodb as dynamodb_collectors
from checks.sources.aws.services.backup import (
    PLAN,
    RESTORE_TESTING_PLAN,
    RESTORE_TESTING_SELECTION,
    SELECTION,
    VAULT,
    VAULT_LOCK,
    VAULT_NOTIFICATIONS,
    VAULT_POLICY,
)
from checks.sources.aws.services.datastores import snake
from checks.sources.aws.session import AwsOptions, accounts
from tests.emulator.datastore_checks import by_name, deny_when, sdk_name_errors
from tests.emulator.live_audit import audit, collect, deny, program_resources, shape_differences

VAULTS, PLANS, SELECTIONS, RESTORE_TESTING = backup_collectors.COLLECTORS
ACCOUNT, REGION = "123456789012", "us-east-1"
VAULT_NAME = "hipaa-billing-prod-vault"
VAULT_ARN = f"arn:aws:backup:{REGION}:{ACCOUNT}:backup-vault:{VAULT_NAME}"
PLAN_NAME = "hipaa-billing-prod-ephi"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/hipaa-billing-prod-backup"
TOPIC = f"arn:aws:sns:{REGION}:{ACCOUNT}:hipaa-billing-prod-security-alerts"
TAGS = {"data-classification": "ePHI", "backup-plan": PLAN_NAME}
NOW = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
# Not reported back by AWS: a vault's force_destroy (an input of the provider's delete), and a
# lock's changeable_for_days (AWS reports the date it ends instead).
NOT_READ_BACK = {VAULT: {"force_destroy"}, VAULT_LOCK: {"changeable_for_days"}}
DAILY = {
    "RuleName": "daily",
    "TargetBackupVaultName": VAULT_NAME,
    "ScheduleExpression": "cron(0 5 ? * * *)",
    "StartWindowMinutes": 60,
    "CompletionWindowMinutes": 360,
    "Lifecycle": {"DeleteAfterDays": 35},
    "RecoveryPointTags": {
        "backup-plan": PLAN_NAME,
        "environment": "prod",
        "project": "hipaa-billing",
        "owner": "billing-platform",
    },
}
MONTHLY = {"RuleName": "monthly", "TargetBackupVaultName": VAULT_NAME,
           "ScheduleExpression": "cron(0 6 1 * ? *)", "StartWindowMinutes": 60,
           "CompletionWindowMinutes": 720, "Lifecycle": {
               "MoveToColdStorageAfterDays": 90, "DeleteAfterDays": 2192,
               "OptInToArchiveForSupportedResources": True}}  # fmt: skip


@pytest.fixture(autouse=True)
def _no_retries(monkeypatch):
    """The emulator answers 500 to what it does not implement, which botocore retries (as it
    should against AWS) for seconds: these tests take the first answer."""
    monkeypatch.setattr(session, "_RETRIES", {"mode": "standard", "max_attempts": 1})


@pytest.fixture
def secured(aws):
    """The billing program's vault (customer key, lock) and daily plan, deployed by hand."""
    backup = aws.client("backup")
    key = aws.client("kms").create_key()["KeyMetadata"]["Arn"]
    backup.create_backup_vault(
        BackupVaultName=VAULT_NAME, EncryptionKeyArn=key, BackupVaultTags=TAGS
    )
    backup.put_backup_vault_lock_configuration(
        BackupVaultName=VAULT_NAME, MinRetentionDays=35, MaxRetentionDays=2192,
        ChangeableForDays=3,
    )  # fmt: skip
    backup.create_backup_plan(
        BackupPlan={"BackupPlanName": PLAN_NAME, "Rules": [DAILY, MONTHLY]},
        BackupPlanTags={"data-classification": "internal"},
    )
    aws.key = key
    return aws


def _one(resources, token: str, name: str):
    (found,) = [r for r in resources if r.type == token and r.name == name]
    return found


def test_vaults_and_plans_collect_as_the_program_declares_them(secured):
    collected = collect(secured, [VAULTS, PLANS])
    program = program_resources("prod")
    for token, name in ((VAULT, VAULT_NAME), (VAULT_LOCK, VAULT_NAME), (PLAN, PLAN_NAME)):
        declared = next(r for r in program if r.type == token)
        props = {k: v for k, v in declared.props.items() if k not in NOT_READ_BACK.get(token, ())}
        assert shape_differences(props, _one(collected.resources, token, name).props) == [], token
    assert [e for r in collected.resources for e in sdk_name_errors(r)] == []
    vault = _one(collected.resources, VAULT, VAULT_NAME)
    assert (vault.arn, vault.props["kms_key_arn"], vault.props["tags"]) == (
        VAULT_ARN, secured.key, TAGS
    )  # fmt: skip
    lock = _one(collected.resources, VAULT_LOCK, VAULT_NAME).props
    assert (lock["min_retention_days"], lock["max_retention_days"]) == (35, 2192)
    plan = _one(collected.resources, PLAN, PLAN_NAME)
    daily = next(r for r in plan.props["rules"] if r["rule_name"] == "daily")
    assert (daily["schedule"], daily["lifecycle"]) == ("cron(0 5 ? * * *)", {"delete_after": 35})
    assert daily["recovery_point_tags"]["backup-plan"] == PLAN_NAME


def test_what_the_emulator_cannot_answer_is_not_evaluated_with_the_reason(secured):
    collected = collect(secured, backup_collectors.COLLECTORS)
    assert set(collected.gaps) == {VAULT_POLICY, VAULT_NOTIFICATIONS, SELECTION,
                                   RESTORE_TESTING_PLAN, RESTORE_TESTING_SELECTION}  # fmt: skip
    assert all("does not implement" in why for why in collected.gaps.values())
    evaluation = audit(secured, backup_collectors.COLLECTORS)
    assert by_name(evaluation, "backup_plan_frequency_retention") == {PLAN_NAME: Status.PASS}
    assert by_name(evaluation, "backup_vault_cmk") == {VAULT_NAME: Status.PASS}
    for check, reason in (("backup_vault_deletion_protected", "GetBackupVaultAccessPolicy"),
                          ("backup_restore_testing", "ListRestoreTestingPlans")):  # fmt: skip
        (finding,) = [f for f in evaluation.findings if f.check.id == check]
        assert finding.status is Status.NOT_EVALUATED and reason in finding.message


def test_console_changes_fail_the_right_check(secured):
    backup = secured.client("backup")
    # A vault made without a key of its own. (AWS would report the aws/backup key's ARN, which
    # the collector names by its alias; the emulator has no aws/backup key and reports none.)
    backup.create_backup_vault(BackupVaultName="hand-made")
    weekly = DAILY | {"RuleName": "weekly", "ScheduleExpression": "cron(0 5 ? * SUN *)"}
    backup.create_backup_plan(BackupPlan={"BackupPlanName": "weekly", "Rules": [weekly]})
    short = DAILY | {"Lifecycle": {"DeleteAfterDays": 7}}
    backup.create_backup_plan(BackupPlan={"BackupPlanName": "short", "Rules": [short]})
    evaluation = audit(secured, [VAULTS, PLANS])
    assert by_name(evaluation, "backup_vault_cmk") == {
        VAULT_NAME: Status.PASS, "hand-made": Status.FAIL
    }  # fmt: skip
    assert by_name(evaluation, "backup_plan_frequency_retention") == {
        PLAN_NAME: Status.PASS, "weekly": Status.FAIL, "short": Status.FAIL
    }  # fmt: skip


def _stubbed(aws, collector, answers):
    """What `collector` finds when the Backup API answers `answers` ((operation, response), in
    the order it asks; KMS is the emulator's)."""
    account = accounts(AwsOptions(endpoint_url=aws.endpoint))[0]
    stubber = Stubber(account.client("backup", REGION))
    for operation, response in answers:
        stubber.add_response(snake(operation), response)
    with stubber:
        harvest = run([account], {account.account_id: [REGION]}, [collector], lambda _: None)
        stubber.assert_no_pending_responses()
    return harvest


def _plan_list():
    return ("ListBackupPlans", {"BackupPlansList": [{
        "BackupPlanArn": f"arn:aws:backup:{REGION}:{ACCOUNT}:backup-plan:plan-1",
        "BackupPlanId": "plan-1", "BackupPlanName": PLAN_NAME, "CreationDate": NOW}]})  # fmt: skip


def _selections(tag_value: str):
    selection = {
        "SelectionName": "hipaa-billing-prod-tagged", "IamRoleArn": ROLE, "Resources": [],
        "ListOfTags": [{"ConditionType": "STRINGEQUALS", "ConditionKey": "backup-plan",
                        "ConditionValue": tag_value}],
        "Conditions": {"StringEquals": [{"ConditionKey": "aws:ResourceTag/data-classification",
                                         "ConditionValue": "ePHI"}]},
    }  # fmt: skip
    return [
        _plan_list(),
        ("ListBackupSelections", {"BackupSelectionsList": [{
            "SelectionId": "sel-1", "SelectionName": selection["SelectionName"],
            "BackupPlanId": "plan-1", "IamRoleArn": ROLE, "CreationDate": NOW}]}),
        ("GetBackupSelection", {"BackupSelection": selection, "SelectionId": "sel-1",
                                "BackupPlanId": "plan-1", "CreationDate": NOW}),
    ]  # fmt: skip


def _table(aws) -> None:
    aws.client("dynamodb").create_table(
        TableName="claims", BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        Tags=[{"Key": k, "Value": v} for k, v in TAGS.items()],
    )  # fmt: skip


@pytest.mark.parametrize("tag_value,covered", [(PLAN_NAME, Status.PASS), ("other", Status.FAIL)])
def test_selections_decide_what_is_backed_up(aws, tag_value, covered):
    _table(aws)
    harvest = _stubbed(aws, SELECTIONS, _selections(tag_value))
    (selection,) = harvest.resources
    assert harvest.gaps == [] and sdk_name_errors(selection) == []
    declared = next(r for r in program_resources("prod") if r.type == SELECTION)
    assert shape_differences(declared.props, selection.props) == []
    assert selection.props["conditions"] == [{"string_equals": [
        {"key": "aws:ResourceTag/data-classification", "value": "ePHI"}]}]  # fmt: skip
    tables = collect(aws, dynamodb_collectors.COLLECTORS)
    inventory = Inventory([*tables.resources, *harvest.resources])
    evaluation = evaluate(inventory, build_registry())
    assert by_name(evaluation, "dynamodb_in_backup_plan") == {"claims": covered}


def _vault_answers(policy: dict | None):
    vault = {"BackupVaultName": VAULT_NAME, "BackupVaultArn": VAULT_ARN, "CreationDate": NOW,
             "Locked": False}  # fmt: skip
    policy_answer = (
        {"BackupVaultName": VAULT_NAME, "BackupVaultArn": VAULT_ARN, "Policy": json.dumps(policy)}
        if policy else {"BackupVaultName": VAULT_NAME, "BackupVaultArn": VAULT_ARN}
    )  # fmt: skip
    return [
        ("ListBackupVaults", {"BackupVaultList": [vault]}),
        ("ListTags", {"Tags": TAGS}),
        ("GetBackupVaultAccessPolicy", policy_answer),
        ("GetBackupVaultNotifications", {
            "BackupVaultName": VAULT_NAME, "BackupVaultArn": VAULT_ARN, "SNSTopicArn": TOPIC,
            "BackupVaultEvents": ["BACKUP_JOB_COMPLETED", "RESTORE_JOB_COMPLETED"]}),
    ]  # fmt: skip


DENY_DELETE = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "backup:DeleteRecoveryPoint",
    "Resource": "*"}]}  # fmt: skip


@pytest.mark.parametrize("policy,verdict", [(DENY_DELETE, Status.PASS), (None, Status.FAIL)])
def test_a_vault_policy_that_denies_deletion_protects_an_unlocked_vault(aws, policy, verdict):
    harvest = _stubbed(aws, VAULTS, _vault_answers(policy))
    assert harvest.gaps == []
    assert [e for r in harvest.resources for e in sdk_name_errors(r)] == []
    notifications = _one(harvest.resources, VAULT_NOTIFICATIONS, VAULT_NAME)
    declared = next(r for r in program_resources("prod") if r.type == VAULT_NOTIFICATIONS)
    assert shape_differences(declared.props, notifications.props) == []
    assert {r.type for r in harvest.resources} == {VAULT, VAULT_NOTIFICATIONS} | (
        {VAULT_POLICY} if policy else set()
    )
    evaluation = evaluate(Inventory(harvest.resources), build_registry())
    assert by_name(evaluation, "backup_vault_deletion_protected") == {VAULT_NAME: verdict}


def test_restore_testing_collects_and_passes(secured):
    plan_arn = f"arn:aws:backup:{REGION}:{ACCOUNT}:restore-testing-plan:restore_tests-1"
    selection = {"CreationTime": NOW, "IamRoleArn": ROLE, "ProtectedResourceType": "DynamoDB",
                 "RestoreTestingPlanName": "restore_tests",
                 "RestoreTestingSelectionName": "dynamodb_tagged"}  # fmt: skip
    answers = [
        ("ListRestoreTestingPlans", {"RestoreTestingPlans": [{
            "CreationTime": NOW, "RestoreTestingPlanArn": plan_arn,
            "RestoreTestingPlanName": "restore_tests",
            "ScheduleExpression": "cron(0 8 2 * ? *)"}]}),
        ("GetRestoreTestingPlan", {"RestoreTestingPlan": {
            "CreationTime": NOW, "RestoreTestingPlanArn": plan_arn,
            "RestoreTestingPlanName": "restore_tests", "ScheduleExpression": "cron(0 8 2 * ? *)",
            "StartWindowHours": 24, "RecoveryPointSelection": {
                "Algorithm": "LATEST_WITHIN_WINDOW", "IncludeVaults": [VAULT_ARN],
                "RecoveryPointTypes": ["SNAPSHOT"], "SelectionWindowDays": 7}}}),
        ("ListTags", {"Tags": {"data-classification": "internal"}}),
        ("ListRestoreTestingSelections", {"RestoreTestingSelections": [selection]}),
        ("GetRestoreTestingSelection", {"RestoreTestingSelection": selection | {
            "ProtectedResourceArns": ["*"], "ValidationWindowHours": 1,
            "ProtectedResourceConditions": {"StringEquals": [
                {"Key": "aws:ResourceTag/backup-plan", "Value": PLAN_NAME}]}}}),
    ]  # fmt: skip
    harvest = _stubbed(secured, RESTORE_TESTING, answers)
    assert harvest.gaps == []
    program = program_resources("prod")
    for token, name in ((RESTORE_TESTING_PLAN, "restore_tests"),
                        (RESTORE_TESTING_SELECTION, "dynamodb_tagged")):  # fmt: skip
        live = _one(harvest.resources, token, name)
        declared = next(r for r in program if r.type == token)
        assert shape_differences(declared.props, live.props) == [], token
        assert sdk_name_errors(live) == []
    inventory = Inventory([*harvest.resources, *collect(secured, [PLANS]).resources])
    evaluation = evaluate(inventory, build_registry())
    assert by_name(evaluation, "backup_restore_testing") == {"(account)": Status.PASS}


def _outcomes(evaluation):
    return {
        (f.check.id, f.resource.name if f.resource else "(account)"): (f.status, f.message)
        for f in evaluation.findings
    }


def test_one_vaults_tags_denied_hides_only_its_classification(secured, monkeypatch):
    secured.client("backup").create_backup_vault(BackupVaultName="archive")
    before = _outcomes(audit(secured, [VAULTS, PLANS]))
    deny_when(monkeypatch, "ListTags", lambda params: params["ResourceArn"].endswith(":archive"))
    collected = collect(secured, [VAULTS, PLANS])
    assert "access denied to ListTags (AccessDenied) (vault archive)" in collected.gaps[VAULT]
    after = _outcomes(audit(secured, [VAULTS, PLANS]))
    new = {key: value for key, value in after.items() if before.get(key) != value}
    assert new[("data_store_classification_tagged", "archive")][0] is Status.NOT_EVALUATED
    unseen = {k: v for k, v in new.items() if k[1] == "(account)"}
    assert all(v[0] is Status.NOT_EVALUATED and "ListTags" in v[1] for v in unseen.values())
    assert set(new) - set(unseen) == {("data_store_classification_tagged", "archive")}


def test_a_plan_that_cannot_be_read_is_not_evaluated(secured, monkeypatch):
    deny_when(monkeypatch, "GetBackupPlan")
    evaluation = audit(secured, [PLANS])
    assert by_name(evaluation, "backup_plan_frequency_retention")[PLAN_NAME] is (
        Status.NOT_EVALUATED
    )


def test_listing_vaults_denied_hides_the_vault_checks_with_the_reason(secured, monkeypatch):
    deny(monkeypatch, "backup", "ListBackupVaults")
    evaluation = audit(secured, [VAULTS, PLANS])
    for check in ("backup_vault_cmk", "backup_vault_deletion_protected"):
        (finding,) = [f for f in evaluation.findings if f.check.id == check]
        assert finding.status is Status.NOT_EVALUATED
        assert "access denied to ListBackupVaults (AccessDenied)" in finding.message
    assert by_name(evaluation, "backup_plan_frequency_retention") == {PLAN_NAME: Status.PASS}
