"""Risk rating per NIST SP 800-30 Rev. 1: likelihood × impact → level of risk, by table lookup.

Every failing, waived or not-evaluated finding is a vulnerability on an asset. The threat
catalogue (`policies/threats.yaml`) says what is wrong (the risk's title), which threat event
would exercise it, from which source, and what it would cost (the consequence). Findings on one
asset that share a threat event are one risk: one row per threat and vulnerability, keeping
every finding it rests on.

The tool proposes a default likelihood (the control's, from `checks/controls.yaml`, raised when
the evidence shows internet or any-principal exposure) and a default impact (the consequence's
impact for the data the asset holds or guards, `policies.risk_data`), each with its rationale; a
named person may override either with a reason (`risk_overrides.yaml`). The level is read from
Table I-2, never computed by multiplication: the table is asymmetric on purpose (impact
dominates). A risk is rated as its highest-rated finding.

Severity is an input to triage, not the risk: it is carried along but does not rate the risk.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from checks.controls import default_likelihood as control_likelihood
from checks.evaluate import Finding
from checks.model import plain
from checks.registry import Status
from checks.support.cidr import is_internet
from policies.data_scope import DataScope
from policies.risk_data import StackData, asset_data, stack_data
from policies.risk_overrides import Override
from policies.risk_scale import Level, risk_level
from policies.threats import Catalogue, Consequence, Threat, catalogue
from policies.waivers import Waiver

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
RATED = frozenset({Status.FAIL, Status.NOT_EVALUATED, Status.WAIVED})


@dataclass(frozen=True)
class Rating:
    """One finding of a risk, rated: its problem, threat, likelihood, impact and level."""

    finding: Finding
    problem: str
    threat: Threat | None
    consequence: Consequence
    ephi_role: str
    likelihood: Level
    likelihood_rationale: str
    impact: Level
    impact_rationale: str
    level: Level
    rated_by: str = TOOL_RATER
    rated_at: str | None = None

    @property
    def rank(self) -> tuple:
        """Highest first: level, impact, likelihood, severity; then check and finding id."""
        f = self.finding
        return (-self.level, -self.impact, -self.likelihood, -f.severity, f.check.id, f.id)


@dataclass(frozen=True)
class Risk:
    """One entry of the risk register: a threat exercising weaknesses of one asset, rated as
    its highest-rated finding (`ratings[0]`)."""

    risk_id: str
    ratings: tuple[Rating, ...]
    sla_days: int
    due_date: dt.date
    due_rationale: str
    waiver_expires: dt.date | None = None

    @property
    def primary(self) -> Rating:
        return self.ratings[0]

    @property
    def finding(self) -> Finding:
        return self.primary.finding

    @property
    def findings(self) -> tuple[Finding, ...]:
        return tuple(r.finding for r in self.ratings)

    @property
    def title(self) -> str:
        return self.primary.problem

    @property
    def threat(self) -> Threat | None:
        return self.primary.threat

    @property
    def ephi_role(self) -> str:
        return self.primary.ephi_role

    @property
    def likelihood(self) -> Level:
        return self.primary.likelihood

    @property
    def likelihood_rationale(self) -> str:
        return self.primary.likelihood_rationale

    @property
    def impact(self) -> Level:
        return self.primary.impact

    @property
    def impact_rationale(self) -> str:
        return self.primary.impact_rationale

    @property
    def level(self) -> Level:
        return self.primary.level

    @property
    def rated_by(self) -> str:
        return self.primary.rated_by

    @property
    def rated_at(self) -> str | None:
        return self.primary.rated_at

    @property
    def exception_ids(self) -> list[str]:
        return sorted({f.waiver_id for f in self.findings if f.waiver_id})

    @property
    def status(self) -> str:
        """accepted when every finding is waived; open otherwise."""
        return "accepted" if all(f.status is Status.WAIVED for f in self.findings) else "open"


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


def _applicable(overrides: Iterable[Override], finding: Finding) -> Override | None:
    """The finding's own override wins over one for its whole check."""
    matches = [o for o in overrides if o.applies_to(finding.id, finding.check.id)]
    return next((o for o in matches if o.finding), matches[0] if matches else None)


def _override(rating: Rating, overrides: Sequence[Override]) -> Rating:
    override = _applicable(overrides, rating.finding)
    if override is None:
        return rating
    likelihood, likelihood_why = rating.likelihood, rating.likelihood_rationale
    impact, impact_why = rating.impact, rating.impact_rationale
    if override.likelihood is not None:
        likelihood, likelihood_why = override.likelihood, f"override: {override.reason}"
    if override.impact is not None:
        impact, impact_why = override.impact, f"override: {override.reason}"
    return dataclasses.replace(
        rating,
        likelihood=likelihood,
        likelihood_rationale=likelihood_why,
        impact=impact,
        impact_rationale=impact_why,
        level=risk_level(likelihood, impact),
        rated_by=override.by,
        rated_at=override.date,
    )


def rate(
    finding: Finding,
    stack: StackData,
    overrides: Sequence[Override] = (),
    threats: Catalogue | None = None,
) -> Rating:
    """The rating of one FAIL, WAIVED or NOT_EVALUATED finding."""
    check, res = finding.check, finding.resource
    problem = (threats or catalogue()).problem(check.id, check.control, check.title)
    if finding.status is Status.NOT_EVALUATED:
        likelihood, likelihood_why = _NOT_EVALUATED
    else:
        likelihood, likelihood_why = default_likelihood(check.id, check.control, finding.evidence)
    role, column, data_why = asset_data(res, stack)
    impact = problem.consequence.impact[column]
    rating = Rating(
        finding=finding,
        problem=problem.title(res.name if res else None),
        threat=problem.threat,
        consequence=problem.consequence,
        ephi_role=role,
        likelihood=likelihood,
        likelihood_rationale=likelihood_why,
        impact=impact,
        impact_rationale=f"{problem.consequence.about}; {data_why}",
        level=risk_level(likelihood, impact),
    )
    return _override(rating, overrides)


def _subject(finding: Finding) -> str:
    return finding.resource.address if finding.resource else finding.scope or "account"


def risk_id(subject: str, threat: str) -> str:
    """Stable across runs: the same threat on the same asset gets the same id."""
    return "R-" + hashlib.sha256(f"{threat}|{subject}".encode()).hexdigest()[:12]


def _due(
    ratings: Sequence[Rating], day: dt.date, days: Mapping[Level, int], expiries: Mapping[str, Any]
) -> tuple[int, dt.date, str, dt.date | None]:
    """(SLA days, due date, why, waiver expiry): the SLA date of the level, or the earliest
    expiry of a waiver the risk rests on when that comes first."""
    level = ratings[0].level
    sla_due = day + dt.timedelta(days=days[level])
    why = f"{days[level]} days for a {level.label} risk (remediation SLA)"
    waived = sorted(
        (expiries[f.waiver_id], f.waiver_id)
        for f in (r.finding for r in ratings)
        if f.waiver_id in expiries
    )
    if not waived:
        return days[level], sla_due, why, None
    expires, waiver = waived[0]
    if expires < sla_due:
        why = f"waiver {waiver} expires on {expires.isoformat()}, before the SLA date"
        return days[level], expires, why, expires
    return days[level], sla_due, why, expires


def risk_register(
    findings: Iterable[Finding],
    day: dt.date,
    *,
    overrides: Sequence[Override] = (),
    sla: Mapping[Level, int] = DEFAULT_SLA_DAYS,
    waivers: Iterable[Waiver] = (),
    data_scope: DataScope | None = None,
    threats: Catalogue | None = None,
) -> tuple[Risk, ...]:
    """The register: FAIL, WAIVED and NOT_EVALUATED findings rated, grouped by asset and threat
    event; highest level first, then earliest due, then gravest impact and likeliest. Due dates
    count the SLA days (`sla_days`) from `day`, the assessment's date, and never fall after a
    waiver the risk rests on expires. `data_scope` is the stack's statement of what data it
    holds, if it makes one."""
    findings = list(findings)
    stack = stack_data((f.resource for f in findings if f.resource), data_scope, day)
    groups: dict[str, list[Rating]] = {}
    for f in findings:
        if f.status in RATED:
            rating = rate(f, stack, overrides, threats)
            threat = rating.threat.id if rating.threat else f"check:{f.check.id}"
            groups.setdefault(risk_id(_subject(f), threat), []).append(rating)
    expiries = {w.id: w.expires for w in waivers}
    risks = []
    for rid, ratings in groups.items():
        ratings.sort(key=lambda r: r.rank)
        days, due, why, expires = _due(ratings, day, sla, expiries)
        risks.append(Risk(rid, tuple(ratings), days, due, why, expires))
    # Level, then due date; among equals the graver impact, then the likelier, first.
    risks.sort(key=lambda r: (-r.level, r.due_date, -r.impact, -r.likelihood, r.risk_id))
    return tuple(risks)
