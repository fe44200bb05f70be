"""An engine value read as the type a Pulumi SDK class declares for it, as a provider reads an
argument it echoes back in its answer (`most_recent="true"` → True).

Used by the mocks' data-source answers (`checks.sources.pulumi_invokes`): what a result echoes
of its arguments must have the result's declared types, or the SDK rejects the answer.
"""

from __future__ import annotations

import typing
from typing import Any

from checks.sources.pulumi_schema import (
    _is_mapping,
    _is_object,
    _is_sequence,
    _strip,
    properties,
)

NOT_CONFORMING = object()
_TRUTH = {"true": True, "false": False}


def conform(value: Any, hint: Any) -> Any:
    """`value` (engine naming) as the type `hint` declares it, as a provider reads an argument it
    echoes back (`most_recent="true"` → True); NOT_CONFORMING when it cannot be that type."""
    hint = _strip(hint)
    origin = typing.get_origin(hint)
    if value is None:
        return None
    if hint is bool:
        text = str(value).lower() if isinstance(value, (bool, str)) else None
        return _TRUTH.get(text, NOT_CONFORMING) if text is not None else NOT_CONFORMING
    if hint in (int, float):
        try:
            number = hint(value) if isinstance(value, (int, float, str)) else NOT_CONFORMING
        except (ValueError, OverflowError):
            return NOT_CONFORMING
        return NOT_CONFORMING if isinstance(value, bool) or number != float(value) else number
    if hint is str:
        if isinstance(value, bool):
            return "true" if value else "false"
        return str(value) if isinstance(value, (str, int, float)) else NOT_CONFORMING
    if _is_sequence(origin) and isinstance(value, (list, tuple)):
        args = typing.get_args(hint)
        items = [conform(v, args[0] if args else None) for v in value]
        return NOT_CONFORMING if any(i is NOT_CONFORMING for i in items) else items
    if _is_mapping(origin) and isinstance(value, dict):
        args = typing.get_args(hint)
        items = {k: conform(v, args[1] if len(args) == 2 else None) for k, v in value.items()}
        return NOT_CONFORMING if NOT_CONFORMING in items.values() else items
    if _is_object(hint) and isinstance(value, dict):
        return conform_object(value, hint)
    if hint is None and _plain(value):
        return value
    return NOT_CONFORMING


def conform_object(value: dict[str, Any], cls: type) -> dict[str, Any]:
    """The properties of `value` that `cls` declares, each as its declared type (engine naming);
    a property that cannot be its type is left out."""
    props = properties(cls)
    out = {}
    for key, item in value.items():
        prop = props.get(key)
        typed = conform(item, prop.hint) if prop is not None else NOT_CONFORMING
        if typed is not NOT_CONFORMING:
            out[key] = typed
    return out


def _plain(value: Any) -> bool:
    if isinstance(value, (list, tuple)):
        return all(_plain(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain(v) for k, v in value.items())
    return value is None or isinstance(value, (str, int, float, bool))
