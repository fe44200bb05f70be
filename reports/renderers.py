"""The output formats, by the name `--format` takes. Adding a format touches only this file."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from reports.csv_render import render_csv
from reports.json_render import render_json
from reports.junit import render_junit
from reports.markdown import render_markdown
from reports.ocsf import render_ocsf
from reports.sarif import render_sarif


@dataclass(frozen=True)
class Renderer:
    name: str
    filename: str
    render: Callable[[Mapping[str, Any]], str]


def build_renderers() -> dict[str, Renderer]:
    renderers = [
        Renderer("json", "safeguard-scan.json", render_json),
        Renderer("md", "safeguard-scan.md", render_markdown),
        Renderer("sarif", "safeguard-scan.sarif", render_sarif),
        Renderer("junit", "safeguard-scan.junit.xml", render_junit),
        Renderer("ocsf", "safeguard-scan.ocsf.jsonl", render_ocsf),
        Renderer("csv", "safeguard-findings.csv", render_csv),
    ]
    return {r.name: r for r in renderers}
