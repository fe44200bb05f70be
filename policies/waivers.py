"""Waivers: narrow, owned, expiring exceptions to a check, visible in every report.

    waivers:
      - id: W-DEV-001
        check: rds_multi_az
        resources: ["urn:pulumi:dev::hipaa-billing::aws:rds/instance:Instance::billing-db"]
        # or, instead of `resources`, an explicit glob over URNs:
        # resource_pattern: "urn:pulumi:dev::hipaa-billing::*::billing-db"
        type: risk_acceptance        # risk_acceptance | false_positive | compensating_control
        justification: Dev runs single-AZ to halve its cost; it holds synthetic data only.
        approver: Dana Lee, Security Official
        approved: 2026-11-26
        expires: 2027-05-31

A waiver never hides a finding: the finding stays, as WAIVED with the waiver's id. An expired
waiver waives nothing, reopens its findings and fails the gate.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import fnmatch
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from checks.errors import InputError
from checks.evaluate import Finding
from checks.registry import Status
from policies import yamlfile

WAIVER_TYPES = ("risk_acceptance", "false_positive", "compensating_control")
_REQUIRED = ("id", "check", "type", "justification", "approver", "approved", "expires")
_ALLOWED = frozenset(
    (*_REQUIRED, "resources", "resource_pattern", "compensating_controls", "ticket")
)


@dataclass(frozen=True)
class Waiver:
    id: str
    check: str
    type: str
    justification: str
    approver: str
    approved: dt.date
    expires: dt.date
    resources: tuple[str, ...] = ()
    resource_pattern: str | None = None
    source: str = ""  # "FILE: line N", for messages

    def covers(self, check_id: str, urn: str | None) -> bool:
        if check_id != self.check or urn is None:
            return False
        if self.resource_pattern is not None:
            return fnmatch.fnmatchcase(urn, self.resource_pattern)
        return urn in self.resources

    def active_on(self, day: dt.date) -> bool:
        return self.approved <= day <= self.expires

    def as_record(self, day: dt.date) -> dict[str, Any]:
        return {
            "id": self.id,
            "check": self.check,
            "type": self.type,
            "justification": self.justification,
            "approver": self.approver,
            "approved": self.approved.isoformat(),
            "expires": self.expires.isoformat(),
            "resources": list(self.resources),
            "resource_pattern": self.resource_pattern,
            "status": "active"
            if self.active_on(day)
            else ("expired" if day > self.expires else "not yet approved"),
        }


def _parse(path: Path, entry: Mapping[str, Any], known_checks: Collection[str]) -> Waiver:
    at = yamlfile.where(path, entry)
    missing = [k for k in _REQUIRED if entry.get(k) in (None, "")]
    if missing:
        raise InputError(
            f"{at}: waiver {entry.get('id', '(no id)')} is missing {', '.join(missing)}"
        )
    unknown = sorted(set(entry) - _ALLOWED)
    if unknown:
        raise InputError(f"{at}: waiver {entry['id']} has unknown field(s) {', '.join(unknown)}")
    if entry["check"] not in known_checks:
        raise InputError(f"{at}: waiver {entry['id']} names unknown check {entry['check']!r}")
    if entry["type"] not in WAIVER_TYPES:
        raise InputError(
            f"{at}: waiver {entry['id']} type must be one of {', '.join(WAIVER_TYPES)}"
        )
    resources, pattern = entry.get("resources"), entry.get("resource_pattern")
    if (resources is None) == (pattern is None):
        raise InputError(
            f"{at}: waiver {entry['id']} needs exactly one of 'resources' or 'resource_pattern'"
        )
    if resources is not None and (
        not isinstance(resources, list)
        or not resources
        or not all(isinstance(r, str) for r in resources)
    ):
        raise InputError(f"{at}: waiver {entry['id']} 'resources' must be a non-empty list of URNs")
    if pattern is not None and (not isinstance(pattern, str) or pattern.strip("*") == ""):
        raise InputError(
            f"{at}: waiver {entry['id']} 'resource_pattern' must name something, not only '*'"
        )
    approved, expires = (
        yamlfile.date(path, entry, "approved"),
        yamlfile.date(path, entry, "expires"),
    )
    if expires < approved:
        raise InputError(f"{at}: waiver {entry['id']} expires before it was approved")
    return Waiver(
        id=str(entry["id"]),
        check=str(entry["check"]),
        type=str(entry["type"]),
        justification=str(entry["justification"]).strip(),
        approver=str(entry["approver"]),
        approved=approved,
        expires=expires,
        resources=tuple(resources or ()),
        resource_pattern=pattern,
        source=at,
    )


def load_waivers(path: Path, known_checks: Collection[str]) -> list[Waiver]:
    waivers = [_parse(path, e, known_checks) for e in yamlfile.entries(path, "waivers")]
    seen: set[str] = set()
    for waiver in waivers:
        if waiver.id in seen:
            raise InputError(f"{waiver.source}: waiver id {waiver.id} is used twice")
        seen.add(waiver.id)
    return waivers


def apply_waivers(
    findings: tuple[Finding, ...], waivers: tuple[Waiver, ...], day: dt.date
) -> tuple[tuple[Finding, ...], tuple[tuple[str, str], ...]]:
    """Mark covered findings WAIVED; report those only an expired waiver covered (reopened)."""
    out, reopened = [], []
    for finding in findings:
        if finding.status not in (Status.FAIL, Status.NOT_EVALUATED):
            out.append(finding)
            continue
        urn = finding.resource.urn if finding.resource else None
        covering = [w for w in waivers if w.covers(finding.check.id, urn)]
        active = next((w for w in covering if w.active_on(day)), None)
        if active is not None:
            out.append(dataclasses.replace(finding, status=Status.WAIVED, waiver_id=active.id))
            continue
        expired = next((w for w in covering if day > w.expires), None)
        if expired is not None and finding.status is Status.FAIL:
            reopened.append((finding.id, expired.id))
        out.append(finding)
    return tuple(out), tuple(reopened)
