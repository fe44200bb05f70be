"""EFS file systems: encrypted at rest with KMS (control EFS-01)."""

from __future__ import annotations

from checks.model import Inventory, Resource
from checks.registry import Check, Result, Severity, check, failed, passed
from checks.support.props import flag, known
from checks.support.resource_types import EFS_FILE_SYSTEM

CHECKS: list[Check] = []


@check(
    into=CHECKS,
    id="efs_encrypted",
    control="EFS-01",
    title="EFS file system is encrypted at rest",
    severity=Severity.HIGH,
    config_rule="efs-encrypted-check",
    resource_types=(EFS_FILE_SYSTEM,),
    remediation=(
        "Set encrypted=True with kms_key_id naming a customer-managed key. An existing file "
        "system cannot be encrypted in place: copy its files to a new encrypted one (DataSync)."
    ),
    pulumi_fix='aws.efs.FileSystem("scans", encrypted=True, kms_key_id=key.arn)',
)
def efs_encrypted(res: Resource, inv: Inventory) -> Result:
    """Files at rest on the file system are encrypted under a KMS key."""
    # Unset: the provider sends nothing and AWS's CreateFileSystem leaves the file system
    # unencrypted (only the console defaults to encryption).
    encrypted = flag(known(res, "encrypted", False))
    if not encrypted:
        return failed("the file system is not encrypted at rest", encrypted=False, kms_key_id=None)
    key = known(res, "kms_key_id")
    return passed("the file system is encrypted at rest", encrypted=True, kms_key_id=key)
