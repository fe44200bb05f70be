"""AWS Backup selections: which selections pick a resource, by ARN pattern, by tag or by
condition."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from checks.model import Inventory, Resource
from checks.support.globs import glob_match
from checks.support.joins import arn_of
from checks.support.props import blocks, known
from checks.support.resource_types import BACKUP_SELECTION


def _tag_test(operator: str, entry: Mapping[str, Any], tags: Mapping[str, Any]) -> bool:
    key = str(entry.get("key", "")).removeprefix("aws:ResourceTag/")
    value, expected = tags.get(key), str(entry.get("value", ""))
    like = operator.endswith("likes")
    hit = isinstance(value, str) and (glob_match(value, expected) if like else value == expected)
    return not hit if "_not_" in operator else hit


def _conditions_hold(conditions: list[Mapping[str, Any]], tags: Mapping[str, Any]) -> bool:
    """Backup `conditions` are ANDed: every test of every operator must hold."""
    return all(
        _tag_test(operator, entry, tags)
        for block in conditions
        for operator, entries in block.items()
        for entry in blocks(entries)
    )


def _selects(selection: Resource, res: Resource) -> bool:
    patterns = [str(p) for p in known(selection, "resources") or []]
    excluded = [str(p) for p in known(selection, "not_resources") or []]
    by_tags = blocks(known(selection, "selection_tags"))
    conditions = blocks(known(selection, "conditions"))
    arn = arn_of(res) if patterns or excluded else ""
    tags = (known(res, "tags", {}) or {}) if by_tags or conditions else {}
    by_arn = any(glob_match(arn, p) for p in patterns)
    by_tag = any(
        str(t.get("type", "STRINGEQUALS")).upper() == "STRINGEQUALS"
        and tags.get(t.get("key")) == t.get("value")
        for t in by_tags
    )
    # Resource ARNs and ListOfTags each add resources; conditions and exclusions narrow them.
    chosen = (by_arn or by_tag) if patterns or by_tags else True
    excluded_hit = any(glob_match(arn, p) for p in excluded)
    return chosen and not excluded_hit and _conditions_hold(conditions, tags)


def backup_selections(res: Resource, inv: Inventory) -> list[Resource]:
    """The AWS Backup selections that select `res`, by ARN pattern or by tag."""
    return [s for s in inv.by_type(BACKUP_SELECTION) if _selects(s, res)]
