"""The run record: an assessment as plain JSON data, from which every format is rendered.

It carries a `schema_version`. Everything in it is sorted, and the only wall-clock value is
`generated_at`, so the same input gives the same bytes. Values are rendered through
`checks.model.plain`: a secret is "[secret]", an unknown says so.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from checks.evaluate import Finding
from checks.model import EPHI_CLASSES, Resource, data_classification, plain
from checks.registry import STATUS_ORDER
from policies.assessment import Assessment
from policies.baseline import OPEN
from policies.data_holding import holds_data
from policies.limitations import limitations
from policies.proposal import proposal_section
from policies.redaction import redact, scrubber
from policies.risk import Risk
from policies.run_identity import SCHEMA_VERSION
from policies.safeguards import STATUS_MEANINGS, SafeguardStatus
from policies.totals import check_totals, classification_ask
from policies.version import TOOL_NAME, tool_version
from policies.waivers import reach, subjects_by_check

TOOL_VERSION = tool_version()


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
    return {
        **_resource_ref(res),
        "data_classification": raw,
        "ephi_role": role,
        "owner": owner,
        "holds_data": holds_data(res.type),
    }


def _finding(f: Finding, fix: Any = None) -> dict[str, Any]:
    row = {
        "id": f.id,
        "check_id": f.check.id,
        "control": f.check.control,
        "title": f.check.title,
        "severity": f.check.severity.label,
        "status": f.status.value,
        "citations": list(f.check.citations),
        "config_rule": f.check.config_rule,
        "resource": _resource_ref(f.resource),
        "scope": f.scope,
        "message": f.message,
        "evidence": plain(f.evidence),
        "remediation": f.check.remediation,
        "pulumi_fix": f.check.pulumi_fix,
        "waiver_id": f.waiver_id,
        # A peer tool's finding (checkov) names the tool; ours carry no such key.
        **({"tool": f.check.tool} if getattr(f.check, "tool", None) else {}),
    }
    if fix is not None:  # a program scan's suggested fix (policies.fixes)
        row["fix"] = fix.as_record()
    return row


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
        # Each linked check with the reason it evidences the specification, and whether it ran.
        "links": [
            {"id": x.check_id, "why": x.why, "ran": x.check_id not in sg.not_run}
            for x in spec.links
        ],
    }


def risk_record(risk: Risk) -> dict[str, Any]:
    finding, res = risk.finding, risk.finding.resource
    threat, consequence = risk.threat, risk.primary.consequence
    findings = risk.findings
    return {
        "risk_id": risk.risk_id,
        "title": risk.title,
        "finding_ids": [f.id for f in findings],
        "finding_status": finding.status.value,
        "check_id": finding.check.id,
        "check_ids": list(dict.fromkeys(f.check.id for f in findings)),
        "control": finding.check.control,
        "cfr_refs": list(dict.fromkeys(c for f in findings for c in f.check.citations)),
        "asset": {"type": res.type, "name": res.name, "urn": res.urn} if res else None,
        "ephi_role": risk.ephi_role,
        "threat_id": threat.id if threat else None,
        "threat_source": threat.source_label if threat else None,
        "threat_source_kind": threat.source if threat else None,
        "threat_event": threat.event if threat else None,
        "consequence": consequence.name,
        "cia_affected": consequence.cia,
        "vulnerability": "; ".join(dict.fromkeys(f.message for f in findings)),
        "vulnerabilities": [
            {
                "finding_id": r.finding.id,
                "check_id": r.finding.check.id,
                "status": r.finding.status.value,
                "problem": r.problem,
                "message": r.finding.message,
                "risk": r.level.label,
            }
            for r in risk.ratings
        ],
        "severity": max(f.severity for f in findings).label,
        "likelihood": risk.likelihood.label,
        "likelihood_rationale": risk.likelihood_rationale,
        "impact": risk.impact.label,
        "impact_rationale": risk.impact_rationale,
        "risk": risk.level.label,
        "rated_by": risk.rated_by,
        "rated_at": risk.rated_at,
        "treatment": "accept" if risk.status == "accepted" else None,
        "exception_ids": risk.exception_ids,
        "waiver_expires": risk.waiver_expires.isoformat() if risk.waiver_expires else None,
        "status": risk.status,
        "sla_days": risk.sla_days,
        "due_date": risk.due_date.isoformat(),
        "due_rationale": risk.due_rationale,
    }


def _mark_baseline(record: dict[str, Any], assessment: Assessment) -> None:
    """`--baseline`: each open finding new or existing, and the gate's count of the backlog
    it set aside. Closed findings (PASS, NOT_APPLICABLE) are neither: `baseline` is null."""
    gate = assessment.gate
    existing = gate.baseline.existing if gate.baseline else frozenset()
    counts: Counter[str] = Counter()
    for row in record["findings"]:
        state = None
        if row["status"] in OPEN:
            state = "existing" if row["id"] in existing else "new"
            counts[state] += 1
        row["baseline"] = state
    record["gate"]["baseline"] = {
        **plain(dict(gate.baseline.reference if gate.baseline else {})),
        "new": counts["new"],
        "existing": counts["existing"],
        "set_aside": len(gate.set_aside),
    }


def build_record(assessment: Assessment) -> dict[str, Any]:
    """The whole run record. Without the trend when the assessment has none (yet)."""
    evaluation, inputs, gate = assessment.evaluation, assessment.inputs, assessment.gate
    findings = sorted(assessment.findings, key=_finding_order)
    by_check: dict[str, Counter] = {}
    for f in findings:
        by_check.setdefault(f.check.id, Counter())[f.status.value] += 1
    waived: dict[str, list[str]] = {}
    for f in findings:
        if f.waiver_id:
            waived.setdefault(f.waiver_id, []).append(f.id)
    reopened: dict[str, list[str]] = {}
    for finding_id, waiver_id in gate.reopened:
        reopened.setdefault(waiver_id, []).append(finding_id)
    profile = gate.profile
    inventory = evaluation.inventory
    subjects = subjects_by_check(findings) if inputs.waivers else {}
    record = {
        "schema_version": SCHEMA_VERSION,
        "tool": {
            "name": TOOL_NAME,
            "version": TOOL_VERSION,
            "check_library": evaluation.registry.fingerprint,
        },
        "generated_at": assessment.generated_at,
        "source": plain(assessment.source),
        "gate": {
            "profile": profile.name,
            "fail_on": profile.fail_on.label,
            "not_evaluated_blocks": profile.not_evaluated_blocks,
            "mandatory_from": profile.mandatory_from.label,
            "exit_code": int(gate.exit_code),
            "blocking_failures": len(gate.blocking_failures),
            "blocking_not_evaluated": len(gate.blocking_unknowns),
            "reopened_by_expired_waivers": sorted(f for f, _ in gate.reopened),
        },
        "summary": {
            "resources": len(inventory),
            "checks": len(evaluation.registry),
            "findings": assessment.status_counts,
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
            **{k: v for k, v in sorted(assessment.graph.items())},
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
                **({"tool": c.tool} if getattr(c, "tool", None) else {}),
                "results": {
                    s.value: by_check.get(c.id, Counter()).get(s.value, 0) for s in STATUS_ORDER
                },
            }
            for c in evaluation.registry
        ],
        "findings": [_finding(f, assessment.fixes.get(f.id)) for f in findings],
        "waivers": [
            {
                **w.as_record(assessment.day),
                "covers_resources": reach(w, subjects),
                "covers_findings": sorted(waived.get(w.id, [])),
                "reopened_findings": sorted(reopened.get(w.id, [])),
            }
            for w in sorted(inputs.waivers, key=lambda w: w.id)
        ],
        "framework": {
            "version": inputs.framework.version,
            "rule": inputs.framework_rule,
            "attestations_file": inputs.attestations.source,
            "status_counts": dict(
                sorted(Counter(sg.status for sg in assessment.safeguards).items())
            ),
            "statuses": [{"status": s, "meaning": m} for s, m in STATUS_MEANINGS.items()],
        },
        "safeguards": [_safeguard(sg) for sg in assessment.safeguards],
        "risks": [risk_record(r) for r in assessment.risks],
        # The data-holding assets and the ePHI network map (policies/asset_map.py).
        "asset_map": plain(dict(assessment.asset_map)),
    }
    if gate.baseline is not None:
        _mark_baseline(record, assessment)
    record["summary"].update(check_totals(record))
    record["inventory"]["classification"] = classification_ask(record["inventory"]["items"])
    record["limitations"] = limitations(inputs.framework, record["source"].get("kind"))
    # What the January 2025 proposal would require, from the statuses and results above.
    record["proposal"] = proposal_section(
        inputs.framework_rule,
        record["safeguards"],
        record["checks"],
        str(record["source"].get("kind", "")),
    )
    if inputs.data_scope is not None:
        record["data_scope"] = inputs.data_scope.as_record(assessment.day)
    if assessment.trend is not None:
        record["trend"] = dict(assessment.trend)
    return redact(record, scrubber(evaluation.inventory, assessment.secrets))
