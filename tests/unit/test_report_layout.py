"""Layout helpers of the reports: column headings copied onto cells (phones), trend series told
apart without colour, and the pull-request summary's trend, file:line and checks with results."""

from __future__ import annotations

import copy

from reports.cell_labels import with_cell_labels
from reports.charts import TREND_STYLES, marker, trend_chart
from reports.markdown import render_markdown
from tests.unit.test_report_formats import sample_document


def md_document():
    """The hand-built run document with the sections the Markdown summary reads besides."""
    doc = sample_document()
    doc["framework"] = {"version": "t", "status_counts": {"not_assessed": 1}}
    doc["safeguards"] = []
    doc["inventory"]["not_covered_types"] = []
    return doc


def test_table_cells_get_their_column_heading_colspan_included():
    page = (
        '<table class="tbl"><thead><tr><th>Risk <b>level</b></th><th class="r">Days &amp; '
        "hours</th><th>Note</th></tr></thead><tbody>"
        '<tr><td>High</td><td class="r">14</td><td>x</td></tr>'
        '<tr><td colspan="2">both</td><td>y</td></tr></tbody></table>'
    )
    assert with_cell_labels(page) == (
        '<table class="tbl"><thead><tr><th>Risk <b>level</b></th><th class="r">Days &amp; '
        "hours</th><th>Note</th></tr></thead><tbody>"
        '<tr><td data-label="Risk level">High</td>'
        '<td data-label="Days &amp; hours" class="r">14</td><td data-label="Note">x</td></tr>'
        '<tr><td data-label="Risk level" colspan="2">both</td><td data-label="Note">y</td></tr>'
        "</tbody></table>"
    )


def test_a_row_heading_takes_a_column_and_each_table_has_its_own_headings():
    page = (
        "<table><thead><tr><th>L</th><th>Low</th></tr></thead>"
        "<tbody><tr><th>High</th><td>M</td></tr></tbody></table>"
        "<table><thead><tr><th>Other</th></tr></thead><tbody><tr><td>z</td></tr></tbody></table>"
        "<table><tbody><tr><td>no heading</td></tr></tbody></table>"
    )
    out = with_cell_labels(page)
    assert '<th>High</th><td data-label="Low">M</td>' in out
    assert '<td data-label="Other">z</td>' in out
    assert "<td>no heading</td>" in out


def test_grid_cells_get_their_column_heading():
    page = (
        '<div class="gt" role="table"><div class="gt-head" role="row">'
        '<span role="columnheader">Status</span><span role="columnheader">45 CFR</span></div>'
        '<div class="gt-row" role="row"><div role="cell"><span class="badge">Fail</span></div>'
        '<div role="cell">164.312(b)</div></div></div>'
    )
    out = with_cell_labels(page)
    assert '<div data-label="Status" role="cell"><span class="badge">Fail</span></div>' in out
    assert '<div data-label="45 CFR" role="cell">164.312(b)</div>' in out
    assert with_cell_labels(out) == out  # a labelled cell is left as it is


def test_trend_series_differ_in_dash_and_marker_and_are_named_in_a_key():
    history = [
        {"generated_at": "2026-11-01", "counts": {"FAIL": 4, "WAIVED": 1}, "risk_levels": {}},
        {"generated_at": "2026-12-01", "counts": {"FAIL": 2}, "risk_levels": {"high": 3}},
    ]
    chart = trend_chart(history)
    names = [s["name"] for s in chart["series"]]
    assert names == ["FAIL", "NOT_EVALUATED", "WAIVED", "high_risks"]
    assert [s["dash"] for s in chart["series"]] == ["", "7 4", "2 4", "12 4 2 4"]
    assert [k["label"] for k in chart["key"]] == [
        "Fail",
        "Not evaluated",
        "Waived",
        "High or Very High risks",
    ]
    xs = [k["line"][0] for k in chart["key"]]
    assert xs == sorted(xs) and chart["key"][-1]["text_x"] < chart["width"]
    shapes = {style[2] for style in TREND_STYLES.values()}
    assert len(shapes) == len(TREND_STYLES)  # one marker shape per series
    assert marker("square", 10, 20) == "M6,16h8v8h-8Z"
    assert chart["series"][3]["marks"][1][1] == 3  # high risks in the last run


def test_markdown_names_where_a_failing_resource_is_declared():
    text = render_markdown(md_document())
    row = next(line for line in text.splitlines() if "**claims**" in line and "🔴" in line)
    assert "| `stacks/billing/storage.py:42` |" in row
    admin = next(line for line in text.splitlines() if "**admin**" in line)
    assert "`aws:ec2/securityGroup:SecurityGroup` | — |" in admin


def test_markdown_lists_only_checks_with_results():
    doc = md_document()
    doc["checks"].append({**copy.deepcopy(doc["checks"][0]), "id": "idle_check"})
    doc["checks"][-1]["results"] = {s: 0 for s in doc["checks"][-1]["results"]}
    text = render_markdown(doc)
    assert "<details><summary>Checks with results (6)</summary>" in text
    assert "`idle_check`" not in text and "`kms_key_rotation_enabled`" not in text
    assert "| `s3_bucket_versioning_enabled` | medium | 1 | 1 | 0 | 0 |" in text
    assert "2 other checks had nothing to evaluate in this scope" in text


def test_markdown_shows_the_trend_when_the_run_has_a_previous_one():
    doc = md_document()
    assert "Since the previous run" not in render_markdown(doc)
    doc["trend"] = {
        "previous": {"assessment_id": "SA-20261101T000000Z-0badc0de", "generated_at": "2026-11-01"},
        "counts": {"new": 1, "fixed": 1, "removed": 0, "persisting": 3},
        "findings": {
            "new": [
                {
                    "id": "F-1",
                    "check_id": "sg_no_internet_admin_ports",
                    "title": "No internet ingress to SSH or RDP",
                    "resource": "admin",
                    "before": None,
                    "now": "FAIL",
                }
            ],
            "fixed": [
                {
                    "id": "F-2",
                    "check_id": "s3_bucket_versioning_enabled",
                    "title": "S3 bucket versioning is enabled",
                    "resource": "claims",
                    "before": "FAIL",
                    "now": "PASS",
                }
            ],
            "persisting": [{"id": "F-3"}],
        },
    }
    lines = render_markdown(doc).splitlines()
    start = lines.index("### Since the previous run (`SA-20261101T000000Z-0badc0de` of 2026-11-01)")
    assert lines[start + 2] == "1 new · 1 fixed · 0 resource removed · 3 persisting"
    assert lines[start + 4 : start + 8] == [
        "| Change | Check | Resource | Before → now |",
        "|---|---|---|---|",
        "| new | `sg_no_internet_admin_ports` No internet ingress to SSH or RDP | admin "
        "| absent → FAIL |",
        "| fixed | `s3_bucket_versioning_enabled` S3 bucket versioning is enabled | claims "
        "| FAIL → PASS |",
    ]
