"""The HTML risk-assessment report: one self-contained, deterministic, escaped page.

Documents come from the real command (`safeguard scan` on the test programs, as a user runs
it) and from the shared hand-built `sample_document()`; each test changes one thing in a copy.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from checks.errors import InputError
from policies.run_identity import assessment_id, document_sha256
from reports.html import render_html
from reports.pdf import render_pdf
from tests.unit.test_report_formats import sample_document

REPO = Path(__file__).resolve().parents[2]
PROGRAMS = REPO / "tests" / "programs"
SAFEGUARD = Path(sys.executable).with_name("safeguard")
TOKEN = "tok-Zq8Hh2LmYx41"
SECTION_IDS = [
    "cover",
    "summary",
    "scope",
    "methodology",
    "risks",
    "safeguards",
    "findings",
    "exceptions",
    "remediation",
    "trend",
    "coverage",
    "appendices",
    "signoff",
]


def scan(program: str, out: Path, *extra: str) -> dict[str, Any]:
    proc = subprocess.run(
        [str(SAFEGUARD), "scan", str(PROGRAMS / program), "--out", str(out), "-q", *extra],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "SOURCE_DATE_EPOCH": "1790000000"},
        check=False,
    )
    assert proc.returncode in (0, 1), proc.stderr
    return json.loads((out / "safeguard-scan.json").read_text())


@pytest.fixture(scope="module")
def insecure(tmp_path_factory) -> dict[str, Any]:
    return scan("insecure", tmp_path_factory.mktemp("insecure"))


@pytest.fixture
def doc(insecure) -> dict[str, Any]:
    return copy.deepcopy(insecure)


def test_same_document_gives_the_same_bytes(doc):
    first = render_html(doc).encode()
    assert render_html(copy.deepcopy(doc)).encode() == first
    assert render_html(json.loads(json.dumps(doc))).encode() == first


def test_rendering_does_not_change_the_document(doc):
    before = json.dumps(doc, sort_keys=True)
    render_html(doc)
    assert json.dumps(doc, sort_keys=True) == before


def test_sections_appear_in_the_order_of_the_report_spec(doc):
    html = render_html(doc)
    positions = [html.index(f'id="{section}"') for section in SECTION_IDS]
    assert positions == sorted(positions)
    assert html.index("Executive summary") < html.index("Scope and asset inventory")


def test_nothing_is_fetched_from_anywhere(doc):
    html = render_html(doc)
    references = re.findall(r"""(?:src|href|action|poster|srcset|data)\s*=\s*["']([^"']*)""", html)
    assert references, "expected the in-page links of the table of contents"
    assert all(r.startswith("#") for r in references), [r for r in references if r[:1] != "#"]
    assert not re.search(r"url\s*\(|@import|<link\b|<script\b[^>]*\bsrc=|<iframe|<img", html)
    assert "http://" not in html and "https://" not in html
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html).group(1)
    assert "default-src 'none'" in csp


def test_the_page_policy_allows_exactly_its_own_inline_style_and_script(doc):
    html = render_html(doc)
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html).group(1)
    for tag, directive in (("style", "style-src"), ("script", "script-src")):
        bodies = re.findall(rf"<{tag}>(.*?)</{tag}>", html, flags=re.S)
        assert len(bodies) == 1
        digest = base64.b64encode(hashlib.sha256(bodies[0].encode()).digest()).decode()
        assert f"{directive} 'sha256-{digest}'" in csp


def test_document_hash_is_the_sha256_of_its_canonical_json(doc):
    canonical = json.dumps(doc, sort_keys=True, separators=(",", ":")).encode()
    expected = hashlib.sha256(canonical).hexdigest()
    html = render_html(doc)
    assert document_sha256(doc) == expected
    assert html.count(expected) >= 3  # document control, sign-off, appendix
    assert assessment_id(doc) in html
    assert assessment_id(doc).startswith("SA-20260921T141320Z-")


def test_adding_the_risk_register_keeps_the_assessment_id_but_changes_the_hash(doc):
    with_risks = {**doc, "risks": []}
    assert assessment_id(with_risks) == assessment_id(doc)
    assert document_sha256(with_risks) != document_sha256(doc)


def test_markup_in_document_text_is_escaped(doc):
    attack = "<script>alert('x')</script>"
    doc["findings"][0]["message"] = attack
    doc["findings"][0]["evidence"] = {"<b>key</b>": attack}
    doc["findings"][0]["resource"]["name"] = '"><img src=x onerror=alert(1)>'
    doc["source"]["project"] = "</title><script>alert(2)</script>"
    html = render_html(doc)
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert "<b>key</b>" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
    assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in html
    assert len(re.findall(r"<script\b", html)) == 1  # the report's own


def test_never_claims_compliance(doc):
    for document in (doc, sample_document()):
        html = render_html(document).lower()
        assert not re.search(r"hipaa[\s-]+compliant", html)
        assert "it does not certify compliance" in html
        assert "approved by the security official" in html


def test_a_secret_passed_on_the_command_line_never_reaches_the_page(tmp_path):
    document = scan("secrets", tmp_path, "--secret", f"apiToken={TOKEN}")
    assert TOKEN not in json.dumps(document)
    html = render_html(document)
    assert TOKEN not in html and "Zq8Hh2LmYx41" not in html


def test_secret_placeholders_in_evidence_are_shown_as_placeholders(doc):
    doc["findings"][0]["evidence"] = {"master_password": "[secret]", "port": 5432}
    html = render_html(doc)
    assert "<dt>master_password</dt><dd><code>[secret]</code></dd>" in html


def test_heat_map_counts_risks_per_likelihood_and_impact(doc):
    base = {"title": "t", "finding_ids": [], "cfr_refs": [], "status": "open"}
    doc["risks"] = [
        {**base, "risk_id": "R-1", "likelihood": "high", "impact": "high", "risk": "high"},
        {**base, "risk_id": "R-2", "likelihood": "high", "impact": "high", "risk": "high"},
        {**base, "risk_id": "R-3", "likelihood": "low", "impact": "very high", "risk": "moderate"},
    ]
    html = render_html(doc)
    heatmap = re.search(r'<svg id="heatmap".*?</svg>', html, flags=re.S).group(0)
    assert "Likelihood High × impact High: High risk, 2 risk(s)" in heatmap
    assert "Likelihood Low × impact Very High: Moderate risk, 1 risk(s)" in heatmap
    assert heatmap.count('class="n"') == 2  # only non-empty cells print a number
    assert "The risk register lists 3 risks, 2 of them High or Very High (all on default" in html


def test_ratings_set_by_a_reviewer_are_counted_apart_from_defaults(doc):
    base = {"title": "t", "likelihood": "low", "impact": "low", "risk": "low"}
    doc["risks"] = [
        {**base, "risk_id": "R-1", "rated_by": "Dana Lee, Security Official"},
        {**base, "risk_id": "R-2", "rated_by": "hipaa-safeguard (default rating, to be confirmed)"},
    ]
    html = render_html(doc)
    assert "1 of 2 ratings were set by a named reviewer" in html
    assert "(1 on default ratings still to be confirmed)" in html


def test_the_scanned_register_is_rendered_on_the_tools_default_ratings(doc):
    html = render_html(doc)
    counts = doc["summary"]["findings"]
    rated = counts["FAIL"] + counts["NOT_EVALUATED"] + counts["WAIVED"]
    assert sum(len(r["finding_ids"]) for r in doc["risks"]) == rated  # grouped by threat
    assert f"The risk register lists {len(doc['risks'])} risks" in html
    assert "(all on default ratings still to be confirmed)" in html
    assert "<b>Ratings are the tool's defaults</b>" in html


def test_without_a_register_in_the_document_the_report_invents_none(doc):
    del doc["risks"]
    assert doc["summary"]["findings"]["FAIL"] > 0
    html = render_html(doc)
    assert "The risk register lists 0 risks, 0 of them High or Very High." in html
    risks = re.search(r'<section class="sheet" id="risks">.*?</section>', html, flags=re.S)
    assert "No risk: no finding fails" in risks.group(0)
    assert not re.search(r"R-[0-9a-f]{12}", html)  # a register row names its risk id


def test_unknown_role_resources_are_listed_as_a_scope_risk(doc):
    html = render_html(doc)
    unknown = [i for i in doc["inventory"]["items"] if i["ephi_role"] == "unknown"]
    assert unknown
    scope = re.search(r'<section class="sheet" id="scope">.*?</section>', html, flags=re.S)
    text = scope.group(0)
    assert "<b>Unknown role: a scope risk</b>" in text
    # Each resource is named in the full inventory, appendix G, under its role.
    inventory = html[html.index('id="appendix-inventory"') :]
    group = inventory[inventory.index("Unknown role: a scope risk") :]
    for item in unknown:
        assert f'<b class="wrap">{item["name"]}</b>' in group


def test_active_and_expired_waivers_are_listed_with_their_findings(doc):
    failing = [f for f in doc["findings"] if f["status"] == "FAIL"]
    waiver = {
        "check": failing[0]["check_id"],
        "type": "risk_acceptance",
        "justification": "Rebuilt nightly",
        "approver": "Dana Lee, Security Official",
        "approved": "2026-01-01",
        "resources": [],
        "resource_pattern": None,
    }
    doc["waivers"] = [
        {**waiver, "id": "W-ACTIVE", "status": "active", "expires": "2026-10-01"},
        {
            **waiver,
            "id": "W-EXPIRED",
            "status": "expired",
            "expires": "2026-02-01",
            "covers_findings": [],
            "reopened_findings": [failing[1]["id"]],
        },
    ]
    html = render_html(doc)
    exceptions = re.search(r'id="exceptions">.*?</section>', html, flags=re.S).group(0)
    assert "Active (1)" in exceptions and "Expired (1)" in exceptions
    assert f'<b>reopened</b> <a href="#{failing[1]["id"]}">' in exceptions
    assert "1 active, 1 expiring within 30 days, 1 expired" in html


def test_findings_section_lists_what_to_act_on_and_the_rest_is_an_appendix(doc):
    html = render_html(doc)
    rows = re.findall(r'<div class="gt-row f" role="row" data-status="(\w+)"', html)
    settled = ("PASS", "NOT_APPLICABLE")
    assert rows == [f["status"] for f in doc["findings"] if f["status"] not in settled]
    assert rows.count("FAIL") == doc["summary"]["findings"]["FAIL"] > 0
    assert '<div class="filters" id="findings-filters" hidden>' in html
    assert 'value="FAIL" checked' in html
    assert 'value="PASS"' not in html and 'value="NOT_APPLICABLE"' not in html
    # The others are rows of appendix F, collapsed on screen.
    passed = [f["id"] for f in doc["findings"] if f["status"] in settled]
    appendix = html[html.index('id="appendix-passed"') : html.index('id="appendix-inventory"')]
    assert passed and re.findall(r'<tr id="(F-[0-9a-f]+)">', appendix) == passed
    assert '<details class="appx">' in appendix


def test_a_pdf_scope_leaves_the_long_appendices_out_or_prints_them_open(doc):
    screen, failing, full = (render_html(doc, pdf_scope=s) for s in (None, "failing", "full"))
    settled = sum(f["status"] in ("PASS", "NOT_APPLICABLE") for f in doc["findings"])
    for page in (screen, full):
        assert len(re.findall(r'<tr id="F-', page)) == settled
    assert '<details class="appx" open>' in full and '<details class="appx" open>' not in screen
    assert "<tr id=" not in failing and '<details class="appx"' not in failing
    left_out = "Left out of this printed copy (<code>--pdf-scope failing</code>)"
    assert f"{left_out}: {settled} " in failing
    with pytest.raises(ValueError, match="pdf_scope must be one of failing, full"):
        render_html(doc, pdf_scope="passing")


def test_every_table_cell_carries_its_column_heading_for_phones(doc):
    html = render_html(doc)
    risk = re.search(r'<section class="sheet" id="safeguards">.*?</section>', html, flags=re.S)
    assert '<td data-label="Citation"><code>164.308(a)(1)(i)</code></td>' in risk.group(0)
    cells = re.findall(r"<td(?: [^>]*)?>", html)
    assert cells and all("data-label=" in c for c in cells if "colspan" not in c)
    finding = re.search(r'<div class="gt-row f".*?</div>\n</div>', html, flags=re.S).group(0)
    assert re.findall(r'<div data-label="([^"]+)" role="cell">', finding) == [
        "Status",
        "Severity",
        "Check",
        "Resource",
        "45 CFR",
        "Result and evidence",
    ]


def test_remediation_items_follow_the_earliest_risk_due_date(doc):
    failing = [f for f in doc["findings"] if f["status"] == "FAIL"]
    target = failing[0]
    doc["risks"] = [
        {
            "risk_id": "R-x",
            "title": "x",
            "finding_ids": [target["id"]],
            "likelihood": "very high",
            "impact": "high",
            "risk": "high",
            "due_date": "2026-10-02",
        }
    ]
    html = render_html(doc)
    item = re.search(
        rf'<article class="rem">\s*<header><span class="rem-id"><code>RM-{target["check_id"]}'
        r".*?</article>",
        html,
        flags=re.S,
    ).group(0)
    assert "due 2026-10-02" in item
    assert target["remediation"].replace("'", "&#39;") in item


def test_trend_section_says_baseline_without_a_previous_assessment(doc):
    html = render_html(doc)
    assert "this one is the baseline" in html
    assert 'id="trend-chart"' not in html


def test_trend_section_lists_changes_and_draws_the_history(doc):
    doc["trend"] = {
        "previous": {"assessment_id": "SA-PREV", "generated_at": "2026-08-01T00:00:00Z"},
        "current": {"assessment_id": "SA-NOW"},
        "check_library_changed": True,
        "framework_changed": False,
        "counts": {"new": 1, "resolved": 0},
        "findings": {
            "new": [
                {
                    "id": "F-1",
                    "check_id": "c",
                    "title": "A new failure",
                    "severity": "high",
                    "resource": "db",
                    "before": "PASS",
                    "now": "FAIL",
                }
            ]
        },
        "safeguards": [],
        "waivers": {"created": ["W-9"], "removed": [], "expired": [], "renewed": []},
        "history": [
            {"generated_at": "2026-08-01T00:00:00Z", "counts": {"FAIL": 4}},
            {"generated_at": "2026-09-21T14:13:20Z", "counts": {"FAIL": 11}},
        ],
    }
    html = render_html(doc)
    assert "SA-PREV" in html and "The check library changed" in html
    assert "New findings (1)" in html and "A new failure" in html
    assert re.search(r'<svg id="trend-chart".*?<polyline points="[\d., ]+"/>', html, re.S)
    assert "Created: <code>W-9</code>" in html


def test_paper_size_is_set_for_print(doc):
    assert "@page { size: A4;" in render_html(doc)
    assert "@page { size: Letter;" in render_html(doc, paper="Letter")
    with pytest.raises(ValueError, match="paper"):
        render_html(doc, paper="A3")


def test_a_document_with_missing_sections_still_renders():
    html = render_html(sample_document())
    assert "Executive summary" in html
    assert "No waiver applies" not in html  # the sample has a waiver


def test_ten_thousand_findings_render_in_seconds(doc):
    template = [f for f in doc["findings"] if f["status"] == "FAIL"]
    doc["findings"] = [
        {**copy.deepcopy(template[i % len(template)]), "id": f"F-{i:012x}"} for i in range(10_000)
    ]
    doc["summary"]["findings"]["FAIL"] = 10_000
    started = time.perf_counter()
    html = render_html(doc)
    elapsed = time.perf_counter() - started
    assert html.count('class="gt-row f"') == 10_000
    assert elapsed < 20, f"{elapsed:.1f}s"


def test_pdf_without_chromium_says_how_to_install_it(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    page = tmp_path / "r.html"
    page.write_text("<p>x</p>")
    with pytest.raises(InputError, match="scripts/setup-browser.sh"):
        render_pdf(page, tmp_path / "r.pdf")
    assert not (tmp_path / "r.pdf").exists()
