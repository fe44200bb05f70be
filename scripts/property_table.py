"""Generate the property-name table the file sources read instead of the provider SDK.

`pulumi stack export` and `pulumi preview --json` name properties as the engine does
(`storageEncrypted`); the inventory names them as the Python SDK does (`storage_encrypted`).
Learning those names from `pulumi_aws`'s classes costs a file scan seconds of imports, so this
script reads them once, from the pinned SDK, into a compressed table shipped as package data
(`checks/sources/pulumi_aws_properties.json.gz`, read by `checks.sources.property_names`).

The table holds, for every resource type the SDK registers, the class that describes it and
the names a program may declare for it; for every class reached from those, each property's
Python name and the shape of its value (a float, a map, a list, a nested object) — all that the
translation of an engine property map into SDK names needs.

    python -m scripts.property_table            # exit 1 when the shipped table is stale
    python -m scripts.property_table --write    # regenerate it after a pulumi_aws bump
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import typing
from collections.abc import Iterable
from importlib import metadata
from typing import Any

from checks.sources.property_names import FREE_FORM_MAPS, TABLE_FILE, camel_to_snake

PROVIDER = "pulumi_aws"
PACKAGE = "aws"


def registered_tokens() -> list[str]:
    """Every resource type token the SDK registers with the Pulumi runtime, sorted."""
    import pulumi_aws  # noqa: F401 - importing the SDK registers its resource modules
    from pulumi.runtime import rpc

    tokens: set[str] = set()
    for key, modules in rpc._RESOURCE_MODULES.items():
        if key.startswith(f"{PACKAGE}:"):
            for module in modules:
                tokens.update(module.mod_info["classes"])
    return sorted(tokens)


def class_ref(cls: type) -> str:
    """A class's name in the table: its module and name, without the provider package."""
    return f"{cls.__module__.removeprefix(PROVIDER + '.')}.{cls.__qualname__}"


def hint_code(hint: Any, reached: list[type]) -> str:
    """The shape of a property's value, as `property_names.translate` needs it: 'f' a float,
    'm<value>' a map, 'l<item>' a list, 'o:<class>' a nested object, '' anything else.
    Object classes met on the way are appended to `reached`."""
    from checks.sources import pulumi_schema as schema

    hint = schema._strip(hint)
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if hint is float:
        return "f"
    if schema._is_mapping(origin):
        return "m" + (hint_code(args[1], reached) if args else "")
    if schema._is_sequence(origin):
        return "l" + (hint_code(args[0], reached) if args else "")
    if schema._is_object(hint):
        reached.append(hint)
        return "o:" + class_ref(hint)
    return ""


def sdk_input_names(token: str) -> list[str] | None:
    """The engine names of what a program may declare for a type (its `<Resource>Args` class,
    or `<Resource>InitArgs` where a nested block's input type took the plain name); None when
    the SDK describes no such class."""
    from checks.sources.pulumi_schema import properties, resource_class

    cls = resource_class(token)
    if cls is None:
        return None
    module = sys.modules.get(cls.__module__)
    for suffix in ("InitArgs", "Args"):
        found = getattr(module, f"{cls.__name__}{suffix}", None)
        if isinstance(found, type) and found.__module__ == cls.__module__:
            return sorted(properties(found))
    return None


def _entry(name: str, python_name: str, shape: str) -> str | list[str] | None:
    """A property as the table holds it: None when the plain translation already gives the
    same result (the default name, no shape, not a free-form map), its shape alone when only
    the name is the default, else [Python name, shape]. A list of values of no shape ('l',
    'll') translates as a value of no shape."""
    shape = "" if not shape.strip("l") else shape
    if python_name != camel_to_snake(name):
        return [python_name, shape]
    if shape or name in FREE_FORM_MAPS:
        return shape
    return None


def build(tokens: Iterable[str] | None = None) -> dict[str, Any]:
    """The table, from the installed SDK: for `tokens` (default: every registered type)."""
    from checks.sources.pulumi_schema import properties, resource_class

    types: dict[str, list[Any]] = {}
    classes: dict[str, dict[str, list[str]]] = {}
    pending: list[type] = []
    for token in sorted(tokens if tokens is not None else registered_tokens()):
        cls = resource_class(token)
        if cls is None:
            continue
        types[token] = [class_ref(cls), sdk_input_names(token)]
        pending.append(cls)
    while pending:
        cls = pending.pop()
        ref = class_ref(cls)
        if ref in classes:
            continue
        entries = {
            name: _entry(name, prop.python_name, hint_code(prop.hint, pending))
            for name, prop in sorted(properties(cls).items())
        }
        classes[ref] = {name: entry for name, entry in entries.items() if entry is not None}
    return {
        "provider": PROVIDER,
        "version": metadata.version(PROVIDER),
        "types": types,
        "classes": dict(sorted(_prune(classes).items())),
    }


def _prune(classes: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Leave out the classes with nothing to say: a nested object of such a class translates
    as one of no class. Pointing a property at no class may make it trivial in turn."""
    while empty := {ref for ref, props in classes.items() if not props}:
        for props in classes.values():
            for name, entry in list(props.items()):
                python_name, shape = (
                    (camel_to_snake(name), entry) if isinstance(entry, str) else entry
                )
                prefix, _, target = shape.partition("o:")
                if target in empty:
                    pruned = _entry(name, python_name, prefix)
                    if pruned is None:
                        del props[name]
                    else:
                        props[name] = pruned
        classes = {ref: props for ref, props in classes.items() if ref not in empty}
    return classes


def encode(table: dict[str, Any]) -> bytes:
    """The shipped bytes: compact JSON, gzip with no timestamp, so a rebuild is byte-identical."""
    text = json.dumps(table, separators=(",", ":"), sort_keys=True)
    return gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m scripts.property_table",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--write", action="store_true", help="write the table (default: check)")
    args = parser.parse_args(argv)
    data = encode(build())
    if args.write:
        TABLE_FILE.write_bytes(data)
        print(f"wrote {TABLE_FILE} ({len(data):,} bytes)")
        return 0
    current = TABLE_FILE.read_bytes() if TABLE_FILE.is_file() else b""
    if current != data:
        print(
            f"{TABLE_FILE} does not match the installed {PROVIDER}: "
            "run `python -m scripts.property_table --write`",
            file=sys.stderr,
        )
        return 1
    print(f"{TABLE_FILE} matches the installed {PROVIDER}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
