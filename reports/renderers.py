"""The output formats, by the name `--format` takes. Adding a format touches only this file.

Text formats render the run document to a string; a printed format (PDF) writes its file from
the HTML rendering of the same document.
"""

from __future__ import annotations

import importlib
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from policies.run_identity import RECORD_FILE


@dataclass(frozen=True)
class Renderer:
    name: str
    filename: str
    render: Callable[[Mapping[str, Any]], str] | None = None
    write: Callable[[Mapping[str, Any], Path], None] | None = None  # formats that are files


def _late(module: str, name: str) -> Callable[..., str]:
    """A renderer's function, imported when it first renders: a run pays only for the formats
    it writes (the HTML report's templates and Jinja cost more to import than a small scan)."""

    def render(*args: Any, **kwargs: Any) -> str:
        return getattr(importlib.import_module(f"reports.{module}"), name)(*args, **kwargs)

    render.__qualname__ = render.__name__ = name
    return render


render_html = _late("html", "render_html")


def _write_pdf(document: Mapping[str, Any], path: Path, paper: str, scope: str) -> None:
    from reports.pdf import render_pdf

    with tempfile.TemporaryDirectory(prefix="safeguard-pdf-") as tmp:
        html = Path(tmp) / "report.html"
        html.write_text(render_html(document, paper=paper, pdf_scope=scope), encoding="utf-8")
        render_pdf(html, path, moment=document.get("generated_at"))


def build_renderers(paper: str = "A4", pdf_scope: str = "failing") -> dict[str, Renderer]:
    """Every format; `pdf_scope` ("failing" or "full") says whether the PDF prints the passing
    results and the full inventory (reports.html.PDF_SCOPES)."""
    renderers = [
        Renderer(
            "json",
            RECORD_FILE,
            _late("json_render", "render_json"),
            write=_late("json_render", "write_json"),
        ),
        Renderer("md", "safeguard-scan.md", _late("markdown", "render_markdown")),
        Renderer("html", "safeguard-report.html", lambda doc: render_html(doc, paper=paper)),
        Renderer(
            "pdf",
            "safeguard-report.pdf",
            write=lambda doc, p: _write_pdf(doc, p, paper, pdf_scope),
        ),
        Renderer("sarif", "safeguard-scan.sarif", _late("sarif", "render_sarif")),
        Renderer("junit", "safeguard-scan.junit.xml", _late("junit", "render_junit")),
        Renderer("ocsf", "safeguard-scan.ocsf.jsonl", _late("ocsf", "render_ocsf")),
        Renderer("csv", "safeguard-findings.csv", _late("csv_render", "render_csv")),
    ]
    return {r.name: r for r in renderers}
