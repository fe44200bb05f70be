"""The remediation tracker as CSV: one row per finding someone has to act on, for a spreadsheet
or a GRC import.

Rows: every finding that fails, is waived or could not be evaluated; and, when the run was
compared with a previous one (`--previous`), every finding that was open then and is not now
(fixed, or its resource removed), so the tracker can close it. Passing and not-applicable results
are left out: the JSON run document and the HTML report keep them. Rows are ordered by risk level
(Very High first), then due date, then the run's own order.

Columns (`COLUMNS`, fixed order):
- risk_id, risk_level, due_date, owner, treatment, risk_status: the risk-register entry the
  finding feeds (empty when no entry rates it); level is the inherent level of Table I-2.
- trend_state: new, regressed, persisting, fixed, removed, ... as the trend against the
  previous run names it; empty when no previous run was given.
- finding_id, status, severity, check_id, control, title: the finding; status is FAIL, WAIVED,
  NOT_EVALUATED, or for a closed item what it is now (PASS, or "absent" once removed).
- resource_type, resource_name, resource_id, resource_arn, resource_urn, region, declared_at
  (`file:line` in the program, when the run knows it).
- citations (45 CFR, joined with "; "), config_rule (the AWS Config managed rule).
- message, evidence (the observed values as "key=value; key=value"), remediation.
- waiver_id, waiver_expires: the waiver that covers the finding, and when it ends.
- baseline (only in a run given `--baseline`, as a last column so the fixed ones keep their
  places): new or existing, whether the baseline run already had the finding open.

RFC 4180 via the csv module (quoted when needed, CRLF line ends, a header row). Every cell is one
line: line breaks and tabs become spaces, so a row stays a row in any tool.

Spreadsheet formula injection (OWASP, "CSV Injection"): a cell that begins with '=', '+', '-',
'@', a tab or a carriage return is read as a formula by Excel, LibreOffice and Google Sheets.
Resource names, messages and evidence can carry text an attacker chose (a tag value, a policy
name), so such cells get a leading apostrophe, which spreadsheets show as text and hide.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from typing import Any

COLUMNS = (
    "risk_id",
    "risk_level",
    "due_date",
    "owner",
    "treatment",
    "risk_status",
    "trend_state",
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
    "declared_at",
    "citations",
    "config_rule",
    "message",
    "evidence",
    "remediation",
    "waiver_id",
    "waiver_expires",
)
OPEN = ("FAIL", "WAIVED", "NOT_EVALUATED")
# Trend states of an item that was open before and is not now.
CLOSED_STATES = ("fixed", "removed", "resolved")
_LEVEL_RANK = {"very high": 0, "high": 1, "moderate": 2, "low": 3, "very low": 4}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell: str) -> str:
    """A cell a spreadsheet will not evaluate as a formula."""
    return "'" + cell if cell.startswith(_FORMULA_START) else cell


def one_line(text: str) -> str:
    """`text` with every run of whitespace (line breaks and tabs included) as one space."""
    return " ".join(text.split())


def plain(value: Any) -> str:
    """An evidence value in words: strings as they are, lists and mappings spelt out."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "none"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k}: {plain(v)}" for k, v in sorted(value.items())) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(plain(v) for v in value) + "]"
    return str(value)


def evidence_cell(evidence: Mapping[str, Any]) -> str:
    """The observed values as "key=value; key=value", in key order."""
    return "; ".join(f"{k}={plain(v)}" for k, v in sorted(evidence.items()))


def _declared_at(ref: Mapping[str, Any]) -> str:
    at = ref.get("source")
    if not isinstance(at, Mapping) or not at.get("file"):
        return ""
    return f"{at['file']}:{at['line']}" if at.get("line") else str(at["file"])


def _trend_states(document: Mapping[str, Any]) -> tuple[dict[str, str], list[dict[str, Any]]]:
    """Each finding id's trend state, and the trend entries of items closed since last run."""
    findings = (document.get("trend") or {}).get("findings") or {}
    states = {e["id"]: key for key, entries in findings.items() for e in entries or []}
    closed = [
        {**e, "state": key} for key in CLOSED_STATES for e in findings.get(key) or [] if "id" in e
    ]
    return states, closed


def _risk_cells(risk: Mapping[str, Any] | None) -> dict[str, Any]:
    risk = risk or {}
    return {
        "risk_id": risk.get("risk_id"),
        "risk_level": risk.get("risk") or risk.get("risk_inherent"),
        "due_date": risk.get("due_date"),
        "owner": risk.get("owner"),
        "treatment": risk.get("treatment"),
        "risk_status": risk.get("status"),
    }


def _finding_row(
    finding: Mapping[str, Any],
    risk: Mapping[str, Any] | None,
    state: str | None,
    waivers: Mapping[str, Mapping[str, Any]],
) -> dict[str, Any]:
    ref = finding.get("resource") or {}
    waiver = waivers.get(finding.get("waiver_id") or "") or {}
    return {
        **_risk_cells(risk),
        "trend_state": state,
        "finding_id": finding["id"],
        "status": finding["status"],
        "severity": finding["severity"],
        "check_id": finding["check_id"],
        "control": finding.get("control"),
        "title": finding.get("title"),
        "resource_type": ref.get("type"),
        "resource_name": ref.get("name"),
        "resource_id": ref.get("id"),
        "resource_arn": ref.get("arn"),
        "resource_urn": ref.get("urn"),
        "region": ref.get("region"),
        "declared_at": _declared_at(ref),
        "citations": "; ".join(finding.get("citations") or []),
        "config_rule": finding.get("config_rule"),
        "message": finding.get("message"),
        "evidence": evidence_cell(finding.get("evidence") or {}),
        "remediation": finding.get("remediation"),
        "waiver_id": finding.get("waiver_id"),
        "waiver_expires": waiver.get("expires"),
        "baseline": finding.get("baseline"),
    }


def _closed_row(entry: Mapping[str, Any], current: Mapping[str, Any] | None) -> dict[str, Any]:
    """A tracker row for an item closed since the previous run: the finding as it is now if
    the run still has it (fixed), else what the trend remembers of it (removed)."""
    if current is not None:
        return _finding_row(current, None, entry["state"], {})
    return {
        "trend_state": entry["state"],
        "finding_id": entry["id"],
        "status": entry.get("now") or "absent",
        "severity": entry.get("severity"),
        "check_id": entry.get("check_id"),
        "title": entry.get("title"),
        "resource_name": entry.get("resource"),
    }


def tracker_rows(document: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The tracker's rows as mappings of column → value (None for an empty cell), in order."""
    risks = {fid: r for r in document.get("risks") or [] for fid in r.get("finding_ids") or []}
    waivers = {w["id"]: w for w in document.get("waivers") or [] if "id" in w}
    states, closed = _trend_states(document)
    findings = list(document.get("findings") or [])
    rows = [
        _finding_row(f, risks.get(f["id"]), states.get(f["id"]), waivers)
        for f in findings
        if f["status"] in OPEN
    ]
    by_id = {f["id"]: f for f in findings}
    rows += [_closed_row(e, by_id.get(e["id"])) for e in closed]

    def order(row: Mapping[str, Any]) -> tuple[int, int, str]:
        closed_last = 1 if row.get("trend_state") in CLOSED_STATES else 0
        level = _LEVEL_RANK.get(str(row.get("risk_level") or "").lower(), 5)
        return closed_last, level, str(row.get("due_date") or "9999")

    return sorted(rows, key=order)  # stable: the run's order within a tie


def _cells(row: Mapping[str, Any], columns: tuple[str, ...] = COLUMNS) -> list[str]:
    return [neutralise(one_line("" if row.get(c) is None else str(row[c]))) for c in columns]


def _columns(document: Mapping[str, Any]) -> tuple[str, ...]:
    """COLUMNS, and `baseline` last when the run was judged against a baseline."""
    has_baseline = isinstance((document.get("gate") or {}).get("baseline"), Mapping)
    return (*COLUMNS, "baseline") if has_baseline else COLUMNS


def render_csv(document: Mapping[str, Any]) -> str:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    columns = _columns(document)
    writer.writerow(columns)
    writer.writerows(_cells(row, columns) for row in tracker_rows(document))
    return buffer.getvalue()
