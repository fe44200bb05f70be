"""Risk rating per NIST SP 800-30 Rev. 1: likelihood × impact → level of risk, by table lookup.

Every failing, waived or not-evaluated finding becomes one risk: one vulnerability on one asset.
The tool proposes a default likelihood (the control's, from `checks/controls.yaml`, raised when
the evidence shows internet or any-principal exposure) and a default impact (from the asset's
ePHI role), each with its rationale; a named person may override either with a reason
(`risk_overrides.yaml`). The level is read from Table I-2, never computed by multiplication:
the table is asymmetric on purpose (impact dominates).

Severity is an input to triage, not the risk: it is carried along but does not rate the risk.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from checks.controls import default_likelihood as control_likelihood
from checks.evaluate import Finding
from checks.model import EPHI_CLASSES, Resource, data_classification, plain
from checks.registry import Status
from checks.support.cidr import is_internet
from policies.risk_overrides import Override
from policies.risk_scale import Level, risk_level

# The asset's role for ePHI → default impact. "unknown" is rated as ePHI: an unclassified data
# store is assumed to hold ePHI until a person classifies it (never the other way round).
IMPACT_BY_ROLE: Mapping[str, tuple[Level, str]] = {
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
_NOT_EVALUATED = (
    Level.MODERATE,
    "not evaluated: treated as moderate until the check can run, never as very low",
)
_PRINCIPAL_KEYS = frozenset({"principal", "principals"})
_RISK_STATUS = {Status.FAIL: "open", Status.NOT_EVALUATED: "open", Status.WAIVED: "accepted"}


@dataclass(frozen=True)
class Risk:
    """One entry of the risk register: a vulnerability on an asset, rated."""

    risk_id: str
    finding: Finding
    ephi_role: str
    likelihood: Level
    likelihood_rationale: str
    impact: Level
    impact_rationale: str
    level: Level
    rated_by: str
    rated_at: str | None
    sla_days: int
    due_date: dt.date

    @property
    def status(self) -> str:
        return _RISK_STATUS[self.finding.status]

    @property
    def title(self) -> str:
        res = self.finding.resource
        return f"{self.finding.check.title}: {res.name if res else 'account'}"


def sla_days(sla: Mapping[Any, int] | None = None) -> dict[Level, int]:
    """The remediation SLA per risk level: the defaults, with any levels `sla` sets replaced."""
    days = dict(DEFAULT_SLA_DAYS)
    for key, value in (sla or {}).items():
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ValueError(f"SLA for {key!r} must be a whole number of days, got {value!r}")
        days[Level.parse(key)] = value
    return days


def _exposure_in(evidence: Any, key: str = "") -> str | None:
    """Why the evidence shows internet or any-principal exposure, if it does."""
    if isinstance(evidence, Mapping):
        if evidence.get("publicly_accessible") is True:
            return "the evidence shows the resource is publicly accessible"
        for k, v in evidence.items():
            found = _exposure_in(v, str(k).lower())
            if found:
                return found
        return None
    if isinstance(evidence, (list, tuple)):
        return next((why for v in evidence if (why := _exposure_in(v, key))), None)
    if is_internet(evidence):
        return f"the evidence shows access open to the whole internet ({evidence})"
    if evidence == "*" and key in _PRINCIPAL_KEYS:
        return "the evidence shows a wildcard ('*') principal"
    return None


def default_likelihood(check_id: str, control: str, evidence: Any) -> tuple[Level, str]:
    """The proposed likelihood of a finding and the reason for it."""
    word, why = control_likelihood(check_id, control)
    level = Level.parse(word)
    exposure = _exposure_in(plain(evidence))
    if exposure and level < Level.HIGH:
        return Level.HIGH, f"{exposure} (raised from {level.label}: {why})"
    return level, why


def ephi_role(resource: Resource | None) -> tuple[str, str]:
    """The asset's ePHI role and the reason for its impact, from its data-classification tag."""
    raw = data_classification(resource) if resource is not None else None
    if raw is None:
        return "unknown", IMPACT_BY_ROLE["unknown"][1]
    if raw.strip().lower() in EPHI_CLASSES:
        role = "ephi"
    else:
        role = "public" if raw.strip().lower() in _PUBLIC_CLASSIFICATIONS else "internal"
    return role, f"{IMPACT_BY_ROLE[role][1]} (data-classification tag {raw!r})"


def _applicable(overrides: Iterable[Override], finding: Finding) -> Override | None:
    """The finding's own override wins over one for its whole check."""
    matches = [o for o in overrides if o.applies_to(finding.id, finding.check.id)]
    return next((o for o in matches if o.finding), matches[0] if matches else None)


def rate(
    finding: Finding, day: dt.date, overrides: Sequence[Override], days: Mapping[Level, int]
) -> Risk:
    """The risk of one FAIL, WAIVED or NOT_EVALUATED finding."""
    if finding.status is Status.NOT_EVALUATED:
        likelihood, likelihood_why = _NOT_EVALUATED
    else:
        likelihood, likelihood_why = default_likelihood(
            finding.check.id, finding.check.control, finding.evidence
        )
    role, impact_why = ephi_role(finding.resource)
    impact = IMPACT_BY_ROLE[role][0]
    override = _applicable(overrides, finding)
    rated_by, rated_at = TOOL_RATER, None
    if override:
        rated_by, rated_at = override.by, override.date
        if override.likelihood is not None:
            likelihood, likelihood_why = override.likelihood, f"override: {override.reason}"
        if override.impact is not None:
            impact, impact_why = override.impact, f"override: {override.reason}"
    level = risk_level(likelihood, impact)
    return Risk(
        risk_id="R-" + finding.id.removeprefix("F-"),
        finding=finding,
        ephi_role=role,
        likelihood=likelihood,
        likelihood_rationale=likelihood_why,
        impact=impact,
        impact_rationale=impact_why,
        level=level,
        rated_by=rated_by,
        rated_at=rated_at,
        sla_days=days[level],
        due_date=day + dt.timedelta(days=days[level]),
    )


def risk_register(
    findings: Iterable[Finding],
    day: dt.date,
    *,
    overrides: Sequence[Override] = (),
    sla: Mapping[Level, int] = DEFAULT_SLA_DAYS,
) -> tuple[Risk, ...]:
    """One risk per FAIL, WAIVED or NOT_EVALUATED finding (a check × resource), most severe
    first. Due dates count the SLA days (see `sla_days`) from `day`, the assessment's date."""
    days = sla
    risks = [rate(f, day, overrides, days) for f in findings if f.status in _RISK_STATUS]
    risks.sort(key=lambda r: (-r.level, r.due_date, r.risk_id))
    return tuple(risks)
