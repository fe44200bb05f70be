"""What every machine format must do: same bytes twice, no secret, nothing the document lacks.

Also holds the documents the other test_report_* modules render: `sample_document()`, hand
built in the run document's shape with every status, a waiver, an account-level finding, a
resource with a source position and two resources sharing a name; and `pipeline_document()`,
built by the real evaluator, `assess` and `build_record` from a small inventory.
"""

from __future__ import annotations

import copy
import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from checks.evaluate import evaluate
from checks.library import build_registry
from checks.model import SECRET, UNKNOWN, Inventory, Resource
from policies.assess import assess
from policies.framework import load_framework
from policies.inputs import PolicyInputs
from policies.profiles import load_profile
from policies.record import build_record
from reports.csv_render import render_csv
from reports.junit import render_junit
from reports.ocsf import render_ocsf
from reports.sarif import render_sarif

GENERATED_AT = "2026-11-26T01:12:10Z"
STACK = "urn:pulumi:dev::billing::"
BUCKET_URN = STACK + "aws:s3/bucket:Bucket::claims"
DB_URN = STACK + "aws:rds/instance:Instance::billing-db"
SG_URN = STACK + "aws:ec2/securityGroup:SecurityGroup::admin"
SHARED_BUCKET_URN = STACK + "aws:s3/bucket:Bucket::shared"
SHARED_POLICY_URN = STACK + "aws:s3/bucketPolicy:BucketPolicy::shared"

CHECKS = {
    "s3_bucket_public_access_blocked": ("S3-02", "critical", "S3 bucket blocks public access"),
    "sg_no_internet_admin_ports": ("NET-01", "critical", "No internet ingress to SSH or RDP"),
    "rds_storage_encrypted_cmk": ("RDS-01", "high", "RDS storage is encrypted with a CMK"),
    "rds_instance_deletion_protection": ("RDS-08", "medium", "RDS has deletion protection"),
    "cloudtrail_multi_region": ("LOG-01", "high", "CloudTrail trail records every region"),
    "s3_bucket_versioning_enabled": ("S3-04", "medium", "S3 bucket versioning is enabled"),
    "kms_key_rotation_enabled": ("KMS-01", "medium", "KMS key rotates automatically"),
}
CITATIONS = ["164.312(a)(2)(iv)", "164.312(e)(2)(ii)"]


def ref(type_: str, name: str, urn: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": type_,
        "name": name,
        "urn": urn,
        "id": extra.pop("id", f"{name}-id"),
        "arn": extra.pop("arn", None),
        "region": extra.pop("region", "us-east-1"),
        **extra,
    }


def finding(
    fid: str, check_id: str, status: str, resource: dict | None, message: str, **extra: Any
) -> dict[str, Any]:
    control, severity, title = CHECKS[check_id]
    return {
        "id": fid,
        "check_id": check_id,
        "control": control,
        "title": title,
        "severity": severity,
        "status": status,
        "citations": list(CITATIONS),
        "config_rule": extra.pop("config_rule", "some-config-rule"),
        "resource": resource,
        "message": message,
        "evidence": extra.pop("evidence", {}),
        "remediation": f"Fix {check_id}.",
        "pulumi_fix": f"aws.fix({check_id!r})",
        "waiver_id": extra.pop("waiver_id", None),
        **extra,
    }


def sample_document() -> dict[str, Any]:
    bucket = ref(
        "aws:s3/bucket:Bucket",
        "claims",
        BUCKET_URN,
        arn="arn:aws:s3:::claims-1a2b",
        source={"file": "stacks/billing/storage.py", "line": 42},
    )
    db = ref("aws:rds/instance:Instance", "billing-db", DB_URN, arn=None)
    sg = ref("aws:ec2/securityGroup:SecurityGroup", "admin", SG_URN, id="sg-0abc")
    findings = [
        finding(
            "F-000000000001",
            "s3_bucket_public_access_blocked",
            "FAIL",
            bucket,
            "no bucket-level public access block is declared",
            evidence={"block_public_acls": False, "master_password": "[secret]"},
        ),
        finding(
            "F-000000000002",
            "sg_no_internet_admin_ports",
            "FAIL",
            sg,
            '=HYPERLINK("http://evil.invalid") admin ports open (0.0.0.0/0 -> tcp 22-22)',
            evidence={"offending_rules": [{"cidr": "0.0.0.0/0", "from_port": 22}]},
        ),
        finding(
            "F-000000000003",
            "cloudtrail_multi_region",
            "FAIL",
            None,
            "no multi-region trail is declared",
            config_rule=None,
        ),
        finding(
            "F-000000000004",
            "rds_storage_encrypted_cmk",
            "NOT_EVALUATED",
            db,
            "storage_encrypted is unknown until deployed",
            evidence={"storage_encrypted": "(unknown until deployed)"},
        ),
        finding(
            "F-000000000005",
            "rds_instance_deletion_protection",
            "WAIVED",
            db,
            "deletion protection is off",
            waiver_id="W-DEV-001",
            evidence={"deletion_protection": False},
        ),
        finding(
            "F-000000000006",
            "s3_bucket_versioning_enabled",
            "PASS",
            bucket,
            "versioning is enabled",
        ),
        finding(
            "F-000000000007",
            "s3_bucket_versioning_enabled",
            "FAIL",
            ref("aws:s3/bucket:Bucket", "shared", SHARED_BUCKET_URN),
            "versioning is not enabled",
        ),
        finding(
            "F-000000000008",
            "s3_bucket_versioning_enabled",
            "NOT_APPLICABLE",
            ref("aws:s3/bucketPolicy:BucketPolicy", "shared", SHARED_POLICY_URN),
            "not a bucket",
        ),
    ]
    counts = {
        s: sum(f["status"] == s for f in findings)
        for s in ("FAIL", "NOT_EVALUATED", "WAIVED", "PASS", "NOT_APPLICABLE")
    }
    checks = []
    for check_id, (control, severity, title) in CHECKS.items():
        mine = [f for f in findings if f["check_id"] == check_id]
        checks.append(
            {
                "id": check_id,
                "control": control,
                "title": title,
                "severity": severity,
                "citations": list(CITATIONS),
                "config_rule": "some-config-rule",
                "resource_types": ["aws:s3/bucket:Bucket"],
                "results": {s: sum(f["status"] == s for f in mine) for s in counts},
            }
        )
    return {
        "schema_version": "1.0",
        "tool": {"name": "hipaa-safeguard", "version": "0.1.0", "check_library": "abc123def456"},
        "generated_at": GENERATED_AT,
        "source": {
            "kind": "program",
            "project": "billing",
            "stack": "dev",
            "region": "us-east-1",
            "account": "111122223333",
        },
        "gate": {"profile": "default", "fail_on": "low", "exit_code": 1, "blocking_failures": 4},
        "summary": {"resources": 5, "checks": len(CHECKS), "findings": counts},
        "inventory": {
            "resources": 5,
            "items": [
                {**db, "data_classification": "ePHI", "ephi_role": "ephi", "owner": None},
                {**bucket, "data_classification": None, "ephi_role": "unknown", "owner": None},
            ],
        },
        "checks": checks,
        "findings": findings,
        "waivers": [
            {
                "id": "W-DEV-001",
                "check": "rds_instance_deletion_protection",
                "type": "risk_acceptance",
                "justification": "Dev database holds synthetic data only.",
                "approver": "Dana Lee, Security Official",
                "approved": "2026-11-01",
                "expires": "2027-05-31",
                "status": "active",
                "covers_findings": ["F-000000000005"],
            }
        ],
    }


def pipeline_inventory() -> Inventory:
    """A publicly accessible ePHI database and a security group open to SSH from anywhere."""
    db = Resource(
        "aws:rds/instance:Instance",
        "billing-db",
        {
            "publicly_accessible": True,
            "storage_encrypted": UNKNOWN,
            "password": SECRET,
            "tags": {"data-classification": "ePHI"},
        },
        urn=DB_URN,
        id="billing-db-1",
        region="us-east-1",
    )
    sg = Resource(
        "aws:ec2/securityGroup:SecurityGroup",
        "admin",
        {
            "ingress": [
                {"protocol": "tcp", "from_port": 22, "to_port": 22, "cidr_blocks": ["0.0.0.0/0"]}
            ]
        },
        urn=SG_URN,
        id="sg-0abc",
        region="us-east-1",
    )
    return Inventory([db, sg])


def pipeline_document() -> dict[str, Any]:
    """A document from the real evaluator and assessment, over a small hand-made inventory."""
    source = {"kind": "program", "project": "billing", "stack": "dev", "region": "us-east-1"}
    assessment = assess(
        evaluate(pipeline_inventory(), build_registry()),
        PolicyInputs(profile=load_profile("default"), framework=load_framework()),
        source=source,
        generated_at=GENERATED_AT,
    )
    return build_record(assessment)


RENDERERS: dict[str, Callable[[dict], str]] = {
    "sarif": render_sarif,
    "junit": render_junit,
    "ocsf": render_ocsf,
    "csv": render_csv,
}


@pytest.mark.parametrize("name", sorted(RENDERERS))
def test_rendering_twice_gives_the_same_bytes(name):
    render = RENDERERS[name]
    first = render(sample_document()).encode()
    assert render(sample_document()).encode() == first
    # and a document whose keys arrive in another order renders the same
    shuffled = json.loads(json.dumps(sample_document(), sort_keys=True))
    assert render(shuffled).encode() == first


# Rendering the same run in two processes gives the same bytes: tests/e2e/test_scan_determinism.py


@pytest.mark.parametrize("name", ["sarif", "junit", "ocsf", "csv"])
def test_a_secret_stays_a_placeholder(name):
    doc = sample_document()
    out = RENDERERS[name](doc)
    assert "[secret]" in out  # the evidence of F-000000000001 is printed, placeholder and all
    assert "master_password" in out


def test_the_pipeline_never_lets_a_secret_value_reach_a_format():
    doc = pipeline_document()
    for render in RENDERERS.values():
        out = render(doc)
        assert "Secret(" not in out
        assert "object at 0x" not in out


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for k, v in value.items():
            yield str(k)
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)
    elif isinstance(value, str):
        yield value


# Values a renderer could only print by inventing them: identifiers, accounts, times, links.
_IDENTIFYING = re.compile(
    r"arn:aws[\w-]*:[^\s\"]*|urn:pulumi:[^\s\"]*|\b\d{12}\b|\b[FRW]-[\w-]+"
    r"|\d{4}-\d\d-\d\dT[\d:]+Z?|https?://[^\s\"<>]+"
)


def _format_strings(name: str, out: str) -> list[str]:
    if name == "sarif":
        return list(_strings(json.loads(out)))
    if name == "ocsf":
        return [s for line in out.splitlines() for s in _strings(json.loads(line))]
    if name == "csv":
        return [cell for row in csv.reader(io.StringIO(out)) for cell in row]
    root = ET.fromstring(out.encode())
    return [t for e in root.iter() for t in (*e.attrib.values(), e.text or "")]


@pytest.mark.parametrize("name", sorted(RENDERERS))
def test_no_format_prints_an_identifier_the_document_does_not_have(name):
    doc = sample_document()
    known = json.dumps(doc)
    allowed_links = {
        "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/"
        "sarif-schema-2.1.0.json",
        "http://evil.invalid",
    }
    for text in _format_strings(name, RENDERERS[name](doc)):
        for token in _IDENTIFYING.findall(text):
            token = token.rstrip(").,;'")
            assert token in known or token in allowed_links, f"{name} invented {token!r}"


@pytest.mark.parametrize("name", sorted(RENDERERS))
def test_no_format_fills_in_optional_fields_the_document_lacks(name):
    doc = sample_document()
    doc["source"] = {"kind": "program"}
    for f in doc["findings"]:
        if f["resource"]:
            f["resource"] = {**f["resource"], "region": None, "arn": None, "id": None}
            f["resource"].pop("source", None)
    doc["inventory"]["items"] = []
    out = RENDERERS[name](doc)
    assert "us-east-1" not in out
    assert "111122223333" not in out
    assert "arn:aws" not in out
    assert "storage.py" not in out
    for key in ('"region":', '"account":', "informationUri", "helpUri", "automationDetails"):
        assert key not in out


def test_renderers_do_not_modify_the_document():
    doc = sample_document()
    before = copy.deepcopy(doc)
    for render in RENDERERS.values():
        render(doc)
    assert doc == before


def test_the_pipeline_record_holds_its_risk_register_and_no_trend():
    doc = pipeline_document()
    assert "trend" not in doc  # no previous run
    counts = doc["summary"]["findings"]
    to_treat = [f["id"] for f in doc["findings"] if f["status"] in ("FAIL", "NOT_EVALUATED")]
    assert len(to_treat) == counts["FAIL"] + counts["NOT_EVALUATED"] > 0
    # Findings on one asset sharing a threat are one risk; every finding is in exactly one.
    assert sorted(f for r in doc["risks"] for f in r["finding_ids"]) == sorted(to_treat)
    public_db = next(r for r in doc["risks"] if r["check_id"] == "rds_instance_not_public")
    assert (public_db["ephi_role"], public_db["likelihood"], public_db["impact"]) == (
        "ephi",
        "high",
        "very high",
    )
    assert (public_db["risk"], public_db["due_date"]) == ("very high", "2026-12-03")
