"""Governance: every data store says what class of data it holds (control GOV-02)."""

from __future__ import annotations

from checks.model import CLASSIFICATION_TAG, Inventory, Resource
from checks.registry import Check, Result, Severity, check, failed, passed
from checks.support.classification import classification
from checks.support.resource_types import DATA_STORE_TYPES

CHECKS: list[Check] = []


@check(
    into=CHECKS,
    id="data_store_classification_tagged",
    control="GOV-02",
    title=f"Data store carries a '{CLASSIFICATION_TAG}' tag",
    severity=Severity.LOW,
    config_rule="required-tags",
    resource_types=DATA_STORE_TYPES,
    remediation=(
        f"Tag every database, bucket, table, volume, file system and backup vault with "
        f"{CLASSIFICATION_TAG} (e.g. 'ePHI', 'internal', 'public'), so the inventory of ePHI "
        "and the risk analysis can be derived from the tags."
    ),
    pulumi_fix='aws.s3.Bucket("documents", tags={"data-classification": "ePHI"})',
)
def data_store_classification_tagged(res: Resource, inv: Inventory) -> Result:
    """Where ePHI lives is known (risk analysis, device and media accountability)."""
    value = classification(res)
    if value:
        return passed(f"classified as {value}", classification=value)
    return failed(
        f"no {CLASSIFICATION_TAG} tag: whether it holds ePHI is unknown", classification=None
    )
