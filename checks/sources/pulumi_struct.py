"""The SDK's conversions between Python values and protobuf Structs, without the Python detours.

Under mocks every resource's state makes a round trip through a protobuf Struct: the mock
monitor serializes what the mocks answer (`rpc.serialize_properties`, an async walk that asks
each plain string or number whether it is an Output, a resource, an asset...), then the SDK
reads it back (`rpc.deserialize_properties`, through protobuf's Python-level Struct mixin, one
call per value, and a key look-up that iterates the whole map). Both replacements here build
and read the very same Struct, in the same order, through its C-level map and fields:

- `serialize_properties`: when called as the mock monitor calls it (no resource, no name
  translation, no type) on plain data (dicts with string keys, lists, tuples, strings, numbers,
  booleans, None), the Struct is filled directly; anything else (an Output, a resource, an
  asset, a subclass of a plain type) is left to the SDK's own, from the start.
- `deserialize_properties`: a Struct is read field by field; one that carries the SDK's special
  signature (a secret, an asset, an archive, a resource reference, an output value) is read by
  the SDK's own, so are the values inside it.

Part of the program worker's accelerators (`checks.sources.pulumi_speed`).
"""

from __future__ import annotations

import functools
from typing import Any

from google.protobuf import struct_pb2
from pulumi.output import Unknown
from pulumi.runtime import rpc, settings

_STRUCT = struct_pb2.Struct
_SIG = rpc._special_sig_key
_UNKNOWN = rpc.UNKNOWN


class _NotPlain(Exception):
    """A value the direct serialization does not handle: the SDK's own serializes it."""


@functools.cache
def sdk() -> tuple[Any, Any]:
    """The SDK's own (serialize_properties, deserialize_properties), taken before replacing."""
    return rpc.serialize_properties, rpc.deserialize_properties


async def serialize_properties(
    inputs: Any,
    property_deps: dict[str, list[Any]],
    resource_obj: Any = None,
    input_transformer: Any = None,
    typ: Any = None,
    keep_output_values: bool = False,
    exclude_resource_refs_from_deps: bool = False,
) -> Any:
    """`pulumi.runtime.rpc.serialize_properties`. For plain data with no resource, name
    translation or type, each value is what the SDK's `serialize_property` returns for it (the
    value itself) set into the Struct as protobuf's `_SetStructValue` sets it; a top-level None
    is left out, and each property kept gets an empty dependency list."""
    plain_call = resource_obj is None and input_transformer is None and typ is None
    struct = _direct(inputs, property_deps) if plain_call and type(inputs) is dict else None
    if struct is not None:
        return struct
    return await sdk()[0](
        inputs,
        property_deps,
        resource_obj,
        input_transformer,
        typ,
        keep_output_values,
        exclude_resource_refs_from_deps,
    )


def _direct(inputs: dict[Any, Any], property_deps: dict[str, list[Any]]) -> Any:
    """The Struct of plain `inputs`, filled directly; None when something in them is not plain,
    or protobuf refuses a value (a number out of range, a string it cannot encode): the SDK's
    own then does the whole work again, and raises what it raises."""
    struct = _STRUCT()
    fields = struct.fields
    kept = []
    try:
        for key in inputs:
            value = inputs[key]
            if value is not None:
                if type(key) is not str:
                    return None
                _set(fields[key], value)
                kept.append(key)
    except (_NotPlain, TypeError, ValueError, OverflowError, RecursionError):  # the SDK redoes it
        return None
    for key in kept:
        property_deps[key] = []
    return struct


def _set(target: Any, value: Any) -> None:
    """protobuf's `_SetStructValue` for the plain types, exactly (a subclass is not plain)."""
    kind = type(value)
    if value is None:
        target.null_value = 0
    elif kind is bool:
        target.bool_value = value
    elif kind is str:
        target.string_value = value
    elif kind is int or kind is float:
        target.number_value = value
    elif kind is dict:
        struct = target.struct_value
        struct.Clear()
        fields = struct.fields
        for key in value:
            if type(key) is not str:
                raise _NotPlain
            _set(fields[key], value[key])
    elif kind is list or kind is tuple:
        values = target.list_value
        values.Clear()
        add = values.values.add
        for item in value:
            _set(add(), item)
    else:
        raise _NotPlain


def deserialize_properties(
    props_struct: Any, keep_unknowns: bool | None = None, keep_internal: bool | None = True
) -> Any:
    """`pulumi.runtime.rpc.deserialize_properties`: the same dict, in the Struct's order."""
    if type(props_struct) is not _STRUCT:
        return sdk()[1](props_struct, keep_unknowns, keep_internal)
    fields = props_struct.fields
    if _SIG in fields:
        return sdk()[1](props_struct, keep_unknowns, keep_internal)
    output = {}
    for key in fields:
        if keep_internal is False and key.startswith("__") and key != "__provider":
            continue
        value = _value(fields[key], keep_unknowns, keep_internal)
        if value is not None:
            output[key] = value
    return output


def _value(field: Any, keep_unknowns: bool | None, keep_internal: bool | None) -> Any:
    """`rpc.deserialize_property` of what protobuf's `_GetStructValue` gives for a field."""
    kind = field.WhichOneof("kind")
    if kind == "string_value":
        text = field.string_value
        if text == _UNKNOWN:
            return Unknown() if settings.is_dry_run() or keep_unknowns else None
        return text
    if kind == "number_value":
        return field.number_value
    if kind == "bool_value":
        return field.bool_value
    if kind == "null_value":
        return None
    if kind == "struct_value":
        props = deserialize_properties(field.struct_value, keep_unknowns, keep_internal)
        if isinstance(props, dict) and _any_secret(props.values()):
            return rpc.wrap_rpc_secret({k: rpc.unwrap_rpc_secret(v) for k, v in props.items()})
        return props
    if kind == "list_value":
        values = [_value(item, keep_unknowns, keep_internal) for item in field.list_value.values]
        if _any_secret(values):
            return rpc.wrap_rpc_secret([rpc.unwrap_rpc_secret(v) for v in values])
        return values
    raise ValueError("Value not set")  # as protobuf's _GetStructValue


def _any_secret(values: Any) -> bool:
    """`any(rpc.is_rpc_secret(v) for v in values)`, asking only of dicts (a secret is one)."""
    return any(isinstance(v, dict) and rpc.is_rpc_secret(v) for v in values)
