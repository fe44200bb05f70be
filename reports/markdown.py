"""A Markdown summary of a run, sized for a pull-request comment (most severe first)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

# GitHub rejects comments over 65,536 characters; stay well clear of it.
MAX_CHARS = 60_000
_SEVERITY_MARK = {"critical": "🔴", "high": "🟠", "medium": "🟡", "low": "🔵", "info": "⚪"}
_DISCLAIMER = (
    "> Automated evidence for HIPAA Security Rule safeguards (45 CFR 164.308–316). "
    'It does not make anyone "HIPAA compliant": a person reviews, attests the rest and signs.'
)


def _cell(text: Any, limit: int = 160) -> str:
    flat = " ".join(str(text).split()).replace("|", "\\|")
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _observed(evidence: Mapping[str, Any]) -> str:
    if not evidence:
        return "—"
    parts = [
        f"{k}={json.dumps(v, ensure_ascii=False, sort_keys=True)}" for k, v in evidence.items()
    ]
    return "`" + _cell("; ".join(parts), 150).replace("`", "'") + "`"


def _resource(ref: Mapping[str, Any] | None) -> str:
    if not ref:
        return "account"
    return f"**{_cell(ref['name'], 60)}** `{ref['type']}`"


def _row(f: Mapping[str, Any]) -> str:
    sev = f["severity"]
    return (
        f"| {_SEVERITY_MARK.get(sev, '')} {sev} | `{f['check_id']}` {_cell(f['title'], 90)} "
        f"| {_resource(f['resource'])} | {', '.join(f['citations'])} | {_observed(f['evidence'])} |"
    )


def _headline(doc: Mapping[str, Any]) -> str:
    gate, counts = doc["gate"], doc["summary"]["findings"]
    if gate["blocking_failures"]:
        verdict = (
            f"❌ **{gate['blocking_failures']} blocking failure(s)** (fail-on `{gate['fail_on']}`)"
        )
    elif gate["blocking_not_evaluated"]:
        unknown = gate["blocking_not_evaluated"]
        verdict = f"⚠️ **{unknown} mandatory check result(s) could not be evaluated**"
    else:
        verdict = f"✅ **nothing blocks** (fail-on `{gate['fail_on']}`)"
    return (
        f"{verdict} · {counts['FAIL']} failed · {counts['PASS']} passed · "
        f"{counts['WAIVED']} waived · "
        f"{counts['NOT_EVALUATED']} not evaluated · {counts['NOT_APPLICABLE']} not applicable — "
        f"{doc['summary']['resources']} resources, {doc['summary']['checks']} checks, "
        f"profile `{gate['profile']}`"
    )


def _safeguard_line(doc: Mapping[str, Any]) -> str:
    counts = doc["framework"]["status_counts"]
    parts = ", ".join(f"{n} {status.replace('_', ' ')}" for status, n in counts.items())
    total = len(doc["safeguards"])
    return f"Security Rule specifications ({total}): {parts}. See `safeguards` in the JSON."


def _waived(doc: Mapping[str, Any]) -> list[str]:
    waivers = {w["id"]: w for w in doc["waivers"]}
    rows = []
    for f in doc["findings"]:
        if f["status"] != "WAIVED":
            continue
        w = waivers[f["waiver_id"]]
        rows.append(
            f"| `{f['check_id']}` | {_resource(f['resource'])} | `{w['id']}` "
            f"{w['type'].replace('_', ' ')} | {w['expires']} | {_cell(w['approver'], 60)} |"
        )
    if not rows:
        return []
    head = [
        "### Waived (still visible)",
        "",
        "| Check | Resource | Waiver | Expires | Approved by |",
    ]
    return [*head, "|---|---|---|---|---|", *rows, ""]


def render_markdown(doc: Mapping[str, Any]) -> str:
    src = doc["source"]
    title = f"## hipaa-safeguard: HIPAA scan of `{src.get('project', '?')}`"
    if src.get("stack"):
        title += f" (stack `{src['stack']}`)"
    head = [title, "", _headline(doc), "", _DISCLAIMER, ""]
    failures = [f for f in doc["findings"] if f["status"] == "FAIL"]
    unevaluated = [f for f in doc["findings"] if f["status"] == "NOT_EVALUATED"]
    table_head = [
        "| Severity | Check | Resource | HIPAA (45 CFR) | Observed |",
        "|---|---|---|---|---|",
    ]

    body: list[str] = []
    if failures:
        body += ["### Failures", "", *table_head, *(_row(f) for f in failures), ""]
    if unevaluated:
        body += ["### Could not be evaluated (never counted as a pass)", ""]
        body += [
            f"- `{f['check_id']}` on {_resource(f['resource'])}: {_cell(f['message'], 200)}"
            for f in unevaluated
        ]
        body.append("")
    body += _waived(doc)
    expired = [w for w in doc["waivers"] if w["status"] == "expired"]
    if expired:
        names = ", ".join(f"`{w['id']}` (expired {w['expires']})" for w in expired)
        body += [f"⛔ Expired waivers reopen their findings and fail the gate: {names}", ""]
    body += [_safeguard_line(doc), ""]
    fixes = {f["check_id"]: f for f in failures}
    if fixes:
        body += ["<details><summary>How to fix</summary>", ""]
        for check_id, f in fixes.items():
            body += [f"**`{check_id}`**: {_cell(f['remediation'], 400)}", "", "```python"]
            body += [f["pulumi_fix"], "```", ""]
        body += ["</details>", ""]
    if doc["inventory"]["not_covered_types"]:
        types = ", ".join(f"`{t}`" for t in doc["inventory"]["not_covered_types"])
        body += [f"Resource types no check covers yet: {types}", ""]
    checks = [
        f"| `{c['id']}` | {c['severity']} | {c['results']['PASS']} | {c['results']['FAIL']} "
        f"| {c['results']['NOT_EVALUATED']} |"
        for c in doc["checks"]
    ]
    body += [
        "<details><summary>Checks run</summary>",
        "",
        "| Check | Severity | Pass | Fail | Not evaluated |",
        "|---|---|---|---|---|",
        *checks,
        "",
        "</details>",
        "",
        f"<sub>{doc['tool']['name']} {doc['tool']['version']} · check library "
        f"{doc['tool']['check_library']} · source `{src.get('kind')}`</sub>",
        "",
    ]
    text = "\n".join(head + body)
    if len(text) <= MAX_CHARS:
        return text
    return _shortened(head, failures, table_head)


def _shortened(head: list[str], failures: list[Mapping[str, Any]], table_head: list[str]) -> str:
    """Keep the most severe failures that fit, and say how many were left out."""
    lines = [*head, "### Failures", "", *table_head]
    size = sum(len(line) + 1 for line in lines) + 200
    shown = 0
    for f in failures:
        row = _row(f)
        if size + len(row) + 1 > MAX_CHARS:
            break
        lines.append(row)
        size += len(row) + 1
        shown += 1
    lines += ["", f"… and {len(failures) - shown} more failure(s): see the JSON report.", ""]
    return "\n".join(lines)
