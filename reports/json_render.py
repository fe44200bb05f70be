"""The run document as JSON: sorted keys, the outline indented, one record per line.

Sections are indented for people; each element of a list (a finding, a resource, a risk) is one
compact line, so a diff of two runs shows one line per changed record, and the encoder can use
the standard library's fast C path for the bulk of a large run.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

_OUTLINE_DEPTH = 2  # mappings this deep or shallower are indented; deeper ones are compact


def _compact(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _encode(value: Any, depth: int) -> str:
    pad, inner = "  " * depth, "  " * (depth + 1)
    if isinstance(value, Mapping) and value and depth < _OUTLINE_DEPTH:
        items = [
            f"{inner}{json.dumps(str(k), ensure_ascii=False)}: {_encode(value[k], depth + 1)}"
            for k in sorted(value, key=str)
        ]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(value, (list, tuple)) and value:
        return "[\n" + ",\n".join(f"{inner}{_compact(v)}" for v in value) + "\n" + pad + "]"
    return _compact(value)


def render_json(document: Mapping[str, Any]) -> str:
    return _encode(document, 0) + "\n"
