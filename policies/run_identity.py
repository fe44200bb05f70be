"""Who a run record is: its schema version, its SHA-256 and its assessment id.

A record is the assessment as plain JSON data (`policies.record`). These functions read any
record, this run's or a stored earlier one, so the trend can name both.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from checks.errors import InputError
from checks.inputfiles import load_json
from policies.run_shape import problem, shown

SCHEMA_VERSION = "1.0"
# Sections derived from the rest of the record: left out of the assessment id.
DERIVED_KEYS = frozenset({"risks", "trend", "proposal"})


def canonical_json(document: Mapping[str, Any]) -> bytes:
    return json.dumps(document, sort_keys=True, separators=(",", ":")).encode()


def _text(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def _pieces(value: Any, depth: int) -> Iterator[str]:
    """`value`'s canonical JSON in pieces whose concatenation is exactly `canonical_json`'s
    text: a section, and a list in it, is split into its members, so that a large run's
    findings are encoded one at a time rather than as one string (and one more as bytes)."""
    if depth and isinstance(value, dict) and all(isinstance(k, str) for k in value):
        yield "{"
        for i, key in enumerate(sorted(value)):
            yield f",{json.dumps(key)}:" if i else f"{json.dumps(key)}:"
            yield from _pieces(value[key], depth - 1)
        yield "}"
    elif depth and isinstance(value, (list, tuple)):
        yield "["
        for i, member in enumerate(value):  # a member (a finding, a resource) is one piece
            yield "," + _text(member) if i else _text(member)
        yield "]"
    else:
        yield _text(value)


def _digests(document: Mapping[str, Any]) -> tuple[str, str]:
    """The SHA-256 of the canonical JSON of `document` and of its observed part (without
    DERIVED_KEYS), in one pass: each section is encoded once, in pieces, fed to both hashes
    and dropped, so the whole canonical text is never held. The bytes hashed are exactly
    `canonical_json`'s (sorted keys, no spaces)."""
    if not all(isinstance(k, str) for k in document):  # json.dumps orders other keys its way
        observed = {k: v for k, v in document.items() if k not in DERIVED_KEYS}
        whole, part = canonical_json(document), canonical_json(observed)
        return hashlib.sha256(whole).hexdigest(), hashlib.sha256(part).hexdigest()
    feed = DigestFeed(document)
    for key in sorted(document):
        feed.section(key)
        for piece in _pieces(document[key], 2):
            feed.update(piece)
    return feed.digests()


# Documents held unchanged for a while (`digest_pinned`), by id: the document and its digests.
_PINNED: dict[int, list[Any]] = {}


@contextlib.contextmanager
def digest_pinned(document: Mapping[str, Any]) -> Iterator[None]:
    """While the block runs, `document` is not changed: its digests are computed at most once,
    however many renderings and the run history ask for them (a large run's canonical JSON is
    tens of megabytes)."""
    key = id(document)
    _PINNED[key] = [document, None]
    try:
        yield
    finally:
        _PINNED.pop(key, None)


class DigestFeed:
    """The two digests of a document (`_digests`), fed its canonical JSON section by section:
    by `_digests` itself, or by a renderer that encodes every member anyway
    (`reports.json_render.write_json`), so that a large pinned run is encoded once for its file
    and its digests, not once for each."""

    def __init__(self, document: Mapping[str, Any]) -> None:
        self.document = document
        self.whole, self.part = hashlib.sha256(b"{"), hashlib.sha256(b"{")
        self.first_whole = self.first_part = True
        self.observed = True  # whether the current section is part of the observed digest
        self.exact = True

    def section(self, key: str) -> None:
        """Begin the top-level section `key` (sections come in sorted order)."""
        head = f"{json.dumps(key)}:".encode()
        self.whole.update(head if self.first_whole else b"," + head)
        self.first_whole = False
        self.observed = key not in DERIVED_KEYS
        if self.observed:
            self.part.update(head if self.first_part else b"," + head)
            self.first_part = False

    def update(self, canonical: str | None) -> None:
        """The next piece of the current section's canonical JSON; None when the renderer
        cannot vouch for it (the digests are then computed the usual way)."""
        if canonical is None:
            self.exact = False
            return
        data = canonical.encode()
        self.whole.update(data)
        if self.observed:
            self.part.update(data)

    def digests(self) -> tuple[str, str]:
        """The whole document's SHA-256 and its observed part's, once every section is fed."""
        whole, part = self.whole.copy(), self.part.copy()
        whole.update(b"}")
        part.update(b"}")
        return whole.hexdigest(), part.hexdigest()

    def finish(self) -> None:
        """Keep the digests for the pinned document (nothing when it is not pinned)."""
        pinned = _PINNED.get(id(self.document))
        if self.exact and pinned is not None and pinned[0] is self.document:
            pinned[1] = self.digests()


def _digests_of(document: Mapping[str, Any]) -> tuple[str, str]:
    pinned = _PINNED.get(id(document))
    if pinned is None or pinned[0] is not document:
        return _digests(document)
    if pinned[1] is None:
        pinned[1] = _digests(document)
    return pinned[1]


def document_sha256(document: Mapping[str, Any]) -> str:
    """The SHA-256 every rendering carries: of the canonical JSON (sorted keys, no spaces)."""
    return _digests_of(document)[0]


def assessment_id(document: Mapping[str, Any]) -> str:
    """The run's id: its own if it has one, else from its time and a hash of what it observed.

    Sections derived later (the risk register, the trend) are left out of that hash, so adding
    them does not change the id; the document SHA-256 is what pins the exact bytes.
    """
    if document.get("assessment_id"):
        return str(document["assessment_id"])
    stamp = "".join(c for c in str(document.get("generated_at", "")) if c.isalnum())
    return f"SA-{stamp}-{_digests_of(document)[1][:8]}"


# The file a run folder keeps its record in.
RECORD_FILE = "safeguard-scan.json"


def load_run_document(path: Path) -> dict[str, Any]:
    """A stored run record (a run's JSON file, or the run folder holding it), read by the one
    loader and refused unless it has the shape every renderer reads (`policies.run_shape`)."""
    if path.is_dir():
        path = path / RECORD_FILE
    document, _ = load_json(path, what="a safeguard run document", noun="run document")
    if not isinstance(document, dict) or "schema_version" not in document:
        raise InputError(f"{path}: not a safeguard run document (no schema_version)")
    version = document["schema_version"]
    if str(version).split(".")[0] != SCHEMA_VERSION.split(".")[0]:
        if not (isinstance(version, str) and len(version) < 20 and version.isprintable()):
            version = shown(version)
        raise InputError(
            f"{path}: schema_version {version} is not supported "
            f"(this version reads {SCHEMA_VERSION.split('.')[0]}.x)"
        )
    wrong = problem(document)
    if wrong:
        raise InputError(f"{path}: not a safeguard run document: {wrong}")
    return document
