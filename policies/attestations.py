"""Attestations and Addressable decisions: what a named person vouches for, until when.

    attestations:
      - citation: "164.308(a)(1)(ii)(C)"
        statement: Sanction policy HR-7 is approved and applied to the billing team.
        attested_by: Dana Lee, Security Official
        attested_on: 2026-10-01
        expires: 2027-10-01
        evidence: https://intranet.example/policies/hr-7.pdf     # optional reference
    decisions:            # one per Addressable specification (164.306(d)(3))
      - citation: "164.312(a)(2)(iii)"
        decision: implemented          # implemented | alternative | not_reasonable_and_appropriate
        rationale: Sessions end after 15 minutes idle in the billing app; IAM sessions last 1 h.
        alternative: ...               # required with `alternative`
        decided_by: Dana Lee, Security Official
        decided_on: 2026-10-01
        review_by: 2027-10-01

An attestation or decision past its expiry (`expires` / `review_by`) counts as missing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from checks.errors import InputError
from checks.inputfiles import kind_of
from policies import yamlfile

DECISIONS = ("implemented", "alternative", "not_reasonable_and_appropriate", "not_applicable")


@dataclass(frozen=True)
class Attestation:
    citation: str
    statement: str
    attested_by: str
    attested_on: dt.date
    expires: dt.date
    evidence: str | None = None

    def current_on(self, day: dt.date) -> bool:
        return self.attested_on <= day <= self.expires


@dataclass(frozen=True)
class Decision:
    citation: str
    decision: str
    rationale: str
    decided_by: str
    decided_on: dt.date
    review_by: dt.date
    alternative: str | None = None

    def current_on(self, day: dt.date) -> bool:
        return self.decided_on <= day <= self.review_by


@dataclass(frozen=True)
class Attestations:
    attestations: tuple[Attestation, ...] = ()
    decisions: tuple[Decision, ...] = ()
    source: str | None = None

    def attestation(self, citation: str, day: dt.date) -> tuple[Attestation | None, bool]:
        """The latest attestation for a citation, and whether it is current on `day`."""
        found = sorted(
            (a for a in self.attestations if a.citation == citation), key=lambda a: a.attested_on
        )
        return (found[-1], found[-1].current_on(day)) if found else (None, False)

    def decision(self, citation: str, day: dt.date) -> tuple[Decision | None, bool]:
        found = sorted(
            (d for d in self.decisions if d.citation == citation), key=lambda d: d.decided_on
        )
        return (found[-1], found[-1].current_on(day)) if found else (None, False)


def _text(path: Path, entry: Any, key: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip():
        raise InputError(f"{yamlfile.where(path, entry)}: '{key}' is required")
    return value.strip()


def _optional_text(path: Path, entry: Any, key: str) -> str | None:
    """A free-text field that may be left out (a reference, a description): text if given."""
    value = entry.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise InputError(
            f"{yamlfile.where(path, entry)}: '{key}' must be text, found {kind_of(value)}"
        )
    return value


def _citation(path: Path, entry: Any, citations: Collection[str]) -> str:
    citation = _text(path, entry, "citation")
    if citation not in citations:
        raise InputError(
            f"{yamlfile.where(path, entry)}: {citation} is not a Security Rule specification"
        )
    return citation


def load_attestations(
    path: Path, citations: Collection[str], addressable: Collection[str]
) -> Attestations:
    doc = yamlfile.load(path)
    attestations = []
    for entry in yamlfile.entries(path, "attestations", doc):
        attestations.append(
            Attestation(
                citation=_citation(path, entry, citations),
                statement=_text(path, entry, "statement"),
                attested_by=_text(path, entry, "attested_by"),
                attested_on=yamlfile.date(path, entry, "attested_on"),
                expires=yamlfile.date(path, entry, "expires"),
                evidence=_optional_text(path, entry, "evidence"),
            )
        )
    decisions = []
    for entry in yamlfile.entries(path, "decisions", doc):
        citation = _citation(path, entry, citations)
        at = yamlfile.where(path, entry)
        if citation not in addressable:
            raise InputError(f"{at}: {citation} is Required, so it takes no addressable decision")
        decision = _text(path, entry, "decision")
        if decision not in DECISIONS:
            raise InputError(f"{at}: decision must be one of {', '.join(DECISIONS)}")
        alternative = _optional_text(path, entry, "alternative")
        if decision == "alternative" and not alternative:
            raise InputError(f"{at}: an 'alternative' decision must describe the alternative")
        decisions.append(
            Decision(
                citation=citation,
                decision=decision,
                rationale=_text(path, entry, "rationale"),
                decided_by=_text(path, entry, "decided_by"),
                decided_on=yamlfile.date(path, entry, "decided_on"),
                review_by=yamlfile.date(path, entry, "review_by"),
                alternative=alternative,
            )
        )
    return Attestations(tuple(attestations), tuple(decisions), str(path))
