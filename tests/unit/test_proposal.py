"""The January 2025 proposed-rule overlay: its data, the framework it judges by, its gaps."""

from __future__ import annotations

import dataclasses

import pytest

from checks.errors import InputError
from checks.library import build_registry
from policies.framework import Framework, Specification, load_framework
from policies.proposal import (
    RULE_2013,
    RULE_2025_PROPOSED,
    Proposal,
    ProposedRequirement,
    SpecChange,
    framework_for,
    judged_framework,
    lint,
    load_proposal,
    proposal_section,
)

# Proposed paragraph numbers a source we read names (CHIME's crosswalk, the side-by-side 164.312
# table). Any other number in the data would be one nobody checked.
VERIFIED_PROPOSED_CITATIONS = {
    "164.308(a)(5)(i)",
    "164.308(a)(11)(i)",
    "164.312(a)(2)(i)",
    "164.312(a)(2)(iii)",
    "164.312(b)",
    "164.312(c)(1)",
    "164.312(f)(1)",
}


def test_overlay_matches_framework_and_library():
    proposal, framework = load_proposal(), load_framework()
    assert lint(proposal, framework, {c.id for c in build_registry()}) == []
    assert len(proposal.changes) == len(framework.specifications) == 68
    # Every Addressable specification of today is the one kind the proposal makes Required.
    assert {c.citation for c in proposal.changes if c.change == "addressable_to_required"} == set(
        framework.addressable
    )
    assert len(framework.addressable) == 22
    assert all(c.description and c.proposed == "required" for c in proposal.changes)


def test_overlay_cites_only_verified_proposed_paragraphs():
    proposal = load_proposal()
    cited = {c.proposed_citation for c in proposal.changes if c.proposed_citation} | {
        r.proposed_citation for r in proposal.requirements if r.proposed_citation
    }
    assert cited == VERIFIED_PROPOSED_CITATIONS
    assert proposal.rule["federal_register"] == "90 FR 898"
    assert proposal.rule["published"] == "2025-01-06"
    assert "not final" in proposal.rule["status"]


def test_overlay_requirements_name_the_brief_s_obligations():
    reqs = {r.id: r for r in load_proposal().requirements}
    assert sorted(reqs) == [
        "access-termination-notice",
        "anti-malware",
        "asset-inventory-map",
        "audit-logging",
        "backup-restore-72h",
        "business-associate-verification",
        "compliance-audit",
        "configuration-management",
        "contingency-testing",
        "encryption-at-rest",
        "encryption-in-transit",
        "multi-factor-authentication",
        "network-segmentation",
        "patch-management",
        "unused-ports-software",
        "vulnerability-scanning",
    ]
    # No API shows these: a person's statement is the only evidence.
    assert [r for r in reqs if not reqs[r].checks] == [
        "compliance-audit",
        "access-termination-notice",
        "business-associate-verification",
    ]
    assert reqs["multi-factor-authentication"].checks[:2] == (
        "iam_root_mfa_enabled",
        "iam_root_hardware_mfa",
    )
    assert reqs["backup-restore-72h"].period == (
        "backups at most 48 hours old; restore within 72 hours"
    )


def _spec(citation: str, requirement: str) -> Specification:
    return Specification(
        citation=citation,
        safeguard="technical",
        standard="S",
        title=f"T {citation}",
        kind="implementation_specification",
        requirement=requirement,
        evidence=("automated",),
    )


FRAMEWORK = Framework(
    "t1",
    (_spec("A1", "addressable"), _spec("A2", "addressable"), _spec("R1", "required")),
)


def _change(citation: str, change: str = "addressable_to_required") -> SpecChange:
    return SpecChange(citation, "required", change, f"changes {citation}", "stated")


def _req(rid: str, checks: tuple[str, ...], attestation: bool = False) -> ProposedRequirement:
    return ProposedRequirement(
        id=rid,
        title=f"title {rid}",
        description="d",
        amends=("R1",),
        checks=checks,
        attestation=attestation,
        evidence_note="n",
        certainty="stated",
    )


RULE = {
    "id": RULE_2025_PROPOSED,
    "title": "t",
    "federal_register": "90 FR 898",
    "published": "2025-01-06",
    "status": "proposed, not final",
    "sources": ["s"],
}


def test_lint_names_every_mismatch():
    bad = Proposal(
        "v",
        RULE,
        (
            _change("A1"),
            _change("A1"),
            _change("R1"),  # Required today: not an Addressable-to-Required change
            _change("ZZ", "kept"),
        ),
        (
            _req("r", ("no_such_check",)),
            _req("r", ()),
            dataclasses.replace(_req("x", ()), amends=()),
        ),
    )
    assert lint(bad, FRAMEWORK, {"known"}) == [
        "A1 is listed twice",
        "R1: change 'addressable_to_required' does not match its requirement today (required) "
        "and under the proposal (required)",
        "ZZ is not a specification of the framework",
        "A2 has no entry in the overlay",
        "requirement r names check no_such_check, which is not in the library",
        "requirement r is listed twice",
        "requirement r has neither checks nor an attestation",
        "requirement x amends no specification",
        "requirement x has neither checks nor an attestation",
    ]


def test_loader_names_the_line_of_an_entry_without_description(tmp_path):
    path = tmp_path / "overlay.yaml"
    path.write_text(
        "version: v\n"
        "rule: {id: x, title: t, federal_register: f, published: '2025-01-06', status: s}\n"
        "specifications:\n"
        "  - citation: A1\n"
        "    proposed: required\n"
        "    change: kept\n"
        "    certainty: stated\n"
        "requirements: []\n"
    )
    with pytest.raises(InputError, match=r"line 4: 'description' must be a non-empty text"):
        load_proposal(path)


def test_judged_framework_makes_addressable_required_and_keeps_the_rest():
    proposal = Proposal("2025-01-06", RULE, (_change("A1"), _change("A2")), ())
    judged = judged_framework(FRAMEWORK, proposal)
    assert judged.version == "t1+proposal-2025-01-06"
    assert [s.requirement for s in judged.specifications] == ["required"] * 3
    assert judged.addressable == frozenset()
    assert [s.title for s in judged.specifications] == ["T A1", "T A2", "T R1"]
    assert FRAMEWORK.addressable == {"A1", "A2"}  # the rule in force is untouched


def test_framework_for_selects_the_rule():
    framework = load_framework()
    assert framework_for(RULE_2013, framework) is framework
    assert len(framework_for(RULE_2025_PROPOSED, framework).addressable) == 0
    with pytest.raises(InputError, match="'hipaa-2030' is not one of hipaa-2013"):
        framework_for("hipaa-2030", framework)


GAP_FRAMEWORK = Framework(
    "t1",
    tuple(_spec(c, "addressable") for c in ("A1", "A2", "A3", "A4", "A5", "A6"))
    + (_spec("R1", "required"),),
)
GAP_PROPOSAL = Proposal(
    "v",
    RULE,
    tuple(_change(c) for c in ("A1", "A2", "A3", "A4", "A5", "A6")) + (_change("R1", "kept"),),
    (
        _req("fails", ("c_fail", "c_pass")),
        _req("waived", ("c_waived", "c_pass")),
        _req("unknown", ("c_unknown",)),
        _req("passes", ("c_pass",)),
        _req("passes-needs-person", ("c_pass",), attestation=True),
        _req("empty", ("c_empty",)),
        _req("absent", ("c_absent",)),
        _req("person", (), attestation=True),
    ),
)
DECIDED = {"decision": "implemented", "current": True}
SAFEGUARDS = [
    {"citation": "A1", "status": "implemented", "decision": DECIDED},
    {"citation": "A2", "status": "not_implemented", "decision": None},
    {
        "citation": "A3",
        "status": "alternative_implemented",
        "decision": {"decision": "alternative", "current": True},
    },
    {"citation": "A4", "status": "decision_missing", "decision": None},
    {"citation": "A5", "status": "a_status_from_the_future", "decision": DECIDED},
    {"citation": "A6", "status": "not_applicable", "decision": None},
    {"citation": "R1", "status": "not_implemented", "decision": None},
]


def _results(**counts: int) -> dict[str, int]:
    base = {"PASS": 0, "FAIL": 0, "WAIVED": 0, "NOT_EVALUATED": 0, "NOT_APPLICABLE": 0}
    return {**base, **counts}


CHECKS = [
    {"id": "c_fail", "results": _results(FAIL=2)},
    {"id": "c_pass", "results": _results(PASS=3)},
    {"id": "c_waived", "results": _results(WAIVED=1)},
    {"id": "c_unknown", "results": _results(NOT_EVALUATED=1, PASS=1)},
    {"id": "c_empty", "results": _results()},
]


def _section(kind: str) -> dict:
    return proposal_section(
        RULE_2013, SAFEGUARDS, CHECKS, kind, proposal=GAP_PROPOSAL, framework=GAP_FRAMEWORK
    )


def test_addressable_gaps_read_statuses_by_value_and_conservatively():
    section = _section("program")
    assert [(g["citation"], g["why"]) for g in section["addressable_gaps"]] == [
        ("A2", "Not implemented, and no current Addressable decision is documented"),
        ("A3", "Its documented decision relies on the Addressable choice the proposal removes"),
        ("A4", "Decision missing"),
        ("A5", "A status from the future"),
    ]
    assert section["addressable_met"] == ["A1", "A6"]
    assert section["addressable_gaps"][0]["status"] == "not_implemented"
    assert section["addressable_gaps"][0]["description"] == "changes A2"


def test_requirements_carry_their_checks_results_worst_first():
    section = _section("program")
    rows = {r["id"]: r for r in section["requirements"]}
    assert {k: r["evidence"] for k, r in rows.items()} == {
        "fails": "failing",
        "waived": "waived",
        "unknown": "not_evaluated",
        "passes": "passing",
        "passes-needs-person": "passing",
        "empty": "nothing_to_check",
        "absent": "not_run",
        "person": "attestation_only",
    }
    assert rows["fails"]["results"] == _results(FAIL=2, PASS=3)
    assert rows["absent"]["checks"] == [{"id": "c_absent", "results": {}}]
    # Intended state closes nothing: every requirement stays open on a program run.
    assert [k for k, r in rows.items() if not r["open"]] == []
    assert section["deployed_evidence"] is False
    assert section["counts"] == {
        "addressable": 6,
        "addressable_gaps": 4,
        "requirements": 8,
        "requirements_open": 8,
        "requirements_failing": 1,
    }


def test_deployed_passing_evidence_closes_only_what_needs_no_person():
    for kind in ("state", "aws"):
        rows = {r["id"]: r for r in _section(kind)["requirements"]}
        assert [k for k, r in rows.items() if not r["open"]] == ["passes"]
