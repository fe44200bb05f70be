"""`--framework`: the insecure sample judged by the rule in force and by the 2025 proposal."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from policies.framework import load_framework
from scripts.cli import build_parser
from tests.e2e.test_scan_cli import PROGRAMS, run

EPOCH = {"SOURCE_DATE_EPOCH": "1790000000"}
FAILING_REQUIREMENTS = [
    "encryption-at-rest",
    "encryption-in-transit",
    "network-segmentation",
    "unused-ports-software",
    "audit-logging",
    "backup-restore-72h",
]


def _scan(tmp_path: Path, *extra: str) -> tuple[dict, str, str]:
    out = tmp_path / ("out" + "-".join(extra))
    proc = run(
        "scan",
        str(PROGRAMS / "insecure"),
        "--format",
        "json,md,html",
        "--out",
        str(out),
        "-q",
        *extra,
        env=EPOCH,
    )
    assert proc.returncode == 1, proc.stderr  # the sample's failures block either way
    return (
        json.loads((out / "safeguard-scan.json").read_text()),
        (out / "safeguard-scan.md").read_text(),
        (out / "safeguard-report.html").read_text(),
    )


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("framework")
    return _scan(tmp), _scan(tmp, "--framework", "hipaa-2025-proposed")


def test_the_record_names_the_rule_its_statuses_were_judged_against(runs):
    (today, _, _), (proposed, _, _) = runs
    assert today["framework"]["rule"] == "hipaa-2013"
    assert proposed["framework"]["rule"] == "hipaa-2025-proposed"
    assert proposed["framework"]["version"] == today["framework"]["version"] + (
        "+proposal-2025-01-06"
    )
    assert sum(s["requirement"] == "addressable" for s in today["safeguards"]) == 22
    assert sum(s["requirement"] == "addressable" for s in proposed["safeguards"]) == 0


def test_under_the_proposal_addressable_specifications_are_judged_as_required(runs):
    (today, _, _), (proposed, _, _) = runs
    addressable = set(load_framework().addressable)
    before = {s["citation"]: s for s in today["safeguards"]}
    after = {s["citation"]: s for s in proposed["safeguards"]}
    # Required today: judged the same under both rules.
    assert all(before[c]["status"] == after[c]["status"] for c in before if c not in addressable)
    # Addressable today: without a documented decision under the rule in force; with no such
    # thing as a decision under the proposal, where a failing check means not implemented.
    assert all("decision" in before[c]["status"] for c in addressable)
    assert all("decision" not in after[c]["status"] for c in addressable)
    failing = sorted(c for c in addressable if after[c]["results"]["FAIL"])
    assert failing and failing == sorted(
        c for c in addressable if after[c]["status"] == "not_implemented"
    )


def test_the_proposal_section_is_the_same_whichever_rule_judged(runs):
    (today, _, _), (proposed, _, _) = runs
    for doc in (today, proposed):
        section = doc["proposal"]
        assert section["counts"]["addressable"] == 22
        # Intended state can show no Addressable specification met: every one is a gap.
        assert section["counts"]["addressable_gaps"] == 22
        assert section["addressable_met"] == []
        assert section["deployed_evidence"] is False
        assert [r["id"] for r in section["requirements"] if r["evidence"] == "failing"] == (
            FAILING_REQUIREMENTS
        )
        assert section["counts"]["requirements_open"] == 16
    assert today["proposal"]["rule"] == "hipaa-2013"
    assert proposed["proposal"]["rule"] == "hipaa-2025-proposed"


def test_the_section_renders_in_html_and_markdown(runs):
    (_, md_today, html_today), (_, md_proposed, html_proposed) = runs
    for html in (html_today, html_proposed):
        assert '<section class="sheet" id="proposal">' in html
        assert "Required if the proposal is finalised" in html
        assert "Addressable today, Required under the proposal (22)" in html
    assert "judged <b>against the proposal</b>" in html_proposed
    assert "judged <b>against the proposal</b>" not in html_today
    assert "(statuses judged against the proposal)." in md_proposed
    assert "(statuses judged against the rule in force)." in md_today
    assert "16 of 16 proposed requirements are open" in md_today


def test_an_unknown_framework_is_a_usage_error(tmp_path):
    proc = run(
        "scan",
        str(PROGRAMS / "insecure"),
        "--framework",
        "hipaa-2030",
        "--out",
        str(tmp_path / "o"),
    )
    assert proc.returncode == 2
    assert "invalid choice: 'hipaa-2030'" in proc.stderr


def test_audit_shares_the_option():
    args = build_parser().parse_args(["audit", "--framework", "hipaa-2025-proposed"])
    assert args.framework == "hipaa-2025-proposed"
    assert build_parser().parse_args(["audit"]).framework == "hipaa-2013"
