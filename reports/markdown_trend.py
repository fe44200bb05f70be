"""The pull-request summary's trend: what changed since the previous run of the same scope.

Only a run given `--previous` carries a `trend`; without one this adds nothing. The counts come
first (new, regressed, fixed, removed, ...), then the findings that moved, most telling first,
a bounded number of them. Text goes through the summary's own escaping (`text`, `code`), passed
in by `reports.markdown`, so every value reads as what it is.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

# The trend's categories in the order a reviewer reads them, with their words. "resolved" is
# how runs recorded before fixed and removed were told apart; any other category is shown too.
LABELS = {
    "new": "new",
    "regressed": "regressed",
    "new_check": "from new checks",
    "fixed": "fixed",
    "removed": "resource removed",
    "resolved": "resolved",
    "accepted": "now waived",
    "unverified": "now not evaluated",
    "persisting": "persisting",
}
# The categories whose findings are listed one by one (persisting ones are only counted).
LISTED = ("new", "regressed", "new_check", "fixed", "removed", "resolved", "accepted", "unverified")
MAX_ROWS = 30


def trend_lines(
    doc: Mapping[str, Any],
    text: Callable[..., str],
    code: Callable[..., str],
) -> list[str]:
    """Markdown lines for the run's trend, or none when it has no previous run."""
    trend = doc.get("trend")
    if not isinstance(trend, Mapping) or not trend:
        return []
    previous = trend.get("previous") or {}
    counts = trend.get("counts") or {}
    findings = trend.get("findings") or {}
    order = [k for k in LABELS if k in counts] + sorted(set(counts) - set(LABELS))
    head = "### Since the previous run"
    if previous.get("assessment_id"):
        when = str(previous.get("generated_at", ""))[:10]
        head += f" ({code(previous['assessment_id'], 60, table=False)} of {text(when, 12)})"
    summary = " · ".join(
        f"{text(counts[k], 20)} {text(LABELS.get(k, str(k).replace('_', ' ')), 40)}" for k in order
    )
    lines = [head, "", summary or "no change recorded", ""]
    if trend.get("check_library_changed"):
        lines += ["The check library changed: findings of new checks are counted apart.", ""]
    rows = [
        (key, entry)
        for key in LISTED + tuple(sorted(set(findings) - set(LISTED) - {"persisting"}))
        for entry in findings.get(key) or []
    ]
    if rows:
        lines += ["| Change | Check | Resource | Before → now |", "|---|---|---|---|"]
        for key, entry in rows[:MAX_ROWS]:
            before = entry.get("before") or "absent"
            now = entry.get("now") or "absent"
            resource = text(entry.get("resource") or "account", 60)
            lines.append(
                f"| {text(LABELS.get(key, key), 40)} | {code(entry.get('check_id', ''), 80)} "
                f"{text(entry.get('title', ''), 90)} | {resource} "
                f"| {text(before, 20)} → {text(now, 20)} |"
            )
        if len(rows) > MAX_ROWS:
            lines.append("")
            lines.append(f"… and {len(rows) - MAX_ROWS} more change(s): see the JSON report.")
        lines.append("")
    return lines
