"""DynamoDB tables: point-in-time recovery, a customer-managed key, a backup plan and deletion
protection (controls DDB-01, DDB-02, DDB-03)."""

from __future__ import annotations

from checks.model import Inventory, Resource
from checks.registry import Check, Result, Severity, check, failed, passed
from checks.support.backup_selections import backup_selections
from checks.support.props import blocks, flag, known
from checks.support.resource_types import DYNAMODB_TABLE

CHECKS: list[Check] = []


@check(
    into=CHECKS,
    id="dynamodb_pitr_enabled",
    control="DDB-01",
    title="DynamoDB table has point-in-time recovery",
    severity=Severity.MEDIUM,
    config_rule="dynamodb-pitr-enabled",
    resource_types=(DYNAMODB_TABLE,),
    remediation="Set point_in_time_recovery {enabled: True} (restores to any second of 35 days).",
    pulumi_fix='aws.dynamodb.Table("claims", ..., point_in_time_recovery={"enabled": True})',
)
def dynamodb_pitr_enabled(res: Resource, inv: Inventory) -> Result:
    """A bad write or delete can be undone to the second (data backup plan)."""
    enabled = any(flag(p.get("enabled")) for p in blocks(known(res, "point_in_time_recovery")))
    if enabled:
        return passed("point-in-time recovery is on", point_in_time_recovery=True)
    return failed("point-in-time recovery is off (the default)", point_in_time_recovery=False)


@check(
    into=CHECKS,
    id="dynamodb_encrypted_cmk",
    control="DDB-02",
    title="DynamoDB table is encrypted with a customer-managed KMS key",
    severity=Severity.MEDIUM,
    config_rule="dynamodb-table-encrypted-kms",
    resource_types=(DYNAMODB_TABLE,),
    remediation=(
        "Set server_side_encryption {enabled: True, kms_key_arn: <CMK>}; without it the table "
        "uses an AWS-owned key the entity cannot audit or revoke."
    ),
    pulumi_fix='aws.dynamodb.Table("claims", ..., server_side_encryption={\n'
    '    "enabled": True, "kms_key_arn": key.arn})',
)
def dynamodb_encrypted_cmk(res: Resource, inv: Inventory) -> Result:
    """Table data is encrypted under a key whose every use is authorised and logged."""
    sse = [s for s in blocks(known(res, "server_side_encryption")) if flag(s.get("enabled"))]
    key = next((s.get("kms_key_arn") for s in sse if s.get("kms_key_arn")), None)
    if key:
        return passed("the table is encrypted with a customer-managed key", kms_key_arn=key)
    which = "the AWS-managed aws/dynamodb key" if sse else "an AWS-owned key"
    return failed(f"the table is encrypted with {which}", kms_key_arn=None)


@check(
    into=CHECKS,
    id="dynamodb_in_backup_plan",
    control="DDB-03",
    title="DynamoDB table is selected by an AWS Backup plan",
    severity=Severity.MEDIUM,
    config_rule="dynamodb-in-backup-plan",
    resource_types=(DYNAMODB_TABLE,),
    reads=("aws:backup/selection:Selection",),
    remediation="Select the table in an aws.backup.Selection, by ARN or by tag.",
    pulumi_fix='aws.backup.Selection("tables", plan_id=plan.id, iam_role_arn=backup_role.arn,\n'
    "    resources=[table.arn])",
)
def dynamodb_in_backup_plan(res: Resource, inv: Inventory) -> Result:
    """Copies outlive the table and its 35-day recovery window."""
    selections = [s.name for s in backup_selections(res, inv)]
    if selections:
        return passed("an AWS Backup plan selects the table", backup_selections=selections)
    return failed("no AWS Backup selection covers the table", backup_selections=[])


@check(
    into=CHECKS,
    id="dynamodb_deletion_protection",
    control="DDB-03",
    title="DynamoDB table has deletion protection",
    severity=Severity.MEDIUM,
    resource_types=(DYNAMODB_TABLE,),
    remediation="Set deletion_protection_enabled=True.",
    pulumi_fix='aws.dynamodb.Table("claims", ..., deletion_protection_enabled=True)',
)
def dynamodb_deletion_protection(res: Resource, inv: Inventory) -> Result:
    """The table cannot be deleted by one mistaken call."""
    on = flag(known(res, "deletion_protection_enabled", False))
    if on:
        return passed("deletion protection is on", deletion_protection_enabled=True)
    return failed("deletion protection is off", deletion_protection_enabled=False)
