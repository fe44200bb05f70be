"""Each Security Rule specification's status, from automated findings and a person's word.

The status vocabulary is the risk-assessment report's (section 5), with two additions that keep
a status from saying more than its evidence: *designed* (the intended state passes the checks,
but nothing deployed shows it) and *decision missing* (an Addressable specification with no
current documented decision, 164.306(d)(3)). The rules, in the order they apply:

1. a current Addressable decision (not applicable, not reasonable, alternative) decides;
2. an Addressable specification without a current decision or attestation is decision missing;
3. any failing linked check makes it not implemented;
4. an inherited specification without automated passes is inherited once attested;
5. with nothing passing and no attestation that could stand alone, it is not assessed;
6. evidence read from intended state (a program, a preview) makes it at most designed, even
   where a person attests it;
7. deployed evidence (a state file, the live account) makes it implemented, or partially when
   results are unknown, linked checks did not run, or a needed attestation is missing.
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
from policies.framework import CheckLink, Framework, Specification, checks_by_citation

# The status vocabulary of a specification (risk-assessment report, section 5, plus two).
IMPLEMENTED = "implemented"
DESIGNED = "designed"
PARTIAL = "partially_implemented"
NOT_IMPLEMENTED = "not_implemented"
DECISION_MISSING = "decision_missing"
ALTERNATIVE = "alternative_implemented"
NOT_REASONABLE = "not_reasonable_and_appropriate"
INHERITED = "inherited"
NOT_APPLICABLE = "not_applicable"
NOT_ASSESSED = "not_assessed"

# What each status means, for the report's legend and methodology (in the order they list).
STATUS_MEANINGS = {
    IMPLEMENTED: "deployed evidence (a state file or the live account) passes every linked "
    "check that ran, with no unknown result, and any attestation it also needs is current; or, "
    "for a specification no API can show, a named person attests it.",
    DESIGNED: "the intended state (a Pulumi program or preview) passes the linked checks, or a "
    "person attests it, but nothing deployed shows it yet: judge a state file or the live account "
    "to say more.",
    ALTERNATIVE: "an equivalent alternative measure is documented (Addressable only).",
    INHERITED: "met by AWS under the shared-responsibility model and the BAA; the customer's "
    "side is attested.",
    PARTIAL: "deployed evidence passes, but some results are unknown, some linked checks did "
    "not run, or the attestation it also needs is missing or expired.",
    NOT_IMPLEMENTED: "a linked check fails.",
    DECISION_MISSING: "an Addressable specification with no current documented decision or "
    "attestation (164.306(d)(3)), whatever the automated evidence says.",
    NOT_REASONABLE: "documented as not reasonable and appropriate, with an approved rationale "
    "(Addressable only).",
    NOT_APPLICABLE: "documented as not applicable, with the reason.",
    NOT_ASSESSED: "no evidence, or only unknown results: never rolled up as implemented.",
}
# Source kinds that read what is deployed; every other kind reads intended state.
DEPLOYED_KINDS = frozenset({"state", "aws"})
_DECIDED = {
    NOT_APPLICABLE: (NOT_APPLICABLE, "documented as not applicable"),
    NOT_REASONABLE: (
        NOT_REASONABLE,
        "documented as not reasonable and appropriate (164.306(d)(3))",
    ),
    "alternative": (ALTERNATIVE, "an equivalent alternative measure is documented"),
}


@dataclass(frozen=True)
class SafeguardStatus:
    spec: Specification
    status: str
    reason: str
    checks: tuple[str, ...]
    results: dict[str, int]
    attestation: dict[str, Any] | None = None
    decision: dict[str, Any] | None = None
    # Linked checks this run's library did not hold (left out of scope, or not selected).
    not_run: tuple[str, ...] = ()


@dataclass(frozen=True)
class Evidence:
    """What a run holds for one specification."""

    results: Counter
    not_run: int = 0
    attested: bool = False  # a current attestation, or a current "implemented" decision
    decided: bool = False  # a current decision or attestation (what 164.306(d)(3) asks)
    decision: str | None = None  # the current decision, if any
    deployed: bool = False  # read from what is deployed, not from intended state


def _tally(evidence: Evidence) -> str:
    r = evidence.results
    parts = [
        f"{r['FAIL']} fail",
        f"{r['PASS'] + r['WAIVED']} pass",
        f"{r['NOT_EVALUATED']} unknown",
    ]
    if evidence.not_run:
        parts.append(f"{evidence.not_run} linked check(s) did not run")
    return ", ".join(parts)


def judge(spec: Specification, evidence: Evidence) -> tuple[str, str]:
    """The status of one specification and the reason, by the rules in the module docstring."""
    if evidence.decision in _DECIDED:
        return _DECIDED[evidence.decision]
    if spec.addressable and not evidence.decided:
        return DECISION_MISSING, (
            "no current Addressable decision or attestation is documented (164.306(d)(3)); "
            f"automated evidence: {_tally(evidence)}"
        )
    r = evidence.results
    fails, passes, unknown = r["FAIL"], r["PASS"] + r["WAIVED"], r["NOT_EVALUATED"]
    if fails:
        return NOT_IMPLEMENTED, f"{fails} automated finding(s) fail"
    automated = "automated" in spec.evidence
    needs_person = "attestation" in spec.evidence or not automated
    if "inherited" in spec.evidence and not passes:
        if evidence.attested:
            return INHERITED, "met by AWS under the BAA; the customer's side is attested"
        return NOT_ASSESSED, "inherited from AWS, but nobody has attested the customer's side"
    if not passes and not (evidence.attested and needs_person):
        why = "only unknown automated results" if unknown else "no automated evidence"
        if evidence.not_run:
            why += f" ({evidence.not_run} linked check(s) did not run)"
        return NOT_ASSESSED, why + ("" if evidence.attested else " and no current attestation")
    basis = "automated evidence passes" if passes else "attested by a named person"
    if passes and needs_person and evidence.attested:
        basis += " and is attested"
    caveats = []
    if unknown:
        caveats.append(f"{unknown} automated finding(s) could not be evaluated")
    if evidence.not_run:
        caveats.append(f"{evidence.not_run} linked check(s) did not run")
    if needs_person and not evidence.attested:
        caveats.append("the attestation it also needs is missing or expired")
    if not evidence.deployed:
        # A run on intended state (program, preview) is a design review, whatever backs it: even
        # an attested specification is confirmed "implemented" only by a run on what is deployed.
        return DESIGNED, "; ".join(
            ["intended state only, nothing deployed shows it: " + basis, *caveats]
        )
    if caveats:
        return PARTIAL, "; ".join([basis, *caveats])
    return IMPLEMENTED, basis


def safeguard_statuses(
    framework: Framework,
    evaluation: Evaluation,
    findings: tuple[Finding, ...],
    attestations: Attestations,
    day: dt.date,
    source_kind: str | None = None,
) -> tuple[SafeguardStatus, ...]:
    """Every specification's status. `source_kind` is the run's source (`program`, `preview`,
    `state`, `aws`, ...); only a deployed one can make a specification implemented."""
    mapping = checks_by_citation(framework, evaluation.registry)
    by_check: dict[str, Counter] = {}
    for f in findings:
        by_check.setdefault(f.check.id, Counter())[f.status.value] += 1
    statuses = []
    for spec in framework.specifications:
        checks = tuple(c.id for c in mapping[spec.citation])
        not_run = _not_run(spec.links, checks)
        results: Counter = Counter()
        for check_id in checks:
            results.update(by_check.get(check_id, Counter()))
        att, att_current = attestations.attestation(spec.citation, day)
        dec, dec_current = attestations.decision(spec.citation, day)
        decision = dec.decision if dec and dec_current else None
        status, reason = judge(
            spec,
            Evidence(
                results=results,
                not_run=len(not_run),
                # A current "implemented" decision is a named person's statement too.
                attested=att_current or decision == IMPLEMENTED,
                decided=dec_current or att_current,
                decision=decision,
                deployed=source_kind in DEPLOYED_KINDS,
            ),
        )
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
                not_run=not_run,
            )
        )
    return tuple(statuses)


def _not_run(links: tuple[CheckLink, ...], ran: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(x.check_id for x in links if x.check_id not in ran)


def _dates(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in record.items()}
