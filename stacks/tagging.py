"""Tags that every billing resource carries, so ownership and data class are auditable."""

from __future__ import annotations

from settings import Settings

# Stores ePHI or the keys and logs that protect it.
EPHI = "ePHI"
# Network plumbing that carries, but does not store, ePHI.
INTERNAL = "internal"


def tags(settings: Settings, classification: str, name: str | None = None) -> dict[str, str]:
    """Tags for one resource; ``name`` becomes the console-visible ``Name`` tag."""
    result = {
        "data-classification": classification,
        "environment": settings.environment,
        "owner": settings.owner,
        "project": settings.project,
    }
    if name is not None:
        result["Name"] = name
    return result
