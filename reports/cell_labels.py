"""Column headings copied onto each cell, so a table can reflow into cards on a phone.

Under about 600 px a table of six columns leaves each column a few letters wide. The stylesheet
then shows every row as a card and every cell as a block headed by its column's name, read from
the cell's `data-label` attribute. This pass writes those attributes once, on the rendered page,
for every table any template draws: a `<table>` (headings from its `<thead>`) and an ARIA grid
(`role="table"`: headings from its `role="columnheader"` spans). A template never has to repeat
a heading, and a section added later reflows too.

The page is our own output (autoescaped templates, no comments or scripts between the cells),
so a scan of its tags in order is enough; the same page always gives the same bytes.
"""

from __future__ import annotations

import html
import re

# The tags that matter, in document order: table structure, and the divs and spans of a grid.
_TAG = re.compile(
    r"<(?P<close>/?)(?P<name>table|thead|tr|th|td)\b(?P<attrs>[^>]*)>"
    r'|<(?:div|span)\b[^>]*?\brole="(?P<role>table|row|columnheader|cell)"[^>]*>'
)
_MARKUP = re.compile(r"<[^>]*>")
_COLSPAN = re.compile(r'\bcolspan="(\d+)"')


def _heading(page: str, start: int, closing: str) -> str:
    """The text of a heading cell that opens at `start` and ends at `closing`."""
    end = page.find(closing, start)
    inner = page[start : end if end >= 0 else start]
    return " ".join(html.unescape(_MARKUP.sub(" ", inner)).split())


def with_cell_labels(page: str) -> str:
    """`page` with `data-label="<column heading>"` on every body cell of every table."""
    out: list[str] = []
    last = 0
    headings: list[str] = []
    in_head = False
    column = 0
    for match in _TAG.finditer(page):
        name, role, close = match.group("name"), match.group("role"), match.group("close")
        label = None
        if name == "table" and not close or role == "table":
            headings, in_head, column = [], False, 0
        elif name == "thead":
            in_head = not close
        elif (name == "tr" and not close) or role == "row":
            column = 0
        elif name == "th" and not close:
            if in_head:
                headings.append(_heading(page, match.end(), "</th>"))
            column += 1
        elif role == "columnheader":
            headings.append(_heading(page, match.end(), "</span>"))
        elif (name == "td" and not close) or role == "cell":
            if column < len(headings) and "data-label=" not in match.group(0):
                label = headings[column]
            span = _COLSPAN.search(match.group("attrs") or "")
            column += int(span.group(1)) if span else 1
        if label:
            tag = match.group(0)
            cut = match.start() + tag.index(" " if " " in tag else ">")
            out += [page[last:cut], f' data-label="{html.escape(label, quote=True)}"']
            last = cut
    out.append(page[last:])
    return "".join(out)
