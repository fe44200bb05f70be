"""Totals that add up: what a run's counts may claim, computed from its record.

A check with no resource of its type had nothing to look at: it was not "evaluated against"
the resources, so it is counted apart. The classification ask counts only resources that can
hold data (policies/data_holding.yaml), not the settings and links around them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from policies.data_holding import holds_data


def check_totals(document: Mapping[str, Any]) -> dict[str, int]:
    """Checks that judged something, checks with nothing to look at, and the resources judged."""
    checks = document.get("checks") or []
    evaluated = sum(1 for c in checks if any((c.get("results") or {}).values()))
    judged = {
        (f.get("resource") or {}).get("urn") or (f.get("resource") or {}).get("name")
        for f in document.get("findings") or []
        if f.get("resource")
    }
    return {
        "checks_evaluated": evaluated,
        "checks_nothing_to_look_at": len(checks) - evaluated,
        "resources_judged": len(judged - {None}),
    }


def classification_ask(items: list[Mapping[str, Any]]) -> dict[str, Any]:
    """The data-holding resources, and those of them nobody has classified yet."""
    holding = [i for i in items if holds_data(str(i.get("type", "")))]
    unclassified = [i for i in holding if (i.get("ephi_role") or "unknown") == "unknown"]
    return {
        "data_holding": len(holding),
        "unclassified_data_holding": len(unclassified),
        "unclassified_names": sorted(str(i.get("name", "")) for i in unclassified),
    }
