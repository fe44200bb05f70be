"""What the run history stores of a run, as values: its scope, its inventory digest, the
run document checked on the way out, and the rows `safeguard history` lists
(`policies.history` is the database that holds them)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from checks.errors import InputError
from policies.inputs import PreviousRun
from policies.run_identity import SCHEMA_VERSION
from policies.run_shape import problem


def scope_of(source: Mapping[str, Any]) -> str:
    """A run's scope as one string: `KIND:PROJECT/STACK`, the three keys the trend requires to
    match (`policies.trend.scope`). For a live audit the project is the account ids and the
    stack the regions (`aws:111111111111/us-east-1`), its `aws:` prefix said once."""
    kind = str(source.get("kind") or "")
    project = str(source.get("project") or "")
    if project.startswith(kind + ":"):
        project = project[len(kind) + 1 :]
    return f"{kind}:{project}/{source.get('stack') or ''}"


def address(item: Mapping[str, Any]) -> str:
    """A resource's address in the record: its URN, else ARN, else cloud id, else name."""
    for key in ("urn", "arn", "id", "name"):
        if item.get(key):
            return str(item[key])
    return ""


def inventory_digest(document: Mapping[str, Any]) -> str:
    """SHA-256 of the record's inventory as a set of resources: one line per item of
    `inventory.items`, "<type> <address>" (the address its URN, else ARN, else cloud id, else
    name), the lines sorted and joined by newlines, UTF-8. Equal digests: the same resources."""
    items = (document.get("inventory") or {}).get("items") or []
    lines = sorted(f"{item.get('type')} {address(item)}" for item in items)
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def parse_document(text: str, where: str) -> dict[str, Any]:
    """A stored run document, refused (naming `where`) unless it has a run document's shape."""
    try:
        document = json.loads(text)
    except ValueError as exc:
        raise InputError(f"{where}: the stored run document is not JSON ({exc})") from None
    if not isinstance(document, dict) or "schema_version" not in document:
        raise InputError(f"{where}: not a safeguard run document (no schema_version)")
    if str(document["schema_version"]).split(".")[0] != SCHEMA_VERSION.split(".")[0]:
        raise InputError(
            f"{where}: schema_version {str(document['schema_version'])[:20]} is not supported "
            f"(this version reads {SCHEMA_VERSION.split('.')[0]}.x)"
        )
    if wrong := problem(document):
        raise InputError(f"{where}: not a safeguard run document: {wrong}")
    return document


@dataclass(frozen=True)
class RunSummary:
    """One recorded run, as `safeguard history` lists it."""

    run_id: str
    assessment_id: str
    scope: str
    command: str
    generated_at: str
    recorded_at: str
    exit_code: int
    document_sha256: str
    inventory_sha256: str
    resources: int
    counts: Mapping[str, int]

    def as_record(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "assessment_id": self.assessment_id,
            "scope": self.scope,
            "command": self.command,
            "generated_at": self.generated_at,
            "recorded_at": self.recorded_at,
            "exit_code": self.exit_code,
            "document_sha256": self.document_sha256,
            "inventory_sha256": self.inventory_sha256,
            "resources": self.resources,
            "counts": dict(self.counts),
        }


@dataclass(frozen=True)
class StoredRun:
    """A recorded run with everything stored of it."""

    summary: RunSummary
    document_text: str
    findings: tuple[tuple[str, str, str, str | None, str | None], ...]
    artifacts: tuple[tuple[str, str, int], ...]
    where: str  # "<database>#<run id>", for messages

    def document(self) -> dict[str, Any]:
        return parse_document(self.document_text, self.where)

    def as_previous(self) -> PreviousRun:
        """This run as the earlier run a trend compares with."""
        return PreviousRun(Path(self.where), self.document())
