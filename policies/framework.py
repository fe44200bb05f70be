"""The HIPAA Security Rule as data (policies/hipaa_framework.yaml), and its link to the checks.

The framework says, for each specification, whether it is Required or Addressable, what can
evidence it at all (automated checks, a person's attestation, AWS's side under the
shared-responsibility model) and which checks an auditor would accept as its evidence, each
link with the reason. A check's own citations are the broader list of what it can support; they
decide a status only for a framework file that lists no links (an older or hand-made one).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from checks.errors import InputError
from checks.inputfiles import expect_mappings
from checks.registry import Check, Registry
from policies import yamlfile

FRAMEWORK_FILE = Path(__file__).with_name("hipaa_framework.yaml")
EVIDENCE_KINDS = ("automated", "attestation", "inherited")


@dataclass(frozen=True)
class CheckLink:
    """One check accepted as evidence of a specification, and why."""

    check_id: str
    why: str


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
    links: tuple[CheckLink, ...] = ()

    @property
    def addressable(self) -> bool:
        return self.requirement == "addressable"


@dataclass(frozen=True)
class Framework:
    version: str
    specifications: tuple[Specification, ...]
    # Checks deliberately linked to no specification, with why (they harden, they do not evidence).
    not_evidence: tuple[CheckLink, ...] = ()

    @property
    def curated(self) -> bool:
        """Whether the file lists its specification -> check links (else citations decide)."""
        return any(s.links for s in self.specifications)

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
            links=_links(path, entry, "checks"),
        )
    except (KeyError, TypeError) as exc:
        raise InputError(f"{at}: specification entry is missing {exc}") from None
    bad = [e for e in evidence if e not in EVIDENCE_KINDS]
    if bad or spec.requirement not in ("required", "addressable"):
        raise InputError(f"{at}: {spec.citation} has an unknown evidence kind or requirement")
    return spec


def _links(path: Path, at: Mapping, key: str) -> tuple[CheckLink, ...]:
    """The `{id, why}` entries under `key`; a missing or empty reason is refused here and
    reported by `lint` for frameworks built in code."""
    links = []
    for entry in expect_mappings(path, at.get(key) or None, key, at=at):
        check_id, why = entry.get("id"), entry.get("why")
        if not isinstance(check_id, str) or not isinstance(why, str) or not why.strip():
            raise InputError(f"{yamlfile.where(path, entry)}: a link needs an 'id' and a 'why'")
        links.append(CheckLink(check_id, why.strip()))
    return tuple(links)


@functools.cache
def load_framework(path: Path = FRAMEWORK_FILE) -> Framework:
    """The framework file, read once per process (it ships with the tool and is immutable)."""
    doc = yamlfile.load(path, shipped=FRAMEWORK_FILE)
    if not isinstance(doc, Mapping):
        raise InputError(f"{path}: expected a mapping with 'specifications'")
    specs = tuple(_spec(path, e) for e in yamlfile.entries(path, "specifications", doc))
    return Framework(str(doc.get("version", "")), specs, _links(path, doc, "not_evidence"))


def checks_by_citation(framework: Framework, registry: Registry) -> dict[str, list[Check]]:
    """For every specification, the checks of `registry` that evidence it: its links, in their
    order (or, for a framework without links, the checks citing it)."""
    mapping: dict[str, list[Check]] = {s.citation: [] for s in framework.specifications}
    if framework.curated:
        by_id = {chk.id: chk for chk in registry}
        for spec in framework.specifications:
            mapping[spec.citation] = [by_id[x.check_id] for x in spec.links if x.check_id in by_id]
        return mapping
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
    problems.extend(_link_problems(framework, registry))
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


def _link_problems(framework: Framework, registry: Registry) -> list[str]:
    """Every link names a check of the library and says why; every check of the library is
    linked somewhere or listed as evidencing nothing."""
    if not framework.curated:
        return []
    known = {chk.id for chk in registry}
    problems = []
    linked: set[str] = set()
    for spec in framework.specifications:
        ids = [x.check_id for x in spec.links]
        problems.extend(
            f"{spec.citation} links {c} twice" for c in sorted({c for c in ids if ids.count(c) > 1})
        )
        if spec.links and "automated" not in spec.evidence:
            problems.append(f"{spec.citation} links checks but its evidence is not automated")
        for x in spec.links:
            linked.add(x.check_id)
            if x.check_id not in known:
                problems.append(f"{spec.citation} links {x.check_id}, which is not a check")
            if not x.why.strip():
                problems.append(f"{spec.citation} links {x.check_id} without a reason")
    for x in framework.not_evidence:
        if x.check_id not in known:
            problems.append(f"not_evidence lists {x.check_id}, which is not a check")
        if x.check_id in linked:
            problems.append(f"not_evidence lists {x.check_id}, which a specification links")
        if not x.why.strip():
            problems.append(f"not_evidence lists {x.check_id} without a reason")
    spare = known - linked - {x.check_id for x in framework.not_evidence}
    problems.extend(f"check {c} is linked to no specification" for c in sorted(spare))
    return problems
