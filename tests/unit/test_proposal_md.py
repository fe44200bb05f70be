"""The pull-request summary's lines on the proposed rule, escaped like the rest of it."""

from __future__ import annotations

from reports.markdown import _code, _text
from reports.proposal_md import proposal_lines

SECTION = {
    "rule": "hipaa-2025-proposed",
    "proposal": {"federal_register": "90 FR 898", "status": "proposed, not final"},
    "deployed_evidence": False,
    "counts": {"addressable": 22, "addressable_gaps": 5, "requirements": 3, "requirements_open": 2},
    "requirements": [
        {
            "title": "Encryption of ePHI at rest",
            "evidence": "passing",
            "attestation": True,
            "amends": ["164.312(a)(2)(iv)"],
            "open": True,
        },
        {"title": "Compliance audit", "evidence": "attestation_only", "attestation": True,
         "amends": ["164.308(a)(8)"], "open": True},
        {"title": "Closed <b>one</b>", "evidence": "passing", "attestation": False,
         "amends": ["164.312(b)"], "open": False},
    ],
}  # fmt: skip


def test_headline_and_open_requirements_only():
    lines = proposal_lines({"proposal": SECTION}, _text, _code)
    assert lines[0] == (
        "Proposed Security Rule (90 FR 898, proposed, not final): if finalised, 5 of 22 "
        "Addressable specifications would be Required and are not met; 2 of 3 proposed "
        "requirements are open (statuses judged against the proposal)."
    )
    rows = [line for line in lines if line.startswith("| ") and "Requirement" not in line]
    assert rows == [
        "| Encryption of ePHI at rest | checks pass in the intended state; a person's statement "
        "also needed | `164.312(a)(2)(iv)` |",
        "| Compliance audit | a person's statement only | `164.308(a)(8)` |",
    ]


def test_nothing_for_a_record_without_the_section():
    assert proposal_lines({"findings": []}, _text, _code) == []


def test_no_table_when_nothing_is_open():
    closed = {**SECTION, "requirements": SECTION["requirements"][2:], "rule": "hipaa-2013"}
    lines = proposal_lines({"proposal": closed}, _text, _code)
    assert len(lines) == 2 and lines[1] == ""
    assert lines[0].endswith("(statuses judged against the rule in force).")
