"""Risk scoring per NIST SP 800-30 Rev. 1: likelihood × impact → risk level, by table lookup.

Every failing (or waived, or not-evaluated) finding becomes one risk: one vulnerability on one
asset. The tool proposes a default likelihood (from exposure, `reports.risk_rules`) and a
default impact (from the asset's ePHI role), each with its rationale; a named person may
override either with a reason (`risk_overrides.yaml`). The risk level is read from Table I-2,
never computed by multiplication: the table is asymmetric on purpose (impact dominates).

Severity is an input to triage, not the risk: it is carried along but does not rate the risk.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from reports.findings import FAIL, NOT_EVALUATED, WAIVED, waiver_id
from reports.risk_rules import default_likelihood
from reports.risk_scale import RISK_MATRIX, Level, risk_level

__all__ = [
    "RISK_MATRIX",
    "Level",
    "Override",
    "load_overrides",
    "risk_level",
    "risk_register",
]


# The asset's role for ePHI → default impact. "unknown" is rated as ePHI: an unclassified data
# store is assumed to hold ePHI until a person classifies it (never the other way round).
# "none" is the run document's word for a classified asset that holds no ePHI.
EPHI_ROLES = ("ephi", "internal", "public", "none", "unknown")
_IMPACT_BY_ROLE: Mapping[str, tuple[Level, str]] = {
    "ephi": (Level.HIGH, "the asset stores, processes or transmits ePHI"),
    "internal": (
        Level.MODERATE,
        "the asset holds internal data or supports ePHI systems, but holds no ePHI itself",
    ),
    "public": (Level.LOW, "the asset holds only data meant to be public"),
    "none": (Level.LOW, "the asset holds no ePHI"),
    "unknown": (Level.HIGH, "ePHI role unknown: treated as ePHI until classified"),
}
# Non-ePHI values of a `data-classification` tag that say the data is public; any other
# non-ePHI classification is internal data.
_PUBLIC_CLASSIFICATIONS = frozenset({"public", "none"})

DEFAULT_SLA_DAYS: Mapping[Level, int] = {
    Level.VERY_HIGH: 7,
    Level.HIGH: 30,
    Level.MODERATE: 90,
    Level.LOW: 180,
    Level.VERY_LOW: 365,
}

TOOL_RATER = "hipaa-safeguard (default rating, to be confirmed)"


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

    def applies_to(self, finding: Mapping[str, Any]) -> bool:
        if self.finding is not None:
            return finding.get("id") == self.finding
        return finding.get("check_id") == self.check


_OVERRIDE_KEYS = frozenset({"finding", "check", "likelihood", "impact", "by", "reason", "date"})


def load_overrides(path: str | Path) -> list[Override]:
    """Read `risk_overrides.yaml`: a list of {finding | check, likelihood?, impact?, by, reason}.

    Every entry must name the person who made the rating (`by`) and why (`reason`): a rating
    without an owner is not evidence. Problems raise ValueError naming the file and the entry.
    """
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ValueError(f"{path}: not valid YAML: {exc}") from None
    if data is None:
        return []
    if not isinstance(data, list):
        raise ValueError(f"{path}: expected a list of overrides, got {type(data).__name__}")
    return [_override(path, number, entry) for number, entry in enumerate(data, start=1)]


def _override(path: Path, number: int, entry: Any) -> Override:
    where = f"{path}: entry {number}"
    if not isinstance(entry, Mapping):
        raise ValueError(f"{where}: expected a mapping, got {type(entry).__name__}")
    target = entry.get("finding") or entry.get("check")
    if target:
        where += f" ({target})"
    unknown = sorted(set(map(str, entry)) - _OVERRIDE_KEYS)
    if unknown:
        raise ValueError(f"{where}: unknown key(s) {', '.join(unknown)}")
    if bool(entry.get("finding")) == bool(entry.get("check")):
        raise ValueError(f"{where}: name exactly one of 'finding' (a finding id) or 'check'")
    for key, meaning in (("by", "the person who made the rating"), ("reason", "why")):
        value = entry.get(key)
        if not isinstance(value, str) or not value.strip():
            raise ValueError(f"{where}: '{key}' ({meaning}) is required")
    if entry.get("likelihood") is None and entry.get("impact") is None:
        raise ValueError(f"{where}: override at least one of 'likelihood' or 'impact'")
    try:
        likelihood, impact = (
            None if entry.get(key) is None else Level.parse(entry[key])
            for key in ("likelihood", "impact")
        )
    except ValueError as exc:
        raise ValueError(f"{where}: {exc}") from None
    return Override(
        by=entry["by"].strip(),
        reason=entry["reason"].strip(),
        finding=str(entry["finding"]) if entry.get("finding") else None,
        check=str(entry["check"]) if entry.get("check") else None,
        likelihood=likelihood,
        impact=impact,
        date=None if entry.get("date") is None else str(entry["date"]),
    )


def sla_days(sla: Mapping[Any, int] | None = None) -> dict[Level, int]:
    """The remediation SLA per risk level: the defaults, with any levels `sla` sets replaced."""
    days = dict(DEFAULT_SLA_DAYS)
    for key, value in (sla or {}).items():
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ValueError(f"SLA for {key!r} must be a whole number of days, got {value!r}")
        days[Level.parse(key)] = value
    return days


def ephi_role(
    finding: Mapping[str, Any],
    ephi_roles: Mapping[str, str] | None = None,
    inventory: Mapping[str, Mapping[str, Any]] | None = None,
) -> tuple[str, str]:
    """The asset's ePHI role and the reason for its impact: the given mapping first, then the
    data classification the document's inventory records for it, else unknown."""
    ref = finding.get("resource") or {}
    urn = ref.get("urn")
    if ephi_roles and urn in ephi_roles:
        role = str(ephi_roles[urn]).strip().lower()
        if role not in EPHI_ROLES:
            raise ValueError(f"ePHI role for {urn} must be one of {', '.join(EPHI_ROLES)}")
        return role, _IMPACT_BY_ROLE[role][1] + " (ePHI role given for this assessment)"
    item = (inventory or {}).get(urn) if urn else None
    raw = item.get("data_classification") if item else None
    if not item or item.get("ephi_role") == "unknown" or not isinstance(raw, str):
        return "unknown", _IMPACT_BY_ROLE["unknown"][1]
    if item.get("ephi_role") == "ephi":
        role = "ephi"
    else:
        role = "public" if raw.strip().lower() in _PUBLIC_CLASSIFICATIONS else "internal"
    return role, f"{_IMPACT_BY_ROLE[role][1]} (data-classification tag {raw!r})"


def _due(generated_at: str, days: int) -> str:
    start = dt.datetime.fromisoformat(generated_at.replace("Z", "+00:00")).date()
    return (start + dt.timedelta(days=days)).isoformat()


def _risk_id(finding_id: str) -> str:
    return "R-" + finding_id.removeprefix("F-")


def _applicable(overrides: Iterable[Override], finding: Mapping[str, Any]) -> Override | None:
    """The finding's own override wins over one for its whole check."""
    matches = [o for o in overrides if o.applies_to(finding)]
    return next((o for o in matches if o.finding), matches[0] if matches else None)


_RISK_STATUS = {FAIL: "open", NOT_EVALUATED: "open", WAIVED: "accepted"}


def risk_register(
    document: Mapping[str, Any],
    *,
    ephi_roles: Mapping[str, str] | None = None,
    overrides: Sequence[Override] | None = None,
    sla: Mapping[Any, int] | None = None,
) -> list[dict[str, Any]]:
    """One risk per FAIL, WAIVED or NOT_EVALUATED finding (a check × resource), most severe first.

    `ephi_roles` maps a resource URN to "ephi", "internal", "public", "none" or "unknown";
    resources it does not name fall back to the data classification the document's inventory
    records for them, then to "unknown" (rated as ePHI). Due dates count the SLA days from the
    document's `generated_at` date.
    """
    days = sla_days(sla)
    overrides = list(overrides or ())
    items = (document.get("inventory") or {}).get("items") or ()
    inventory = {item["urn"]: item for item in items if item.get("urn")}
    risks = []
    for finding in document["findings"]:
        status = finding["status"]
        if status not in _RISK_STATUS:
            continue
        likelihood, likelihood_why = default_likelihood(finding)
        if status == NOT_EVALUATED:
            likelihood, likelihood_why = (
                Level.MODERATE,
                "not evaluated: treated as moderate until the check can run, never as very low",
            )
        role, impact_why = ephi_role(finding, ephi_roles, inventory)
        impact = _IMPACT_BY_ROLE[role][0]
        override = _applicable(overrides, finding)
        rated_by, rated_at = TOOL_RATER, None
        if override:
            rated_by, rated_at = override.by, override.date
            if override.likelihood is not None:
                likelihood, likelihood_why = override.likelihood, f"override: {override.reason}"
            if override.impact is not None:
                impact, impact_why = override.impact, f"override: {override.reason}"
        level = risk_level(likelihood, impact)
        ref = finding.get("resource")
        risks.append(
            {
                "risk_id": _risk_id(finding["id"]),
                "title": f"{finding['title']}: {ref['name'] if ref else 'account'}",
                "finding_ids": [finding["id"]],
                "finding_status": status,
                "check_id": finding["check_id"],
                "control": finding["control"],
                "cfr_refs": list(finding["citations"]),
                "asset": (
                    {"type": ref["type"], "name": ref["name"], "urn": ref.get("urn")}
                    if ref
                    else None
                ),
                "ephi_role": role,
                "vulnerability": finding["message"],
                "severity": finding["severity"],
                "likelihood": likelihood.label,
                "likelihood_rationale": likelihood_why,
                "impact": impact.label,
                "impact_rationale": impact_why,
                "risk": level.label,
                "rated_by": rated_by,
                "rated_at": rated_at,
                "treatment": "accept" if status == WAIVED else None,
                "exception_ids": [waiver_id(finding)] if waiver_id(finding) else [],
                "status": _RISK_STATUS[status],
                "sla_days": days[level],
                "due_date": _due(document["generated_at"], days[level]),
            }
        )
    risks.sort(key=lambda r: (-Level.parse(r["risk"]), r["due_date"], r["risk_id"]))
    return risks
