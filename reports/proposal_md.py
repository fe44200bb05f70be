"""The pull-request summary's few lines on the January 2025 proposed Security Rule.

`reports.markdown` calls `proposal_lines` with its own escapers (`text` for prose, `code` for a
code span), so every value reaches the Markdown the one way the rest of the summary does.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

Escape = Callable[..., str]

_EVIDENCE = {
    "failing": "checks fail",
    "waived": "checks fail (waived)",
    "not_evaluated": "could not be evaluated",
    "passing": "checks pass",
    "nothing_to_check": "nothing to check",
    "not_run": "checks not run",
    "attestation_only": "a person's statement only",
}


def _evidence(requirement: Mapping[str, Any], section: Mapping[str, Any]) -> str:
    """What the checks found, and what is missing besides them."""
    words = _EVIDENCE.get(requirement.get("evidence"), "?")
    if requirement.get("evidence") == "passing" and not section.get("deployed_evidence"):
        words += " in the intended state"
    if requirement.get("attestation") and requirement.get("evidence") != "attestation_only":
        words += "; a person's statement also needed"
    return words


def proposal_lines(doc: Mapping[str, Any], text: Escape, code: Escape) -> list[str]:
    """A headline and, folded, the open proposed requirements; nothing for a record without
    the section."""
    section = doc.get("proposal")
    if not isinstance(section, Mapping):
        return []
    counts = section.get("counts") or {}
    rule = section.get("proposal") or {}
    judged = (
        "statuses judged against the proposal"
        if section.get("rule") == "hipaa-2025-proposed"
        else "statuses judged against the rule in force"
    )
    headline = (
        f"Proposed Security Rule ({text(rule.get('federal_register', '?'), 40)}, "
        f"{text(rule.get('status', '?'), 40)}): if finalised, "
        f"{text(counts.get('addressable_gaps', 0), 10)} of "
        f"{text(counts.get('addressable', 0), 10)} Addressable specifications would be Required "
        f"and are not met; {text(counts.get('requirements_open', 0), 10)} of "
        f"{text(counts.get('requirements', 0), 10)} proposed requirements are open "
        f"({text(judged, 60)})."
    )
    rows = [
        f"| {text(r.get('title', ''), 80)} | {text(_evidence(r, section), 80)} "
        f"| {', '.join(code(c, 40) for c in r.get('amends', []))} |"
        for r in section.get("requirements", [])
        if r.get("open")
    ]
    if not rows:
        return [headline, ""]
    return [
        headline,
        "",
        "<details><summary>Open requirements of the proposed rule</summary>",
        "",
        "| Requirement | Evidence | Amends (45 CFR) |",
        "|---|---|---|",
        *rows,
        "",
        "</details>",
        "",
    ]
