"""Reading resource properties the way every check needs: known values, blocks and flags."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from checks.model import Resource, Secret, Undecidable, contains_unknown


def known(res: Resource, key: str, default: Any = None) -> Any:
    """The property `key`, or `default` when unset; Undecidable when it cannot be seen."""
    value = res.props.get(key, default)
    if not res.has_unknown and not isinstance(value, Secret):
        return value  # nothing in this resource is unknown: skip the deep look
    return known_value(value, f"{key} of {res.name}")


def known_value(value: Any, what: str) -> Any:
    """`value` itself, or Undecidable when it (or part of it) is unknown or secret."""
    if contains_unknown(value):
        raise Undecidable(f"{what} is not known yet (computed at deployment)")
    if isinstance(value, Secret):
        raise Undecidable(f"{what} is a secret, so its content cannot be inspected")
    return value


def blocks(value: Any) -> list[Mapping[str, Any]]:
    """A nested block as a list of dicts: sources give one dict or a list of them."""
    if isinstance(value, Mapping):
        return [value]
    if isinstance(value, (list, tuple)):
        return [item for item in value if isinstance(item, Mapping)]
    return []


def flag(value: Any) -> bool:
    """True only for an explicit true (a boolean, or the string some sources give)."""
    return value is True or (isinstance(value, str) and value.lower() == "true")
