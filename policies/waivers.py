"""Waivers: narrow, owned, expiring exceptions to a check, visible in every report.

    waivers:
      - id: W-DEV-001
        check: rds_multi_az
        resources: ["urn:pulumi:dev::hipaa-billing::aws:rds/instance:Instance::billing-db"]
        # or, instead of `resources`, an explicit glob over URNs:
        # resource_pattern: "urn:pulumi:dev::hipaa-billing::aws:rds/instance:Instance::billing-*"
        type: risk_acceptance        # risk_acceptance | false_positive | compensating_control
        justification: Dev runs single-AZ to halve its cost; it holds synthetic data only.
        approver: Dana Lee, Security Official
        approved: 2026-11-26
        expires: 2027-05-31

A waiver never hides a finding: the finding stays, as WAIVED with the waiver's id. An expired
waiver waives nothing, reopens its findings and fails the gate.

A pattern cannot blanket. It is read against the URN grammar
`urn:pulumi:STACK::PROJECT::[PARENT$...]TYPE::NAME`: its last `::` segment is the name, the one
before it the type. The type must be written out (`aws:s3/bucket:Bucket`; only a parent chain
before a `$` may be a glob), and the name must keep at least MIN_LITERAL_NAME characters in a row
outside any `*`, `?` or `[...]`. `?*`, `*::*` or `...::aws:s3/bucket:Bucket::*` are refused.

An account-level finding (no resource) is named by its scope id, `account:ACCOUNT:REGION`
(`checks.evaluate.account_scope`), exactly, in `resources`; a pattern never matches one.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import fnmatch
import re
from collections.abc import Collection, Iterable, Mapping
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
_TEXT_FIELDS = ("id", "check", "type", "justification", "approver", "ticket")
# The fewest characters of a resource name a pattern must spell out, in a row.
MIN_LITERAL_NAME = 3
# A Pulumi type token spelled out: package:module:Type (aws:ec2/securityGroup:SecurityGroup).
_TYPE_TOKEN = re.compile(r"[A-Za-z0-9_.-]+:[A-Za-z0-9_./-]+:[A-Za-z0-9_]+")
_GLOB = frozenset("*?[]")


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
    # What else limits the risk, and where the exception is tracked: shown wherever it is.
    compensating_controls: tuple[str, ...] = ()
    ticket: str | None = None

    def covers(self, check_id: str, subject: str | None) -> bool:
        """Whether it names `subject` (a URN, or an account-level finding's scope id) for
        `check_id`."""
        if check_id != self.check or subject is None:
            return False
        if self.resource_pattern is not None:
            return subject.startswith("urn:") and fnmatch.fnmatchcase(
                subject, self.resource_pattern
            )
        return subject in self.resources

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
            "compensating_controls": list(self.compensating_controls),
            "ticket": self.ticket,
            "status": "active"
            if self.active_on(day)
            else ("expired" if day > self.expires else "not yet approved"),
        }


def _longest_literal_run(glob: str) -> int:
    """The most characters in a row a glob matches only literally (fnmatch's syntax: a `[...]`
    class, even one holding letters, is a wildcard; an unclosed `[` counts as one too)."""
    longest = run = i = 0
    while i < len(glob):
        char = glob[i]
        if char == "[":
            j = i + 1
            j += j < len(glob) and glob[j] == "!"
            j += j < len(glob) and glob[j] == "]"
            while j < len(glob) and glob[j] != "]":
                j += 1
            i = j + 1 if j < len(glob) else i + 1
            run = 0
            continue
        run = 0 if char in _GLOB else run + 1
        longest = max(longest, run)
        i += 1
    return longest


def pattern_problem(pattern: str) -> str | None:
    """Why a resource pattern could blanket (None when it names a type and part of a name)."""
    segments = pattern.split("::")
    if len(segments) < 2:
        return "it has no TYPE::NAME part"
    type_token = segments[-2].rsplit("$", 1)[-1]
    if not _TYPE_TOKEN.fullmatch(type_token):
        return f"its type {segments[-2]!r} is not a type token written out"
    if _longest_literal_run(segments[-1]) < MIN_LITERAL_NAME:
        return (
            f"its name {segments[-1]!r} spells out fewer than {MIN_LITERAL_NAME} characters "
            "in a row"
        )
    return None


def _shape_problem(entry: Mapping[str, Any]) -> str | None:
    """The first field that has the wrong shape (text, a list of text), if any."""
    for key in _TEXT_FIELDS:
        if key in entry and entry[key] is not None and not isinstance(entry[key], str):
            return f"'{key}' must be text, got {type(entry[key]).__name__}"
    controls = entry.get("compensating_controls")
    if controls is not None and not (
        isinstance(controls, str)
        or (isinstance(controls, list) and all(isinstance(c, str) for c in controls))
    ):
        return "'compensating_controls' must be text or a list of text"
    return None


def _parse(path: Path, entry: Mapping[str, Any], known_checks: Collection[str]) -> Waiver:
    at = yamlfile.where(path, entry)
    name = entry.get("id") if isinstance(entry.get("id"), str) else "(no id)"
    shape = _shape_problem(entry)
    if shape:
        raise InputError(f"{at}: waiver {name}: {shape}")
    missing = [k for k in _REQUIRED if entry.get(k) in (None, "")]
    if missing:
        raise InputError(f"{at}: waiver {name} is missing {', '.join(missing)}")
    unknown = sorted(str(k) for k in set(entry) - _ALLOWED)
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
    if pattern is not None and not isinstance(pattern, str):
        raise InputError(f"{at}: waiver {entry['id']}: 'resource_pattern' must be text")
    problem = pattern_problem(pattern) if pattern is not None else None
    if problem:
        raise InputError(
            f"{at}: waiver {entry['id']}: resource_pattern must name something narrow, a "
            f"resource type and at least {MIN_LITERAL_NAME} characters of the name "
            f"(urn:pulumi:STACK::PROJECT::TYPE::NAME), but {problem}: {pattern!r}"
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
        compensating_controls=_texts(entry.get("compensating_controls")),
        ticket=str(entry["ticket"]).strip() if entry.get("ticket") else None,
    )


def _texts(value: str | list[str] | None) -> tuple[str, ...]:
    """One text or a list of texts (the shapes `_shape_problem` lets through), stripped."""
    items = [value] if isinstance(value, str) else value or []
    return tuple(s.strip() for s in items if s.strip())


def load_waivers(path: Path, known_checks: Collection[str]) -> list[Waiver]:
    waivers = [_parse(path, e, known_checks) for e in yamlfile.entries(path, "waivers")]
    seen: set[str] = set()
    for waiver in waivers:
        if waiver.id in seen:
            raise InputError(f"{waiver.source}: waiver id {waiver.id} is used twice")
        seen.add(waiver.id)
    return waivers


def subject(finding: Finding) -> str | None:
    """What a waiver names to cover a finding: its resource's URN, or, for an account-level
    finding, its scope id."""
    return finding.resource.urn if finding.resource is not None else finding.scope


def subjects_by_check(findings: Iterable[Finding]) -> dict[str, set[str]]:
    """Every check's subjects in a run (what its waivers may name), gathered once."""
    found: dict[str, set[str]] = {}
    for f in findings:
        if (s := subject(f)) is not None:
            found.setdefault(f.check.id, set()).add(s)
    return found


def reach(waiver: Waiver, subjects: Mapping[str, set[str]]) -> int:
    """How many resources (or account scopes) of its check a waiver names in a run, whatever
    their status: what it would waive, should each fail (`subjects`: `subjects_by_check`)."""
    return sum(1 for s in subjects.get(waiver.check, ()) if waiver.covers(waiver.check, s))


def apply_waivers(
    findings: tuple[Finding, ...], waivers: tuple[Waiver, ...], day: dt.date
) -> tuple[tuple[Finding, ...], tuple[tuple[str, str], ...]]:
    """Mark covered findings WAIVED; report those only an expired waiver covered (reopened)."""
    out, reopened = [], []
    for finding in findings:
        if finding.status not in (Status.FAIL, Status.NOT_EVALUATED):
            out.append(finding)
            continue
        covering = [w for w in waivers if w.covers(finding.check.id, subject(finding))]
        active = next((w for w in covering if w.active_on(day)), None)
        if active is not None:
            out.append(dataclasses.replace(finding, status=Status.WAIVED, waiver_id=active.id))
            continue
        expired = next((w for w in covering if day > w.expires), None)
        if expired is not None and finding.status is Status.FAIL:
            reopened.append((finding.id, expired.id))
        out.append(finding)
    return tuple(out), tuple(reopened)
