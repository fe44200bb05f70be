"""The run document as JSON: sorted keys, the outline indented, one record per line.

Sections are indented for people; each element of a list (a finding, a resource, a risk) is one
compact line, so a diff of two runs shows one line per changed record, and the encoder can use
the standard library's fast C path for the bulk of a large run.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from policies.run_identity import DigestFeed

_OUTLINE_DEPTH = 2  # mappings this deep or shallower are indented; deeper ones are compact


def _compact(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _canonical(piece: str, value: Any) -> str:
    """`value` as `policies.run_identity.canonical_json` encodes it (ASCII only), given its
    compact encoding `piece`: the same text when that holds only printable ASCII."""
    if piece.isascii() and "\x7f" not in piece:  # the only ASCII the two encode differently
        return piece
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def _pairs(value: Any, depth: int) -> Iterator[tuple[str, str | None]]:
    """The rendering in pieces, each with the same piece of the canonical JSON (None where
    that would differ in more than spacing: a non-string key in the outline)."""
    pad, inner = "  " * depth, "  " * (depth + 1)
    if isinstance(value, Mapping) and value and depth < _OUTLINE_DEPTH:
        exact = type(value) is dict and all(isinstance(k, str) for k in value)
        yield "{\n", "{" if exact else None
        for i, k in enumerate(sorted(value, key=str)):
            head = f"{',' if i else ''}{json.dumps(k)}:" if exact else None
            sep = f",\n{inner}" if i else inner
            yield f"{sep}{json.dumps(str(k), ensure_ascii=False)}: ", head
            yield from _pairs(value[k], depth + 1)
        yield "\n" + pad + "}", "}"
    elif isinstance(value, (list, tuple)) and value:
        yield "[\n", "["
        for i, v in enumerate(value):
            piece = _compact(v)
            canonical = _canonical(piece, v)
            yield (f",\n{inner}" if i else inner) + piece, f",{canonical}" if i else canonical
        yield "\n" + pad + "]", "]"
    else:
        piece = _compact(value)
        yield piece, _canonical(piece, value)


def render_json(document: Mapping[str, Any]) -> str:
    return "".join(rendered for rendered, _ in _pairs(document, 0)) + "\n"


def write_json(document: Mapping[str, Any], path: Path) -> None:
    """`render_json`'s text, written as it is rendered: a large run's text (tens of megabytes)
    is never held whole. Through a temporary file, so a failed run leaves no half record.

    Every member is encoded here anyway, so the document's digests (the run's SHA-256 and
    assessment id, `policies.run_identity`) are fed from the same encoding, section by section,
    when the document is pinned for this run."""
    feed = DigestFeed(document)
    sections = isinstance(document, dict) and document and all(isinstance(k, str) for k in document)
    tmp = path.with_name(path.name + ".tmp")
    try:
        with tmp.open("w", encoding="utf-8") as out:
            if sections:
                out.write("{\n")
                for i, key in enumerate(sorted(document)):
                    out.write((",\n  " if i else "  ") + f"{json.dumps(key, ensure_ascii=False)}: ")
                    feed.section(key)
                    for rendered, canonical in _pairs(document[key], 1):
                        out.write(rendered)
                        feed.update(canonical)
                out.write("\n}")
                feed.finish()
            else:
                out.writelines(rendered for rendered, _ in _pairs(document, 0))
            out.write("\n")
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
