"""A named person's ratings of risks (`risk_overrides.yaml`): who, why, and which finding.

Every entry must name the person who made the rating (`by`) and why (`reason`): a rating
without an owner is not evidence.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from checks.errors import InputError
from policies import yamlfile
from policies.risk_scale import Level


@dataclass(frozen=True)
class Override:
    """A person's rating of a finding (or of every finding of a check), with their reason."""

    by: str
    reason: str
    finding: str | None = None
    check: str | None = None
    likelihood: Level | None = None
    impact: Level | None = None
    date: str | None = None

    def applies_to(self, finding_id: str, check_id: str) -> bool:
        if self.finding is not None:
            return finding_id == self.finding
        return check_id == self.check


_OVERRIDE_KEYS = frozenset({"finding", "check", "likelihood", "impact", "by", "reason", "date"})


def load_overrides(path: str | Path) -> list[Override]:
    """Read `risk_overrides.yaml`: a list of {finding | check, likelihood?, impact?, by, reason}.

    Every entry must name the person who made the rating (`by`) and why (`reason`): a rating
    without an owner is not evidence. Problems raise InputError naming the file and the entry.
    """
    path = Path(path)
    data = yamlfile.load(path)
    if data is None:
        return []
    if not isinstance(data, list):
        raise InputError(f"{path}: expected a list of overrides, got {type(data).__name__}")
    return [_override(path, number, entry) for number, entry in enumerate(data, start=1)]


def _override(path: Path, number: int, entry: Any) -> Override:
    where = f"{path}: entry {number}"
    if not isinstance(entry, Mapping):
        raise InputError(f"{where}: expected a mapping, got {type(entry).__name__}")
    target = entry.get("finding") or entry.get("check")
    if target is not None and not isinstance(target, str):
        raise InputError(f"{where}: 'finding' or 'check' must be text, got {type(target).__name__}")
    if target:
        where += f" ({target})"
    unknown = sorted(set(map(str, entry)) - _OVERRIDE_KEYS)
    if unknown:
        raise InputError(f"{where}: unknown key(s) {', '.join(unknown)}")
    if bool(entry.get("finding")) == bool(entry.get("check")):
        raise InputError(f"{where}: name exactly one of 'finding' (a finding id) or 'check'")
    for key, meaning in (("by", "the person who made the rating"), ("reason", "why")):
        value = entry.get(key)
        if not isinstance(value, str) or not value.strip():
            raise InputError(f"{where}: '{key}' ({meaning}) is required")
    if entry.get("likelihood") is None and entry.get("impact") is None:
        raise InputError(f"{where}: override at least one of 'likelihood' or 'impact'")
    try:
        likelihood, impact = (
            None if entry.get(key) is None else Level.parse(entry[key])
            for key in ("likelihood", "impact")
        )
    except ValueError as exc:
        raise InputError(f"{where}: {exc}") from None
    return Override(
        by=entry["by"].strip(),
        reason=entry["reason"].strip(),
        finding=str(entry["finding"]) if entry.get("finding") else None,
        check=str(entry["check"]) if entry.get("check") else None,
        likelihood=likelihood,
        impact=impact,
        date=None if entry.get("date") is None else str(entry["date"]),
    )
