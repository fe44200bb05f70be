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


def known_fields(res: Resource, key: str, *fields: str) -> list[dict[str, Any]]:
    """The blocks of the nested property `key`, each holding only `fields`, each decided on its
    own: a block's other fields may be unknown until deploy or made up by the mocks (subnets
    from a data source, ids from a component) without hiding a flag the program declares beside
    them. A field a block leaves out is absent from its dict (the caller applies the default).
    Undecidable when the property, a block or a named field cannot be seen."""
    raw = res.raw(key)
    if raw is None:
        return []
    items = raw if isinstance(raw, (list, tuple)) else [raw]
    out = []
    for item in items:
        if not isinstance(item, Mapping):
            item = decided(item, f"{key} of {res.name}")  # an unknown or made-up block
            if not isinstance(item, Mapping):
                continue
        out.append({f: decided(item[f], f"{key}.{f} of {res.name}") for f in fields if f in item})
    return out


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
