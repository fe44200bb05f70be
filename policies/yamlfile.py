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
from checks.inputfiles import LineDict, expect_mappings, load_shipped_yaml, load_yaml, where

__all__ = ["LineDict", "date", "entries", "load", "where"]


def load(path: Path, shipped: Path | None = None) -> Any:
    """The YAML document at `path` (through the one loader, `checks.inputfiles`): every key
    text, every mapping a `LineDict`; InputError naming the file (and line) when it is bad.
    When `path` is `shipped`, the data file the package carries, the fast parser reads it: the
    hardened loader's limits are for files people bring."""
    if shipped is not None and path == shipped:
        try:
            return load_shipped_yaml(path, lines=True)
        except (OSError, yaml.YAMLError) as exc:
            raise InputError(f"{path}: {exc}") from None
    return load_yaml(path)


def entries(path: Path, key: str, doc: Any = None) -> list[Mapping[str, Any]]:
    """The list under `key` in the document at `path` (an empty file means none); `doc` is
    that document when the caller has already loaded it."""
    doc = load(path) if doc is None else doc
    if doc is None:
        return []
    if not isinstance(doc, Mapping):
        raise InputError(f"{path}: expected a mapping with a '{key}' list")
    return expect_mappings(path, doc.get(key) or None, key, at=doc)


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
