"""Read-only accessors over the run document's finding records, shared by the machine formats.

A finding record is the dict `policies.record` writes. These helpers only read what is there:
a format built on them cannot print a field the document does not carry.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

FAIL = "FAIL"
PASS = "PASS"
NOT_EVALUATED = "NOT_EVALUATED"
NOT_APPLICABLE = "NOT_APPLICABLE"
WAIVED = "WAIVED"


def waiver_id(finding: Mapping[str, Any]) -> str | None:
    """The id of the waiver covering a finding (status WAIVED), if any."""
    return str(finding["waiver_id"]) if finding.get("waiver_id") else None


def waivers_by_id(document: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    """The document's waiver records, by waiver id."""
    records = document.get("waivers") or ()
    return {str(w["id"]): w for w in records if isinstance(w, Mapping) and w.get("id")}


def waiver_justification(
    finding: Mapping[str, Any], waivers: Mapping[str, Mapping[str, Any]]
) -> str | None:
    """The justification of the waiver covering a finding, when the document carries it."""
    record = waivers.get(waiver_id(finding) or "")
    return str(record["justification"]) if record and record.get("justification") else None


def resource_uid(ref: Mapping[str, Any] | None) -> str | None:
    """The most specific identifier the document has for a resource: ARN, URN, then cloud id."""
    if not ref:
        return None
    for key in ("arn", "urn", "id"):
        if ref.get(key):
            return str(ref[key])
    return None


def resource_label(ref: Mapping[str, Any] | None) -> str:
    """A resource's logical name, or "account" for an account-level finding."""
    if not ref:
        return "account"
    return str(ref.get("name") or ref.get("urn") or ref.get("id") or "unnamed")


def source_position(ref: Mapping[str, Any] | None) -> tuple[str, int | None] | None:
    """`(relative path, line)` when a program source recorded where the resource is declared.

    Only a relative path inside the repository is accepted; an absolute path or one that climbs
    out with `..` is ignored rather than published.
    """
    if not ref or not isinstance(ref.get("source"), Mapping):
        return None
    path = relative_path(ref["source"].get("file"))
    if path is None:
        return None
    line = ref["source"].get("line")
    if not isinstance(line, int) or isinstance(line, bool) or line < 1:
        line = None
    return path, line


def relative_path(path: Any) -> str | None:
    """`path` as a relative POSIX path inside the repository, or None (absolute, climbing out
    with `..`, or holding a control character): never published."""
    if not isinstance(path, str) or not path or any(ord(c) < 32 for c in path):
        return None
    posix = path.replace("\\", "/")
    absolute = posix.startswith("/") or (len(posix) > 1 and posix[1] == ":")
    if absolute or ".." in posix.split("/"):
        return None
    return posix
