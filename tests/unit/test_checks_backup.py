"""AWS Backup checks: plan frequency and retention, vault keys and locks, coverage of every data
store, restore testing."""

from __future__ import annotations

import json

import pytest

from checks.aws.backup import (
    backup_covers_data_stores,
    backup_plan_frequency_retention,
    backup_restore_testing,
    backup_vault_cmk,
    backup_vault_deletion_protected,
    is_daily_or_more,
)
from checks.model import UNKNOWN, Inventory, Resource, Undecidable
from checks.registry import Status


def plan(*rules: dict) -> Resource:
    return Resource(
        "aws:backup/plan:Plan", "phi-plan", {"name": "phi", "rules": list(rules)}, id="plan-1"
    )


def rule(
    schedule: str | None = "cron(0 5 ? * * *)", delete_after: int | None = 35, **extra
) -> dict:
    out = {"rule_name": "daily", "target_vault_name": "phi", **extra}
    if schedule is not None:
        out["schedule"] = schedule
    if delete_after is not None:
        out["lifecycle"] = {"delete_after": delete_after}
    return out


def vault(**props) -> Resource:
    return Resource("aws:backup/vault:Vault", "phi-vault", {"name": "phi", **props}, id="phi")


def run(fn, target: Resource, *others: Resource):
    return fn(target, Inventory([target, *others]))


@pytest.mark.parametrize(
    ("schedule", "daily"),
    [
        ("cron(0 5 ? * * *)", True),
        ("cron(0 */4 * * ? *)", True),
        ("cron(0 5 ? * MON-FRI *)", False),
        ("cron(0 5 1 * ? *)", False),
        ("rate(12 hours)", True),
        ("nonsense", False),
    ],
)
def test_daily_schedules(schedule, daily):
    assert is_daily_or_more(schedule) is daily


def test_daily_rule_kept_35_days_passes_and_default_schedule_is_daily():
    result = run(backup_plan_frequency_retention, plan(rule(schedule=None)))
    assert result.status is Status.PASS
    assert result.evidence["rules"] == [
        {
            "rule": "daily",
            "schedule": "cron(0 5 ? * * *)",
            "delete_after": 35,
            "daily": True,
            "retention_ok": True,
        }
    ]


def test_weekly_or_short_lived_rules_fail_but_a_monthly_extra_rule_does_not_hurt():
    weekly = run(backup_plan_frequency_retention, plan(rule("cron(0 5 ? * SUN *)")))
    short = run(backup_plan_frequency_retention, plan(rule(delete_after=7)))
    assert (weekly.status, short.status) == (Status.FAIL, Status.FAIL)
    both = plan(rule(), rule("cron(0 5 1 * ? *)", 2555))
    assert run(backup_plan_frequency_retention, both).status is Status.PASS
    with pytest.raises(Undecidable):
        run(backup_plan_frequency_retention, plan(UNKNOWN))


def test_vault_key():
    key = "arn:aws:kms:us-east-1:1:key/k"
    ok = run(backup_vault_cmk, vault(kms_key_arn=key))
    assert (ok.status, ok.evidence) == (Status.PASS, {"kms_key_arn": key})
    assert run(backup_vault_cmk, vault()).status is Status.FAIL
    with pytest.raises(Undecidable):
        run(backup_vault_cmk, vault(kms_key_arn=UNKNOWN))


def test_vault_lock_or_deny_delete_policy_passes():
    lock = Resource(
        "aws:backup/vaultLockConfiguration:VaultLockConfiguration",
        "phi-lock",
        {"backup_vault_name": "phi", "min_retention_days": 35},
    )
    result = run(backup_vault_deletion_protected, vault(), lock)
    assert (result.status, result.evidence) == (
        Status.PASS,
        {"vault_lock": ["phi-lock"], "deny_delete_policies": []},
    )
    deny = {
        "Effect": "Deny",
        "Principal": "*",
        "Action": ["backup:DeleteRecoveryPoint"],
        "Resource": "*",
    }
    policy = Resource(
        "aws:backup/vaultPolicy:VaultPolicy",
        "phi-policy",
        {"backup_vault_name": "phi", "policy": json.dumps({"Statement": [deny]})},
    )
    assert run(backup_vault_deletion_protected, vault(), policy).status is Status.PASS


def test_unprotected_vault_fails_and_unknown_lock_target_is_undecidable():
    assert run(backup_vault_deletion_protected, vault()).status is Status.FAIL
    lock = Resource(
        "aws:backup/vaultLockConfiguration:VaultLockConfiguration",
        "l",
        {"backup_vault_name": UNKNOWN},
    )
    with pytest.raises(Undecidable):
        run(backup_vault_deletion_protected, vault(), lock)


def _db(tags=None) -> Resource:
    return Resource(
        "aws:rds/instance:Instance",
        "billing-db",
        {"engine": "postgres", "tags": tags or {}},
        arn="arn:aws:rds:us-east-1:1:db:billing",
    )


def _table() -> Resource:
    return Resource(
        "aws:dynamodb/table:Table",
        "sessions",
        {"tags": {"backup": "daily"}},
        arn="arn:aws:dynamodb:us-east-1:1:table/sessions",
    )


def test_every_data_store_selected_passes():
    selection = Resource(
        "aws:backup/selection:Selection",
        "all-daily",
        {
            "resources": ["*"],
            "conditions": [
                {"string_equals": [{"key": "aws:ResourceTag/backup", "value": "daily"}]}
            ],
        },
    )
    [result] = backup_covers_data_stores(Inventory([_db({"backup": "daily"}), _table(), selection]))
    assert (result.status, result.evidence) == (Status.PASS, {"data_stores": 2, "not_selected": []})


def test_unselected_store_fails_naming_it_and_no_stores_reports_nothing():
    selection = Resource(
        "aws:backup/selection:Selection", "tables", {"resources": ["arn:aws:dynamodb:*:*:table/*"]}
    )
    [result] = backup_covers_data_stores(Inventory([_db(), _table(), selection]))
    assert (result.status, result.evidence["not_selected"]) == (Status.FAIL, ["billing-db"])
    assert backup_covers_data_stores(Inventory([vault()])) == []
    pending = Resource("aws:backup/selection:Selection", "x", {"resources": UNKNOWN})
    with pytest.raises(Undecidable):
        backup_covers_data_stores(Inventory([_db(), pending]))


def test_restore_testing():
    testing = Resource("aws:backup/restoreTestingPlan:RestoreTestingPlan", "monthly", {})
    selection = Resource("aws:backup/restoreTestingSelection:RestoreTestingSelection", "rds", {})
    [ok] = backup_restore_testing(Inventory([plan(rule()), testing, selection]))
    assert (ok.status, ok.evidence) == (
        Status.PASS,
        {"restore_testing_plans": ["monthly"], "restore_testing_selections": ["rds"]},
    )
    [missing] = backup_restore_testing(Inventory([plan(rule()), testing]))
    assert missing.status is Status.FAIL
    assert backup_restore_testing(Inventory([testing])) == []


def test_stores_classified_as_not_ephi_need_no_backup_plan():
    lock_table = Resource(
        "aws:dynamodb/table:Table",
        "locks",
        {"tags": {"data-classification": "internal"}},
        arn="arn:t",
    )
    assert backup_covers_data_stores(Inventory([lock_table])) == []
