"""Tags that every billing resource carries, so ownership, data class and backup are auditable."""

from __future__ import annotations

from collections.abc import Mapping

# Stores ePHI or the keys and logs that protect it.
EPHI = "ePHI"
# Network plumbing, access logs and controls that carry, but do not store, ePHI.
INTERNAL = "internal"

# The tag AWS Backup selects data stores by; its value names the plan (see billing.backup).
BACKUP_TAG_KEY = "backup-plan"


def build_tags(
    base: Mapping[str, str],
    classification: str,
    name: str | None = None,
    backup_plan: str | None = None,
) -> dict[str, str]:
    """Tags for one resource; ``name`` becomes the console-visible ``Name`` tag.

    ``backup_plan`` marks a data store for that AWS Backup plan, which selects by tag, so a
    new store is covered the moment it is tagged.
    """
    result = {
        **base,
        "criticality": "high" if classification == EPHI else "medium",
        "data-classification": classification,
    }
    if backup_plan is not None:
        result[BACKUP_TAG_KEY] = backup_plan
    if name is not None:
        result["Name"] = name
    return dict(sorted(result.items()))
