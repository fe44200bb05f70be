"""Data classification: the tag that says what class of data a resource holds, and whether it may
hold ePHI."""

from __future__ import annotations

from collections.abc import Mapping

from checks.model import CLASSIFICATION_TAG, EPHI_CLASSES, Resource
from checks.support.props import known


def classification(res: Resource) -> str | None:
    """The resource's data-classification tag, or None when it has none."""
    value = known(res, "tags", {}) or {}
    found = value.get(CLASSIFICATION_TAG) if isinstance(value, Mapping) else None
    return str(found) if found is not None else None


def may_hold_ephi(res: Resource) -> bool:
    """False only for resources classified as something other than ePHI: unclassified ones
    may hold it, so they are held to the ePHI bar."""
    value = classification(res)
    return value is None or value.strip().lower() in EPHI_CLASSES
