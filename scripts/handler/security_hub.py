"""The change's findings in AWS Security Hub, as ASFF (BatchImportFindings), when
`SAFEGUARD_SECURITY_HUB` is on: where a security team already triages findings.

Each finding on the changed resource (or on the account, for an account-level check) is one
ASFF finding whose `Id` is stable per check, account, region and resource, so the next change to
the same resource updates it: FAILED while the check fails, PASSED once it passes (which
resolves it in Security Hub's views), NOT_AVAILABLE when it could not be evaluated — never a
PASSED for a check that did not decide. The text goes through the reports' one redaction step;
no evidence and no request value is sent, as in the SNS alert.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from typing import Any

from checks.evaluate import Finding
from checks.registry import Status
from checks.sources.aws.collect import partition_of
from checks.sources.aws.session import strip_userinfo
from checks.text import safe_text
from policies.redaction import redact, scrubber
from scripts.handler.alert import resource_label
from scripts.handler.judge import Judged

SECURITY_HUB_VARIABLE = "SAFEGUARD_SECURITY_HUB"
# The ASFF finding type for HIPAA checks (Security Hub's own taxonomy).
FINDING_TYPE = (
    "Software and Configuration Checks/Industry and Regulatory Standards/HIPAA Controls (USA)"
)
_COMPLIANCE = {
    Status.FAIL: "FAILED",
    Status.PASS: "PASSED",
    Status.NOT_EVALUATED: "NOT_AVAILABLE",
}
# The ASFF resource type of each Pulumi type the handler judges; any other is "Other".
_RESOURCE_TYPES = {
    "aws:s3/bucket:Bucket": "AwsS3Bucket",
    "aws:ec2/securityGroup:SecurityGroup": "AwsEc2SecurityGroup",
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": "AwsEc2SecurityGroup",
    "aws:kms/key:Key": "AwsKmsKey",
    "aws:rds/instance:Instance": "AwsRdsDbInstance",
    "aws:cloudtrail/trail:Trail": "AwsCloudTrailTrail",
    "aws:iam/user:User": "AwsIamUser",
    "aws:iam/role:Role": "AwsIamRole",
    "aws:iam/group:Group": "AwsIamGroup",
}
# ASFF's limits on the fields written here (a finding over one is refused whole).
_TITLE_LIMIT, _DESCRIPTION_LIMIT, _RECOMMENDATION_LIMIT = 256, 1024, 512
_ID_LIMIT, _PRODUCT_FIELD_LIMIT = 512, 2048
_BATCH = 100  # BatchImportFindings takes at most 100 findings a call


def enabled() -> bool:
    return os.environ.get(SECURITY_HUB_VARIABLE, "").strip().lower() in {"1", "true", "yes", "on"}


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def one_line(text: str) -> str:
    """An error as the answer says it: its first line, printable, with no URL password."""
    first = text.strip().splitlines()[0] if text.strip() else ""
    return safe_text(strip_userinfo(first), one_line=True)


def _finding_id(check: str, account: str, region: str, subject: str) -> str:
    """Stable per check, account, region and resource, and within ASFF's 512 characters: a
    longer one (a long IAM path) keeps its head and ends with a digest of the whole."""
    whole = f"hipaa-safeguard/{check}/{account}/{region}/{subject}"
    if len(whole) <= _ID_LIMIT:
        return whole
    digest = hashlib.sha256(whole.encode("utf-8")).hexdigest()
    return f"{whole[: _ID_LIMIT - len(digest) - 1]}#{digest}"


def _limited(document: dict[str, Any]) -> dict[str, Any]:
    """A redacted document cut to ASFF's limits: cut after the redaction, so no cut can leave
    a secret's head where the scrubber no longer knows it."""
    document["Title"] = _cut(document["Title"], _TITLE_LIMIT)
    document["Description"] = _cut(document["Description"].strip() or "-", _DESCRIPTION_LIMIT)
    advice = document["Remediation"]["Recommendation"]
    advice["Text"] = _cut(advice["Text"], _RECOMMENDATION_LIMIT)
    fields = document["ProductFields"]
    for key, value in fields.items():
        fields[key] = _cut(value, _PRODUCT_FIELD_LIMIT)
    return document


def _resource(finding: Finding, account: str, region: str, partition: str) -> dict[str, Any]:
    res = finding.resource
    if res is None:
        return {"Type": "AwsAccount", "Id": f"AWS::::Account:{account}",
                "Partition": partition, "Region": region}  # fmt: skip
    return {
        "Type": _RESOURCE_TYPES.get(res.type, "Other"),
        "Id": resource_label(finding),
        "Partition": partition,
        "Region": res.region or region,
    }


def asff_findings(judged: Judged, account: str, now: dt.datetime) -> list[dict[str, Any]]:
    """The ASFF documents of the change's decided (or undecidable) findings, redacted."""
    change = judged.change
    region, partition = change.region, partition_of(change.region)
    product = f"arn:{partition}:securityhub:{region}:{account}:product/{account}/default"
    stamp = now.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    out = []
    for f in judged.findings:
        if f.status not in _COMPLIANCE:
            continue
        subject = _resource(f, account, region, partition)
        out.append({
            "SchemaVersion": "2018-10-08",
            "Id": _finding_id(f.check.id, account, region, subject["Id"]),
            "ProductArn": product,
            "GeneratorId": f"hipaa-safeguard/{f.check.id}",
            "AwsAccountId": account,
            "Types": [FINDING_TYPE],
            "CreatedAt": stamp,
            "UpdatedAt": stamp,
            "Severity": {"Label": f.check.severity.name.replace("INFO", "INFORMATIONAL")},
            "Title": f"{f.check.id}: {f.check.title}",
            "Description": f.message or f.check.title,
            "Remediation": {"Recommendation": {"Text": f.check.remediation}},
            "Resources": [subject],
            "Compliance": {
                "Status": _COMPLIANCE[f.status],
                "RelatedRequirements": [f"HIPAA 45 CFR {c}" for c in f.check.citations][:32],
            },
            "RecordState": "ACTIVE",
            "ProductFields": {
                "hipaa-safeguard/Event": f"{change.event_source} {change.event_name}",
                "hipaa-safeguard/EventId": change.event_id or "",
                "hipaa-safeguard/Actor": change.actor.label,
            },
        })  # fmt: skip
    resources = [f.resource for f in judged.findings if f.resource is not None]
    redacted = redact({"findings": out}, scrubber(resources, ()))["findings"]
    return [_limited(document) for document in redacted]


def import_findings(client: Any, judged: Judged, account: str) -> dict[str, Any]:
    """Send the change's findings; what Security Hub took and refused, or why it could not be
    reached (the SNS alert does not depend on it)."""
    import botocore.exceptions

    documents = asff_findings(judged, account, dt.datetime.now(dt.UTC))
    imported, refused = 0, []
    try:
        for start in range(0, len(documents), _BATCH):
            answer = client.batch_import_findings(Findings=documents[start : start + _BATCH])
            imported += int(answer.get("SuccessCount") or 0)
            for r in answer.get("FailedFindings") or ():
                why = one_line(f"{r.get('ErrorCode')}: {r.get('ErrorMessage')}")
                refused.append({"id": r.get("Id"), "why": why})
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as exc:
        return {"imported": imported, "refused": refused,
                "error": one_line(str(exc)) or type(exc).__name__}  # fmt: skip
    return {"imported": imported, "refused": refused, "error": None}
