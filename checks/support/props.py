"""Reading resource properties the way every check needs: known values, blocks and flags."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from checks.model import Resource
from checks.values import decided


def known(res: Resource, key: str, default: Any = None) -> Any:
    """The property `key` as a check may decide on it (`Resource.value`): `default` when the
    source's silence means the provider's default; Undecidable when it cannot be seen."""
    return res.value(key, default)


def known_value(value: Any, what: str) -> Any:
    """`value` with any secret's plaintext in place, or Undecidable when it (or part of it) is
    unknown, made up or an opaque secret (`checks.values.decided`)."""
    return decided(value, what)


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
