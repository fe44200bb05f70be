"""The output formats, by the name `--format` takes. Adding a format touches only this file.

Text formats render the run document to a string; a printed format (PDF) writes its file from
the HTML rendering of the same document.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from policies.run_identity import RECORD_FILE
from reports.csv_render import render_csv
from reports.html import render_html
from reports.json_render import render_json
from reports.junit import render_junit
from reports.markdown import render_markdown
from reports.ocsf import render_ocsf
from reports.sarif import render_sarif


@dataclass(frozen=True)
class Renderer:
    name: str
    filename: str
    render: Callable[[Mapping[str, Any]], str] | None = None
    write: Callable[[Mapping[str, Any], Path], None] | None = None  # formats that are files


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
        Renderer("json", RECORD_FILE, render_json),
        Renderer("md", "safeguard-scan.md", render_markdown),
        Renderer("html", "safeguard-report.html", lambda doc: render_html(doc, paper=paper)),
        Renderer(
            "pdf",
            "safeguard-report.pdf",
            write=lambda doc, p: _write_pdf(doc, p, paper, pdf_scope),
        ),
        Renderer("sarif", "safeguard-scan.sarif", render_sarif),
        Renderer("junit", "safeguard-scan.junit.xml", render_junit),
        Renderer("ocsf", "safeguard-scan.ocsf.jsonl", render_ocsf),
        Renderer("csv", "safeguard-findings.csv", render_csv),
    ]
    return {r.name: r for r in renderers}
