"""Reading the YAML files people write (waivers, attestations, profiles) with line numbers.

Every mapping loaded here remembers the line it started on, so an error can name
"FILE: line N: problem" — the one line a user needs to fix it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from checks.errors import InputError


class LineDict(dict):
    """A mapping from a YAML file that knows its first line."""

    line: int = 0


class _LineLoader(yaml.SafeLoader):
    pass


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> LineDict:
    mapping = LineDict(loader.construct_mapping(node, deep=True))
    mapping.line = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load(path: Path) -> Any:
    """The YAML document at `path`; InputError naming the file (and line) when it is bad."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot be read: {exc.strerror}") from None
    try:
        return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise InputError(f"{path}: {where}malformed YAML: {problem}") from None


def where(path: Path, entry: Mapping[str, Any] | None) -> str:
    line = getattr(entry, "line", 0)
    return f"{path}: line {line}" if line else str(path)


def entries(path: Path, key: str) -> list[Mapping[str, Any]]:
    """The list under `key` in the document at `path` (an empty file means none)."""
    doc = load(path)
    if doc is None:
        return []
    if not isinstance(doc, Mapping):
        raise InputError(f"{path}: expected a mapping with a '{key}' list")
    items = doc.get(key) or []
    if not isinstance(items, list) or not all(isinstance(i, Mapping) for i in items):
        raise InputError(f"{where(path, doc)}: '{key}' must be a list of mappings")
    return items


def date(path: Path, entry: Mapping[str, Any], key: str) -> dt.date:
    value = entry.get(key)
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise InputError(f"{where(path, entry)}: '{key}' must be a date (YYYY-MM-DD), got {value!r}")
