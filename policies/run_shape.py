"""The shape of a run document, as the renderers and the trend read it.

A run document (`policies.record`) is re-read by `safeguard report` and by `--previous`. Every
format indexes into it (`doc["gate"]["exit_code"]`, `finding["status"]`, ...), so a document of
another shape must be refused at the door, with the key that is wrong, and never reach a
renderer. `problem(document)` says what is wrong, or None; keys the shape does not name are
allowed (a newer 1.x record may carry more).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from checks.inputfiles import kind_of
from checks.registry import Severity, Status

STATUSES = tuple(s.value for s in Status)
SEVERITIES = tuple(s.label for s in sorted(Severity, reverse=True))


class _Wrong(Exception):
    def __init__(self, where: str, problem: str) -> None:
        super().__init__(f"{where}: {problem}" if where else problem)


def shown(value: Any, limit: int = 40) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


@dataclass(frozen=True)
class _Scalar:
    noun: str
    accepts: Callable[[Any], bool]

    def check(self, value: Any, where: str) -> None:
        if not self.accepts(value):
            raise _Wrong(where, f"expected {self.noun}, found {kind_of(value)}")


def _is_date(value: Any) -> bool:
    try:
        dt.date.fromisoformat(value[:10])
    except (TypeError, ValueError):
        return False
    return True


def _is_timestamp(value: Any) -> bool:
    """ISO 8601 in its extended form (2026-12-01T00:00:00Z): the reports read the date from its
    first ten characters and the time from the whole."""
    try:
        dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except (AttributeError, TypeError, ValueError):
        return False
    return _is_date(value) and value[4:5] == "-"


TEXT = _Scalar("a string", lambda v: isinstance(v, str))
WHOLE = _Scalar("a whole number", lambda v: isinstance(v, int) and not isinstance(v, bool))
DATE = _Scalar("a date (YYYY-MM-DD)", lambda v: isinstance(v, str) and _is_date(v))
STAMP = _Scalar("an ISO 8601 time", lambda v: isinstance(v, str) and _is_timestamp(v))
ANY = _Scalar("anything", lambda v: True)
BOOL = _Scalar("true or false", lambda v: isinstance(v, bool))


@dataclass(frozen=True)
class _OneOf:
    values: tuple[Any, ...]

    def check(self, value: Any, where: str) -> None:
        if isinstance(value, bool) or not isinstance(value, (str, int)) or value not in self.values:
            raise _Wrong(where, f"{shown(value)} is not one of {', '.join(map(str, self.values))}")


@dataclass(frozen=True)
class _Optional:
    inner: Any

    def check(self, value: Any, where: str) -> None:
        if value is not None:
            self.inner.check(value, where)


@dataclass(frozen=True)
class _List:
    item: Any

    def check(self, value: Any, where: str) -> None:
        if not isinstance(value, list):
            raise _Wrong(where, f"expected a list, found {kind_of(value)}")
        for i, item in enumerate(value):
            self.item.check(item, f"{where}[{i}]")


@dataclass(frozen=True)
class _Map:
    """A mapping with text keys (any), every value of one shape."""

    value: Any

    def check(self, value: Any, where: str) -> None:
        if not isinstance(value, Mapping):
            raise _Wrong(where, f"expected a mapping, found {kind_of(value)}")
        for key, item in value.items():
            if not isinstance(key, str):
                raise _Wrong(where, f"a key must be text, found {shown(key)}")
            self.value.check(item, f"{where}.{key}" if where else key)


@dataclass(frozen=True)
class _Record:
    """A mapping with these keys (others allowed); `optional` ones may be absent."""

    keys: Mapping[str, Any]
    optional: Mapping[str, Any] = field(default_factory=dict)

    def check(self, value: Any, where: str) -> None:
        if not isinstance(value, Mapping):
            raise _Wrong(where, f"expected a mapping, found {kind_of(value)}")
        for key, shape in self.keys.items():
            if key not in value:
                raise _Wrong(where, f"'{key}' is missing")
            shape.check(value[key], f"{where}.{key}" if where else key)
        for key, shape in self.optional.items():
            if key in value:
                shape.check(value[key], f"{where}.{key}" if where else key)


def optional(shape: Any) -> _Optional:
    return _Optional(shape)


MAPPING = _Map(ANY)
TEXTS = _List(TEXT)
COUNTS = _Record({status: WHOLE for status in STATUSES})
SEVERITY = _OneOf(SEVERITIES)

RESOURCE = _Record(
    {
        "type": TEXT,
        "name": TEXT,
        "urn": optional(TEXT),
        "id": optional(TEXT),
        "arn": optional(TEXT),
        "region": optional(TEXT),
    },
    optional={"source": optional(MAPPING)},
)
FINDING = _Record(
    {
        "id": TEXT,
        "check_id": TEXT,
        "control": TEXT,
        "title": TEXT,
        "severity": SEVERITY,
        "status": _OneOf(STATUSES),
        "citations": TEXTS,
        "config_rule": optional(TEXT),
        "resource": optional(RESOURCE),
        "message": TEXT,
        "evidence": MAPPING,
        "remediation": TEXT,
        "pulumi_fix": TEXT,
        "waiver_id": optional(TEXT),
    }
)
CHECK = _Record(
    {
        "id": TEXT,
        "control": TEXT,
        "title": TEXT,
        "severity": SEVERITY,
        "citations": TEXTS,
        "config_rule": optional(TEXT),
        "resource_types": TEXTS,
        "results": COUNTS,
    }
)
INVENTORY_ITEM = _Record(
    {**RESOURCE.keys, "ephi_role": TEXT},
    optional={**RESOURCE.optional, "data_classification": optional(TEXT), "owner": optional(TEXT)},
)
WAIVER = _Record(
    {
        "id": TEXT,
        "check": TEXT,
        "type": TEXT,
        "justification": TEXT,
        "approver": TEXT,
        "approved": DATE,
        "expires": DATE,
        "status": TEXT,
    },
    optional={
        "resources": TEXTS,
        "resource_pattern": optional(TEXT),
        "compensating_controls": TEXTS,
        "ticket": optional(TEXT),
        "covers_findings": TEXTS,
        "reopened_findings": TEXTS,
    },
)
SAFEGUARD = _Record(
    {
        "citation": TEXT,
        "safeguard": TEXT,
        "standard": TEXT,
        "title": TEXT,
        "kind": TEXT,
        "requirement": TEXT,
        "evidence_sources": TEXTS,
        "status": TEXT,
        "reason": TEXT,
        "checks": TEXTS,
        "results": _Map(WHOLE),
        "attestation": optional(MAPPING),
        "decision": optional(MAPPING),
    },
    optional={"links": _List(_Record({"id": TEXT, "why": TEXT, "ran": BOOL}))},
)
RISK = _Record(
    {
        "risk_id": TEXT,
        "title": TEXT,
        "finding_ids": TEXTS,
        "finding_status": TEXT,
        "check_id": TEXT,
        "control": TEXT,
        "cfr_refs": TEXTS,
        "asset": optional(_Record({"type": TEXT, "name": TEXT, "urn": optional(TEXT)})),
        "ephi_role": optional(TEXT),
        "vulnerability": TEXT,
        "severity": SEVERITY,
        "likelihood": TEXT,
        "likelihood_rationale": TEXT,
        "impact": TEXT,
        "impact_rationale": TEXT,
        "risk": TEXT,
        "rated_by": optional(TEXT),
        "rated_at": optional(TEXT),
        "treatment": optional(TEXT),
        "exception_ids": TEXTS,
        "status": TEXT,
        "sla_days": WHOLE,
        "due_date": DATE,
    }
)
# What the trend section says of a finding, a safeguard or a risk that changed.
_CHANGE = {"before": optional(TEXT), "now": optional(TEXT)}
TREND = _Record(
    {
        "previous": _Record({"assessment_id": TEXT, "generated_at": optional(TEXT)}),
        "current": _Record({"assessment_id": TEXT, "generated_at": optional(TEXT)}),
        "counts": _Map(WHOLE),
        "findings": _Map(
            _List(
                _Record(
                    {"id": TEXT, "check_id": TEXT, **_CHANGE},
                    optional={
                        "title": optional(TEXT),
                        "severity": optional(TEXT),
                        "resource": optional(TEXT),
                    },
                )
            )
        ),
        "resolved_earlier": TEXTS,
        "history": _List(
            _Record(
                {"assessment_id": TEXT, "generated_at": optional(TEXT), "counts": _Map(WHOLE)},
                optional={"risk_levels": _Map(WHOLE)},
            )
        ),
    },
    optional={
        "status_counts": _Map(_Map(WHOLE)),
        "safeguards": _List(_Record({"citation": TEXT, "title": TEXT, **_CHANGE})),
        "waivers": _Map(TEXTS),
        "risks": _List(_Record({"risk_id": TEXT, "title": optional(TEXT), **_CHANGE})),
    },
)
# What `safeguard drift` adds (policies.drift): the renderers read these keys.
_DRIFT_RESOURCE = _Record({"type": TEXT, "name": TEXT})
_DRIFT_COUNTS = ("matched", "changed_properties", "changed_resources", "breaking_changes", "gone")
_DRIFT_ROW = {"resource": _DRIFT_RESOURCE}
DRIFT = _Record(
    {
        "states": _List(_Record({"file": TEXT, "resources": WHOLE})),
        "summary": _Record(dict.fromkeys((*_DRIFT_COUNTS, "unmanaged", "not_seen"), WHOLE)),
        "exit_code": _OneOf((0, 1, 3)),
        "changed": _List(
            _Record({**_DRIFT_ROW, "property": TEXT, "declared": ANY, "live": ANY, "checks": TEXTS})
        ),
        "gone": _List(_Record({**_DRIFT_ROW, "checks": TEXTS})),
        "unmanaged": _List(_Record({**_DRIFT_ROW, "failing": TEXTS})),
    },
    optional={
        "verdicts": _List(_Record({"check_id": TEXT, "live": _OneOf(STATUSES)})),
        "not_seen": _List(_Record({**_DRIFT_ROW, "reason": TEXT})),
        "not_comparable": _List(_Record({**_DRIFT_ROW, "property": TEXT, "why": TEXT})),
        "not_compared": _List(_Record({"type": TEXT, "count": WHOLE, "reason": TEXT})),
        "made_by_aws": _List(_Record({**_DRIFT_ROW, "reason": TEXT})),
    },
)
DOCUMENT = _Record(
    {
        "schema_version": TEXT,
        "tool": _Record({"name": TEXT, "version": TEXT, "check_library": TEXT}),
        "generated_at": STAMP,
        "source": _Record({"kind": TEXT}),
        "gate": _Record(
            {
                "profile": TEXT,
                "fail_on": SEVERITY,
                "not_evaluated_blocks": TEXT,
                "mandatory_from": SEVERITY,
                "exit_code": _OneOf((0, 1, 2, 3)),
                "blocking_failures": WHOLE,
                "blocking_not_evaluated": WHOLE,
                "reopened_by_expired_waivers": TEXTS,
            }
        ),
        "summary": _Record({"resources": WHOLE, "checks": WHOLE, "findings": COUNTS}),
        "inventory": _Record(
            {
                "resources": WHOLE,
                "by_type": _Map(WHOLE),
                "not_covered_types": TEXTS,
                "ephi_roles": _Map(WHOLE),
                "items": _List(INVENTORY_ITEM),
            }
        ),
        "checks": _List(CHECK),
        "findings": _List(FINDING),
        "waivers": _List(WAIVER),
        "framework": _Record(
            {"version": TEXT, "attestations_file": optional(TEXT), "status_counts": _Map(WHOLE)}
        ),
        "safeguards": _List(SAFEGUARD),
    },
    optional={"risks": optional(_List(RISK)), "trend": optional(TREND), "drift": optional(DRIFT)},
)


def _references(document: Mapping[str, Any]) -> None:
    """What one part names must exist in another: a finding's check, a waived finding's waiver."""
    checks = {c["id"] for c in document["checks"]}
    waivers = {w["id"] for w in document["waivers"]}
    for i, finding in enumerate(document["findings"]):
        if finding["check_id"] not in checks:
            raise _Wrong(
                f"findings[{i}].check_id", f"{shown(finding['check_id'])} is not in 'checks'"
            )
        if finding["status"] == "WAIVED" and finding["waiver_id"] not in waivers:
            raise _Wrong(
                f"findings[{i}].waiver_id",
                f"a WAIVED finding must name a waiver in 'waivers', found "
                f"{shown(finding['waiver_id'])}",
            )


def problem(document: Any) -> str | None:
    """What is wrong with the shape of a run document (`where: problem`), or None."""
    try:
        DOCUMENT.check(document, "")
        _references(document)
    except _Wrong as exc:
        return str(exc)
    return None
