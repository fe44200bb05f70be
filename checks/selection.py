"""The checks a run selects (`--checks`, `--skip-checks`), and the resource types they read.

A selector is a check id (`s3_bucket_sse_kms`), a control id (`IAM-01`, any case) or a
shell-style pattern over check ids (`s3_*`). A selector that matches nothing is an error, so a
typo never quietly runs fewer checks than asked.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Sequence

from checks.errors import InputError
from checks.registry import Check, Registry


def _matches(selector: str, chk: Check) -> bool:
    if selector.upper() == chk.control.upper():
        return True
    return fnmatch.fnmatchcase(chk.id, selector)


def _chosen(registry: Registry, selectors: Sequence[str], option: str) -> set[str]:
    chosen: set[str] = set()
    for selector in selectors:
        found = {c.id for c in registry if _matches(selector, c)}
        if not found:
            raise InputError(
                f"{option} {selector!r}: matches no check id, control id or id pattern "
                "(safeguard checks lists them)"
            )
        chosen |= found
    return chosen


def split_selectors(values: Iterable[str] | None, option: str = "--checks") -> list[str]:
    """`--checks a,b --checks c` → [a, b, c]; an option given with nothing in it is an error
    (an empty variable would otherwise run every check)."""
    found = []
    for value in values or ():
        named = [s.strip() for s in value.split(",") if s.strip()]
        if not named:
            raise InputError(f"{option} {value!r}: names no check")
        found += named
    return found


def select(registry: Registry, include: Sequence[str], exclude: Sequence[str]) -> Registry:
    """The registry's checks that `include` names (all when empty), less those `exclude` names."""
    keep = _chosen(registry, include, "--checks") if include else {c.id for c in registry}
    keep -= _chosen(registry, exclude, "--skip-checks") if exclude else set()
    if not keep:
        raise InputError("--checks/--skip-checks: no check is left to run")
    return Registry(c for c in registry if c.id in keep)


def types_read(registry: Registry) -> frozenset[str]:
    """Every resource type the registry's checks judge or read."""
    return frozenset(t for c in registry for t in c.types_read)
