"""Engine property names → pulumi_aws Python names, from a table shipped with the package.

The file sources (`--state`, `--preview`) and the CrossGuard pack see properties as the engine
names them (`storageEncrypted`, numbers as floats); a `Resource` carries them as the Python SDK
does (`storage_encrypted`, integers). Importing the SDK's classes to learn the names costs a
file scan seconds, so the names come from `pulumi_aws_properties.json.gz` beside this module,
generated from the pinned pulumi_aws by `python -m scripts.property_table --write` (a test
regenerates it and compares). The program source runs the SDK anyway and reads its classes
directly (`checks.sources.pulumi_schema`); both translate alike.

Types the table does not hold (other providers, a newer pulumi_aws's additions) fall back to a
plain camelCase → snake_case translation, as for any class the SDK does not describe.
"""

from __future__ import annotations

import functools
import gzip
import json
import re
from pathlib import Path
from typing import Any

from checks.errors import InputError
from checks.model import canonical_type

TABLE_FILE = Path(__file__).with_name("pulumi_aws_properties.json.gz")

_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")

# Maps whose keys are user data, never property names, when no type hint says so.
FREE_FORM_MAPS = frozenset({"tags", "tagsAll", "defaultTags", "variables", "environment"})


@functools.lru_cache(maxsize=4096)  # a program repeats its few hundred property names
def camel_to_snake(name: str) -> str:
    return _CAMEL_BOUNDARY.sub("_", name).lower()


@functools.cache
def _table() -> dict[str, Any]:
    try:
        with gzip.open(TABLE_FILE, "rt", encoding="utf-8") as stream:
            return json.load(stream)
    except (OSError, ValueError) as exc:
        raise InputError(
            f"{TABLE_FILE}: the property-name table cannot be read ({exc}); reinstall "
            "hipaa-safeguard, or regenerate it with `python -m scripts.property_table --write`"
        ) from exc


def class_of(token: str) -> str | None:
    """The table's class for a resource type, None when it has none."""
    entry = _table()["types"].get(canonical_type(token))
    return entry[0] if entry else None


@functools.cache
def input_names(token: str) -> frozenset[str] | None:
    """The engine names a program may declare for a type (the SDK's `<Resource>Args`); None
    when the SDK describes none."""
    entry = _table()["types"].get(canonical_type(token))
    return frozenset(entry[1]) if entry and entry[1] is not None else None


def to_python(value: Any, shape: str = "") -> Any:
    """One engine value in SDK naming and types, guided by its shape code (see
    `scripts.property_table.hint_code`): keys of a map are kept, a nested object's are
    translated, a whole float becomes an int unless the SDK declares a float."""
    if isinstance(value, dict):
        if shape.startswith("m"):
            return {k: to_python(v, shape[1:]) for k, v in value.items()}
        return object_to_python(value, shape[2:] if shape.startswith("o:") else None)
    if isinstance(value, list):
        item = shape[1:] if shape.startswith("l") else ""
        return [to_python(v, item) for v in value]
    if isinstance(value, float) and shape != "f" and value.is_integer():
        return int(value)
    return value


def object_to_python(value: dict[str, Any], cls: str | None) -> dict[str, Any]:
    """An engine property map in SDK names, for the table's class `cls` (None: no class)."""
    props = _table()["classes"].get(cls, {}) if cls is not None else {}
    out: dict[str, Any] = {}
    for key, item in value.items():
        prop = props.get(key)
        if isinstance(prop, str):
            out[camel_to_snake(key)] = to_python(item, prop)
        elif prop is not None:
            out[prop[0]] = to_python(item, prop[1])
        elif key in FREE_FORM_MAPS and isinstance(item, dict):
            out[camel_to_snake(key)] = dict(item)
        else:
            out[camel_to_snake(key)] = to_python(item)
    return out


def resource_to_python(token: str, value: dict[str, Any]) -> dict[str, Any]:
    """The props of a resource of type `token` from its engine property map."""
    return object_to_python(value, class_of(token))
