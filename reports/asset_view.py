"""The technology asset inventory and the ePHI network map as the report shows them.

The run record carries both (`asset_map`, built by policies/asset_map.py); this module orders
the rows for reading (ePHI first, then by exposure) and draws the map (reports/network_svg.py).
A record without them (an older run) gives an empty section that says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from markupsafe import Markup

from reports.network_svg import describe, network_svg, short_type

# Most exposed first: what an officer reads before anything else.
EXPOSURE_ORDER = ("internet-reachable", "public", "public endpoint", "unknown", "private")
CLASS_ORDER = ("ephi", "unknown", "none")
CLASS_LABELS = {"ephi": "ePHI", "unknown": "Unclassified", "none": "No ePHI"}


def _rank(order: tuple[str, ...], value: Any) -> int:
    return order.index(value) if value in order else len(order)


def asset_context(document: Mapping[str, Any]) -> dict[str, Any]:
    """The templates' `assets` value: rows, counts, the SVG and its one-line description."""
    found = document.get("asset_map") or {}
    rows = [
        {**row, "type_words": short_type(str(row.get("type", "")))}
        for row in found.get("assets", [])
    ]
    rows.sort(
        key=lambda r: (
            _rank(CLASS_ORDER, r.get("classification")),
            _rank(EXPOSURE_ORDER, (r.get("exposure") or {}).get("state")),
            str(r.get("name", "")),
            str(r.get("address", "")),
        )
    )
    network = found.get("network") or {}
    edges = network.get("edges", [])
    return {
        "assets": {
            "present": bool(found),
            "rows": rows,
            "summary": found.get("summary") or {},
            "class_labels": CLASS_LABELS,
            "svg": Markup(network_svg(found, standalone=False)) if found else Markup(""),
            "description": describe(found) if found else "",
            "notes": list(network.get("notes", [])),
            "internet_edges": sum(1 for e in edges if e.get("from") == "internet"),
        }
    }
