"""The scheduled audit's short Markdown summary (`safeguard nightly`), fit for a chat message
or an issue: at most MAX_LINES lines, rendered from the redacted run record and the night's
verdict (`policies.nightly`), so no secret can reach it."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from checks.text import safe_text
from policies.exit_codes import ExitCode
from policies.nightly import Night

MAX_LINES = 12  # the whole summary, so that it reads as one chat message


def _plain(value: Any, limit: int = 90) -> str:
    """One line of text safe inside Markdown code spans and a chat message."""
    text = safe_text(str(value), one_line=True).replace("`", "'")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


def _headline(night: Night) -> str:
    if night.first:
        said = (
            f"first night, {_plural(night.new_failures, 'blocking failure')}, every one new"
            if night.new_failures
            else "first night, no blocking failure"
        )
    elif night.new_failures:
        said = _plural(night.new_failures, "new failure")
    else:
        said = "no new failure"
    if night.breaking:
        said += f", {_plural(night.breaking, 'check')} broken by drift"
    if night.exit_code is ExitCode.NOT_EVALUATED:
        said += f", but {_plural(night.unseen, 'blind spot')} (blocking unknowns, unseen resources)"
    return f"### HIPAA nightly audit: {said}"


def _since(trend: Mapping[str, Any] | None) -> str:
    if trend is None:
        return "No earlier run of this scope in the history: every failure counts as new."
    counts, previous = trend["counts"], trend["previous"]
    return (
        f"Since the last run ({_plain(previous.get('generated_at'))}): {counts['new']} new, "
        f"{counts['regressed']} regressed, {counts['new_check']} under new checks, "
        f"{counts['resolved']} resolved, {counts['persisting']} persisting."
    )


def summary_lines(record: Mapping[str, Any], night: Night, report: Path) -> list[str]:
    """The Markdown summary, at most MAX_LINES lines, from the (redacted) run record."""
    source = record.get("source") or {}
    accounts = ", ".join(source.get("accounts") or []) or _plain(source.get("project"))
    regions = ", ".join(source.get("regions") or []) or _plain(source.get("stack"))
    counts = (record.get("summary") or {}).get("findings") or {}
    statuses = " · ".join(
        f"{counts.get(s, 0)} {s}" for s in ("FAIL", "PASS", "WAIVED", "NOT_EVALUATED")
    )
    facts = [
        f"Account {_plain(accounts)} · {_plain(regions)} · {_plain(record.get('generated_at'))}"
        f" · exit {int(night.exit_code)}",
        _since(record.get("trend")),
        f"Findings now: {statuses}.",
    ]
    if drift := record.get("drift"):
        s = drift["summary"]
        facts.append(
            f"Drift from {_plural(len(drift.get('states') or []), 'stack export')}: "
            f"{s['changed_properties']} changed properties ({s['breaking_changes']} breaking a "
            f"check), {s['gone']} gone, {s['unmanaged']} unmanaged, {s['not_seen']} not seen."
        )
    facts.append(f"Full report: `{_plain(report, 200)}`")
    lines = [_headline(night), *(line + "  " for line in facts)]  # hard line breaks
    if not night.attention:
        return lines
    lines.append("Needs attention, most severe first:")
    room = MAX_LINES - len(lines)
    shown = night.attention if len(night.attention) <= room else night.attention[: room - 1]
    for item in shown:
        title = f" ({_plain(item.title, 70)})" if item.title else ""
        lines.append(
            f"- **{_plain(item.severity or '?')}** `{_plain(item.check_id)}`{title} on "
            f"`{_plain(item.resource)}`: {', '.join(item.why)}"
        )
    if len(shown) < len(night.attention):
        lines.append(f"- and {len(night.attention) - len(shown)} more")
    return lines
