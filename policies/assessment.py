"""From findings to an assessment: waivers applied, each Security Rule specification's status,
and the gate decision of the profile in force."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from checks.evaluate import Evaluation, Finding
from checks.registry import Status
from policies.attestations import Attestations
from policies.framework import Framework, Specification, checks_by_citation
from policies.profiles import Profile
from policies.waivers import Waiver

# The status vocabulary of a specification (risk-assessment report, section 5).
IMPLEMENTED = "implemented"
PARTIAL = "partially_implemented"
NOT_IMPLEMENTED = "not_implemented"
ALTERNATIVE = "alternative_implemented"
NOT_REASONABLE = "not_reasonable_and_appropriate"
INHERITED = "inherited"
NOT_APPLICABLE = "not_applicable"
NOT_ASSESSED = "not_assessed"


@dataclass(frozen=True)
class SafeguardStatus:
    spec: Specification
    status: str
    reason: str
    checks: tuple[str, ...]
    results: dict[str, int]
    attestation: dict[str, Any] | None = None
    decision: dict[str, Any] | None = None


@dataclass(frozen=True)
class Assessment:
    evaluation: Evaluation
    findings: tuple[Finding, ...]
    profile: Profile
    day: dt.date
    waivers: tuple[Waiver, ...] = ()
    reopened: tuple[tuple[str, str], ...] = ()  # (finding id, expired waiver id)
    safeguards: tuple[SafeguardStatus, ...] = ()
    attestations: Attestations = field(default_factory=Attestations)
    framework_version: str = ""

    @property
    def blocking_failures(self) -> list[Finding]:
        reopened = {fid for fid, _ in self.reopened}
        return [
            f
            for f in self.findings
            if f.status is Status.FAIL and (f.severity >= self.profile.fail_on or f.id in reopened)
        ]

    @property
    def blocking_unknowns(self) -> list[Finding]:
        return [
            f
            for f in self.findings
            if f.status is Status.NOT_EVALUATED and self.profile.blocks_unknown(f.severity)
        ]

    @property
    def exit_code(self) -> int:
        """0 clean, 1 blocking failures (or an expired waiver), 3 blocking unknowns."""
        if self.blocking_failures:
            return 1
        if self.blocking_unknowns:
            return 3
        return 0


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


def _status(
    spec: Specification, results: Counter, attested: bool, decision: str | None
) -> tuple[str, str]:
    if decision == "not_applicable":
        return NOT_APPLICABLE, "documented as not applicable"
    if decision == "not_reasonable_and_appropriate":
        return NOT_REASONABLE, "documented as not reasonable and appropriate (164.306(d)(3))"
    if decision == "alternative":
        return ALTERNATIVE, "an equivalent alternative measure is documented"
    fails, passes, unknown = (
        results["FAIL"],
        results["PASS"] + results["WAIVED"],
        results["NOT_EVALUATED"],
    )
    needs_person = "automated" not in spec.evidence or "attestation" in spec.evidence
    if fails:
        return (PARTIAL if passes else NOT_IMPLEMENTED), f"{fails} automated finding(s) fail"
    if "inherited" in spec.evidence and not passes:
        if attested:
            return INHERITED, "met by AWS under the BAA; the customer's side is attested"
        return NOT_ASSESSED, "inherited from AWS, but nobody has attested the customer's side"
    if not passes:
        if attested and needs_person:
            return IMPLEMENTED, "attested by a named person"
        why = "only unknown automated results" if unknown else "no automated evidence"
        return NOT_ASSESSED, why + ("" if attested else " and no current attestation")
    if unknown:
        return PARTIAL, f"{unknown} automated finding(s) could not be evaluated"
    if needs_person and not attested:
        return (
            PARTIAL,
            "automated evidence passes, but the attestation it also needs is missing or expired",
        )
    return IMPLEMENTED, "automated evidence passes" + (" and is attested" if needs_person else "")


def safeguard_statuses(
    framework: Framework,
    evaluation: Evaluation,
    findings: tuple[Finding, ...],
    attestations: Attestations,
    day: dt.date,
) -> tuple[SafeguardStatus, ...]:
    mapping = checks_by_citation(framework, evaluation.registry)
    by_check: dict[str, Counter] = {}
    for f in findings:
        by_check.setdefault(f.check.id, Counter())[f.status.value] += 1
    statuses = []
    for spec in framework.specifications:
        checks = tuple(c.id for c in mapping[spec.citation])
        results: Counter = Counter()
        for check_id in checks:
            results.update(by_check.get(check_id, Counter()))
        att, att_current = attestations.attestation(spec.citation, day)
        dec, dec_current = attestations.decision(spec.citation, day)
        decision = dec.decision if dec and dec_current else None
        # A current "implemented" decision is a named person's statement too.
        attested = att_current or decision == "implemented"
        status, reason = _status(spec, results, attested, decision)
        if spec.addressable and (dec is None or not dec_current) and status != NOT_ASSESSED:
            reason += "; no current addressable decision is documented"
        statuses.append(
            SafeguardStatus(
                spec=spec,
                status=status,
                reason=reason,
                checks=checks,
                results={s.value: results.get(s.value, 0) for s in Status},
                attestation=None
                if att is None
                else {**_dates(dataclasses.asdict(att)), "current": att_current},
                decision=None
                if dec is None
                else {**_dates(dataclasses.asdict(dec)), "current": dec_current},
            )
        )
    return tuple(statuses)


def _dates(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in record.items()}


def assess(
    evaluation: Evaluation,
    *,
    profile: Profile,
    framework: Framework,
    day: dt.date,
    waivers: tuple[Waiver, ...] = (),
    attestations: Attestations | None = None,
) -> Assessment:
    attestations = attestations or Attestations()
    findings, reopened = apply_waivers(evaluation.findings, waivers, day)
    return Assessment(
        evaluation=evaluation,
        findings=findings,
        profile=profile,
        day=day,
        waivers=waivers,
        reopened=reopened,
        safeguards=safeguard_statuses(framework, evaluation, findings, attestations, day),
        attestations=attestations,
        framework_version=framework.version,
    )
