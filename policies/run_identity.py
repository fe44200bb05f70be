"""Who a run record is: its schema version, its SHA-256 and its assessment id.

A record is the assessment as plain JSON data (`policies.record`). These functions read any
record, this run's or a stored earlier one, so the trend can name both.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
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


def document_sha256(document: Mapping[str, Any]) -> str:
    """The SHA-256 every rendering carries: of the canonical JSON (sorted keys, no spaces)."""
    return hashlib.sha256(canonical_json(document)).hexdigest()


def assessment_id(document: Mapping[str, Any]) -> str:
    """The run's id: its own if it has one, else from its time and a hash of what it observed.

    Sections derived later (the risk register, the trend) are left out of that hash, so adding
    them does not change the id; the document SHA-256 is what pins the exact bytes.
    """
    if document.get("assessment_id"):
        return str(document["assessment_id"])
    stamp = "".join(c for c in str(document.get("generated_at", "")) if c.isalnum())
    observed = {k: v for k, v in document.items() if k not in DERIVED_KEYS}
    return f"SA-{stamp}-{hashlib.sha256(canonical_json(observed)).hexdigest()[:8]}"


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
