"""What the report says about statuses, totals and limitations, from the run document.

The record carries these (policies/safeguards.py, policies/totals.py, policies/limitations.py);
this module reads them for the templates, and derives the totals for an older document that
lacks them. Nothing here decides a status.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from policies.data_holding import holds_data
from policies.limitations import KINDS
from policies.safeguards import DECISION_MISSING, STATUS_MEANINGS
from policies.totals import check_totals

LIMITATION_HEADINGS = {
    "not_checked": "Controls the library does not check",
    "partly_checked": "Controls checked only in part",
    "live_only": "Visible only to a live audit of the account",
    "config_rule": "AWS Config HIPAA pack rules no check judges",
    "attestation_only": "Specifications no API can show (a person's attestation is the evidence)",
}


def decided(safeguard: Mapping[str, Any]) -> bool:
    """An Addressable specification with a current decision or attestation (164.306(d)(3))."""
    if safeguard.get("status") == DECISION_MISSING:
        return False
    return bool(
        (safeguard.get("decision") or {}).get("current")
        or (safeguard.get("attestation") or {}).get("current")
    )


def classify_items(items: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The resources to classify: data-holding ones with no ePHI role."""
    return [
        i
        for i in items
        if i.get("holds_data", holds_data(str(i.get("type", ""))))
        and (i.get("ephi_role") or "unknown") == "unknown"
    ]


def limitation_groups(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The record's limitations by kind, in the order KINDS lists them."""
    groups = []
    for kind in KINDS:
        members = [r for r in rows if r.get("kind") == kind]
        if members:
            heading = LIMITATION_HEADINGS[kind]
            groups.append({"kind": kind, "heading": heading, "rows": members})
    return groups


def status_context(document: Mapping[str, Any]) -> dict[str, Any]:
    """The templates' names for statuses, totals and limitations."""
    summary = document.get("summary") or {}
    totals = check_totals(document)
    totals.update({k: summary[k] for k in totals if isinstance(summary.get(k), int)})
    listed = (document.get("framework") or {}).get("statuses")
    meanings = {s["status"]: s["meaning"] for s in listed} if listed else dict(STATUS_MEANINGS)
    items = (document.get("inventory") or {}).get("items") or []
    return {
        "check_totals": totals,
        "classify_items": classify_items(items),
        "data_holding_count": sum(
            1 for i in items if i.get("holds_data", holds_data(str(i.get("type", ""))))
        ),
        "status_meanings": meanings,
        "limitation_groups": limitation_groups(document.get("limitations") or []),
    }
