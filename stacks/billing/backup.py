"""Backups of every data store (45 CFR 164.308(a)(7)(ii)(A)), kept where no one can delete them.

- a vault encrypted with the backup key and locked: in compliance mode (production) not even
  the root user can delete a recovery point before its retention ends, or unlock the vault
  once the grace period is over; governance mode lets privileged users override;
- a plan with a daily rule and a monthly rule, retention per environment;
- a selection by tag: every store tagged `backup-plan=<plan>` is in, the moment it is tagged;
- restore tests on a schedule, so recovery is known to work (164.308(a)(7)(ii)(D));
- job outcomes notified to the security-alerts topic.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from billing import COMPONENT_PREFIX
from billing.context import StackContext
from billing.service_roles import service_role
from billing.tagging import BACKUP_TAG_KEY, EPHI, INTERNAL

SERVICE_POLICIES = (
    "service-role/AWSBackupServiceRolePolicyForBackup",
    "service-role/AWSBackupServiceRolePolicyForRestores",
    "AWSBackupServiceRolePolicyForS3Backup",
    "AWSBackupServiceRolePolicyForS3Restore",
)
VAULT_EVENTS = (
    "BACKUP_JOB_COMPLETED",
    "COPY_JOB_FAILED",
    "RECOVERY_POINT_MODIFIED",
    "RESTORE_JOB_COMPLETED",
    "S3_BACKUP_OBJECT_FAILED",
    "S3_RESTORE_OBJECT_FAILED",
)
RESTORE_TESTED_TYPES = ("RDS", "DynamoDB")
# Compliance-mode locks become immutable after this many days (AWS minimum: 3).
LOCK_GRACE_DAYS = 3
# Recovery points older than this move to cold storage, where the resource type allows it.
COLD_STORAGE_AFTER_DAYS = 90


@dataclass(frozen=True)
class BackupArgs:
    """Knobs of the backup plan."""

    kms_key_arn: pulumi.Input[str]
    alerts_topic_arn: pulumi.Input[str]
    # Name of the plan; also the value of the `backup-plan` tag that selects data stores.
    plan_name: str
    # Days daily recovery points are kept (7 or more).
    daily_retention_days: int = 35
    # Days monthly recovery points are kept (six years in production).
    monthly_retention_days: int = 2192
    # "compliance" (immutable after a 3-day grace period) or "governance".
    vault_lock_mode: str = "compliance"
    # When restore tests run (AWS Backup cron, UTC): monthly by default.
    restore_test_schedule: str = "cron(0 8 2 * ? *)"


def _lifecycle(days: int) -> aws.backup.PlanRuleLifecycleArgs:
    cold = days >= COLD_STORAGE_AFTER_DAYS + 90
    return aws.backup.PlanRuleLifecycleArgs(
        delete_after=days,
        cold_storage_after=COLD_STORAGE_AFTER_DAYS if cold else None,
        opt_in_to_archive_for_supported_resources=True if cold else None,
    )


class Backup(pulumi.ComponentResource):
    """Vault, vault lock, plan, tag selection, restore testing and notifications."""

    def __init__(
        self,
        name: str,
        ctx: StackContext,
        args: BackupArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(f"{COMPONENT_PREFIX}:Backup", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        vault_name = ctx.name("vault")
        self.vault = aws.backup.Vault(
            "vault",
            name=vault_name,
            kms_key_arn=args.kms_key_arn,
            force_destroy=False,
            tags=ctx.tags(EPHI, vault_name),
            opts=child,
        )
        aws.backup.VaultLockConfiguration(
            "vault-lock",
            backup_vault_name=self.vault.name,
            min_retention_days=args.daily_retention_days,
            max_retention_days=args.monthly_retention_days,
            changeable_for_days=LOCK_GRACE_DAYS if args.vault_lock_mode == "compliance" else None,
            opts=child,
        )
        aws.backup.VaultNotifications(
            "vault-notifications",
            backup_vault_name=self.vault.name,
            sns_topic_arn=args.alerts_topic_arn,
            backup_vault_events=list(VAULT_EVENTS),
            opts=child,
        )
        recovery_tags = {**ctx.base_tags, "backup-plan": args.plan_name}
        self.plan = aws.backup.Plan(
            "plan",
            name=args.plan_name,
            rules=[
                aws.backup.PlanRuleArgs(
                    rule_name="daily",
                    target_vault_name=self.vault.name,
                    schedule="cron(0 5 ? * * *)",
                    start_window=60,
                    completion_window=360,
                    lifecycle=_lifecycle(args.daily_retention_days),
                    recovery_point_tags=recovery_tags,
                ),
                aws.backup.PlanRuleArgs(
                    rule_name="monthly",
                    target_vault_name=self.vault.name,
                    schedule="cron(0 6 1 * ? *)",
                    start_window=60,
                    completion_window=720,
                    lifecycle=_lifecycle(args.monthly_retention_days),
                    recovery_point_tags=recovery_tags,
                ),
            ],
            tags=ctx.tags(INTERNAL, args.plan_name),
            opts=child,
        )
        role = service_role(
            self,
            ctx,
            "backup",
            "backup.amazonaws.com",
            "Lets AWS Backup back up and restore the tagged data stores",
            pin_account=False,
            aws_managed_policies=SERVICE_POLICIES,
        )
        aws.backup.Selection(
            "tagged-data-stores",
            name=ctx.name("tagged"),
            plan_id=self.plan.id,
            iam_role_arn=role.arn,
            selection_tags=[
                aws.backup.SelectionSelectionTagArgs(
                    type="STRINGEQUALS", key=BACKUP_TAG_KEY, value=args.plan_name
                )
            ],
            opts=child,
        )
        self._restore_testing(ctx, args, role)
        self.register_outputs({"vault_arn": self.vault.arn, "plan_id": self.plan.id})

    def _restore_testing(self, ctx: StackContext, args: BackupArgs, role: aws.iam.Role) -> None:
        child = pulumi.ResourceOptions(parent=self)
        # Restore testing names allow only letters, digits and underscores.
        plan_name = ctx.name("restore-tests").replace("-", "_")
        plan = aws.backup.RestoreTestingPlan(
            "restore-testing",
            name=plan_name,
            schedule_expression=args.restore_test_schedule,
            start_window_hours=24,
            recovery_point_selection=aws.backup.RestoreTestingPlanRecoveryPointSelectionArgs(
                algorithm="LATEST_WITHIN_WINDOW",
                include_vaults=[self.vault.arn],
                recovery_point_types=["SNAPSHOT"],
                selection_window_days=7,
            ),
            tags=ctx.tags(INTERNAL),
            opts=child,
        )
        condition = aws.backup.RestoreTestingSelectionProtectedResourceConditionsStringEqualArgs
        for resource_type in RESTORE_TESTED_TYPES:
            aws.backup.RestoreTestingSelection(
                f"restore-testing-{resource_type.lower()}",
                name=f"{resource_type.lower()}_tagged",
                restore_testing_plan_name=plan.name,
                protected_resource_type=resource_type,
                iam_role_arn=role.arn,
                protected_resource_arns=["*"],
                protected_resource_conditions=aws.backup.RestoreTestingSelectionProtectedResourceConditionsArgs(
                    string_equals=[
                        condition(key=f"aws:ResourceTag/{BACKUP_TAG_KEY}", value=args.plan_name)
                    ]
                ),
                validation_window_hours=1,
                opts=child,
            )
