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

from checks.evaluate import Finding
from checks.model import EPHI_CLASSES, UNKNOWN, Resource, Secret, data_classification
from checks.registry import Registry, Status
from policies.assessment import Assessment, SafeguardStatus

SCHEMA_VERSION = "1.0"
TOOL_NAME = "hipaa-safeguard"
TOOL_VERSION = "0.1.0"
STATUS_ORDER = (
    Status.FAIL,
    Status.NOT_EVALUATED,
    Status.WAIVED,
    Status.PASS,
    Status.NOT_APPLICABLE,
)


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
    ref = {
        "type": res.type,
        "name": res.name,
        "urn": res.urn,
        "id": res.id,
        "arn": res.arn,
        "region": res.region,
    }
    if res.position:
        ref["source"] = {"file": res.position.get("file"), "line": res.position.get("line")}
    return ref


def _inventory_row(res: Resource) -> dict[str, Any]:
    """What the report may say about a resource: identity and classification, no other props."""
    tags = res.tags
    raw = data_classification(res)
    role = "unknown" if raw is None else "ephi" if raw.strip().lower() in EPHI_CLASSES else "none"
    owner = tags.get("owner") if isinstance(tags.get("owner"), str) else None
    return {**_resource_ref(res), "data_classification": raw, "ephi_role": role, "owner": owner}


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
        "waiver_id": f.waiver_id,
    }


def _finding_order(f: Finding) -> tuple:
    return (
        STATUS_ORDER.index(f.status),
        -int(f.check.severity),
        f.check.id,
        f.resource.address if f.resource else "",
    )


def _safeguard(sg: SafeguardStatus) -> dict[str, Any]:
    spec = sg.spec
    return {
        "citation": spec.citation,
        "safeguard": spec.safeguard,
        "standard": spec.standard,
        "title": spec.title,
        "kind": spec.kind,
        "requirement": spec.requirement,
        "evidence_sources": list(spec.evidence),
        "status": sg.status,
        "reason": sg.reason,
        "checks": list(sg.checks),
        "results": sg.results,
        "attestation": sg.attestation,
        "decision": sg.decision,
    }


def build_document(
    assessment: Assessment,
    *,
    source: Mapping[str, Any],
    generated_at: str,
    graph: Mapping[str, int] | None = None,
) -> dict[str, Any]:
    evaluation = assessment.evaluation
    findings = sorted(assessment.findings, key=_finding_order)
    counts = Counter(f.status.value for f in findings)
    by_check: dict[str, Counter] = {}
    for f in findings:
        by_check.setdefault(f.check.id, Counter())[f.status.value] += 1
    waived: dict[str, list[str]] = {}
    for f in findings:
        if f.waiver_id:
            waived.setdefault(f.waiver_id, []).append(f.id)
    reopened: dict[str, list[str]] = {}
    for finding_id, waiver_id in assessment.reopened:
        reopened.setdefault(waiver_id, []).append(finding_id)
    profile = assessment.profile
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
            "profile": profile.name,
            "fail_on": profile.fail_on.label,
            "not_evaluated_blocks": profile.not_evaluated_blocks,
            "mandatory_from": profile.mandatory_from.label,
            "exit_code": assessment.exit_code,
            "blocking_failures": len(assessment.blocking_failures),
            "blocking_not_evaluated": len(assessment.blocking_unknowns),
            "reopened_by_expired_waivers": sorted(f for f, _ in assessment.reopened),
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
            "ephi_roles": dict(
                sorted(Counter(_inventory_row(r)["ephi_role"] for r in inventory).items())
            ),
            "items": sorted(
                (_inventory_row(r) for r in inventory),
                key=lambda r: (r["type"], r["urn"] or r["name"]),
            ),
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
        "waivers": [
            {
                **w.as_record(assessment.day),
                "covers_findings": sorted(waived.get(w.id, [])),
                "reopened_findings": sorted(reopened.get(w.id, [])),
            }
            for w in sorted(assessment.waivers, key=lambda w: w.id)
        ],
        "framework": {
            "version": assessment.framework_version,
            "attestations_file": assessment.attestations.source,
            "status_counts": dict(
                sorted(Counter(sg.status for sg in assessment.safeguards).items())
            ),
        },
        "safeguards": [_safeguard(sg) for sg in assessment.safeguards],
    }
