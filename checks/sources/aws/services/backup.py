"""AWS Backup: vaults (their key, lock, access policy and notifications), plans with their rules,
the selections of each plan, and restore testing plans with their selections, as pulumi_aws splits
them into `backup.*` resources.

Configuration only: never a recovery point's content; no backup, copy or restore is started.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from typing import Any

from checks.model import Resource
from checks.sources.aws.collect import CollectionError, Collector, Context
from checks.sources.aws.services.datastores import (
    ManagedKeys,
    barely_read,
    partly_read,
    present,
    read_setting,
    shaped,
)

VAULT = "aws:backup/vault:Vault"
VAULT_LOCK = "aws:backup/vaultLockConfiguration:VaultLockConfiguration"
VAULT_POLICY = "aws:backup/vaultPolicy:VaultPolicy"
VAULT_NOTIFICATIONS = "aws:backup/vaultNotifications:VaultNotifications"
PLAN = "aws:backup/plan:Plan"
SELECTION = "aws:backup/selection:Selection"
RESTORE_TESTING_PLAN = "aws:backup/restoreTestingPlan:RestoreTestingPlan"
RESTORE_TESTING_SELECTION = "aws:backup/restoreTestingSelection:RestoreTestingSelection"
TAGS = "backup:ListTags"

# A plan rule's members as the provider names them (the rest: their snake_case).
_RULE_NAMES = {
    "TargetBackupVaultName": "target_vault_name",
    "ScheduleExpression": "schedule",
    "StartWindowMinutes": "start_window",
    "CompletionWindowMinutes": "completion_window",
    "DeleteAfterDays": "delete_after",
    "MoveToColdStorageAfterDays": "cold_storage_after",
    "DestinationBackupVaultArn": "destination_vault_arn",
}
# A backup selection's condition operators, as the provider names its blocks.
_CONDITIONS = {
    "StringEquals": "string_equals",
    "StringNotEquals": "string_not_equals",
    "StringLike": "string_likes",
    "StringNotLike": "string_not_likes",
}


def _tags(ctx: Context, backup: Any, token: str, arn: str | None, where: str) -> dict | None:
    """A resource's tags; None (and a partial gap) when they cannot be read. (ListTags pages
    with NextToken, but botocore has no paginator for it.)"""
    if not arn:
        return None
    found: dict[str, str] = {}
    next_token = None
    try:
        while True:
            more = {"NextToken": next_token} if next_token else {}
            answer = ctx.call(backup, "ListTags", ResourceArn=arn, **more)
            found.update(answer.get("Tags") or {})
            next_token = answer.get("NextToken")
            if not next_token:
                return found
    except CollectionError as exc:
        ctx.hide((token,), f"{exc} ({where})")
    return None


# Properties a resource may lack because it is not configured (absent: the provider's default).
_OPTIONAL = (
    "kms_key_arn", "advanced_backup_settings", "version", "schedule_expression_timezone",
    "start_window_hours", "recovery_point_selection",
)  # fmt: skip


def _tagged(res: Resource, tags: dict | None) -> Resource:
    if tags is None:
        return partly_read(res, ["tags"], absent=_OPTIONAL)
    return dataclasses.replace(res, props={**res.props, "tags": tags})


# -- vaults ------------------------------------------------------------------------------------


def _vault_policy(answer: Mapping[str, Any]) -> dict[str, Any] | None:
    return {"policy": answer["Policy"]} if answer.get("Policy") else None


def _vault_notifications(answer: Mapping[str, Any]) -> dict[str, Any] | None:
    if not answer.get("SNSTopicArn"):
        return None
    return {
        "sns_topic_arn": answer["SNSTopicArn"],
        "backup_vault_events": list(answer.get("BackupVaultEvents") or []),
    }


_VAULT_SETTINGS = (
    (VAULT_POLICY, "GetBackupVaultAccessPolicy", _vault_policy),
    (VAULT_NOTIFICATIONS, "GetBackupVaultNotifications", _vault_notifications),
)


def _vaults(ctx: Context) -> Iterator[Resource]:
    backup = ctx.client()
    vaults = list(ctx.pages(backup, "ListBackupVaults", "BackupVaultList"))
    keys = ManagedKeys(ctx) if vaults else None
    # A setting no vault could be read for is a gap of its whole type: the checks that need it
    # cannot decide for any vault, so it is not asked again of every other vault.
    unreadable: set[str] = set()
    for vault in vaults:
        name, arn = vault["BackupVaultName"], vault.get("BackupVaultArn")
        where = f"vault {name}"
        props = present({"name": name, "kms_key_arn": keys.name(vault.get("EncryptionKeyArn"))})
        tags = _tags(ctx, backup, VAULT, arn, where)
        yield _tagged(ctx.resource(VAULT, name, props, id=name, arn=arn), tags)
        if vault.get("Locked"):
            lock = {
                "backup_vault_name": name,
                "backup_vault_arn": arn,
                "min_retention_days": vault.get("MinRetentionDays"),
                "max_retention_days": vault.get("MaxRetentionDays"),
            }
            yield ctx.resource(VAULT_LOCK, name, present(lock), id=name)
        for token, operation, shape in _VAULT_SETTINGS:
            if token in unreadable:
                continue
            answer, read = read_setting(
                ctx, backup, operation, (token,), where, BackupVaultName=name
            )
            if not read:
                unreadable.add(token)
            elif answer and (settings := shape(answer)) is not None:
                found = {"backup_vault_name": name, "backup_vault_arn": arn, **settings}
                yield ctx.resource(token, name, found, id=name)


# -- plans and selections ----------------------------------------------------------------------


def _rule(rule: Mapping[str, Any]) -> dict[str, Any]:
    plain = {k: v for k, v in rule.items() if k not in ("RuleId", "RecoveryPointTags")}
    out = shaped(plain, _RULE_NAMES)
    if rule.get("RecoveryPointTags"):
        out["recovery_point_tags"] = dict(rule["RecoveryPointTags"])
    return out


def _advanced(settings: Any) -> list[dict[str, Any]] | None:
    """Advanced settings, whose backup options are a map keyed by AWS's own names."""
    return [
        {
            "resource_type": s.get("ResourceType"),
            "backup_options": dict(s.get("BackupOptions") or {}),
        }
        for s in settings or ()
    ] or None


def _plans(ctx: Context) -> Iterator[Resource]:
    backup = ctx.client()
    for entry in ctx.pages(backup, "ListBackupPlans", "BackupPlansList"):
        plan_id, name = entry["BackupPlanId"], entry.get("BackupPlanName") or entry["BackupPlanId"]
        arn, where = entry.get("BackupPlanArn"), f"backup plan {name}"
        answer, read = read_setting(
            ctx, backup, "GetBackupPlan", (PLAN,), where, BackupPlanId=plan_id
        )
        if not read:
            yield barely_read(ctx.resource(PLAN, name, {"name": name}, id=plan_id, arn=arn))
            continue
        if answer is None:  # deleted while the audit ran
            continue
        plan = answer.get("BackupPlan") or {}
        props = present(
            {
                "name": plan.get("BackupPlanName", name),
                "rules": [_rule(r) for r in plan.get("Rules") or ()],
                "advanced_backup_settings": _advanced(plan.get("AdvancedBackupSettings")),
                "version": answer.get("VersionId"),
            }
        )
        tags = _tags(ctx, backup, PLAN, arn, where)
        yield _tagged(ctx.resource(PLAN, name, props, id=plan_id, arn=arn), tags)


def _conditions(conditions: Mapping[str, Any] | None, names: Mapping[str, str]) -> Any:
    """Selection conditions as the provider's one block of operators, each a list of tests."""
    block = {
        names[op]: [{"key": t.get("ConditionKey"), "value": t.get("ConditionValue")} for t in tests]
        for op, tests in (conditions or {}).items()
        if op in names and tests
    }
    return block or None


def _selection(selection: Mapping[str, Any], plan_id: str) -> dict[str, Any]:
    tags = [
        {
            "type": t.get("ConditionType"),
            "key": t.get("ConditionKey"),
            "value": t.get("ConditionValue"),
        }
        for t in selection.get("ListOfTags") or ()
    ]
    conditions = _conditions(selection.get("Conditions"), _CONDITIONS)
    return present(
        {
            "name": selection.get("SelectionName"),
            "plan_id": plan_id,
            "iam_role_arn": selection.get("IamRoleArn"),
            "resources": list(selection.get("Resources") or []),
            "not_resources": list(selection.get("NotResources") or []),
            "selection_tags": tags,
            "conditions": [conditions] if conditions else None,
        }
    )


def _selections(ctx: Context) -> Iterator[Resource]:
    backup = ctx.client()
    for plan in ctx.pages(backup, "ListBackupPlans", "BackupPlansList"):
        plan_id = plan["BackupPlanId"]
        listed = ctx.pages(
            backup, "ListBackupSelections", "BackupSelectionsList", BackupPlanId=plan_id
        )
        for entry in listed:
            sel_id, name = entry["SelectionId"], entry.get("SelectionName") or entry["SelectionId"]
            answer, read = read_setting(
                ctx,
                backup,
                "GetBackupSelection",
                (SELECTION,),
                f"backup selection {name}",
                BackupPlanId=plan_id,
                SelectionId=sel_id,
            )
            if not read:  # it may select anything: the checks of what it selects cannot decide
                base = {"name": name, "plan_id": plan_id}
                yield barely_read(ctx.resource(SELECTION, name, base, id=sel_id))
            elif answer is not None:
                props = _selection(answer.get("BackupSelection") or {}, plan_id)
                yield ctx.resource(SELECTION, name, props, id=sel_id)


# -- restore testing ---------------------------------------------------------------------------


def _restore_testing(ctx: Context) -> Iterator[Resource]:
    backup = ctx.client()
    for entry in ctx.pages(backup, "ListRestoreTestingPlans", "RestoreTestingPlans"):
        name, arn = entry["RestoreTestingPlanName"], entry.get("RestoreTestingPlanArn")
        where = f"restore testing plan {name}"
        answer = ctx.call(backup, "GetRestoreTestingPlan", RestoreTestingPlanName=name)
        plan = answer.get("RestoreTestingPlan") or {}
        props = present(
            {
                "name": name,
                "schedule_expression": plan.get("ScheduleExpression"),
                "schedule_expression_timezone": plan.get("ScheduleExpressionTimezone"),
                "start_window_hours": plan.get("StartWindowHours"),
                "recovery_point_selection": shaped(plan.get("RecoveryPointSelection")),
            }
        )
        tags = _tags(ctx, backup, RESTORE_TESTING_PLAN, arn, where)
        yield _tagged(ctx.resource(RESTORE_TESTING_PLAN, name, props, id=name, arn=arn), tags)
        yield from _restore_selections(ctx, backup, name)


def _restore_selections(ctx: Context, backup: Any, plan: str) -> Iterator[Resource]:
    listed = ctx.pages(
        backup,
        "ListRestoreTestingSelections",
        "RestoreTestingSelections",
        RestoreTestingPlanName=plan,
    )
    for entry in listed:
        name = entry["RestoreTestingSelectionName"]
        answer = ctx.call(
            backup,
            "GetRestoreTestingSelection",
            RestoreTestingPlanName=plan,
            RestoreTestingSelectionName=name,
        )
        sel = answer.get("RestoreTestingSelection") or {}
        conditions = {
            snake_op: [{"key": t.get("Key"), "value": t.get("Value")} for t in tests]
            for op, snake_op in (
                ("StringEquals", "string_equals"),
                ("StringNotEquals", "string_not_equals"),
            )
            if (tests := (sel.get("ProtectedResourceConditions") or {}).get(op))
        }
        props = present(
            {
                "name": name,
                "restore_testing_plan_name": plan,
                "protected_resource_type": sel.get("ProtectedResourceType"),
                "protected_resource_arns": sel.get("ProtectedResourceArns"),
                "protected_resource_conditions": conditions or None,
                "iam_role_arn": sel.get("IamRoleArn"),
                "restore_metadata_overrides": sel.get("RestoreMetadataOverrides"),
                "validation_window_hours": sel.get("ValidationWindowHours"),
            }
        )
        yield ctx.resource(RESTORE_TESTING_SELECTION, name, props, id=name)


COLLECTORS: list[Collector] = [
    Collector(
        "backup",
        (VAULT, VAULT_LOCK, VAULT_POLICY, VAULT_NOTIFICATIONS),
        (
            "backup:ListBackupVaults",
            TAGS,
            "backup:GetBackupVaultAccessPolicy",
            "backup:GetBackupVaultNotifications",
            ManagedKeys.ACTION,
        ),
        _vaults,
    ),
    Collector("backup", (PLAN,), ("backup:ListBackupPlans", "backup:GetBackupPlan", TAGS), _plans),
    Collector(
        "backup",
        (SELECTION,),
        ("backup:ListBackupPlans", "backup:ListBackupSelections", "backup:GetBackupSelection"),
        _selections,
    ),
    Collector(
        "backup",
        (RESTORE_TESTING_PLAN, RESTORE_TESTING_SELECTION),
        (
            "backup:ListRestoreTestingPlans",
            "backup:GetRestoreTestingPlan",
            "backup:ListRestoreTestingSelections",
            "backup:GetRestoreTestingSelection",
            TAGS,
        ),
        _restore_testing,
    ),
]
