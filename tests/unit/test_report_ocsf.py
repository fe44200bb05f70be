"""OCSF Detection Finding (class 2004) as JSON Lines: every required attribute, every record."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from reports import ocsf
from reports.ocsf import render_ocsf
from tests.unit.test_report_formats import pipeline_document, sample_document

# OCSF 1.1.0: required by the base event (activity_id, category_uid, class_uid, metadata,
# severity_id, time, type_uid), by Finding (finding_info), by the metadata (product,
# version), product (vendor_name) and finding_info (uid, title) objects, and by the cloud
# profile (cloud, with its required provider).
REQUIRED = [
    "activity_id",
    "category_uid",
    "class_uid",
    "type_uid",
    "time",
    "severity_id",
    "metadata",
    "metadata.version",
    "metadata.product",
    "metadata.product.vendor_name",
    "finding_info",
    "finding_info.uid",
    "finding_info.title",
    "cloud",
    "cloud.provider",
]


def records(doc=None) -> list[dict[str, Any]]:
    return [json.loads(line) for line in render_ocsf(doc or sample_document()).splitlines()]


def by_uid(doc=None) -> dict[str, dict[str, Any]]:
    return {r["finding_info"]["uid"]: r for r in records(doc)}


def lookup(record: dict, path: str) -> Any:
    value: Any = record
    for part in path.split("."):
        value = value[part]
    return value


@pytest.mark.parametrize("build", [sample_document, pipeline_document])
def test_every_record_has_every_required_attribute(build):
    recs = records(build())
    assert recs
    for record in recs:
        for path in REQUIRED:
            assert lookup(record, path) not in (None, "", [], {}), path


def test_the_module_declares_the_same_required_attributes():
    assert set(ocsf.REQUIRED) <= set(REQUIRED)


def test_one_line_per_fail_not_evaluated_or_waived_finding():
    assert sorted(by_uid()) == [
        "F-000000000001",
        "F-000000000002",
        "F-000000000003",
        "F-000000000004",
        "F-000000000005",
        "F-000000000007",
    ]
    assert render_ocsf(sample_document()).endswith("}\n")


def test_class_category_activity_and_type_uid():
    for record in records():
        assert (record["class_uid"], record["category_uid"], record["activity_id"]) == (2004, 2, 1)
        assert record["type_uid"] == record["class_uid"] * 100 + record["activity_id"] == 200401
        assert record["metadata"]["version"] == "1.1.0"
        assert record["metadata"]["profiles"] == ["cloud"]


def test_time_is_the_documents_generated_at_in_epoch_milliseconds():
    expected = int(dt.datetime(2026, 11, 26, 1, 12, 10, tzinfo=dt.UTC).timestamp() * 1000)
    assert {r["time"] for r in records()} == {expected}


@pytest.mark.parametrize(
    ("uid", "severity_id", "severity", "status_id", "status"),
    [
        ("F-000000000001", 5, "Critical", 1, "New"),
        ("F-000000000004", 4, "High", 1, "New"),
        ("F-000000000005", 3, "Medium", 3, "Suppressed"),
    ],
)
def test_severity_and_finding_status(uid, severity_id, severity, status_id, status):
    record = by_uid()[uid]
    assert (record["severity_id"], record["severity"]) == (severity_id, severity)
    assert (record["status_id"], record["status"]) == (status_id, status)


def test_hipaa_mapping_goes_to_unmapped_compliance():
    record = by_uid()["F-000000000001"]
    assert "compliance" not in record  # Detection Finding 1.1.0 defines no such attribute
    assert record["unmapped"]["compliance"] == {
        "standards": ["HIPAA"],
        "requirements": ["164.312(a)(2)(iv)", "164.312(e)(2)(ii)"],
        "control": "S3-02",
        "status_id": 3,
        "status": "Fail",
    }
    assert by_uid()["F-000000000004"]["unmapped"]["compliance"]["status"] == "Unknown"
    assert by_uid()["F-000000000005"]["unmapped"]["waiver_id"] == "W-DEV-001"


def test_cloud_and_resources_come_from_the_document():
    record = by_uid()["F-000000000001"]
    assert record["cloud"] == {
        "provider": "AWS",
        "region": "us-east-1",
        "account": {"uid": "111122223333", "type_id": 10, "type": "AWS Account"},
    }
    assert record["resources"] == [
        {
            "uid": "arn:aws:s3:::claims-1a2b",
            "type": "aws:s3/bucket:Bucket",
            "name": "claims",
            "region": "us-east-1",
        }
    ]
    assert record["remediation"] == {"desc": "Fix s3_bucket_public_access_blocked."}
    assert "resources" not in by_uid()["F-000000000003"]  # account-level


def test_a_document_without_findings_to_report_is_an_empty_file():
    doc = sample_document()
    doc["findings"] = [f for f in doc["findings"] if f["status"] in ("PASS", "NOT_APPLICABLE")]
    assert render_ocsf(doc) == ""
