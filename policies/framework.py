"""The HIPAA Security Rule as data (policies/hipaa_framework.yaml), and its link to the checks.

A check evidences a specification by citing it; the framework says, for each specification,
whether it is Required or Addressable and what can evidence it at all (automated checks,
a person's attestation, AWS's side under the shared-responsibility model).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from checks.errors import InputError
from checks.registry import Check, Registry
from policies import yamlfile

FRAMEWORK_FILE = Path(__file__).with_name("hipaa_framework.yaml")
EVIDENCE_KINDS = ("automated", "attestation", "inherited")


@dataclass(frozen=True)
class Specification:
    citation: str
    safeguard: str  # administrative, physical, technical, organizational, documentation
    standard: str
    title: str
    kind: str  # standard | implementation_specification
    requirement: str  # required | addressable
    evidence: tuple[str, ...]
    has_specs: bool = False

    @property
    def addressable(self) -> bool:
        return self.requirement == "addressable"


@dataclass(frozen=True)
class Framework:
    version: str
    specifications: tuple[Specification, ...]

    def get(self, citation: str) -> Specification | None:
        return next((s for s in self.specifications if s.citation == citation), None)

    @property
    def citations(self) -> frozenset[str]:
        return frozenset(s.citation for s in self.specifications)

    @property
    def addressable(self) -> frozenset[str]:
        return frozenset(s.citation for s in self.specifications if s.addressable)


def _spec(path: Path, entry: Mapping) -> Specification:
    at = yamlfile.where(path, entry)
    try:
        evidence = tuple(entry["evidence"])
        spec = Specification(
            citation=str(entry["citation"]),
            safeguard=str(entry["safeguard"]),
            standard=str(entry["standard"]),
            title=str(entry["title"]),
            kind=str(entry["kind"]),
            requirement=str(entry["requirement"]),
            evidence=evidence,
            has_specs=bool(entry.get("has_specs", False)),
        )
    except (KeyError, TypeError) as exc:
        raise InputError(f"{at}: specification entry is missing {exc}") from None
    bad = [e for e in evidence if e not in EVIDENCE_KINDS]
    if bad or spec.requirement not in ("required", "addressable"):
        raise InputError(f"{at}: {spec.citation} has an unknown evidence kind or requirement")
    return spec


@functools.cache
def load_framework(path: Path = FRAMEWORK_FILE) -> Framework:
    """The framework file, read once per process (it ships with the tool and is immutable)."""
    doc = yamlfile.load(path)
    if not isinstance(doc, Mapping):
        raise InputError(f"{path}: expected a mapping with 'specifications'")
    specs = tuple(_spec(path, e) for e in yamlfile.entries(path, "specifications", doc))
    return Framework(str(doc.get("version", "")), specs)


def checks_by_citation(framework: Framework, registry: Registry) -> dict[str, list[Check]]:
    """For every specification, the checks that evidence it (by the citations they carry)."""
    mapping: dict[str, list[Check]] = {s.citation: [] for s in framework.specifications}
    for chk in registry:
        for citation in chk.citations:
            if citation in mapping:
                mapping[citation].append(chk)
    return mapping


def lint(framework: Framework, registry: Registry) -> list[str]:
    """Problems in the mapping between the framework and the check library."""
    problems = []
    known = framework.citations
    for chk in registry:
        if not chk.citations:
            problems.append(f"check {chk.id} cites no specification")
        problems.extend(
            f"check {chk.id} cites {c}, which is not in the framework"
            for c in chk.citations
            if c not in known
        )
    mapping = checks_by_citation(framework, registry)
    for spec in framework.specifications:
        if spec.evidence == ("automated",) and not mapping[spec.citation]:
            problems.append(f"{spec.citation} is marked automated-only but no check evidences it")
    seen: set[str] = set()
    for spec in framework.specifications:
        if spec.citation in seen:
            problems.append(f"{spec.citation} is listed twice")
        seen.add(spec.citation)
    return problems
