"""This assessment against the previous one of the same scope (report_spec.md §3.10).

Findings are matched by id (a hash of check and resource, stable across runs). Only FAIL is
open: a finding is *new* when it fails now and did not before, *persisting* when it fails in
both. A failure that stopped is *fixed* when its resource is still there and the check now
passes (or no longer applies to it), and *removed* when the resource is gone: deleting a
resource fixes nothing. Together they are what was resolved. Two more cases are kept apart
because nothing was fixed: a failure now covered by a waiver (*accepted*) and one that can no
longer be evaluated (*unverified*: unknown is never a pass; this includes a resource still in
the inventory that the check no longer judges). A failure under a
check the previous run's library did not have is a *new check* finding, not a regression. A
*regressed* finding was resolved in an earlier assessment and fails again; the documents carry
the ids resolved so far (`resolved_earlier`) so a chain of runs can tell.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from policies.run_identity import SCHEMA_VERSION, assessment_id, document_sha256

FAIL, WAIVED, NOT_EVALUATED = "FAIL", "WAIVED", "NOT_EVALUATED"
SCOPE_KEYS = ("kind", "project", "stack")
CATEGORIES = (
    "new",
    "regressed",
    "new_check",
    "persisting",
    "fixed",
    "removed",
    "accepted",
    "unverified",
)
RESOLVED = ("fixed", "removed")
HISTORY_LIMIT = 12
_SEVERITY_RANK = {"critical": 0, "high": 1, "medium": 2, "low": 3, "info": 4}


def _version(text: Any) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in str(text).split("."))
    except ValueError:
        raise ValueError(f"schema_version {text!r} is not a version number") from None


def _check_schema(document: Mapping[str, Any], which: str) -> None:
    version = document.get("schema_version")
    if version is None:
        raise ValueError(f"the {which} document has no schema_version: not a run document")
    if _version(version) > _version(SCHEMA_VERSION):
        raise ValueError(
            f"the {which} document has schema_version {version}, newer than this tool reads "
            f"({SCHEMA_VERSION}): compare it with a newer hipaa-safeguard"
        )


def scope(document: Mapping[str, Any]) -> dict[str, Any]:
    """What must match for two assessments to be comparable: source kind, project, stack."""
    source = document.get("source") or {}
    return {key: source.get(key) for key in SCOPE_KEYS}


def check_comparable(current: Mapping[str, Any], previous: Mapping[str, Any]) -> None:
    """Raise ValueError, saying why, unless `previous` is an earlier run of the same scope."""
    _check_schema(current, "current")
    _check_schema(previous, "previous")
    now, before = scope(current), scope(previous)
    if now != before:
        diffs = ", ".join(
            f"{key} {before[key]!r} (previous) vs {now[key]!r} (current)"
            for key in SCOPE_KEYS
            if now[key] != before[key]
        )
        raise ValueError(f"the previous document is of a different scope: {diffs}")
    if str(previous.get("generated_at", "")) > str(current.get("generated_at", "")):
        raise ValueError(
            f"the previous document ({previous.get('generated_at')}) is newer than the current "
            f"one ({current.get('generated_at')})"
        )


def identity(document: Mapping[str, Any], *, final: bool = True) -> dict[str, Any]:
    """Who a run is. Only a final document (not one still being built) has a fixed SHA-256."""
    tool = document.get("tool") or {}
    out = {
        "assessment_id": assessment_id(document),
        "generated_at": document.get("generated_at"),
        "check_library": tool.get("check_library"),
        "framework_version": (document.get("framework") or {}).get("version"),
    }
    if final:
        out["sha256"] = document_sha256(document)
    return out


def history_point(document: Mapping[str, Any]) -> dict[str, Any]:
    """One run for the trend chart: its finding counts by status (and risk levels if rated)."""
    point = {
        "assessment_id": assessment_id(document),
        "generated_at": document.get("generated_at"),
        "counts": dict((document.get("summary") or {}).get("findings") or {}),
    }
    if isinstance(document.get("risks"), list):
        point["risk_levels"] = dict(
            sorted(Counter(r.get("risk") for r in document["risks"]).items())
        )
    return point


def history_points(documents: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The trend chart's points, oldest first; every document must be of the same scope."""
    for document in documents:
        _check_schema(document, "a history")
        if scope(document) != scope(documents[0]):
            raise ValueError(
                f"history documents are of different scopes: {scope(documents[0])} "
                f"vs {scope(document)}"
            )
    ordered = sorted(documents, key=lambda d: (str(d.get("generated_at", "")), assessment_id(d)))
    return [history_point(d) for d in ordered]


def _entry(finding: Mapping[str, Any], before: str | None, now: str | None) -> dict[str, Any]:
    resource = finding.get("resource") or {}
    return {
        "id": finding["id"],
        "check_id": finding["check_id"],
        "title": finding.get("title"),
        "severity": finding.get("severity"),
        "resource": resource.get("name"),
        "before": before,
        "now": now,
    }


def _classify(
    before: str | None,
    now: str | None,
    check_is_new: bool,
    resolved_earlier: bool,
    resource_present: bool = False,
) -> str | None:
    if now == FAIL:
        if before == FAIL:
            return "persisting"
        if resolved_earlier:
            return "regressed"
        return "new_check" if check_is_new else "new"
    if before != FAIL:
        return None
    if now is None:
        return "unverified" if resource_present else "removed"
    return {WAIVED: "accepted", NOT_EVALUATED: "unverified"}.get(now, "fixed")


def _resource_key(resource: Mapping[str, Any] | None) -> Any:
    return (resource or {}).get("urn") or (resource or {}).get("name")


def _finding_changes(
    current: Mapping[str, Any], previous: Mapping[str, Any]
) -> tuple[dict[str, list[dict[str, Any]]], list[str]]:
    before = {f["id"]: f for f in previous.get("findings", [])}
    now = {f["id"]: f for f in current.get("findings", [])}
    old_checks = {c["id"] for c in previous.get("checks", [])}
    present = {_resource_key(i) for i in (current.get("inventory") or {}).get("items") or []}
    prior = (previous.get("trend") or {}).get("resolved_earlier", [])
    earlier = set(prior) - {i for i, f in before.items() if f["status"] == FAIL}
    out: dict[str, list[dict[str, Any]]] = {key: [] for key in CATEGORIES}
    for fid in sorted(before.keys() | now.keys()):
        b, n = before.get(fid), now.get(fid)
        finding = n or b
        category = _classify(
            b["status"] if b else None,
            n["status"] if n else None,
            finding["check_id"] not in old_checks,
            fid in earlier,
            _resource_key(finding.get("resource")) in present - {None},
        )
        if category:
            out[category].append(_entry(finding, b and b["status"], n and n["status"]))
    for entries in out.values():
        entries.sort(key=lambda e: (_SEVERITY_RANK.get(e["severity"], 9), e["check_id"], e["id"]))
    failing_now = {i for i, f in now.items() if f["status"] == FAIL}
    resolved = (earlier | {e["id"] for key in RESOLVED for e in out[key]}) - failing_now
    return out, sorted(resolved)


def _safeguard_changes(
    current: Mapping[str, Any], previous: Mapping[str, Any]
) -> list[dict[str, Any]]:
    before = {s["citation"]: s for s in previous.get("safeguards", [])}
    now = {s["citation"]: s for s in current.get("safeguards", [])}
    changes = []
    for citation in [*now, *(c for c in before if c not in now)]:
        b, n = before.get(citation), now.get(citation)
        if (b or {}).get("status") != (n or {}).get("status"):
            changes.append(
                {
                    "citation": citation,
                    "title": (n or b)["title"],
                    "before": b and b["status"],
                    "now": n and n["status"],
                }
            )
    return changes


def _waiver_churn(current: Mapping[str, Any], previous: Mapping[str, Any]) -> dict[str, list[str]]:
    before = {w["id"]: w for w in previous.get("waivers", [])}
    now = {w["id"]: w for w in current.get("waivers", [])}
    both = sorted(before.keys() & now.keys())
    return {
        "created": sorted(now.keys() - before.keys()),
        "removed": sorted(before.keys() - now.keys()),
        "expired": [
            w for w in both if before[w]["status"] != "expired" and now[w]["status"] == "expired"
        ],
        "renewed": [w for w in both if str(now[w]["expires"]) > str(before[w]["expires"])],
    }


def _risk_changes(
    current: Mapping[str, Any], previous: Mapping[str, Any]
) -> list[dict[str, Any]] | None:
    if not isinstance(current.get("risks"), list) or not isinstance(previous.get("risks"), list):
        return None
    before = {r["risk_id"]: r for r in previous["risks"]}
    now = {r["risk_id"]: r for r in current["risks"]}
    changes = []
    for rid in sorted(before.keys() | now.keys()):
        b, n = before.get(rid), now.get(rid)
        if (b or {}).get("risk") != (n or {}).get("risk"):
            changes.append(
                {
                    "risk_id": rid,
                    "title": (n or b).get("title"),
                    "before": b and b.get("risk"),
                    "now": n and n.get("risk"),
                }
            )
    return changes


def trend(current_doc: Mapping[str, Any], previous_doc: Mapping[str, Any]) -> dict[str, Any]:
    """What changed since `previous_doc`, an earlier run document of the same scope.

    Raises ValueError if the documents are of different scopes (source kind, project, stack),
    if either has a schema_version newer than this tool reads, or if "previous" is the newer.
    """
    check_comparable(current_doc, previous_doc)
    findings, resolved_earlier = _finding_changes(current_doc, previous_doc)
    prior_history = (previous_doc.get("trend") or {}).get("history") or [
        history_point(previous_doc)
    ]
    point = history_point(current_doc)
    history = [p for p in prior_history if p.get("assessment_id") != point["assessment_id"]]
    before, now = identity(previous_doc), identity(current_doc, final=False)
    result: dict[str, Any] = {
        "previous": before,
        "current": now,
        "check_library_changed": before["check_library"] != now["check_library"],
        "framework_changed": before["framework_version"] != now["framework_version"],
        "counts": {
            **{key: len(findings[key]) for key in CATEGORIES},
            "resolved": sum(len(findings[key]) for key in RESOLVED),
        },
        "findings": findings,
        "resolved_earlier": resolved_earlier,
        "status_counts": {
            "previous": dict((previous_doc.get("summary") or {}).get("findings") or {}),
            "current": dict((current_doc.get("summary") or {}).get("findings") or {}),
        },
        "safeguards": _safeguard_changes(current_doc, previous_doc),
        "waivers": _waiver_churn(current_doc, previous_doc),
        "history": [*history, point][-HISTORY_LIMIT:],
    }
    risks = _risk_changes(current_doc, previous_doc)
    if risks is not None:
        result["risks"] = risks
    return result
