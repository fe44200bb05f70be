"""The output formats, by the name `--format` takes. Adding a format touches only this file."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from reports.json_render import render_json
from reports.markdown import render_markdown


@dataclass(frozen=True)
class Renderer:
    name: str
    filename: str
    render: Callable[[Mapping[str, Any]], str]


def build_renderers() -> dict[str, Renderer]:
    renderers = [
        Renderer("json", "safeguard-scan.json", render_json),
        Renderer("md", "safeguard-scan.md", render_markdown),
    ]
    return {r.name: r for r in renderers}
