"""A Markdown summary of a run, sized for a pull-request comment (most severe first).

Every value of the record reaches the Markdown through `_text` (escaped prose), `_code` (a code
span) or `_fenced` (a code block), never raw: a resource name, a message or a waiver id is
someone else's text, and in a pull request `</table><h1>ALL CHECKS PASSED</h1>`, a `|` that
splits a table cell, `[a link](…)`, `@team` or `#123` must read as the text they are, not act.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from checks.text import safe_text
from policies.run_identity import document_sha256
from reports.markdown_drift import drift_lines
from reports.markdown_trend import trend_lines
from reports.proposal_md import proposal_lines

# GitHub rejects comments over 65,536 characters; stay well clear of it.
MAX_CHARS = 60_000
_SEVERITY_ORDER = {"critical": 0, "high": 1, "medium": 2, "low": 3, "info": 4}
_CHECK_COLUMNS = ("PASS", "FAIL", "NOT_EVALUATED", "WAIVED")
_SEVERITY_MARK = {"critical": "🔴", "high": "🟠", "medium": "🟡", "low": "🔵", "info": "⚪"}
_DISCLAIMER = (
    "> Automated evidence for HIPAA Security Rule safeguards (45 CFR 164.308–316). "
    'It does not make anyone "HIPAA compliant": a person reviews, attests the rest and signs.'
)


# What starts or ends an inline construct of CommonMark or GitHub's Markdown (emphasis, code,
# links and images, raw HTML and autolinks, entities, strikethrough, math, table cells): each is
# shown as itself when a backslash precedes it. `#` is escaped too, for a value that ever starts
# a line (a heading). Parentheses are not: they only act after a `]`, which is escaped. Nor is
# an underscore between two letters or digits (`is_multi_region_trail`): CommonMark never lets
# one open or close emphasis.
_INLINE = re.compile(r"[\\`*\[\]#!|<>&~$]|(?<![^\W_])_|_(?![^\W_])")
# What GitHub links in text even when escaped (it links after rendering): `@team` mentions,
# `#123` references, and bare www. or scheme:// addresses. A zero-width space after the sign,
# or before the dot or colon, keeps the text as it reads and stops the link.
_LINKED = re.compile(r"(?<=[@#])|(?i:(?<=www)(?=\.))|(?=://)")
_ZERO_WIDTH_SPACE = "&#8203;"
_BACKTICKS = re.compile(r"`+")


def _plain(value: Any, limit: int | None) -> str:
    """The value as one line of printable text, cut to `limit` characters."""
    flat = " ".join(safe_text(str(value), one_line=True).split())
    return flat if limit is None or len(flat) <= limit else flat[: limit - 1] + "…"


def _text(value: Any, limit: int | None = 160) -> str:
    """The value as Markdown text that renders as exactly what it says."""
    escaped = _INLINE.sub(lambda m: "\\" + m.group(), _plain(value, limit))
    return _LINKED.sub(_ZERO_WIDTH_SPACE, escaped)


def _code(value: Any, limit: int | None = None, *, table: bool = True) -> str:
    """The value as a code span: a fence longer than any run of backticks inside it, and in a
    table cell every `|` escaped (GitHub splits cells on it even inside code)."""
    flat = _plain(value, limit)
    if not flat:
        return "—"
    if table:
        flat = flat.replace("|", "\\|")
    fence = "`" * (max((len(run) for run in _BACKTICKS.findall(flat)), default=0) + 1)
    pad = " " if flat.startswith("`") or flat.endswith("`") else ""
    return f"{fence}{pad}{flat}{pad}{fence}"


def _fenced(value: Any, info: str) -> list[str]:
    """A multi-line value as a fenced code block no line of it can close early."""
    body = safe_text(str(value)).rstrip("\n")
    fence = "`" * max([3, *(len(run) + 1 for run in _BACKTICKS.findall(body))])
    return [f"{fence}{info}", body, fence]


def _observed(evidence: Mapping[str, Any]) -> str:
    if not evidence:
        return "—"
    parts = [
        f"{k}={json.dumps(v, ensure_ascii=False, sort_keys=True)}" for k, v in evidence.items()
    ]
    return _code("; ".join(parts), 150)


def _resource(ref: Mapping[str, Any] | None, *, table: bool = True) -> str:
    if not ref:
        return "account"
    return f"**{_text(ref['name'], 60) or '—'}** {_code(ref['type'], table=table)}"


def _where(ref: Mapping[str, Any] | None, *, table: bool = True) -> str:
    """Where the program declares the resource, as `file:line` (the run document records it
    for programs run under mocks); "—" when it is not known (a live account, a state file)."""
    at = (ref or {}).get("source") or {}
    if not isinstance(at, Mapping) or not at.get("file"):
        return "—"
    line = at.get("line")
    return _code(f"{at['file']}:{line}" if line else at["file"], 160, table=table)


# `--baseline`: a badge on each open finding, new to this change or already in the backlog.
_BASELINE_BADGE = {"new": "🆕 **new**", "existing": "📋 existing"}


def _baseline_badge(f: Mapping[str, Any]) -> str:
    badge = _BASELINE_BADGE.get(f.get("baseline") or "")
    return f"{badge} " if badge else ""


def _baseline_line(gate: Mapping[str, Any]) -> str:
    """How many open findings are new and how many the baseline already had."""
    base = gate.get("baseline")
    if not isinstance(base, Mapping):
        return ""
    return (
        f" · baseline: {_BASELINE_BADGE['new']} {_text(base.get('new'), 20)}, "
        f"{_BASELINE_BADGE['existing']} {_text(base.get('existing'), 20)} "
        f"({_text(base.get('set_aside'), 20)} set aside from the gate; compared with "
        f"{_code(base.get('assessment_id'), 80, table=False)})"
    )


def _row(f: Mapping[str, Any]) -> str:
    sev = f["severity"]
    citations = ", ".join(_text(c, 40) for c in f["citations"])
    return (
        f"| {_SEVERITY_MARK.get(sev, '')} {_text(sev, 20)} | {_baseline_badge(f)}"
        f"{_code(f['check_id'], 80)} "
        f"{_text(f['title'], 90)} | {_resource(f['resource'])} | {_where(f['resource'])} "
        f"| {citations} | {_observed(f['evidence'])} |"
    )


def _headline(doc: Mapping[str, Any]) -> str:
    gate, counts = doc["gate"], doc["summary"]["findings"]
    fail_on = _code(gate["fail_on"], 20, table=False)
    if gate["blocking_failures"]:
        blocking = _text(gate["blocking_failures"], 20)
        verdict = f"❌ **{blocking} blocking failure(s)** (fail-on {fail_on})"
    elif gate["blocking_not_evaluated"]:
        unknown = _text(gate["blocking_not_evaluated"], 20)
        verdict = f"⚠️ **{unknown} mandatory check result(s) could not be evaluated**"
    else:
        verdict = f"✅ **nothing blocks** (fail-on {fail_on})"
    verdict += _baseline_line(gate)
    n = {status: _text(counts[status], 20) for status in counts}
    summary = doc["summary"]
    return (
        f"{verdict} · {n['FAIL']} failed · {n['PASS']} passed · {n['WAIVED']} waived · "
        f"{n['NOT_EVALUATED']} not evaluated · {n['NOT_APPLICABLE']} not applicable — "
        f"{_text(summary['resources'], 20)} resources, {_text(summary['checks'], 20)} checks, "
        f"profile {_code(gate['profile'], 80, table=False)}"
    )


def _safeguard_line(doc: Mapping[str, Any]) -> str:
    counts = doc["framework"]["status_counts"]
    parts = ", ".join(
        f"{_text(n, 20)} {_text(str(status).replace('_', ' '), 40)}" for status, n in counts.items()
    )
    total = len(doc["safeguards"])
    return f"Security Rule specifications ({total}): {parts}. See `safeguards` in the JSON."


def _reach(w: Mapping[str, Any]) -> str:
    """How far a waiver reaches: the resources it names, the findings it waives now."""
    waived = len(w.get("covers_findings") or ())
    named = w.get("covers_resources")
    if not isinstance(named, int) or isinstance(named, bool):
        return f"waives {waived}"
    return f"names {named} resource{'' if named == 1 else 's'}, waives {waived}"


def _waiver_reach(doc: Mapping[str, Any]) -> list[str]:
    rows = [
        f"| {_code(w['id'], 40)} | {_code(w['check'], 60)} | {_text(w['status'], 20)} "
        f"| {_reach(w)} | {_text(w['expires'], 12)} |"
        for w in doc["waivers"]
    ]
    if not rows:
        return []
    head = ["### Waivers", "", "| Waiver | Check | Status | Reach | Expires |"]
    return [*head, "|---|---|---|---|---|", *rows, ""]


def _waived(doc: Mapping[str, Any]) -> list[str]:
    waivers = {w["id"]: w for w in doc["waivers"]}
    rows = []
    for f in doc["findings"]:
        if f["status"] != "WAIVED":
            continue
        w = waivers[f["waiver_id"]]
        rows.append(
            f"| {_code(f['check_id'], 80)} | {_resource(f['resource'])} | {_code(w['id'], 40)} "
            f"{_text(str(w['type']).replace('_', ' '), 40)} | {_text(w['expires'], 12)} "
            f"| {_text(w['approver'], 60)} |"
        )
    if not rows:
        return []
    head = [
        "### Waived (still visible)",
        "",
        "| Check | Resource | Waiver | Expires | Approved by |",
    ]
    return [*head, "|---|---|---|---|---|", *rows, ""]


# Suggestion blocks shown in full; the rest are counted (all are in the JSON and the SARIF).
MAX_SUGGESTIONS = 20


def _partial(findings: list[Mapping[str, Any]]) -> int:
    return sum(1 for f in findings if f["fix"].get("status") == "partial")


def _suggested(failures: list[Mapping[str, Any]]) -> list[str]:
    """Each failure's suggested fix: the declaring lines as they would read, in a GitHub
    ```suggestion block, or why no edit is offered."""
    ready = [f for f in failures if (f.get("fix") or {}).get("status") in ("ready", "partial")]
    manual = [f for f in failures if (f.get("fix") or {}).get("status") == "manual"]
    if not ready and not manual:
        return []
    lines = [
        f"<details open><summary>Suggested fixes ({len(ready)} ready"
        + (f", {partial} of them partial" if (partial := _partial(ready)) else "")
        + (f", {len(manual)} to make by hand" if manual else "")
        + ")</summary>",
        "",
        "Each block is the declaring lines as they read with the fix; "
        "`safeguard fix PROGRAM_DIR` writes them all as one diff (`--apply` applies it).",
        "",
    ]
    for f in ready[:MAX_SUGGESTIONS]:
        lines += [
            f"- {_code(f['check_id'], 80, table=False)} on "
            f"{_resource(f['resource'], table=False)}:",
            "",
        ]
        if still := f["fix"].get("still_fails"):
            lines += [
                f"  ⚠️ Partial: with this change the check still fails: {_text(still, 300)}",
                "",
            ]
        for target in f["fix"]["targets"]:
            said = "; ".join(
                f"{_code(c['input'], 80, table=False)} → "
                f"{_code(json.dumps(c['to']), 80, table=False)}"
                for c in target["changes"]
            )
            at = f"{target['file']}:{target['line']}" if target.get("file") else "?"
            name = _code(target["resource"], 80, table=False)
            lines.append(f"  {name} ({_code(at, 160, table=False)}): {said}")
            if withheld := target.get("suggestion_withheld"):
                lines += ["", f"  {_text(withheld, 300)}"]
            if suggestion := target.get("suggestion"):
                first, last = suggestion["start_line"], suggestion["end_line"]
                span = f"line {first} becomes" if first == last else f"lines {first}–{last} become"
                lines += ["", f"  {span}:", ""]
                block = "\n".join(_fenced(suggestion["text"], "suggestion"))
                lines += ["  " + row if row else "" for row in block.split("\n")]
            lines.append("")
    if len(ready) > MAX_SUGGESTIONS:
        lines += [f"… and {len(ready) - MAX_SUGGESTIONS} more: see `safeguard fix`.", ""]
    for f in manual:
        lines.append(
            f"- {_code(f['check_id'], 80, table=False)} on {_resource(f['resource'], table=False)}"
            f": no automatic edit: {_text(f['fix'].get('why'), 300)}"
        )
    return [*lines, "", "</details>", ""]


def render_markdown(doc: Mapping[str, Any]) -> str:
    src, tool = doc["source"], doc["tool"]
    if src.get("kind") == "aws":  # a live account: its account ids, and the regions read
        accounts = ", ".join(map(str, src.get("accounts") or [])) or "?"
        title = (
            f"## hipaa-safeguard: HIPAA audit of AWS account {_code(accounts, 200, table=False)}"
        )
        if src.get("stack"):
            title += f" ({_code(src['stack'], 200, table=False)})"
    else:
        title = (
            f"## hipaa-safeguard: HIPAA scan of {_code(src.get('project', '?'), 100, table=False)}"
        )
        if src.get("stack"):
            title += f" (stack {_code(src['stack'], 100, table=False)})"
    head = [title, "", _headline(doc), "", _DISCLAIMER, ""]
    if note := (src.get("scope") or {}).get("note"):
        head += [f"ℹ️ {_text(note, 400)}", ""]
    for part in src.get("unseen") or []:  # what a program scan could not see (program_unseen)
        head += [f"ℹ️ Not seen: {_text(part['what'], 300)}: {_text(part['why'], 300)}", ""]
    # What the change deploys first (findings on its resources), the most severe first; the
    # account's own findings after them.
    failures = sorted(
        (f for f in doc["findings"] if f["status"] == "FAIL"),
        key=lambda f: (
            f.get("baseline") == "existing",  # with --baseline, what the change adds first
            f["resource"] is None,
            _SEVERITY_ORDER.get(f["severity"], 9),
        ),
    )
    unevaluated = [f for f in doc["findings"] if f["status"] == "NOT_EVALUATED"]
    table_head = [
        "| Severity | Check | Resource | Declared at | HIPAA (45 CFR) | Observed |",
        "|---|---|---|---|---|---|",
    ]

    body: list[str] = []
    if failures:
        body += ["### Failures", "", *table_head, *(_row(f) for f in failures), ""]
    if unevaluated:
        body += ["### Could not be evaluated (never counted as a pass)", ""]
        body += [
            f"- {_baseline_badge(f)}{_code(f['check_id'], 80, table=False)} on "
            f"{_resource(f['resource'], table=False)}"
            + (f" ({_where(f['resource'], table=False)})" if _where(f["resource"]) != "—" else "")
            + f": {_text(f['message'], 200)}"
            for f in unevaluated
        ]
        body.append("")
    body += _suggested(failures)
    body += _waived(doc)
    body += _waiver_reach(doc)
    expired = [w for w in doc["waivers"] if w["status"] == "expired"]
    if expired:
        names = ", ".join(
            f"{_code(w['id'], 40, table=False)} (expired {_text(w['expires'], 12)})"
            for w in expired
        )
        body += [f"⛔ Expired waivers reopen their findings and fail the gate: {names}", ""]
    body += trend_lines(doc, _text, _code)
    body += drift_lines(doc, _text, _code)
    body += [_safeguard_line(doc), ""]
    body += proposal_lines(doc, _text, _code)
    fixes = {f["check_id"]: f for f in failures}
    if fixes:
        body += ["<details><summary>How to fix</summary>", ""]
        for check_id, f in fixes.items():
            fix = _code(check_id, 80, table=False)
            body += [f"**{fix}**: {_text(f['remediation'], 400)}", ""]
            body += [*_fenced(f["pulumi_fix"], "python"), ""]
        body += ["</details>", ""]
    if doc["inventory"]["not_covered_types"]:
        types = ", ".join(_code(t, 100, table=False) for t in doc["inventory"]["not_covered_types"])
        body += [f"Resource types no check covers yet: {types}", ""]
    # Only the checks that had something to look at: a row of zeros says nothing.
    ran = [c for c in doc["checks"] if any((c.get("results") or {}).values())]
    checks = [
        f"| {_code(c['id'], 80)} | {_text(c['severity'], 20)} "
        + " ".join(f"| {_text(c['results'].get(s, 0), 20)}" for s in _CHECK_COLUMNS)
        + " |"
        for c in ran
    ]
    idle = len(doc["checks"]) - len(ran)
    body += [
        f"<details><summary>Checks with results ({len(ran)})</summary>",
        "",
        "| Check | Severity | Pass | Fail | Not evaluated | Waived |",
        "|---|---|---|---|---|---|",
        *checks,
        "",
        f"{idle} other check{'' if idle == 1 else 's'} had nothing to evaluate in this scope "
        "(listed in the HTML report and the JSON).",
        "",
        "</details>",
        "",
        f"<sub>{_text(tool['name'], 60)} {_text(tool['version'], 40)} · check library "
        f"{_text(tool['check_library'], 80)} · source {_code(src.get('kind'), 40, table=False)}"
        "</sub>",
        "",
    ]
    # The record this summary was rendered from, as the HTML report names it: `safeguard
    # verify` checks it against the JSON beside it.
    digest = f"<sub>run document SHA-256 {_code(document_sha256(doc), table=False)}</sub>"
    text = "\n".join([*head, *body, digest, ""])
    if len(text) <= MAX_CHARS:
        return text
    return _shortened(head, failures, table_head, digest)


def _shortened(
    head: list[str], failures: list[Mapping[str, Any]], table_head: list[str], digest: str
) -> str:
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
    return "\n".join([*lines, digest, ""])
