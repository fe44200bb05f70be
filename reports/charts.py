"""The report's charts as geometry for inline SVG: computed from the data, drawn by templates.

No chart library and no script: each function returns positions, sizes and the category each
mark stands for (its colour comes from the stylesheet), so a chart prints like the page.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from policies.risk_scale import RISK_MATRIX, Level

LEVELS = tuple(sorted(Level, reverse=True))  # Very High first

# Specification statuses (report_spec.md §3.6), in the order the chart stacks them.
SAFEGUARD_STATUSES = (
    "implemented",
    "alternative_implemented",
    "inherited",
    "designed",
    "partially_implemented",
    "decision_missing",
    "not_implemented",
    "not_reasonable_and_appropriate",
    "not_applicable",
    "not_assessed",
)
FAMILIES = (
    "administrative",
    "physical",
    "technical",
    "organizational",
    "policies and documentation",
)
FAMILY_LABELS = {
    "administrative": "Administrative (164.308)",
    "physical": "Physical (164.310)",
    "technical": "Technical (164.312)",
    "organizational": "Organizational (164.314)",
    "policies and documentation": "Documentation (164.316)",
}


def level_of(value: Any) -> Level | None:
    try:
        return None if value in (None, "") else Level.parse(value)
    except ValueError:
        return None


def heatmap(ratings: Sequence[tuple[Level | None, Level | None]], cell: int = 64) -> dict[str, Any]:
    """A 5×5 grid of (likelihood, impact) counts, Very High likelihood on top, impact left to
    right, each cell coloured by its Table I-2 risk level."""
    counts = Counter(ratings)
    left, top = 118, 12
    cells = []
    for row, likelihood in enumerate(LEVELS):
        for col, impact in enumerate(sorted(Level)):
            cells.append(
                {
                    "x": left + col * cell,
                    "y": top + row * cell,
                    "level": RISK_MATRIX[likelihood][impact],
                    "count": counts.get((likelihood, impact), 0),
                    "likelihood": likelihood,
                    "impact": impact,
                }
            )
    return {
        "cells": cells,
        "cell": cell,
        "left": left,
        "top": top,
        "rows": [(top + i * cell + cell / 2, lv) for i, lv in enumerate(LEVELS)],
        "cols": [(left + i * cell + cell / 2, lv) for i, lv in enumerate(sorted(Level))],
        "width": left + 5 * cell + 8,
        "height": top + 5 * cell + 52,
        "unrated": sum(1 for lk, im in ratings if lk is None or im is None),
    }


def safeguard_bars(safeguards: Sequence[Mapping[str, Any]], width: int = 560) -> dict[str, Any]:
    """One 100%-stacked bar per safeguard family, segments in status order."""
    left, bar, gap = 210, 26, 14
    rows = []
    families = [f for f in FAMILIES if any(s["safeguard"] == f for s in safeguards)]
    families += sorted({s["safeguard"] for s in safeguards} - set(FAMILIES))
    for i, family in enumerate(families):
        counts = Counter(s["status"] for s in safeguards if s["safeguard"] == family)
        total = sum(counts.values())
        order = [st for st in SAFEGUARD_STATUSES if counts[st]]
        order += sorted(set(counts) - set(SAFEGUARD_STATUSES))
        x, segments = float(left), []
        for status in order:
            w = (width - left) * counts[status] / total
            segments.append(
                {"x": round(x, 2), "w": round(w, 2), "status": status, "n": counts[status]}
            )
            x += w
        rows.append(
            {
                "y": i * (bar + gap),
                "label": FAMILY_LABELS.get(family, str(family).capitalize()),
                "total": total,
                "segments": segments,
            }
        )
    return {
        "rows": rows,
        "bar": bar,
        "left": left,
        "width": width,
        "height": len(rows) * (bar + gap),
    }


# How each trend series is drawn besides its hue: a dash pattern (SVG stroke-dasharray, "" for a
# solid line) and a marker shape, so two series never differ by colour alone (WCAG 1.4.1) and
# stay apart on a grey printout.
TREND_STYLES = {
    "FAIL": ("Fail", "", "circle"),
    "NOT_EVALUATED": ("Not evaluated", "7 4", "square"),
    "WAIVED": ("Waived", "2 4", "diamond"),
    "high_risks": ("High or Very High risks", "12 4 2 4", "triangle"),
}


def marker(shape: str, x: float, y: float, r: float = 4.0) -> str:
    """An SVG path of a marker centred on (x, y)."""
    if shape == "square":
        return f"M{x - r:g},{y - r:g}h{2 * r:g}v{2 * r:g}h{-2 * r:g}Z"
    if shape == "diamond":
        return f"M{x:g},{y - r - 1:g}L{x + r + 1:g},{y:g}L{x:g},{y + r + 1:g}L{x - r - 1:g},{y:g}Z"
    if shape == "triangle":
        return f"M{x:g},{y - r - 1:g}L{x + r + 1:g},{y + r:g}L{x - r - 1:g},{y + r:g}Z"
    return f"M{x - r:g},{y:g}a{r:g},{r:g} 0 1,0 {2 * r:g},0a{r:g},{r:g} 0 1,0 {-2 * r:g},0Z"


def trend_chart(history: Sequence[Mapping[str, Any]], width: int = 640) -> dict[str, Any] | None:
    """Lines of open findings per status over the last runs (needs at least two), each series
    with its own hue, dash pattern and marker, and a key naming them under the plot."""
    if len(history) < 2:
        return None
    series_names = ["FAIL", "NOT_EVALUATED", "WAIVED"]
    if any("risk_levels" in p for p in history):
        series_names.append("high_risks")

    def value(point: Mapping[str, Any], name: str) -> int:
        if name == "high_risks":
            levels = point.get("risk_levels") or {}
            return sum(n for lv, n in levels.items() if (level_of(lv) or 0) >= Level.HIGH)
        return int((point.get("counts") or {}).get(name, 0))

    left, right, top, plot_h = 44, 16, 14, 170
    peak = max(1, *(value(p, s) for p in history for s in series_names))
    step = (width - left - right) / (len(history) - 1)

    def y(v: int) -> float:
        return round(top + plot_h - plot_h * v / peak, 1)

    def anchor(i: int) -> str:
        return "start" if i == 0 else "end" if i == len(history) - 1 else "middle"

    series, key, key_x = [], [], float(left)
    key_y = top + plot_h + 46
    for name in series_names:
        label, dash, shape = TREND_STYLES[name]
        points = [
            (round(left + i * step, 1), y(value(p, name)), value(p, name))
            for i, p in enumerate(history)
        ]
        series.append(
            {
                "name": name,
                "label": label,
                "dash": dash,
                "points": points,
                "marks": [(marker(shape, x, yy), v) for x, yy, v in points],
                "path": " ".join(f"{x},{yy}" for x, yy, _ in points),
            }
        )
        key.append(
            {
                "name": name,
                "label": label,
                "dash": dash,
                "line": (round(key_x, 1), round(key_x + 26, 1), key_y - 4),
                "mark": marker(shape, key_x + 13, key_y - 4),
                "text_x": round(key_x + 32, 1),
                "y": key_y,
            }
        )
        key_x += 32 + 6.6 * len(label) + 22
    return {
        "series": series,
        "key": key,
        "labels": [
            (round(left + i * step, 1), str(p.get("generated_at", ""))[:10], anchor(i))
            for i, p in enumerate(history)
        ],
        "grid": [(y(v), v) for v in sorted({0, peak // 2, peak})],
        "width": width,
        "height": top + plot_h + 56,
        "label_y": top + plot_h + 20,
        "left": left,
        "right": width - right,
    }
