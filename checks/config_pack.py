"""The AWS Config conformance pack "Operational Best Practices for HIPAA Security", rule by rule:
the checks that judge what each rule judges, or why none does. Loaded from `config_pack.yaml`
beside this module (which says what each field means); linted against the reference table of
the pack and the check library by tests/unit/test_config_pack.py, and rendered into the README
by `scripts/config_pack_table.py`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from checks.inputfiles import shipped_table

PACK_FILE = Path(__file__).with_name("config_pack.yaml")
_FIELDS = {"rule", "checks", "not_checked"}


class ConfigPackError(Exception):
    """The pack's data file is malformed."""


@dataclass(frozen=True)
class PackRule:
    rule: str
    checks: tuple[str, ...] = ()
    not_checked: str = ""  # why no check judges it, when none does

    @property
    def checked(self) -> bool:
        return bool(self.checks)


def _entry(entry: Any) -> PackRule:
    if not isinstance(entry, dict) or not isinstance(entry.get("rule"), str):
        raise ValueError("expected a mapping with a rule name")
    if unknown := sorted(set(entry) - _FIELDS):
        raise ValueError(f"unknown fields {unknown}")
    checks, reason = entry.get("checks"), entry.get("not_checked")
    if (checks is None) == (reason is None):
        raise ValueError("needs exactly one of checks and not_checked")
    if checks is not None:
        ids = checks if isinstance(checks, list) else []
        if not ids or not all(isinstance(c, str) and c for c in ids):
            raise ValueError("checks must be a non-empty list of check ids")
        return PackRule(entry["rule"], checks=tuple(checks))
    if not isinstance(reason, str) or not reason.strip():
        raise ValueError("not_checked must say why")
    return PackRule(entry["rule"], not_checked=" ".join(reason.split()))


def load_config_pack(path: Path = PACK_FILE) -> tuple[PackRule, ...]:
    """The pack's rules in the file's order."""
    doc = shipped_table(path, ConfigPackError, "rules", list, "list")
    rules = []
    for n, entry in enumerate(doc["rules"], start=1):
        try:
            rules.append(_entry(entry))
        except ValueError as exc:
            name = entry.get("rule", f"#{n}") if isinstance(entry, dict) else f"#{n}"
            raise ConfigPackError(f"{path}: rule {name}: {exc}") from None
    return tuple(rules)
