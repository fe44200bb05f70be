"""CSV of findings: RFC 4180, fixed columns, and no cell a spreadsheet would run as a formula."""

from __future__ import annotations

import csv
import io
import json

import pytest

from reports.csv_render import neutralise, render_csv
from tests.unit.test_report_formats import sample_document


def rows(doc=None) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(render_csv(doc or sample_document()), newline="")))


# The header is the file's contract with whoever imports it: spelt out, not read back.
HEADER = [
    "finding_id",
    "status",
    "severity",
    "check_id",
    "control",
    "title",
    "resource_type",
    "resource_name",
    "resource_id",
    "resource_arn",
    "resource_urn",
    "region",
    "citations",
    "config_rule",
    "message",
    "evidence",
    "waiver_id",
    "remediation",
    "pulumi_fix",
]


def test_header_and_one_row_per_finding_in_document_order():
    doc = sample_document()
    text = render_csv(doc)
    assert text.splitlines()[0].split(",") == HEADER
    assert [r["finding_id"] for r in rows(doc)] == [f["id"] for f in doc["findings"]]


def test_records_end_in_crlf():
    text = render_csv(sample_document())
    assert text.startswith(",".join(HEADER) + "\r\n")
    assert text.endswith("\r\n")


def test_citations_joined_and_evidence_compact_json():
    row = rows()[0]
    assert row["citations"] == "164.312(a)(2)(iv);164.312(e)(2)(ii)"
    assert row["evidence"] == '{"block_public_acls":false,"master_password":"[secret]"}'
    assert json.loads(row["evidence"]) == {
        "block_public_acls": False,
        "master_password": "[secret]",
    }


def test_multiline_cells_survive_quoting():
    doc = sample_document()
    doc["findings"][0]["pulumi_fix"] = 'a = 1\nb = "two, three"'
    assert rows(doc)[0]["pulumi_fix"] == 'a = 1\nb = "two, three"'


def test_empty_values_are_empty_cells():
    account_row = next(r for r in rows() if r["finding_id"] == "F-000000000003")
    assert account_row["resource_name"] == ""
    assert account_row["config_rule"] == ""
    assert next(r for r in rows() if r["finding_id"] == "F-000000000005")["waiver_id"] == (
        "W-DEV-001"
    )


def test_a_formula_in_a_message_is_neutralised():
    row = next(r for r in rows() if r["finding_id"] == "F-000000000002")
    assert row["message"].startswith("'=HYPERLINK(")


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_every_formula_trigger_gets_a_leading_apostrophe(start):
    doc = sample_document()
    doc["findings"][0]["resource"]["name"] = start + "cmd|' /C calc'!A0"
    assert rows(doc)[0]["resource_name"] == "'" + start + "cmd|' /C calc'!A0"


def test_ordinary_text_is_left_alone():
    assert neutralise("claims") == "claims"
    assert neutralise("164.312(b)") == "164.312(b)"
    assert neutralise("a=b") == "a=b"
