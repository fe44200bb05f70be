"""A stack's data-scope statement: what data the stack holds, as a named person states it.

It lives in the stack's waivers file (`policies/waivers/<stack>.yaml`, or the file `--waivers`
names), beside the waivers, under its own key:

    data_scope:
      holds_ephi: false       # the stack holds no ePHI (synthetic, test or public data only)
      statement: Dev holds synthetic data only, never ePHI (stacks/README.md).
      approver: Dana Lee, Security Official
      approved: 2026-11-26
      expires: 2027-11-26     # optional: after it, the statement is no longer honoured

A current statement that the stack holds no ePHI makes the risk register rate every asset as
holding no ePHI, whatever its tags say, and says so in each rating's rationale. Tags keep
describing what the production twin of a resource holds; the statement says what this stack's
copy holds. A statement that it holds ePHI changes no rating: it is recorded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from checks.errors import InputError
from policies import yamlfile

KEY = "data_scope"
_REQUIRED = ("holds_ephi", "statement", "approver", "approved")
_ALLOWED = frozenset((*_REQUIRED, "expires"))


@dataclass(frozen=True)
class DataScope:
    holds_ephi: bool
    statement: str
    approver: str
    approved: dt.date
    expires: dt.date | None = None
    source: str = ""  # "FILE: line N"

    def in_force(self, day: dt.date) -> bool:
        return self.approved <= day and (self.expires is None or day <= self.expires)

    def no_ephi(self, day: dt.date) -> bool:
        """Whether, on `day`, the statement says the stack holds no ePHI."""
        return not self.holds_ephi and self.in_force(day)

    def as_record(self, day: dt.date) -> dict[str, Any]:
        return {
            "holds_ephi": self.holds_ephi,
            "statement": self.statement,
            "approver": self.approver,
            "approved": self.approved.isoformat(),
            "expires": self.expires.isoformat() if self.expires else None,
            "in_force": self.in_force(day),
        }


def parse_data_scope(path: Path, doc: Any) -> DataScope | None:
    """The statement in a loaded waivers document, or None when it has none."""
    if not isinstance(doc, Mapping) or doc.get(KEY) is None:
        return None
    entry = doc[KEY]
    if not isinstance(entry, Mapping):
        raise InputError(f"{path}: '{KEY}' must be a mapping ({', '.join(_REQUIRED)})")
    at = yamlfile.where(path, entry)
    missing = [k for k in _REQUIRED if entry.get(k) in (None, "")]
    if missing:
        raise InputError(f"{at}: {KEY} is missing {', '.join(missing)}")
    if unknown := sorted(str(k) for k in set(entry) - _ALLOWED):
        raise InputError(f"{at}: {KEY} has unknown field(s) {', '.join(unknown)}")
    if not isinstance(entry["holds_ephi"], bool):
        raise InputError(f"{at}: {KEY} 'holds_ephi' must be true or false")
    for key in ("statement", "approver"):
        if not isinstance(entry[key], str) or not entry[key].strip():
            raise InputError(f"{at}: {KEY} '{key}' must be text")
    approved = yamlfile.date(path, entry, "approved")
    expires = yamlfile.date(path, entry, "expires") if entry.get("expires") else None
    if expires is not None and expires < approved:
        raise InputError(f"{at}: {KEY} expires before it was approved")
    return DataScope(
        holds_ephi=entry["holds_ephi"],
        statement=" ".join(entry["statement"].split()),
        approver=entry["approver"].strip(),
        approved=approved,
        expires=expires,
        source=at,
    )


def load_data_scope(path: Path) -> DataScope | None:
    """The statement in the waivers file at `path`, if it makes one."""
    return parse_data_scope(path, yamlfile.load(path))
