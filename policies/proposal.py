"""The January 2025 proposed Security Rule (90 FR 898, not final) as an overlay on the framework.

The overlay (policies/hipaa_proposal_2025.yaml) says, for every specification of the current
framework, what the proposal would change, and lists the requirements the proposal adds with
the checks that evidence them. Two uses:

- `judged_framework`: the framework with the proposal's requirements (Addressable becomes
  Required), for `--framework hipaa-2025-proposed`;
- `proposal_section`: the run record's "required if the proposal is finalised" section,
  computed from the run's specification statuses and check results, whichever rule judged them.

Statuses are read by value. Only a status known to mean "met" counts as met; any other, including
one this module has never heard of, is a gap: a new status must not hide a gap by accident.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from checks.errors import InputError
from policies import yamlfile
from policies.framework import Framework, load_framework
from policies.safeguards import DEPLOYED_KINDS

PROPOSAL_FILE = Path(__file__).with_name("hipaa_proposal_2025.yaml")

RULE_2013 = "hipaa-2013"
RULE_2025_PROPOSED = "hipaa-2025-proposed"
RULES = (RULE_2013, RULE_2025_PROPOSED)

CHANGES = ("kept", "strengthened", "addressable_to_required")
CERTAINTIES = ("stated", "uncertain")
# Statuses that mean a specification is met today; anything else is a gap under the proposal.
MET = frozenset({"implemented", "inherited", "not_applicable"})
# Decisions (and the statuses they give) that exist only because a specification is Addressable.
ADDRESSABLE_ONLY_DECISIONS = frozenset({"alternative", "not_reasonable_and_appropriate"})
ADDRESSABLE_ONLY_STATUSES = frozenset({"alternative_implemented", "not_reasonable_and_appropriate"})


@dataclass(frozen=True)
class SpecChange:
    citation: str
    proposed: str  # the requirement under the proposal: required | addressable
    change: str  # one of CHANGES
    description: str
    certainty: str
    proposed_citation: str | None = None


@dataclass(frozen=True)
class ProposedRequirement:
    id: str
    title: str
    description: str
    amends: tuple[str, ...]
    checks: tuple[str, ...]
    attestation: bool  # a person's statement is needed beyond what the checks show
    evidence_note: str
    certainty: str
    period: str | None = None
    proposed_citation: str | None = None


@dataclass(frozen=True)
class Proposal:
    version: str
    rule: Mapping[str, Any]  # id, title, federal_register, document, published, status, sources
    changes: tuple[SpecChange, ...]
    requirements: tuple[ProposedRequirement, ...]

    def change(self, citation: str) -> SpecChange | None:
        return next((c for c in self.changes if c.citation == citation), None)


def _text(path: Path, entry: Mapping[str, Any], key: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip():
        raise InputError(f"{yamlfile.where(path, entry)}: '{key}' must be a non-empty text")
    return value.strip()


def _optional(path: Path, entry: Mapping[str, Any], key: str) -> str | None:
    return _text(path, entry, key) if entry.get(key) is not None else None


def _choice(path: Path, entry: Mapping[str, Any], key: str, allowed: Sequence[str]) -> str:
    value = _text(path, entry, key)
    if value not in allowed:
        raise InputError(
            f"{yamlfile.where(path, entry)}: '{key}' is {value!r}, expected one of "
            f"{', '.join(allowed)}"
        )
    return value


def _texts(path: Path, entry: Mapping[str, Any], key: str) -> tuple[str, ...]:
    value = entry.get(key)
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise InputError(f"{yamlfile.where(path, entry)}: '{key}' must be a list of texts")
    return tuple(value)


def _spec_change(path: Path, entry: Mapping[str, Any]) -> SpecChange:
    return SpecChange(
        citation=_text(path, entry, "citation"),
        proposed=_choice(path, entry, "proposed", ("required", "addressable")),
        change=_choice(path, entry, "change", CHANGES),
        description=_text(path, entry, "description"),
        certainty=_choice(path, entry, "certainty", CERTAINTIES),
        proposed_citation=_optional(path, entry, "proposed_citation"),
    )


def _requirement(path: Path, entry: Mapping[str, Any]) -> ProposedRequirement:
    attestation = entry.get("attestation")
    if not isinstance(attestation, bool):
        raise InputError(f"{yamlfile.where(path, entry)}: 'attestation' must be true or false")
    return ProposedRequirement(
        id=_text(path, entry, "id"),
        title=_text(path, entry, "title"),
        description=_text(path, entry, "description"),
        amends=_texts(path, entry, "amends"),
        checks=_texts(path, entry, "checks"),
        attestation=attestation,
        evidence_note=_text(path, entry, "evidence_note"),
        certainty=_choice(path, entry, "certainty", CERTAINTIES),
        period=_optional(path, entry, "period"),
        proposed_citation=_optional(path, entry, "proposed_citation"),
    )


@functools.cache
def load_proposal(path: Path = PROPOSAL_FILE) -> Proposal:
    """The overlay file, read once per process (it ships with the tool)."""
    doc = yamlfile.load(path, shipped=PROPOSAL_FILE)
    if not isinstance(doc, Mapping) or not isinstance(doc.get("rule"), Mapping):
        raise InputError(f"{path}: expected a mapping with 'rule' and 'specifications'")
    rule = doc["rule"]
    sources = list(rule.get("sources", []))
    for key in ("id", "title", "federal_register", "published", "status"):
        _text(path, rule, key)
    return Proposal(
        version=str(doc.get("version", "")),
        rule={**rule, "published": str(rule["published"]), "sources": sources},
        changes=tuple(_spec_change(path, e) for e in yamlfile.entries(path, "specifications", doc)),
        requirements=tuple(
            _requirement(path, e) for e in yamlfile.entries(path, "requirements", doc)
        ),
    )


def lint(proposal: Proposal, framework: Framework, check_ids: Collection[str]) -> list[str]:
    """What in the overlay does not match the framework or the check library."""
    problems: list[str] = []
    known = framework.citations
    seen: set[str] = set()
    for c in proposal.changes:
        if c.citation not in known:
            problems.append(f"{c.citation} is not a specification of the framework")
        if c.citation in seen:
            problems.append(f"{c.citation} is listed twice")
        seen.add(c.citation)
        spec = framework.get(c.citation)
        if spec is not None and (c.change == "addressable_to_required") != (
            spec.addressable and c.proposed == "required"
        ):
            problems.append(
                f"{c.citation}: change {c.change!r} does not match its requirement today "
                f"({spec.requirement}) and under the proposal ({c.proposed})"
            )
    problems.extend(f"{citation} has no entry in the overlay" for citation in sorted(known - seen))
    ids: set[str] = set()
    for r in proposal.requirements:
        if r.id in ids:
            problems.append(f"requirement {r.id} is listed twice")
        ids.add(r.id)
        if not r.amends:
            problems.append(f"requirement {r.id} amends no specification")
        problems.extend(
            f"requirement {r.id} amends {c}, which is not in the framework"
            for c in r.amends
            if c not in known
        )
        problems.extend(
            f"requirement {r.id} names check {c}, which is not in the library"
            for c in r.checks
            if c not in check_ids
        )
        if not r.checks and not r.attestation:
            problems.append(f"requirement {r.id} has neither checks nor an attestation")
    return problems


def judged_framework(framework: Framework, proposal: Proposal) -> Framework:
    """The framework as the proposal would have it: each specification's requirement replaced
    by the overlay's (Addressable ones become Required)."""
    specs = []
    for spec in framework.specifications:
        change = proposal.change(spec.citation)
        specs.append(
            dataclasses.replace(spec, requirement=change.proposed) if change is not None else spec
        )
    return dataclasses.replace(
        framework,
        version=f"{framework.version}+proposal-{proposal.version}",
        specifications=tuple(specs),
    )


def framework_for(rule: str, framework: Framework) -> Framework:
    """The framework a run's statuses are judged against under `rule` (see RULES)."""
    if rule == RULE_2013:
        return framework
    if rule == RULE_2025_PROPOSED:
        return judged_framework(framework, load_proposal())
    raise InputError(f"--framework: {rule!r} is not one of {', '.join(RULES)}")


def _addressable_gap(sg: Mapping[str, Any]) -> str | None:
    """Why a specification that is Addressable today would be a gap if it became Required,
    or None when it is met."""
    status = str(sg.get("status") or "")
    decision = sg.get("decision") or {}
    current = decision.get("decision") if decision.get("current") else None
    if status in ADDRESSABLE_ONLY_STATUSES or current in ADDRESSABLE_ONLY_DECISIONS:
        return "Its documented decision relies on the Addressable choice the proposal removes"
    if status in MET:
        return None
    shown = status.replace("_", " ").capitalize() or "No status"
    if current is None and "decision" not in status:
        return f"{shown}, and no current Addressable decision is documented"
    return shown


def _evidence(results: Mapping[str, int], ran: bool) -> str:
    """One word for what a requirement's checks found, the worst first."""
    if not ran:
        return "not_run"
    for status, word in (
        ("FAIL", "failing"),
        ("WAIVED", "waived"),
        ("NOT_EVALUATED", "not_evaluated"),
        ("PASS", "passing"),
    ):
        if results.get(status):
            return word
    return "nothing_to_check"


def _requirement_row(
    r: ProposedRequirement, by_check: Mapping[str, Mapping[str, int]], deployed: bool
) -> dict[str, Any]:
    ran = [c for c in r.checks if c in by_check]
    totals: dict[str, int] = {}
    for check_id in ran:
        for status, n in by_check[check_id].items():
            totals[status] = totals.get(status, 0) + int(n)
    evidence = _evidence(totals, bool(ran)) if r.checks else "attestation_only"
    return {
        "id": r.id,
        "title": r.title,
        "description": r.description,
        "amends": list(r.amends),
        "proposed_citation": r.proposed_citation,
        "period": r.period,
        "certainty": r.certainty,
        "attestation": r.attestation,
        "evidence_note": r.evidence_note,
        "checks": [{"id": c, "results": dict(by_check.get(c, {}))} for c in r.checks],
        "results": dict(sorted(totals.items())),
        "evidence": evidence,
        # Passing checks close a requirement only on deployed evidence and with nothing left
        # for a person to state.
        "open": not (evidence == "passing" and deployed and not r.attestation),
    }


def proposal_section(
    rule: str,
    safeguards: Sequence[Mapping[str, Any]],
    checks: Sequence[Mapping[str, Any]],
    source_kind: str,
    *,
    proposal: Proposal | None = None,
    framework: Framework | None = None,
) -> dict[str, Any]:
    """The record's "required if the proposal is finalised" section.

    `safeguards` and `checks` are the record's own lists (statuses and results by value);
    `framework` is the rule in force today (for which specifications are Addressable now),
    whichever rule judged the statuses.
    """
    proposal = proposal or load_proposal()
    today = framework or load_framework()
    deployed = source_kind in DEPLOYED_KINDS
    gaps, met = [], []
    for sg in safeguards:
        spec = today.get(str(sg.get("citation")))
        change = proposal.change(str(sg.get("citation")))
        if spec is None or change is None or change.change != "addressable_to_required":
            continue
        why = _addressable_gap(sg)
        if why is None:
            met.append(spec.citation)
            continue
        gaps.append(
            {
                "citation": spec.citation,
                "title": spec.title,
                "standard": spec.standard,
                "status": sg.get("status"),
                "why": why,
                "description": change.description,
                "proposed_citation": change.proposed_citation,
                "certainty": change.certainty,
            }
        )
    by_check = {str(c["id"]): c.get("results") or {} for c in checks}
    requirements = [_requirement_row(r, by_check, deployed) for r in proposal.requirements]
    return {
        "rule": rule,
        "proposal": {
            "id": proposal.rule["id"],
            "title": proposal.rule["title"],
            "federal_register": proposal.rule["federal_register"],
            "published": proposal.rule["published"],
            "status": proposal.rule["status"],
            "version": proposal.version,
            "sources": list(proposal.rule.get("sources", [])),
        },
        "deployed_evidence": deployed,
        "addressable_gaps": gaps,
        "addressable_met": met,
        "requirements": requirements,
        "counts": {
            "addressable": len(gaps) + len(met),
            "addressable_gaps": len(gaps),
            "requirements": len(requirements),
            "requirements_open": sum(1 for r in requirements if r["open"]),
            "requirements_failing": sum(1 for r in requirements if r["evidence"] == "failing"),
        },
    }
