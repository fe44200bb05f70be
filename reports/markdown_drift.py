"""The summary's drift section: what a `safeguard drift` run found between the stacks' exports
and the live account. Only a drift run's record carries `drift`; any other adds nothing.

One table per kind: changed properties (resource, property, declared, live, checks affected),
gone resources, unmanaged resources; then, as short lists, what could not be seen or compared.
Text goes through the summary's own escaping (`text`, `code`), passed in by `reports.markdown`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

MAX_ROWS = 60
NO_CHECK = "affects no check"


def _name(ref: Mapping[str, Any] | None, code: Callable[..., str]) -> str:
    if not ref:
        return "the account"
    label = ref.get("name") or ref.get("id") or "?"
    ident = ref.get("id")
    kind = str(ref.get("type") or "").split(":")[-1]
    shown = code(label, 80)
    if ident and ident != label:
        shown += f" ({code(ident, 80)})"
    return f"{kind} {shown}" if kind else shown


def _value(value: Any, code: Callable[..., str]) -> str:
    return code(value if isinstance(value, str) else _compact(value), 120)


def _compact(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(", ", ": "), default=str)


def _cut(rows: list[Any]) -> tuple[list[Any], list[str]]:
    if len(rows) <= MAX_ROWS:
        return rows, []
    return rows[:MAX_ROWS], [f"…and {len(rows) - MAX_ROWS} more (see the JSON report)", ""]


def _changed(drift: Mapping[str, Any], code: Callable[..., str]) -> list[str]:
    rows, more = _cut(drift.get("changed") or [])
    if not rows:
        return []
    lines = [
        "#### Changed",
        "",
        "| resource | property | declared | live | checks affected |",
        "|---|---|---|---|---|",
    ]
    for row in rows:
        breaks = set(row.get("breaks") or ())
        checks = ", ".join(
            code(c, 60) + (" ⛔ now fails" if c in breaks else "") for c in row.get("checks") or ()
        )
        lines.append(
            f"| {_name(row['resource'], code)} | {code(row['property'], 60)} | "
            f"{_value(row['declared'], code)} | {_value(row['live'], code)} | "
            f"{checks or NO_CHECK} |"
        )
    return [*lines, "", *more]


def _gone(drift: Mapping[str, Any], code: Callable[..., str]) -> list[str]:
    rows, more = _cut(drift.get("gone") or [])
    if not rows:
        return []
    lines = ["#### Gone", "", "| resource | stack | checks that judged it |", "|---|---|---|"]
    for row in rows:
        checks = ", ".join(code(c, 60) for c in row.get("checks") or ()) or NO_CHECK
        stack = code(row.get("stack"), 40)
        lines.append(f"| {_name(row['resource'], code)} | {stack} | {checks} |")
    return [*lines, "", *more]


def _unmanaged(drift: Mapping[str, Any], code: Callable[..., str]) -> list[str]:
    rows, more = _cut(drift.get("unmanaged") or [])
    if not rows:
        return []
    lines = ["#### Unmanaged", "", "| resource | part of | failing checks |", "|---|---|---|"]
    for row in rows:
        failing = ", ".join(code(c, 60) for c in row.get("failing") or ()) or "none"
        part_of = code(row.get("part_of") or "", 100)
        lines.append(f"| {_name(row['resource'], code)} | {part_of} | {failing} |")
    return [*lines, "", *more]


def drift_lines(
    doc: Mapping[str, Any], text: Callable[..., str], code: Callable[..., str]
) -> list[str]:
    """Markdown lines for the run's drift, or none when the run compared no stack."""
    drift = doc.get("drift")
    if not isinstance(drift, Mapping) or not drift:
        return []
    s = drift["summary"]
    files = ", ".join(code(st.get("file"), 80) for st in drift.get("states") or ())
    lines = [
        "### Drift from the stacks",
        "",
        f"Compared with {files}: {s['matched']} resources matched, "
        f"{s['changed_properties']} properties changed on {s['changed_resources']} of them "
        f"({s['breaking_changes']} verdicts turned from PASS to FAIL), {s['gone']} gone, "
        f"{s['unmanaged']} unmanaged, {s['not_seen']} not seen.",
        "",
    ]
    lines += _changed(drift, code) + _gone(drift, code) + _unmanaged(drift, code)
    broken = [v for v in drift.get("verdicts") or () if v["live"] == "FAIL"]
    if broken:
        lines += ["Checks that pass as declared and fail live:", ""]
        lines += [
            f"- {code(v['check_id'], 60)} on {_name(v.get('resource'), code)}" for v in broken
        ]
        lines.append("")
    for row in drift.get("not_seen") or ():
        lines.append(f"- not seen: {_name(row['resource'], code)}: {text(row['reason'], 200)}")
    for row in drift.get("not_comparable") or ():
        lines.append(
            f"- not comparable: {_name(row['resource'], code)} {code(row['property'], 60)}: "
            f"{text(row['why'], 120)}"
        )
    for row in drift.get("not_compared") or ():
        lines.append(
            f"- not compared: {row['count']} × {code(row['type'], 80)}: {text(row['reason'], 120)}"
        )
    if drift.get("made_by_aws"):
        lines.append(
            f"- {len(drift['made_by_aws'])} resources no stack declares are AWS's own (defaults, "
            "automated snapshots, account settings): listed in the JSON report"
        )
    return [*lines, ""] if lines[-1] != "" else lines
