"""OCSF 1.1.0 Detection Finding (class 2004) records, one per line (JSON Lines).

Why JSON Lines and not one JSON array: each line is a complete event, so a SIEM or a log
shipper (and `jq -c`) can stream, split or append the file without parsing all of it, and an
empty run is an empty file. Keys are sorted and separators compact, so the bytes are stable.

Which findings: FAIL and NOT_EVALUATED (an unevaluated check is a finding to act on, never a
pass), and WAIVED, with the finding status "Suppressed", because a waiver annotates a finding
and never hides it. PASS and NOT_APPLICABLE are not findings in OCSF's sense and are left out.

Attributes every record carries (OCSF 1.1.0; `REQUIRED` below, asserted by the tests):
base event: activity_id, category_uid, class_uid, type_uid (= class_uid * 100 + activity_id),
time (epoch milliseconds), severity_id, metadata {product {vendor_name}, version}; the Finding
class adds finding_info {uid, title}; the cloud profile (declared in metadata.profiles) adds
cloud {provider}. Recommended ones are filled when the document has the value: status_id,
message, resources, remediation.

Detection Finding 1.1.0 has no `compliance` attribute (Compliance Finding, class 2003, has
it), so the HIPAA mapping goes under `unmapped.compliance`, the place OCSF gives attributes a
class does not define (Prowler does the same); the observed evidence goes under
`unmapped.evidence`.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from typing import Any

from reports.findings import FAIL, NOT_EVALUATED, WAIVED, resource_label, resource_uid, waiver_id

OCSF_VERSION = "1.1.0"
CATEGORY_UID, CATEGORY_NAME = 2, "Findings"
CLASS_UID, CLASS_NAME = 2004, "Detection Finding"
ACTIVITY_ID, ACTIVITY_NAME = 1, "Create"
TYPE_UID = CLASS_UID * 100 + ACTIVITY_ID

# Required attributes, as dotted paths, of every record this module writes.
REQUIRED = (
    "activity_id",
    "category_uid",
    "class_uid",
    "type_uid",
    "time",
    "severity_id",
    "metadata.version",
    "metadata.product.vendor_name",
    "finding_info.uid",
    "finding_info.title",
    "cloud.provider",
)

# severity_id: 1 Informational, 2 Low, 3 Medium, 4 High, 5 Critical.
SEVERITY = {
    "info": (1, "Informational"),
    "low": (2, "Low"),
    "medium": (3, "Medium"),
    "high": (4, "High"),
    "critical": (5, "Critical"),
}
# The finding's lifecycle status (status_id): 1 New, 3 Suppressed.
FINDING_STATUS = {FAIL: (1, "New"), NOT_EVALUATED: (1, "New"), WAIVED: (3, "Suppressed")}
# The compliance object's status_id: 0 Unknown, 1 Pass, 2 Warning, 3 Fail.
COMPLIANCE_STATUS = {FAIL: (3, "Fail"), NOT_EVALUATED: (0, "Unknown"), WAIVED: (3, "Fail")}

_AWS_ACCOUNT = re.compile(r"^(\d{12})\b")
_ANALYTIC_RULE = 1  # analytic.type_id: Rule


def _epoch_ms(timestamp: str) -> int:
    moment = dt.datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return int(moment.timestamp() * 1000)


def _cloud(source: Mapping[str, Any], ref: Mapping[str, Any] | None) -> dict[str, Any]:
    cloud: dict[str, Any] = {"provider": "AWS"}
    region = (ref or {}).get("region") or source.get("region")
    if region:
        cloud["region"] = region
    account = _AWS_ACCOUNT.match(str(source.get("account") or ""))
    if account:
        cloud["account"] = {"uid": account.group(1), "type_id": 10, "type": "AWS Account"}
    return cloud


def _resources(ref: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    if not ref:
        return []
    resource = {"uid": resource_uid(ref), "type": ref["type"], "name": ref["name"]}
    if ref.get("region"):
        resource["region"] = ref["region"]
    return [{k: v for k, v in resource.items() if v is not None}]


def detection_finding(
    document: Mapping[str, Any], finding: Mapping[str, Any], time: int
) -> dict[str, Any]:
    """One finding of the document as an OCSF Detection Finding."""
    tool = document["tool"]
    status = finding["status"]
    severity_id, severity = SEVERITY.get(finding["severity"], (99, finding["severity"]))
    status_id, status_name = FINDING_STATUS[status]
    compliance_id, compliance_name = COMPLIANCE_STATUS[status]
    compliance: dict[str, Any] = {
        "standards": ["HIPAA"],
        "requirements": list(finding["citations"]),
        "control": finding["control"],
        "status_id": compliance_id,
        "status": compliance_name,
    }
    unmapped: dict[str, Any] = {"compliance": compliance, "evidence": finding["evidence"]}
    if finding.get("config_rule"):
        unmapped["aws_config_rule"] = finding["config_rule"]
    if status == WAIVED and waiver_id(finding):
        unmapped["waiver_id"] = waiver_id(finding)
    record: dict[str, Any] = {
        "activity_id": ACTIVITY_ID,
        "activity_name": ACTIVITY_NAME,
        "category_uid": CATEGORY_UID,
        "category_name": CATEGORY_NAME,
        "class_uid": CLASS_UID,
        "class_name": CLASS_NAME,
        "type_uid": TYPE_UID,
        "type_name": f"{CLASS_NAME}: {ACTIVITY_NAME}",
        "time": time,
        "severity_id": severity_id,
        "severity": severity,
        "status_id": status_id,
        "status": status_name,
        "status_code": status,
        "status_detail": finding["message"],
        "message": f"{resource_label(finding['resource'])}: {finding['message']}",
        "metadata": {
            "version": OCSF_VERSION,
            "product": {
                "name": tool["name"],
                "vendor_name": tool["name"],
                "version": tool["version"],
            },
            "profiles": ["cloud"],
            "event_code": finding["check_id"],
        },
        "finding_info": {
            "uid": finding["id"],
            "title": finding["title"],
            "desc": finding["message"],
            "types": [finding["control"]],
            "analytic": {
                "uid": finding["check_id"],
                "name": finding["title"],
                "type_id": _ANALYTIC_RULE,
                "type": "Rule",
            },
        },
        "cloud": _cloud(document.get("source") or {}, finding["resource"]),
        "remediation": {"desc": finding["remediation"]},
        "unmapped": unmapped,
    }
    resources = _resources(finding["resource"])
    if resources:
        record["resources"] = resources
    return record


def ocsf_records(document: Mapping[str, Any]) -> list[dict[str, Any]]:
    time = _epoch_ms(document["generated_at"])
    return [
        detection_finding(document, f, time)
        for f in document["findings"]
        if f["status"] in FINDING_STATUS
    ]


def render_ocsf(document: Mapping[str, Any]) -> str:
    return "".join(
        json.dumps(record, sort_keys=True, ensure_ascii=False, separators=(",", ":")) + "\n"
        for record in ocsf_records(document)
    )
