"""Values between the Pulumi engine and the creators.

- Inputs come from the engine in camelCase, secrets wrapped: the creators get them unwrapped
  (the plaintexts are remembered, so every report and progress line can be scrubbed of them)
  and in the SDK's snake_case (`checks.sources.pulumi_schema.object_to_python`).
- Outputs go back the other way: a creator's snake_case outputs become the engine's names by
  the SDK class's own property table (explicit names, never recapitalisation).
- A resource that is not emulated answers every output it did not declare as unknown, so
  nothing built from it looks real.
"""

from __future__ import annotations

import collections.abc
import types
import typing
from collections.abc import Iterable, Mapping
from typing import Any

from pulumi import _types as pulumi_types
from pulumi.output import Output
from pulumi.runtime import rpc

from checks.sources.pulumi_schema import properties

SECRET_MARK = "[secret]"
# Shorter secrets cannot be told from ordinary text; none of the program's would be that short.
MIN_SECRET = 4


def unwrap_secrets(value: Any, found: set[str]) -> Any:
    """The value with every secret unwrapped; each secret's strings are added to `found`."""
    if rpc.is_rpc_secret(value):
        inner = unwrap_secrets(rpc.unwrap_rpc_secret(value), found)
        found.update(s for s in strings(inner) if len(s) >= MIN_SECRET)
        return inner
    if isinstance(value, Mapping):
        return {k: unwrap_secrets(v, found) for k, v in value.items()}
    if isinstance(value, list):
        return [unwrap_secrets(v, found) for v in value]
    return value


def strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


def redact(value: Any, secrets: Iterable[str]) -> Any:
    """Every string of a JSON-like value with each secret's plaintext replaced."""
    ordered = sorted({s for s in secrets if len(s) >= MIN_SECRET}, key=len, reverse=True)
    return _redact(value, ordered)


def _redact(value: Any, ordered: list[str]) -> Any:
    if isinstance(value, str):
        for secret in ordered:
            value = value.replace(secret, SECRET_MARK)
        return value
    if isinstance(value, Mapping):
        return {_redact(k, ordered): _redact(v, ordered) for k, v in value.items()}
    if isinstance(value, list):
        return [_redact(v, ordered) for v in value]
    return value


def _strip(hint: Any) -> Any:
    while True:
        origin = typing.get_origin(hint)
        if origin is Output:
            hint = typing.get_args(hint)[0]
        elif origin in (typing.Union, types.UnionType):
            arms = [a for a in typing.get_args(hint) if a is not type(None)]
            hint = arms[0] if len(arms) == 1 else None
        else:
            return hint


def _to_engine(value: Any, hint: Any) -> Any:
    hint = _strip(hint)
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if isinstance(value, dict):
        if origin in (dict, collections.abc.Mapping, typing.Mapping):
            return {k: _to_engine(v, args[1] if args else None) for k, v in value.items()}
        if isinstance(hint, type) and pulumi_types.is_output_type(hint):
            return to_engine(value, hint)
        return value
    if isinstance(value, list):
        item = (
            args[0]
            if origin in (list, collections.abc.Sequence, typing.Sequence) and args
            else None
        )
        return [_to_engine(v, item) for v in value]
    return value


def to_engine(outputs: Mapping[str, Any], cls: type | None) -> dict[str, Any]:
    """A creator's snake_case outputs under the engine's property names of `cls`."""
    table = {p.python_name: p for p in properties(cls).values()} if cls is not None else {}
    out: dict[str, Any] = {}
    for key, value in outputs.items():
        prop = table.get(key)
        if prop is None:
            raise KeyError(f"{getattr(cls, '__name__', cls)} has no output property {key!r}")
        if value is not None:
            out[prop.pulumi_name] = _to_engine(value, prop.hint)
    return out


def unknown_outputs(cls: type | None, declared: Mapping[str, Any]) -> dict[str, Any]:
    """Every property of `cls` the program did not declare, as unknown."""
    if cls is None:
        return {}
    return {
        name: rpc.UNKNOWN
        for name in properties(cls)
        if name not in declared and name not in ("id", "urn")
    }
