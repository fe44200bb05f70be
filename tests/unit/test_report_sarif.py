"""SARIF 2.1.0: valid against the OASIS schema, one rule per check, results only where due."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import jsonschema
import pytest

from reports.sarif import GUID_NAMESPACE, render_sarif
from tests.unit.test_report_formats import (
    BUCKET_URN,
    DB_URN,
    pipeline_document,
    sample_document,
)

SCHEMA_FILE = Path(__file__).parents[1] / "fixtures" / "sarif" / "sarif-schema-2.1.0.json"


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft4Validator:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    # The OASIS errata01 schema declares draft-04; validate with that draft, formats included.
    assert schema["$schema"] == "http://json-schema.org/draft-04/schema#"
    jsonschema.Draft4Validator.check_schema(schema)
    return jsonschema.Draft4Validator(
        schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER
    )


def sarif(doc=None) -> dict:
    return json.loads(render_sarif(doc or sample_document()))


def results_by_finding(log: dict) -> dict[str, dict]:
    return {
        r["partialFingerprints"]["hipaaSafeguardFindingId/v1"]: r for r in log["runs"][0]["results"]
    }


@pytest.mark.parametrize("build", [sample_document, pipeline_document])
def test_validates_against_the_sarif_2_1_0_schema(validator, build):
    errors = sorted(validator.iter_errors(sarif(build())), key=str)
    assert errors == []


def test_the_schema_check_can_fail(validator):
    log = sarif()
    log["runs"][0]["results"][0]["level"] = "fatal"
    assert not validator.is_valid(log)


def test_one_rule_per_check_in_document_order():
    doc = sample_document()
    rules = sarif(doc)["runs"][0]["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == [c["id"] for c in doc["checks"]]
    first = rules[0]
    assert first["name"] == "S3BucketPublicAccessBlocked"
    assert first["shortDescription"] == {"text": "S3 bucket blocks public access"}
    assert first["properties"]["tags"][:2] == ["security", "hipaa"]
    assert first["properties"]["tags"][2:] == ["164.312(a)(2)(iv)", "164.312(e)(2)(ii)"]
    assert first["properties"]["precision"] == "high"
    assert "aws.fix('s3_bucket_public_access_blocked')" in first["help"]["markdown"]
    assert "Fix s3_bucket_public_access_blocked." in first["help"]["text"]


@pytest.mark.parametrize(
    ("check_id", "security_severity", "level"),
    [
        ("s3_bucket_public_access_blocked", "9.5", "error"),
        ("rds_storage_encrypted_cmk", "8.0", "error"),
        ("rds_instance_deletion_protection", "5.5", "warning"),
    ],
)
def test_rule_severity_maps_to_security_severity_and_level(check_id, security_severity, level):
    rules = {r["id"]: r for r in sarif()["runs"][0]["tool"]["driver"]["rules"]}
    assert rules[check_id]["properties"]["security-severity"] == security_severity
    assert rules[check_id]["defaultConfiguration"]["level"] == level


def test_results_for_fail_not_evaluated_and_waived_only_with_the_right_rule_index():
    log = sarif()
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    results = run["results"]
    assert len(results) == 6  # 4 FAIL + 1 NOT_EVALUATED + 1 WAIVED; PASS and N/A give none
    assert sorted(results_by_finding(log)) == [
        "F-000000000001",
        "F-000000000002",
        "F-000000000003",
        "F-000000000004",
        "F-000000000005",
        "F-000000000007",
    ]
    for result in results:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]


def test_fail_is_kind_fail_with_a_severity_level():
    result = results_by_finding(sarif())["F-000000000001"]
    assert (result["kind"], result["level"]) == ("fail", "error")
    assert result["message"]["text"] == "claims: no bucket-level public access block is declared"
    assert "suppressions" not in result


def test_not_evaluated_is_an_open_question_not_a_pass():
    result = results_by_finding(sarif())["F-000000000004"]
    # SARIF 2.1.0 §3.27.9-10: "open" = insufficient information; a non-fail kind has level none
    assert (result["kind"], result["level"]) == ("open", "none")


def test_waived_is_a_suppressed_failure_with_the_waiver_justification():
    result = results_by_finding(sarif())["F-000000000005"]
    assert result["kind"] == "fail"
    assert result["suppressions"] == [
        {
            "kind": "external",
            "status": "accepted",
            "justification": "Dev database holds synthetic data only.",
            "properties": {"waiver_id": "W-DEV-001"},
        }
    ]


def test_a_source_position_becomes_a_physical_location():
    result = results_by_finding(sarif())["F-000000000001"]
    assert result["locations"] == [
        {
            "physicalLocation": {
                "artifactLocation": {"uri": "stacks/billing/storage.py"},
                "region": {"startLine": 42},
            }
        }
    ]


def test_without_a_source_position_the_urn_is_a_logical_location():
    result = results_by_finding(sarif())["F-000000000004"]
    assert result["locations"] == [
        {
            "logicalLocations": [
                {"fullyQualifiedName": DB_URN, "kind": "resource", "name": "billing-db"}
            ]
        }
    ]


def test_an_account_level_finding_has_no_location():
    assert "locations" not in results_by_finding(sarif())["F-000000000003"]


@pytest.mark.parametrize("path", ["../outside.py", "/etc/passwd", "C:\\stack.py", "a/../../b.py"])
def test_a_source_path_outside_the_repository_is_not_published(path):
    doc = sample_document()
    doc["findings"][0]["resource"]["source"] = {"file": path, "line": 3}
    result = results_by_finding(sarif(doc))["F-000000000001"]
    assert result["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] == BUCKET_URN


def test_fingerprints_and_guids_come_from_the_stable_finding_id():
    # The namespace is part of the format: changing it changes every GUID a code-scanning
    # service has stored, so it is spelt out here, not read back from the renderer.
    assert str(GUID_NAMESPACE) == "5f1d9c0e-3a52-5b7e-9a4f-0c8e2d6b7a31"
    results = results_by_finding(sarif())
    assert {finding_id: r["guid"] for finding_id, r in results.items()} == {
        "F-000000000001": "493b6171-46c9-5df6-b32d-d51962300956",
        "F-000000000002": "22b1cb87-0766-5fd3-9a08-e452a491bc77",
        "F-000000000003": "bbe0e897-930a-5391-9b8c-3a347adcf73f",
        "F-000000000004": "125ad7c4-7517-5e55-bbf8-a4e6dfba8908",
        "F-000000000005": "59d8ee77-d640-5669-b9b5-1a73ec6972c8",
        "F-000000000007": "77662d9c-71a0-5a75-8932-46f766a5f0aa",
    }
    namespace = uuid.UUID("5f1d9c0e-3a52-5b7e-9a4f-0c8e2d6b7a31")
    assert results["F-000000000001"]["guid"] == str(uuid.uuid5(namespace, "F-000000000001"))


def test_run_carries_tool_and_gate_from_the_document():
    run = sarif()["runs"][0]
    assert run["tool"]["driver"]["name"] == "hipaa-safeguard"
    assert run["tool"]["driver"]["version"] == "0.1.0"
    assert run["invocations"] == [
        {"executionSuccessful": True, "exitCode": 1, "endTimeUtc": "2026-11-26T01:12:10Z"}
    ]
    assert run["automationDetails"] == {"id": "hipaa-safeguard/program/billing/dev/"}
