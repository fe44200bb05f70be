"""The run document: the one record of a scan, from which every format is rendered.

It is plain JSON-able data with a `schema_version`. Everything in it is sorted, and the only
wall-clock value is `generated_at`, so the same input gives the same bytes.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Mapping
from typing import Any

from checks.evaluate import Evaluation, Finding
from checks.model import UNKNOWN, Resource, Secret
from checks.registry import Registry, Severity, Status

SCHEMA_VERSION = "1.0"
TOOL_NAME = "hipaa-safeguard"
TOOL_VERSION = "0.1.0"
STATUS_ORDER = (Status.FAIL, Status.NOT_EVALUATED, Status.PASS, Status.NOT_APPLICABLE)


def plain(value: Any) -> Any:
    """Model values as JSON: secrets stay hidden, unknowns say so."""
    if isinstance(value, Secret):
        return "[secret]"
    if value is UNKNOWN:
        return "(unknown until deployed)"
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [plain(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def library_version(registry: Registry) -> str:
    """A fingerprint of the checks' ids and metadata: it changes when the library does."""
    rows = [
        [c.id, c.severity.label, list(c.citations), c.config_rule, list(c.resource_types)]
        for c in registry
    ]
    return hashlib.sha256(json.dumps(rows).encode()).hexdigest()[:12]


def _resource_ref(res: Resource | None) -> dict[str, Any] | None:
    if res is None:
        return None
    return {
        "type": res.type,
        "name": res.name,
        "urn": res.urn,
        "id": res.id,
        "arn": res.arn,
        "region": res.region,
    }


def _finding(f: Finding) -> dict[str, Any]:
    return {
        "id": f.id,
        "check_id": f.check.id,
        "control": f.check.control,
        "title": f.check.title,
        "severity": f.check.severity.label,
        "status": f.status.value,
        "citations": list(f.check.citations),
        "config_rule": f.check.config_rule,
        "resource": _resource_ref(f.resource),
        "message": f.message,
        "evidence": plain(f.evidence),
        "remediation": f.check.remediation,
        "pulumi_fix": f.check.pulumi_fix,
    }


def _finding_order(f: Finding) -> tuple:
    return (
        STATUS_ORDER.index(f.status),
        -int(f.check.severity),
        f.check.id,
        f.resource.address if f.resource else "",
    )


def exit_code(evaluation: Evaluation, threshold: Severity) -> int:
    """0 clean, 1 failures at or above the threshold, 3 checks that could not be evaluated."""
    if any(f.status is Status.FAIL and f.severity >= threshold for f in evaluation.findings):
        return 1
    if any(f.status is Status.NOT_EVALUATED for f in evaluation.findings):
        return 3
    return 0


def build_document(
    evaluation: Evaluation,
    *,
    source: Mapping[str, Any],
    threshold: Severity,
    generated_at: str,
    graph: Mapping[str, int] | None = None,
) -> dict[str, Any]:
    findings = sorted(evaluation.findings, key=_finding_order)
    counts = Counter(f.status.value for f in findings)
    by_check: dict[str, Counter] = {}
    for f in findings:
        by_check.setdefault(f.check.id, Counter())[f.status.value] += 1
    code = exit_code(evaluation, threshold)
    blocking = sum(1 for f in findings if f.status is Status.FAIL and f.severity >= threshold)
    inventory = evaluation.inventory
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {
            "name": TOOL_NAME,
            "version": TOOL_VERSION,
            "check_library": library_version(evaluation.registry),
        },
        "generated_at": generated_at,
        "source": plain(source),
        "gate": {
            "fail_on": threshold.label,
            "exit_code": code,
            "blocking_failures": blocking,
        },
        "summary": {
            "resources": len(inventory),
            "checks": len(evaluation.registry),
            "findings": {s.value: counts.get(s.value, 0) for s in STATUS_ORDER},
        },
        "inventory": {
            "resources": len(inventory),
            "by_type": dict(sorted(Counter(r.type for r in inventory).items())),
            "not_covered_types": list(evaluation.uncovered_types),
            **{k: v for k, v in sorted((graph or {}).items())},
        },
        "checks": [
            {
                "id": c.id,
                "control": c.control,
                "title": c.title,
                "severity": c.severity.label,
                "citations": list(c.citations),
                "config_rule": c.config_rule,
                "resource_types": list(c.resource_types),
                "results": {
                    s.value: by_check.get(c.id, Counter()).get(s.value, 0) for s in STATUS_ORDER
                },
            }
            for c in evaluation.registry
        ],
        "findings": [_finding(f) for f in findings],
    }
