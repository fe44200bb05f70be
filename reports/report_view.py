"""What the risk-assessment report says, computed once from the run document.

The sections of report_spec.md §3.2 need more than the document lists: risk counts by level,
remediation items with due dates, coverage gaps, the inventory grouped by ePHI role. This module
derives them (and the document's identity: its hash and assessment id); `reports.html` lays
them out. Nothing here knows about HTML.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from policies.risk import DEFAULT_SLA_DAYS, TOOL_RATER
from policies.risk_scale import RISK_MATRIX, Level
from policies.run_identity import assessment_id, document_sha256
from reports.asset_view import asset_context
from reports.charts import (
    FAMILY_LABELS,
    LEVELS,
    SAFEGUARD_STATUSES,
    heatmap,
    level_of,
    safeguard_bars,
    trend_chart,
)
from reports.status_view import decided as is_decided
from reports.status_view import status_context

RETENTION_YEARS = 6  # 164.316(b)(2)(i): the minimum; an organisation may keep records longer
EXPIRING_DAYS = 30

STATUSES = ("FAIL", "NOT_EVALUATED", "WAIVED", "PASS", "NOT_APPLICABLE")
STATUS_LABELS = {
    "FAIL": "Fail",
    "NOT_EVALUATED": "Not evaluated",
    "WAIVED": "Waived",
    "PASS": "Pass",
    "NOT_APPLICABLE": "Not applicable",
}
SEVERITIES = ("critical", "high", "medium", "low", "info")
# Severity → risk level, only to date remediation of a finding that no risk entry rates.
_SEVERITY_LEVEL = {
    "critical": Level.VERY_HIGH,
    "high": Level.HIGH,
    "medium": Level.MODERATE,
    "low": Level.LOW,
    "info": Level.VERY_LOW,
}

ROLE_LABELS = {
    "ephi": ("Holds ePHI", "Tagged as storing, processing or transmitting ePHI."),
    "stores": ("Stores ePHI", "Databases, buckets and volumes holding ePHI."),
    "processes": ("Processes ePHI", "Compute that reads or changes ePHI."),
    "transmits": ("Transmits ePHI", "Network paths ePHI crosses."),
    "supports": ("Supports ePHI systems", "Logging, keys, identity: no ePHI of their own."),
    "internal": ("Internal data", "Classified as holding internal data, no ePHI."),
    "public": ("Public data", "Classified as holding data meant to be public."),
    "none": ("No ePHI", "Classified by tag as holding no ePHI."),
    "unknown": (
        "Unknown role: a scope risk",
        "No data-classification tag. Until a person classifies these resources they are "
        "treated as if they held ePHI; classify them (tag or ePHI-role mapping).",
    ),
}
ROLE_ORDER = ("ephi", "stores", "processes", "transmits", "supports", "internal", "public", "none")
SOURCE_KINDS = {
    "program": ("CI gate", "the Pulumi program run under mocks: intended state, nothing deployed"),
    "preview": ("Change-triggered", "a `pulumi preview --json` plan: the proposed change"),
    "state": ("Scheduled", "a `pulumi stack export` state file: what Pulumi last deployed"),
    "aws": ("Live audit", "the live AWS account, read through the AWS APIs"),
}


def readable(value: Any) -> str:
    """A vocabulary value as words: "not_assessed" → "Not assessed"."""
    return str(value).replace("_", " ").strip().capitalize() if value else ""


def _day(text: str) -> dt.date:
    return dt.date.fromisoformat(str(text)[:10])


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _risk_view(risk: Mapping[str, Any]) -> dict[str, Any]:
    likelihood = level_of(risk.get("likelihood") or risk.get("likelihood_inherent"))
    impact = level_of(risk.get("impact") or risk.get("impact_inherent"))
    level = level_of(risk.get("risk") or risk.get("risk_inherent"))
    if level is None and likelihood is not None and impact is not None:
        level = RISK_MATRIX[likelihood][impact]
    return {
        "title": risk.get("risk_id", ""),
        **risk,
        "_likelihood": likelihood,
        "_impact": impact,
        "_level": level,
        "_residual": level_of(risk.get("risk_residual")),
        # What the risk rests on: one line per finding (an older record has only the text).
        "_vulnerabilities": risk.get("vulnerabilities")
        or [{"problem": None, "message": risk.get("vulnerability", "")}],
    }


def _remediation(
    findings: Sequence[Mapping[str, Any]], risks: Sequence[Mapping[str, Any]], generated: dt.date
) -> list[dict[str, Any]]:
    """One item per check that fails or is waived: its fix, the resources, the highest level
    and the earliest due date of its risks (an accepted risk falls due when its waiver expires,
    if that comes first). Ordered by risk level, then due date."""
    risk_by_finding = {fid: r for r in risks for fid in r.get("finding_ids", [])}
    problems = {
        v.get("finding_id"): v.get("problem")
        for r in risks
        for v in r.get("vulnerabilities") or []
        if v.get("problem")
    }
    items: dict[str, dict[str, Any]] = {}
    for f in findings:
        if f["status"] not in ("FAIL", "WAIVED"):
            continue
        item = items.setdefault(
            f["check_id"],
            {"finding": f, "findings": [], "risks": [], "levels": [], "dues": [], "owners": set()},
        )
        item["findings"].append(f)
        risk = risk_by_finding.get(f["id"])
        level = risk["_level"] if risk else None
        if risk:
            if risk not in item["risks"]:
                item["risks"].append(risk)
            if risk.get("owner"):
                item["owners"].add(str(risk["owner"]))
        if level is None:
            level = _SEVERITY_LEVEL.get(f["severity"], Level.MODERATE)
        item["levels"].append(level)
        due = risk.get("due_date") if risk else None
        item["dues"].append(
            str(due) if due else (generated + dt.timedelta(DEFAULT_SLA_DAYS[level])).isoformat()
        )
    out = []
    for check_id, item in items.items():
        found = item["findings"]
        accepted = all(x["status"] == "WAIVED" for x in found)
        expiries = sorted(
            str(r["waiver_expires"]) for r in item["risks"] if r.get("waiver_expires")
        )
        out.append(
            {
                "id": f"RM-{check_id}",
                "finding": item["finding"],
                "problem": problems.get(found[0]["id"]) or item["finding"]["title"],
                "count": len(found),
                "resources": [(x["resource"] or {}).get("name", "account") for x in found],
                "risk_ids": list(dict.fromkeys(r["risk_id"] for r in item["risks"])),
                "priority": max(item["levels"]),
                "due": min(item["dues"]),
                "owner": ", ".join(sorted(item["owners"])),
                "waivers": sorted({x["waiver_id"] for x in found if x.get("waiver_id")}),
                "waiver_expires": expiries[0] if expiries else None,
                "status": "accepted" if accepted else "planned",
            }
        )
    out.sort(key=lambda i: (-i["priority"], i["due"], i["id"]))
    return out


def _inventory_groups(items: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    roles = Counter(i.get("ephi_role") or "unknown" for i in items)
    order = [r for r in ROLE_ORDER if roles[r]]
    order += sorted(set(roles) - set(ROLE_ORDER) - {"unknown"})
    order += ["unknown"] if roles["unknown"] else []
    groups = []
    for role in order:
        label, about = ROLE_LABELS.get(role, (readable(role), ""))
        rows = [i for i in items if (i.get("ephi_role") or "unknown") == role]
        groups.append({"role": role, "label": label, "about": about, "rows": rows})
    return groups


def _safeguard_summary(safeguards: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    required = Counter(s["status"] for s in safeguards if s.get("requirement") == "required")
    addressable = [s for s in safeguards if s.get("requirement") == "addressable"]
    decided = sum(1 for s in addressable if is_decided(s))
    return {
        "required": required,
        "required_total": sum(required.values()),
        "addressable_total": len(addressable),
        "addressable_decided": decided,
    }


def _coverage(document: Mapping[str, Any]) -> dict[str, Any]:
    findings = document["findings"]
    safeguards = document["safeguards"]
    not_applicable: dict[str, list[Mapping[str, Any]]] = {}
    for f in findings:
        if f["status"] == "NOT_APPLICABLE":
            not_applicable.setdefault(f["check_id"], []).append(f)
    return {
        # What a live source could not read (access denied, a region not enabled, an operation
        # the endpoint does not implement), with the resource types it hides.
        "not_collected": list((document.get("source") or {}).get("not_collected") or []),
        # The account baseline a program scan left out, in one line (checks/scope.py).
        "scope_note": ((document.get("source") or {}).get("scope") or {}).get("note"),
        # What a program scan could not see (checks/sources/program_unseen.py): the insides of
        # multi-language components, apply callbacks left unrun by values only a deploy knows.
        "unseen": list((document.get("source") or {}).get("unseen") or []),
        "not_evaluated": [f for f in findings if f["status"] == "NOT_EVALUATED"],
        "not_applicable": sorted(not_applicable.items()),
        "unexercised": [c for c in document["checks"] if not any(c["results"].values())],
        "not_covered_types": document["inventory"].get("not_covered_types", []),
        "no_evidence": [s for s in safeguards if s["status"] == "not_assessed"],
        "unattested": [
            s
            for s in safeguards
            if "attestation" in s.get("evidence_sources", [])
            and not (s.get("attestation") or {}).get("current")
        ],
        "undecided": [
            s for s in safeguards if s.get("requirement") == "addressable" and not is_decided(s)
        ],
    }


_FINDING_DEFAULTS = {
    "control": "",
    "title": "",
    "severity": "info",
    "citations": [],
    "config_rule": None,
    "resource": None,
    "message": "",
    "evidence": {},
    "remediation": "",
    "pulumi_fix": "",
    "waiver_id": None,
}
_GATE_DEFAULTS = {
    "profile": "?",
    "fail_on": "?",
    "blocking_failures": 0,
    "blocking_not_evaluated": 0,
    "reopened_by_expired_waivers": [],
}


def _normalised(document: Mapping[str, Any]) -> dict[str, Any]:
    """The document with every section the report reads, empty where the document has none.

    `build_document` always writes them all; a hand-made or older document may not.
    """
    findings = [{**_FINDING_DEFAULTS, **f} for f in document.get("findings", [])]
    counts = Counter(f["status"] for f in findings)
    inventory = document.get("inventory") or {}
    items = inventory.get("items", [])
    framework = document.get("framework") or {}
    safeguards = document.get("safeguards", [])
    return {
        **document,
        "tool": {"name": "hipaa-safeguard", "version": "?", "check_library": "?"}
        | dict(document.get("tool") or {}),
        "source": dict(document.get("source") or {}),
        "gate": _GATE_DEFAULTS | dict(document.get("gate") or {}),
        "summary": {
            "resources": len(items),
            "checks": len(document.get("checks", [])),
            **(document.get("summary") or {}),
            "findings": {s: counts.get(s, 0) for s in STATUSES}
            | ((document.get("summary") or {}).get("findings") or {}),
        },
        "inventory": {
            "resources": len(items),
            "by_type": dict(sorted(Counter(i["type"] for i in items).items())),
            "not_covered_types": [],
            "ephi_roles": dict(sorted(Counter(i.get("ephi_role") for i in items).items())),
            **inventory,
            "items": items,
        },
        "checks": document.get("checks", []),
        "findings": findings,
        "waivers": document.get("waivers", []),
        "framework": {
            "version": "?",
            "attestations_file": None,
            "status_counts": dict(sorted(Counter(s["status"] for s in safeguards).items())),
            **framework,
        },
        "safeguards": safeguards,
    }


def report_context(original: Mapping[str, Any]) -> dict[str, Any]:
    """Everything the report shows, by name: the templates' context."""
    sha = document_sha256(original)
    document = _normalised(original)
    source = document["source"]
    generated = _day(document["generated_at"])
    risks = [_risk_view(r) for r in document.get("risks") or []]
    by_level = sorted(risks, key=lambda r: (-(r["_level"] or 0), str(r.get("due_date") or "")))
    level_counts = Counter(r["_level"] for r in risks if r["_level"] is not None)
    residual_counts = Counter(r["_residual"] for r in risks if r["_residual"] is not None)
    waivers = document.get("waivers", [])
    soon = generated + dt.timedelta(EXPIRING_DAYS)
    trend = document.get("trend") or None
    kind = source.get("kind", "")
    summary = _safeguard_summary(document["safeguards"])
    coverage = _coverage(document)
    unknown_items = [
        i for i in document["inventory"].get("items", []) if i.get("ephi_role") == "unknown"
    ]
    regions = sorted(
        {str(i["region"]) for i in document["inventory"].get("items", []) if i.get("region")}
    )
    return {
        "doc": document,
        "sha256": sha,
        "assessment_id": assessment_id(original),
        "source": source,
        # A live audit names accounts and regions, not a Pulumi project and stack.
        "live": kind == "aws",
        "accounts": ", ".join(map(str, source.get("accounts") or [])) or source.get("account"),
        "kind": SOURCE_KINDS.get(kind, (readable(kind) or "Ad hoc", f"source kind {kind!r}")),
        "regions": regions or ([source["region"]] if source.get("region") else []),
        "retain_until": _add_years(generated, RETENTION_YEARS).isoformat(),
        "counts": document["summary"]["findings"],
        "statuses": STATUSES,
        "status_labels": STATUS_LABELS,
        "severities": SEVERITIES,
        "severity_counts": Counter(f["severity"] for f in document["findings"]),
        "levels": LEVELS,
        "risks": risks,
        "risks_confirmed": sum(
            1 for r in risks if r.get("rated_by") and r["rated_by"] != TOOL_RATER
        ),
        "raters": sorted({str(r["rated_by"]) for r in risks if r.get("rated_by")}),
        "level_counts": level_counts,
        "residual_counts": residual_counts,
        "top_risks": [r for r in by_level if r.get("status") not in ("closed", "mitigated")][:5],
        "high_risks": sum(level_counts[lv] for lv in (Level.HIGH, Level.VERY_HIGH)),
        "heatmap": heatmap([(r["_likelihood"], r["_impact"]) for r in risks]),
        "matrix": [(lv, [RISK_MATRIX[lv][i] for i in sorted(Level)]) for lv in LEVELS],
        "sla": sorted(DEFAULT_SLA_DAYS.items(), reverse=True),
        "safeguard_summary": summary,
        "safeguard_chart": safeguard_bars(document["safeguards"]),
        "safeguard_statuses": SAFEGUARD_STATUSES,
        "families": [
            (
                FAMILY_LABELS.get(fam, readable(fam)),
                [s for s in document["safeguards"] if s["safeguard"] == fam],
            )
            for fam in dict.fromkeys(s["safeguard"] for s in document["safeguards"])
        ],
        "inventory_groups": _inventory_groups(document["inventory"].get("items", [])),
        "unknown_items": unknown_items,
        "active_waivers": [w for w in waivers if w.get("status") == "active"],
        "expired_waivers": [w for w in waivers if w.get("status") == "expired"],
        "other_waivers": [w for w in waivers if w.get("status") not in ("active", "expired")],
        "expiring_waivers": [
            w
            for w in waivers
            if w.get("status") == "active" and w.get("expires") and _day(w["expires"]) <= soon
        ],
        "remediation": _remediation(document["findings"], risks, generated),
        "trend": trend,
        "trend_chart": trend_chart((trend or {}).get("history") or []),
        "coverage": coverage,
        **status_context(document),
        **asset_context(document),
    }
