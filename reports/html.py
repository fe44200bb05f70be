"""The risk-assessment report as one self-contained HTML file: nothing is fetched, ever.

The page lays out `reports.report_view` (report_spec.md §3.2, sections in order), charts as
inline SVG from `reports.charts`, with jinja2 templates that escape everything. The same
document always gives the same bytes: no clock, no random ids, no unordered iteration.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup, escape

from policies.risk_scale import Level
from reports.cell_labels import with_cell_labels
from reports.charts import level_of
from reports.report_view import STATUS_LABELS, readable, report_context

TEMPLATES = Path(__file__).parent / "templates"
PAPER_SIZES = ("A4", "Letter")
# What a printed copy holds (`--pdf-scope`): "failing" leaves the passing findings and the full
# inventory out (the run document and the HTML report keep them); "full" prints them too.
PDF_SCOPES = ("failing", "full")


def _value(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _token(text: Any) -> str:
    return "".join(c if c.isalnum() else "-" for c in str(text).lower())


# Badges are filters, not template macros: the findings list calls them tens of thousands of
# times. Class names come from _token (letters, digits, dashes); all text goes through escape().
@functools.lru_cache(maxsize=256)
def _status_badge(status: str) -> Markup:
    label = escape(STATUS_LABELS.get(status, readable(status)))
    return Markup(f'<span class="badge st-{_token(status)}">{label}</span>')


@functools.lru_cache(maxsize=256)
def _severity_badge(severity: str) -> Markup:
    return Markup(f'<span class="badge sev-{_token(severity)}">{escape(readable(severity))}</span>')


@functools.lru_cache(maxsize=16)
def _level_badge(level: Level | None) -> Markup:
    if level is None:
        return Markup('<span class="muted">unrated</span>')
    return Markup(f'<span class="badge lvl lvl-{_token(level.label)}">{level.label.title()}</span>')


@functools.lru_cache(maxsize=256)
def _safeguard_badge(status: str) -> Markup:
    return Markup(f'<span class="badge ss ss-{_token(status)}">{escape(readable(status))}</span>')


def _cites(refs: Sequence[str]) -> Markup:
    cells = "".join(f'<span class="cite">{escape(c)}</span>' for c in refs)
    return Markup(f'<span class="cites">{cells}</span>')


def _resource(ref: Mapping[str, Any] | None) -> Markup:
    name, kind = (ref.get("name", ""), ref.get("type", "")) if ref else ("account", "account-level")
    return Markup(
        f'<span class="res"><b>{escape(name)}</b><span class="type">{escape(kind)}</span></span>'
    )


@functools.cache
def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        label=readable,
        value=_value,
        level=lambda lv: "" if lv is None else lv.label.title(),
        level_class=lambda lv: "none" if lv is None else lv.label.replace(" ", "-"),
        lvl=level_of,
        css_token=_token,
        status_badge=_status_badge,
        severity_badge=_severity_badge,
        level_badge=_level_badge,
        safeguard_badge=_safeguard_badge,
        cites=_cites,
        resource=_resource,
    )
    # A check "exercised" something when it has a result of any kind for any resource.
    env.tests["exercised"] = lambda results: any((results or {}).values())
    # ... and something to act on when any result fails, is waived or could not be evaluated.
    env.tests["unsettled"] = lambda results: any(
        (results or {}).get(s) for s in ("FAIL", "WAIVED", "NOT_EVALUATED")
    )
    return env


def _css_text(text: str) -> str:
    """Text safe inside a CSS string: letters, digits and a little punctuation, nothing else."""
    return "".join(c if c.isalnum() or c in " -_.:()" else "?" for c in text)[:80]


def _page_rules(paper: str, context: Mapping[str, Any]) -> str:
    """Printed pages: size, running header and footer with the id and page numbers."""
    source = context["source"]
    system = _css_text(f"{source.get('project', '')} {source.get('stack', '')}".strip())
    return (
        f"@page {{ size: {paper}; margin: 17mm 14mm 18mm;"
        f' @top-left {{ content: "HIPAA risk assessment - {system}"; }}'
        ' @top-right { content: "Confidential: contains no ePHI"; }'
        f' @bottom-left {{ content: "{_css_text(context["assessment_id"])}"; }}'
        ' @bottom-right { content: "Page " counter(page) " of " counter(pages); } }\n'
        "@page :first { @top-left { content: none; } @top-right { content: none; } }\n"
        "@page { @top-left { font: 8pt var(--sans); color: #6b7686; }"
        " @top-right { font: 8pt var(--sans); color: #8f1018; }"
        " @bottom-left { font: 8pt var(--sans); color: #6b7686; }"
        " @bottom-right { font: 8pt var(--sans); color: #6b7686; } }\n"
    )


def _csp_hash(text: str) -> str:
    digest = hashlib.sha256(text.encode()).digest()
    return "sha256-" + base64.b64encode(digest).decode()


def render_html(
    document: Mapping[str, Any], *, paper: str = "A4", pdf_scope: str | None = None
) -> str:
    """The report as one HTML page; `paper` ("A4" or "Letter") sets the printed page size.

    `pdf_scope` is None for the page read on screen (passing findings and the full inventory
    are collapsed appendices), or the scope of a page about to be printed: "failing" leaves
    them out, "full" prints them open.

    The page's Content-Security-Policy allows only its own inline style and script (by hash),
    so even a browser that would fetch something cannot.
    """
    if paper not in PAPER_SIZES:
        raise ValueError(f"paper must be one of {', '.join(PAPER_SIZES)}, not {paper!r}")
    if pdf_scope is not None and pdf_scope not in PDF_SCOPES:
        raise ValueError(f"pdf_scope must be one of {', '.join(PDF_SCOPES)}, not {pdf_scope!r}")
    context = {**report_context(document), "paper": paper, "pdf_scope": pdf_scope}
    styles = (TEMPLATES / "report.css").read_text(encoding="utf-8") + _page_rules(paper, context)
    script = (TEMPLATES / "report.js").read_text(encoding="utf-8")
    context.update(
        styles=Markup(styles),
        script=Markup(script),
        style_hash=_csp_hash(styles),
        script_hash=_csp_hash(script),
    )
    return with_cell_labels(_environment().get_template("report.html.j2").render(context))
