"""AWS Backup: plans frequent and long enough, vaults under a customer key and locked, every data
store selected, and restores tested (controls BKP-01 to BKP-05)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from fnmatch import fnmatchcase
from typing import Any

from checks.model import Inventory, Resource
from checks.registry import Check, Result, Severity, check, failed, passed
from checks.support.backup_selections import backup_selections
from checks.support.joins import referrers
from checks.support.policydoc import parse_policy
from checks.support.props import blocks, flag, known
from checks.support.resource_types import BACKUP_VAULT, EFS_FILE_SYSTEM

CHECKS: list[Check] = []

PLAN = "aws:backup/plan:Plan"
VAULT_LOCK = "aws:backup/vaultLockConfiguration:VaultLockConfiguration"
VAULT_POLICY = "aws:backup/vaultPolicy:VaultPolicy"
RESTORE_TESTING_PLAN = "aws:backup/restoreTestingPlan:RestoreTestingPlan"
RESTORE_TESTING_SELECTION = "aws:backup/restoreTestingSelection:RestoreTestingSelection"
# AWS Config backup-plan-min-frequency-and-min-retention-check defaults: daily, 35 days.
MIN_RETENTION_DAYS = 35
# AWS Backup's schedule when a rule names none.
DEFAULT_SCHEDULE = "cron(0 5 ? * * *)"
_CRON = re.compile(r"^cron\((.+)\)$")
_RATE = re.compile(r"^rate\((\d+)\s+(minute|hour|day)s?\)$")
_MINUTES = {"minute": 1, "hour": 60, "day": 24 * 60}
AWS_MANAGED_BACKUP_KEY = "alias/aws/backup"


def is_daily_or_more(schedule: str) -> bool:
    """True for a schedule that runs at least once every day (cron or rate)."""
    text = schedule.strip()
    if rate := _RATE.match(text):
        every = int(rate.group(1)) * _MINUTES[rate.group(2)]
        return 0 < every <= _MINUTES["day"]
    cron = _CRON.match(text)
    fields = cron.group(1).split() if cron else []
    if len(fields) != 6:
        return False
    day_of_month, month, day_of_week = fields[2], fields[3], fields[4]
    return day_of_month in ("*", "?") and month == "*" and day_of_week in ("*", "?")


def _rule_summary(rule: Mapping[str, Any]) -> dict[str, Any]:
    schedule = str(rule.get("schedule") or DEFAULT_SCHEDULE)
    lifecycle = blocks(rule.get("lifecycle"))
    delete_after = lifecycle[0].get("delete_after") if lifecycle else None
    daily = flag(rule.get("enable_continuous_backup")) or is_daily_or_more(schedule)
    kept = delete_after is None or int(delete_after) >= MIN_RETENTION_DAYS
    return {
        "rule": rule.get("rule_name"),
        "schedule": schedule,
        "delete_after": delete_after,
        "daily": daily,
        "retention_ok": kept,
    }


@check(
    into=CHECKS,
    id="backup_plan_frequency_retention",
    control="BKP-01",
    title=f"Backup plan backs up daily and keeps recovery points {MIN_RETENTION_DAYS}+ days",
    severity=Severity.MEDIUM,
    config_rule="backup-plan-min-frequency-and-min-retention-check",
    resource_types=(PLAN,),
    remediation=(
        f"Give the plan a rule that runs at least daily with lifecycle.delete_after of at least "
        f"{MIN_RETENTION_DAYS} days (or no expiry); longer-term rules may sit beside it."
    ),
    pulumi_fix=(
        'aws.backup.Plan("phi", rules=[{"rule_name": "daily", "target_vault_name": vault.name,\n'
        '    "schedule": "cron(0 5 ? * * *)", "lifecycle": {"delete_after": 35}}])'
    ),
)
def backup_plan_frequency_retention(res: Resource, inv: Inventory) -> Result:
    """Data lost between backups is at most a day's, and copies reach back five weeks."""
    rules = [_rule_summary(r) for r in blocks(known(res, "rules"))]
    if any(r["daily"] and r["retention_ok"] for r in rules):
        return passed("a rule backs up daily and keeps copies long enough", rules=rules)
    return failed(
        f"no rule both runs daily and keeps copies for {MIN_RETENTION_DAYS} days", rules=rules
    )


@check(
    into=CHECKS,
    id="backup_vault_cmk",
    control="BKP-02",
    title="Backup vault encrypts recovery points with a customer-managed key",
    severity=Severity.MEDIUM,
    config_rule="backup-recovery-point-encrypted",
    resource_types=(BACKUP_VAULT,),
    remediation="Set kms_key_arn to a customer-managed key (the default is aws/backup).",
    pulumi_fix='aws.backup.Vault("phi", kms_key_arn=backup_key.arn)',
)
def backup_vault_cmk(res: Resource, inv: Inventory) -> Result:
    """Backup copies of ePHI are encrypted under a key the entity controls and can revoke."""
    key = known(res, "kms_key_arn")
    if key and AWS_MANAGED_BACKUP_KEY not in str(key):
        return passed("recovery points are encrypted with a customer-managed key", kms_key_arn=key)
    return failed("recovery points use the AWS-managed aws/backup key", kms_key_arn=key)


def _denies_deletion(policy: Resource) -> bool:
    statements = parse_policy(known(policy, "policy"), f"the vault policy {policy.name}")
    return any(
        s.effect == "Deny"
        and any(fnmatchcase("backup:deleterecoverypoint", a.lower()) for a in s.actions)
        for s in statements
    )


@check(
    into=CHECKS,
    id="backup_vault_deletion_protected",
    control="BKP-03",
    title="Backup vault is locked or denies manual deletion of recovery points",
    severity=Severity.MEDIUM,
    config_rule="backup-recovery-point-manual-deletion-disabled",
    resource_types=(BACKUP_VAULT,),
    reads=(
        "aws:backup/vaultLockConfiguration:VaultLockConfiguration",
        "aws:backup/vaultPolicy:VaultPolicy",
    ),
    remediation=(
        "Add an aws.backup.VaultLockConfiguration (compliance mode with changeable_for_days), or "
        "a vault policy that denies backup:DeleteRecoveryPoint, so ransomware or an insider "
        "cannot delete the backups."
    ),
    pulumi_fix=(
        'aws.backup.VaultLockConfiguration("phi-lock", backup_vault_name=vault.name,\n'
        "    min_retention_days=35, max_retention_days=2555, changeable_for_days=3)"
    ),
)
def backup_vault_deletion_protected(res: Resource, inv: Inventory) -> Result:
    """Backups survive an attacker or mistake that deletes everything it can reach."""
    locks = [r.name for r in referrers(inv, res, (VAULT_LOCK,), "backup_vault_name")]
    policies = referrers(inv, res, (VAULT_POLICY,), "backup_vault_name", every=True)
    denying = [p.name for p in policies if _denies_deletion(p)]
    evidence = {"vault_lock": locks, "deny_delete_policies": denying}
    if locks or denying:
        return passed("recovery points cannot be deleted at will", **evidence)
    return failed("no vault lock and no policy denying deletion of recovery points", **evidence)


@check(
    into=CHECKS,
    id="efs_in_backup_plan",
    control="BKP-04",
    title="EFS file system is selected by an AWS Backup plan",
    severity=Severity.MEDIUM,
    config_rule="efs-in-backup-plan",
    resource_types=(EFS_FILE_SYSTEM,),
    reads=("aws:backup/selection:Selection",),
    remediation=(
        "Select the file system in an aws.backup.Selection, by ARN or by a tag every data store "
        "carries (e.g. conditions string_equals aws:ResourceTag/data-classification = 'ePHI')."
    ),
    pulumi_fix=(
        'aws.backup.Selection("files", plan_id=plan.id, iam_role_arn=backup_role.arn,\n'
        "    resources=[file_system.arn])"
    ),
)
def efs_in_backup_plan(res: Resource, inv: Inventory) -> Result:
    """An exact, retrievable copy of the files exists (data backup plan). The other stores
    have their own checks (rds_in_backup_plan, dynamodb_in_backup_plan,
    ebs_volume_in_backup_plan): none is judged twice."""
    selections = [s.name for s in backup_selections(res, inv)]
    if selections:
        return passed("an AWS Backup plan selects the file system", backup_selections=selections)
    return failed("no AWS Backup selection covers the file system", backup_selections=[])


@check(
    into=CHECKS,
    id="backup_restore_testing",
    control="BKP-05",
    title="Restores from backup are tested on a schedule",
    severity=Severity.LOW,
    scope="account",
    reads=(
        "aws:backup/plan:Plan",
        "aws:backup/restoreTestingPlan:RestoreTestingPlan",
        "aws:backup/restoreTestingSelection:RestoreTestingSelection",
    ),
    remediation=(
        "Declare an aws.backup.RestoreTestingPlan with a RestoreTestingSelection for the "
        "protected data stores; keep the restore job results as evidence."
    ),
    pulumi_fix=(
        'plan = aws.backup.RestoreTestingPlan("monthly", schedule_expression="cron(0 6 1 * ? *)",\n'
        '    recovery_point_selection={"algorithm": "LATEST_WITHIN_WINDOW",\n'
        '        "include_vaults": ["*"], "recovery_point_types": ["SNAPSHOT"]})\n'
        'aws.backup.RestoreTestingSelection("rds", restore_testing_plan_name=plan.name,\n'
        '    protected_resource_type="RDS", iam_role_arn=restore_role.arn,\n'
        '    protected_resource_arns=["*"])'
    ),
)
def backup_restore_testing(inv: Inventory) -> list[Result]:
    """Backups are known to restore, before the day they are needed (testing and revision)."""
    if not inv.by_type(PLAN):
        return []
    plans = [p.name for p in inv.by_type(RESTORE_TESTING_PLAN)]
    selections = [s.name for s in inv.by_type(RESTORE_TESTING_SELECTION)]
    evidence = {"restore_testing_plans": plans, "restore_testing_selections": selections}
    if plans and selections:
        return [passed("a restore testing plan selects resources to restore", **evidence)]
    return [failed("no restore testing plan with a selection is declared", **evidence)]
