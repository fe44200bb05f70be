"""The run document as JSON: sorted keys, two-space indent, a final newline."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any


def render_json(document: Mapping[str, Any]) -> str:
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
