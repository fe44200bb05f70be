"""AWS Backup: vaults, vault locks and plans are created for real. Selections, vault
notifications and restore testing are not: the emulator (moto 5.2) has no API for them."""

from __future__ import annotations

from typing import Any

from scripts.emulate.creators.base import Made, Target, physical_name, tags, without_none
from scripts.emulate.inputs import Inputs

_NO_API = "the emulator (moto) does not implement AWS Backup's {}"
NOT_EMULATED = {
    "aws:backup/selection:Selection": _NO_API.format("CreateBackupSelection"),
    "aws:backup/vaultNotifications:VaultNotifications": _NO_API.format(
        "PutBackupVaultNotifications"
    ),
    "aws:backup/restoreTestingPlan:RestoreTestingPlan": _NO_API.format("restore testing"),
    "aws:backup/restoreTestingSelection:RestoreTestingSelection": _NO_API.format("restore testing"),
    "aws:backup/vaultPolicy:VaultPolicy": _NO_API.format("PutBackupVaultAccessPolicy"),
}


def vault(inputs: Inputs, target: Target, clients) -> Made:
    name = physical_name(inputs, target, max_length=50)
    made = clients("backup").create_backup_vault(
        BackupVaultName=name,
        **without_none(EncryptionKeyArn=inputs.get("kms_key_arn")),
        BackupVaultTags=tags(inputs, target),
    )
    inputs.provider_only("force_destroy")
    return name, {"arn": made["BackupVaultArn"], "name": name, "recovery_points": 0}


def vault_lock(inputs: Inputs, target: Target, clients) -> Made:
    name = inputs.require("backup_vault_name")
    clients("backup").put_backup_vault_lock_configuration(
        BackupVaultName=name,
        **without_none(
            MinRetentionDays=inputs.get("min_retention_days"),
            MaxRetentionDays=inputs.get("max_retention_days"),
            ChangeableForDays=inputs.get("changeable_for_days"),
        ),
    )
    return name, {"backup_vault_arn": target.arn("backup", f"backup-vault:{name}")}


def _lifecycle(spec: Inputs | None) -> dict[str, Any] | None:
    if spec is None:
        return None
    return without_none(
        DeleteAfterDays=spec.get("delete_after"),
        MoveToColdStorageAfterDays=spec.get("cold_storage_after"),
        OptInToArchiveForSupportedResources=spec.get("opt_in_to_archive_for_supported_resources"),
    )


def _rule(rule: Inputs) -> dict[str, Any]:
    return without_none(
        RuleName=rule.require("rule_name"),
        TargetBackupVaultName=rule.require("target_vault_name"),
        ScheduleExpression=rule.get("schedule"),
        ScheduleExpressionTimezone=rule.get("schedule_expression_timezone"),
        StartWindowMinutes=rule.get("start_window"),
        CompletionWindowMinutes=rule.get("completion_window"),
        EnableContinuousBackup=rule.get("enable_continuous_backup"),
        Lifecycle=_lifecycle(rule.get("lifecycle")),
        RecoveryPointTags=rule.plain("recovery_point_tags"),
        CopyActions=[
            without_none(
                DestinationBackupVaultArn=c.require("destination_vault_arn"),
                Lifecycle=_lifecycle(c.get("lifecycle")),
            )
            for c in rule.get("copy_actions") or []
        ]
        or None,
    )


def plan(inputs: Inputs, target: Target, clients) -> Made:
    name = physical_name(inputs, target, max_length=50)
    settings = [
        {"ResourceType": s.require("resource_type"), "BackupOptions": s.plain("backup_options")}
        for s in inputs.get("advanced_backup_settings") or []
    ]
    made = clients("backup").create_backup_plan(
        BackupPlan=without_none(
            BackupPlanName=name,
            Rules=[_rule(r) for r in inputs.require("rules")],
            AdvancedBackupSettings=settings or None,
        ),
        BackupPlanTags=tags(inputs, target),
    )
    return made["BackupPlanId"], {
        "arn": made["BackupPlanArn"],
        "name": name,
        "version": made.get("VersionId"),
    }


CREATORS = {
    "aws:backup/vault:Vault": vault,
    "aws:backup/vaultLockConfiguration:VaultLockConfiguration": vault_lock,
    "aws:backup/plan:Plan": plan,
}
