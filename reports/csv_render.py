"""Findings as CSV, one row per finding, for spreadsheets and GRC imports.

RFC 4180 via the csv module: every field quoted when it needs to be, CRLF line ends, a header
row, a fixed column order (`COLUMNS`). Citations are joined with ';'; the evidence is compact
JSON with sorted keys, so a cell is stable from run to run.

Spreadsheet formula injection (OWASP, "CSV Injection"): a cell that begins with '=', '+', '-',
'@', a tab or a carriage return is read as a formula by Excel, LibreOffice and Google Sheets.
Resource names, messages and evidence can carry text an attacker chose (a tag value, a policy
name), so such cells get a leading apostrophe, which spreadsheets show as text and hide.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from typing import Any

COLUMNS = (
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
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell: str) -> str:
    """A cell a spreadsheet will not evaluate as a formula."""
    return "'" + cell if cell.startswith(_FORMULA_START) else cell


def _row(finding: Mapping[str, Any]) -> list[str]:
    ref = finding.get("resource") or {}
    values: dict[str, Any] = {
        "finding_id": finding["id"],
        "status": finding["status"],
        "severity": finding["severity"],
        "check_id": finding["check_id"],
        "control": finding["control"],
        "title": finding["title"],
        "resource_type": ref.get("type"),
        "resource_name": ref.get("name"),
        "resource_id": ref.get("id"),
        "resource_arn": ref.get("arn"),
        "resource_urn": ref.get("urn"),
        "region": ref.get("region"),
        "citations": ";".join(finding["citations"]),
        "config_rule": finding.get("config_rule"),
        "message": finding["message"],
        "evidence": json.dumps(
            finding["evidence"], sort_keys=True, ensure_ascii=False, separators=(",", ":")
        ),
        "waiver_id": finding.get("waiver_id"),
        "remediation": finding["remediation"],
        "pulumi_fix": finding["pulumi_fix"],
    }
    return [neutralise("" if values[c] is None else str(values[c])) for c in COLUMNS]


def render_csv(document: Mapping[str, Any]) -> str:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows(_row(f) for f in document["findings"])
    return buffer.getvalue()
