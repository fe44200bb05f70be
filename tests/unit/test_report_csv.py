"""The CSV remediation tracker: fixed columns, open findings with their risk, due date, owner,
waiver expiry and trend state, one line per cell, and no cell a spreadsheet would run."""

from __future__ import annotations

import csv
import io

import pytest

from reports.csv_render import evidence_cell, neutralise, render_csv
from tests.unit.test_report_formats import sample_document


def rows(doc=None) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(render_csv(doc or sample_document()), newline="")))


# The header is the file's contract with whoever imports it: spelt out, not read back.
HEADER = (
    "risk_id,risk_level,due_date,owner,treatment,risk_status,trend_state,finding_id,status,"
    "severity,check_id,control,title,resource_type,resource_name,resource_id,resource_arn,"
    "resource_urn,region,declared_at,citations,config_rule,message,evidence,remediation,"
    "waiver_id,waiver_expires"
)


def with_risks(doc):
    doc["risks"] = [
        {
            "risk_id": "R-low",
            "risk": "low",
            "due_date": "2027-05-30",
            "owner": "Ops",
            "treatment": "accept",
            "status": "accepted",
            "finding_ids": ["F-000000000005"],
        },
        {
            "risk_id": "R-bucket",
            "risk": "very high",
            "due_date": "2026-12-08",
            "owner": "Dana Lee",
            "treatment": "mitigate",
            "status": "open",
            "finding_ids": ["F-000000000001", "F-000000000007"],
        },
        {
            "risk_id": "R-sg",
            "risk": "high",
            "due_date": "2026-12-31",
            "owner": None,
            "treatment": None,
            "status": "open",
            "finding_ids": ["F-000000000002"],
        },
    ]
    return doc


def test_header_is_the_documented_one_and_records_end_in_crlf():
    text = render_csv(sample_document())
    assert text.startswith(HEADER + "\r\n")
    assert text.endswith("\r\n")


def test_only_findings_to_act_on_are_rows_in_the_runs_order_without_a_register():
    # PASS (F-6) and NOT_APPLICABLE (F-8) are left out; nothing is rated, so no reordering.
    assert [r["finding_id"] for r in rows()] == [
        "F-000000000001",
        "F-000000000002",
        "F-000000000003",
        "F-000000000004",
        "F-000000000005",
        "F-000000000007",
    ]


def test_rows_carry_their_risk_and_follow_risk_level_then_due_date():
    got = rows(with_risks(sample_document()))
    assert [(r["finding_id"], r["risk_id"], r["risk_level"]) for r in got] == [
        ("F-000000000001", "R-bucket", "very high"),
        ("F-000000000007", "R-bucket", "very high"),
        ("F-000000000002", "R-sg", "high"),
        ("F-000000000005", "R-low", "low"),
        ("F-000000000003", "", ""),
        ("F-000000000004", "", ""),
    ]
    first = got[0]
    assert (first["due_date"], first["owner"], first["treatment"], first["risk_status"]) == (
        "2026-12-08",
        "Dana Lee",
        "mitigate",
        "open",
    )
    assert (got[2]["owner"], got[2]["treatment"]) == ("", "")


def test_waiver_and_its_expiry_and_where_the_resource_is_declared():
    by_id = {r["finding_id"]: r for r in rows()}
    assert (by_id["F-000000000005"]["waiver_id"], by_id["F-000000000005"]["waiver_expires"]) == (
        "W-DEV-001",
        "2027-05-31",
    )
    assert by_id["F-000000000001"]["waiver_expires"] == ""
    assert by_id["F-000000000001"]["declared_at"] == "stacks/billing/storage.py:42"
    assert by_id["F-000000000002"]["declared_at"] == ""
    assert by_id["F-000000000001"]["citations"] == "164.312(a)(2)(iv); 164.312(e)(2)(ii)"


def test_evidence_is_key_value_pairs_not_json():
    by_id = {r["finding_id"]: r for r in rows()}
    assert by_id["F-000000000001"]["evidence"] == (
        "block_public_acls=false; master_password=[secret]"
    )
    assert by_id["F-000000000002"]["evidence"] == (
        "offending_rules=[{cidr: 0.0.0.0/0, from_port: 22}]"
    )
    assert by_id["F-000000000003"]["evidence"] == ""
    assert evidence_cell({"b": None, "a": [1, "x"], "c": {"k": True}}) == (
        "a=[1, x]; b=none; c={k: true}"
    )


def test_every_cell_is_one_line():
    doc = sample_document()
    doc["findings"][0]["message"] = "line one\r\nline two\n\tindented"
    doc["findings"][0]["remediation"] = 'a = 1\nb = "two, three"'
    text = render_csv(doc)
    assert "\n" not in text.replace("\r\n", "")
    assert text.count("\r\n") == 1 + 6
    first = rows(doc)[0]
    assert first["message"] == "line one line two indented"
    assert first["remediation"] == 'a = 1 b = "two, three"'


def test_trend_states_and_items_closed_since_the_previous_run():
    doc = sample_document()
    doc["trend"] = {
        "findings": {
            "persisting": [{"id": "F-000000000001"}],
            "new": [{"id": "F-000000000002"}],
            "fixed": [{"id": "F-000000000006", "before": "FAIL", "now": "PASS"}],
            "removed": [
                {
                    "id": "F-0000000000aa",
                    "check_id": "s3_bucket_versioning_enabled",
                    "title": "S3 bucket versioning is enabled",
                    "resource": "old-exports",
                    "severity": "medium",
                    "before": "FAIL",
                    "now": None,
                }
            ],
        }
    }
    got = rows(doc)
    states = [(r["finding_id"], r["trend_state"], r["status"]) for r in got]
    assert states == [
        ("F-000000000001", "persisting", "FAIL"),
        ("F-000000000002", "new", "FAIL"),
        ("F-000000000003", "", "FAIL"),
        ("F-000000000004", "", "NOT_EVALUATED"),
        ("F-000000000005", "", "WAIVED"),
        ("F-000000000007", "", "FAIL"),
        ("F-000000000006", "fixed", "PASS"),
        ("F-0000000000aa", "removed", "absent"),
    ]
    assert got[-1]["resource_name"] == "old-exports"


def test_a_formula_in_a_message_is_neutralised():
    row = next(r for r in rows() if r["finding_id"] == "F-000000000002")
    assert row["message"].startswith("'=HYPERLINK(")


@pytest.mark.parametrize("start", ["=", "+", "-", "@"])
def test_every_formula_trigger_gets_a_leading_apostrophe(start):
    doc = sample_document()
    doc["findings"][0]["resource"]["name"] = start + "cmd|' /C calc'!A0"
    assert rows(doc)[0]["resource_name"] == "'" + start + "cmd|' /C calc'!A0"


@pytest.mark.parametrize("start", ["\t", "\r", "\n"])
def test_a_leading_tab_or_line_break_is_dropped(start):
    doc = sample_document()
    doc["findings"][0]["resource"]["name"] = start + "=cmd"
    assert rows(doc)[0]["resource_name"] == "'=cmd"


def test_ordinary_text_is_left_alone():
    assert neutralise("claims") == "claims"
    assert neutralise("164.312(b)") == "164.312(b)"
    assert neutralise("a=b") == "a=b"
