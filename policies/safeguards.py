"""Each Security Rule specification's status, from automated findings and a person's word.

The status vocabulary is the risk-assessment report's (section 5). A specification evidenced by
checks is judged on their findings; one that also needs a person is implemented only when a
current attestation (or an "implemented" addressable decision) says so.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any

from checks.evaluate import Evaluation, Finding
from checks.registry import Status
from policies.attestations import Attestations
from policies.framework import Framework, Specification, checks_by_citation

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
