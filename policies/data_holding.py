"""Which resource types can hold data at rest (policies/data_holding.yaml).

The classification ask ("classify N resources") counts these only: a bucket's versioning
setting, a metric filter or a key alias has no data of its own to classify.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from pathlib import Path

from checks.errors import InputError
from policies import yamlfile

DATA_HOLDING_FILE = Path(__file__).with_name("data_holding.yaml")


@functools.cache
def data_holding_types(path: Path = DATA_HOLDING_FILE) -> frozenset[str]:
    """Every type token listed under `holds_data`, whatever its group."""
    doc = yamlfile.load(path, shipped=DATA_HOLDING_FILE)
    groups = doc.get("holds_data") if isinstance(doc, Mapping) else None
    if not isinstance(groups, Mapping) or not groups:
        raise InputError(f"{path}: expected a 'holds_data' mapping of groups to type lists")
    types: set[str] = set()
    for group, members in groups.items():
        if not isinstance(members, list) or not all(isinstance(t, str) for t in members):
            raise InputError(f"{path}: holds_data.{group} must be a list of type tokens")
        types.update(members)
    return frozenset(types)


def holds_data(resource_type: str) -> bool:
    return resource_type in data_holding_types()
