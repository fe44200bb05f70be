"""Systems Manager documents: never shared with every AWS account (control SSM-01)."""

from __future__ import annotations

from checks.model import Inventory, Resource
from checks.registry import Check, Result, Severity, check, failed, passed
from checks.support.props import known

CHECKS: list[Check] = []

DOCUMENT = "aws:ssm/document:Document"
# What `permissions.account_ids` says to share a document with every AWS account.
EVERY_ACCOUNT = "all"


def _shared_with(res: Resource) -> list[str]:
    """The accounts the document is shared with (`permissions` {type: Share, account_ids})."""
    permissions = known(res, "permissions") or {}
    if str(permissions.get("type", "")).lower() != "share":
        return []
    ids = str(permissions.get("account_ids") or "")
    return [a.strip() for a in ids.split(",") if a.strip()]


@check(
    into=CHECKS,
    id="ssm_document_not_public",
    control="SSM-01",
    title="SSM document is not shared publicly",
    severity=Severity.HIGH,
    config_rule="ssm-document-not-public",
    resource_types=(DOCUMENT,),
    remediation=(
        "Share the document with named account ids only (permissions {type: Share, "
        "account_ids: '111122223333'}), or not at all; turn on the account's SSM "
        "block-public-sharing setting."
    ),
    pulumi_fix=(
        'aws.ssm.Document("patch-runbook", ..., permissions={\n'
        '    "type": "Share", "account_ids": "111122223333"})'
    ),
)
def ssm_document_not_public(res: Resource, inv: Inventory) -> Result:
    """Runbooks that name hosts, buckets and parameters of the ePHI system stay in the entity."""
    accounts = _shared_with(res)
    if any(a.lower() == EVERY_ACCOUNT for a in accounts):
        return failed("the document is shared with every AWS account", shared_with=accounts)
    return passed("the document is not shared publicly", shared_with=accounts)
