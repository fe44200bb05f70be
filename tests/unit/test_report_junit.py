"""JUnit XML: a suite per check, a case per check × resource, totals that add up."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from reports.junit import render_junit
from tests.unit.test_report_formats import (
    SHARED_BUCKET_URN,
    SHARED_POLICY_URN,
    pipeline_document,
    sample_document,
)


def junit(doc=None) -> ET.Element:
    return ET.fromstring(render_junit(doc or sample_document()).encode("utf-8"))


def suite(root: ET.Element, check_id: str) -> ET.Element:
    (found,) = [s for s in root.findall("testsuite") if s.get("name") == check_id]
    return found


def test_root_totals_count_every_finding_by_status():
    root = junit()
    assert root.tag == "testsuites"
    assert {k: root.get(k) for k in ("tests", "failures", "errors", "skipped")} == {
        "tests": "8",
        "failures": "4",
        "errors": "1",
        "skipped": "2",
    }


def test_one_suite_per_check_sorted_with_totals_that_match_its_cases():
    doc = sample_document()
    root = junit(doc)
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == sorted(c["id"] for c in doc["checks"])
    for s in suites:
        cases = s.findall("testcase")
        assert int(s.get("tests")) == len(cases)
        assert int(s.get("failures")) == sum(c.find("failure") is not None for c in cases)
        assert int(s.get("errors")) == sum(c.find("error") is not None for c in cases)
        assert int(s.get("skipped")) == sum(c.find("skipped") is not None for c in cases)
    assert sum(int(s.get("tests")) for s in suites) == int(root.get("tests"))
    assert suite(root, "kms_key_rotation_enabled").get("tests") == "0"


def test_fail_is_a_failure_typed_by_severity_with_evidence_and_fix():
    (case,) = suite(junit(), "s3_bucket_public_access_blocked").findall("testcase")
    assert case.get("classname") == "s3_bucket_public_access_blocked"
    assert case.get("name") == "claims"
    failure = case.find("failure")
    assert failure.get("type") == "critical"
    assert failure.get("message") == "no bucket-level public access block is declared"
    assert '"master_password": "[secret]"' in failure.text
    assert "Fix s3_bucket_public_access_blocked." in failure.text


def test_not_evaluated_is_an_error_not_a_pass():
    (case,) = suite(junit(), "rds_storage_encrypted_cmk").findall("testcase")
    error = case.find("error")
    assert error.get("type") == "NOT_EVALUATED"
    assert error.get("message") == "storage_encrypted is unknown until deployed"
    assert case.find("failure") is None


def test_waived_is_skipped_naming_the_waiver():
    (case,) = suite(junit(), "rds_instance_deletion_protection").findall("testcase")
    assert case.find("skipped").get("message") == (
        "waived: W-DEV-001 (Dev database holds synthetic data only.)"
    )


def test_pass_is_an_empty_case_and_not_applicable_is_skipped():
    cases = {
        c.get("name"): c for c in suite(junit(), "s3_bucket_versioning_enabled").findall("testcase")
    }
    assert len(cases["claims"]) == 0
    assert cases[SHARED_POLICY_URN].find("skipped").get("message") == "not a bucket"


def test_resources_sharing_a_name_are_told_apart_by_urn():
    names = [
        c.get("name") for c in suite(junit(), "s3_bucket_versioning_enabled").findall("testcase")
    ]
    assert sorted(names) == sorted(["claims", SHARED_BUCKET_URN, SHARED_POLICY_URN])


def test_an_account_level_finding_is_named_account():
    (case,) = suite(junit(), "cloudtrail_multi_region").findall("testcase")
    assert case.get("name") == "account"


def test_characters_xml_cannot_carry_are_dropped():
    doc = sample_document()
    doc["findings"][0]["message"] = "bell\x07 and nul\x00 inside"
    (case,) = suite(junit(doc), "s3_bucket_public_access_blocked").findall("testcase")
    assert case.find("failure").get("message") == "bell and nul inside"


def test_the_pipeline_document_parses_with_matching_totals():
    doc = pipeline_document()
    root = junit(doc)
    counts = doc["summary"]["findings"]
    assert int(root.get("tests")) == sum(counts.values())
    assert int(root.get("failures")) == counts["FAIL"]
    assert int(root.get("errors")) == counts["NOT_EVALUATED"]
