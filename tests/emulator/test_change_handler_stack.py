"""The change-triggered audit compares the changed resource with the stack export that declares it
(`SAFEGUARD_STACK_STATE`: a file, or an `s3://` object): the property that differs with both
values and the check it breaks, or the resource no stack declares; the alert says so."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from checks.sources.aws.emulator import EMULATED_ACCOUNT
from scripts.handler.entry import TOPIC_VARIABLE, handle
from scripts.handler.stack import STATE_VARIABLE
from tests.emulator.test_change_handler import alerts_topic, recorded

PREFIX = "urn:pulumi:prod::billing::"
PROVIDER_URN = PREFIX + "pulumi:providers:aws::default_7_51_1"
PROVIDER_ID = "5b9d1e2a-7c3f-4e8a-9b6d-0f1e2d3c4b5a"


def _export(key: dict[str, Any]) -> dict[str, Any]:
    """A `pulumi stack export` of a stack declaring one KMS key, as the emulator made it."""
    arn, ident = key["Arn"], key["KeyId"]
    outputs = {
        "arn": arn, "keyId": ident, "id": ident, "description": "claims documents",
        "enableKeyRotation": True, "isEnabled": True, "keyUsage": "ENCRYPT_DECRYPT",
        "customerMasterKeySpec": "SYMMETRIC_DEFAULT", "multiRegion": False,
        "deletionWindowInDays": 30, "tags": {"data-classification": "ePHI"},
    }  # fmt: skip
    return {
        "version": 3,
        "deployment": {
            "manifest": {"time": "2026-12-01T10:00:00Z", "version": "v3.200.0"},
            "resources": [
                {"urn": PREFIX + "pulumi:pulumi:Stack::billing-prod", "custom": False,
                 "type": "pulumi:pulumi:Stack"},
                {"urn": PROVIDER_URN, "custom": True, "id": PROVIDER_ID,
                 "type": "pulumi:providers:aws",
                 "inputs": {"region": "us-east-1", "version": "7.51.1"},
                 "outputs": {"region": "us-east-1", "version": "7.51.1"}},
                {"urn": PREFIX + "aws:kms/key:Key::claims-key", "custom": True, "id": ident,
                 "type": "aws:kms/key:Key", "provider": f"{PROVIDER_URN}::{PROVIDER_ID}",
                 "inputs": {"description": "claims documents", "enableKeyRotation": True},
                 "outputs": outputs},
            ],
        },
    }  # fmt: skip


@pytest.fixture
def stack(aws, monkeypatch, tmp_path):
    """A key the stack declares with rotation on, rotation then turned off by hand, and the
    export written to a file."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", aws.endpoint)
    monkeypatch.delenv(TOPIC_VARIABLE, raising=False)
    kms = aws.client("kms")
    key = kms.create_key(Description="claims documents",
                         Tags=[{"TagKey": "data-classification", "TagValue": "ePHI"}])  # fmt: skip
    meta = key["KeyMetadata"]
    kms.enable_key_rotation(KeyId=meta["Arn"])
    export = tmp_path / "prod.json"
    export.write_text(json.dumps(_export(meta)), encoding="utf-8")
    kms.disable_key_rotation(KeyId=meta["Arn"])
    return aws, meta, export


def test_the_changed_property_is_named_with_both_values_and_the_check_it_breaks(stack, monkeypatch):
    aws, meta, export = stack
    alerts = alerts_topic(aws, monkeypatch)
    monkeypatch.setenv(STATE_VARIABLE, str(export))

    answer = handle(recorded("disable_key_rotation", keyId=meta["Arn"]), None)

    drift = answer["drift"]
    assert [(r["property"], r["declared"], r["live"], r["breaks"]) for r in drift["changed"]] == [
        ("enable_key_rotation", True, False, ["kms_key_rotation_enabled"])
    ]
    assert drift["summary"]["matched"] == 1
    assert drift["gone"] == drift["unmanaged"] == []
    assert drift["states"][0]["stack"] == "prod"
    (alert,) = alerts.received()
    assert "Drift from the stack (prod):" in alert["Message"]
    assert (
        "  enable_key_rotation: declared true, live false (breaks kms_key_rotation_enabled)"
        in alert["Message"].splitlines()
    )


def test_the_export_is_read_from_an_s3_object_as_well(stack, monkeypatch):
    aws, meta, export = stack
    s3 = aws.client("s3")
    s3.create_bucket(Bucket="pulumi-state")
    s3.put_object(Bucket="pulumi-state", Key="exports/prod.json", Body=export.read_bytes())
    monkeypatch.setenv(STATE_VARIABLE, "s3://pulumi-state/exports/prod.json")

    answer = handle(recorded("disable_key_rotation", keyId=meta["Arn"]), None)

    assert answer["drift"]["states"][0]["file"] == "s3://pulumi-state/exports/prod.json"
    assert [r["property"] for r in answer["drift"]["changed"]] == ["enable_key_rotation"]


def test_a_resource_no_stack_declares_is_unmanaged(stack, monkeypatch):
    aws, _, export = stack
    monkeypatch.setenv(STATE_VARIABLE, str(export))
    kms = aws.client("kms")
    other = kms.create_key(Description="made by hand")["KeyMetadata"]
    kms.enable_key_rotation(KeyId=other["Arn"])
    kms.disable_key_rotation(KeyId=other["Arn"])

    answer = handle(recorded("disable_key_rotation", keyId=other["Arn"]), None)

    assert [u["resource"]["arn"] for u in answer["drift"]["unmanaged"]] == [other["Arn"]]
    assert answer["drift"]["changed"] == []
    assert answer["alert"]["drift"]["unmanaged"] == [f"Key {other['Arn']}"]


def test_an_export_that_cannot_be_read_is_said_and_the_checks_still_stand(stack, monkeypatch):
    aws, meta, _ = stack
    monkeypatch.setenv(STATE_VARIABLE, "s3://pulumi-state/missing.json")

    answer = handle(recorded("disable_key_rotation", keyId=meta["Arn"]), None)

    assert answer["status"] == "audited"
    assert answer["drift"]["error"].startswith("s3://pulumi-state/missing.json: ")
    failed = [(f["check"], f["status"]) for f in answer["findings"] if f["status"] == "FAIL"]
    assert ("kms_key_rotation_enabled", "FAIL") in failed
    assert answer["alert"]["drift"] == {"error": answer["drift"]["error"]}


def test_a_malformed_export_file_is_named_in_one_line(stack, monkeypatch, tmp_path):
    _, meta, _ = stack
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    monkeypatch.setenv(STATE_VARIABLE, str(broken))

    answer = handle(recorded("disable_key_rotation", keyId=meta["Arn"]), None)

    assert answer["drift"]["error"].startswith(f"{broken}: ")
    assert "\n" not in answer["drift"]["error"]


def test_without_a_stack_no_drift_is_compared(stack):
    _, meta, _ = stack
    answer = handle(recorded("disable_key_rotation", keyId=meta["Arn"]), None)
    assert answer["drift"] is None
    assert answer["alert"]["drift"] is None
    assert EMULATED_ACCOUNT in answer["alert"]["account"]


def test_the_drift_record_is_the_same_through_a_path_given_relative(stack, monkeypatch):
    _, meta, export = stack
    monkeypatch.chdir(export.parent)
    monkeypatch.setenv(STATE_VARIABLE, f" {Path(export.name)} , ")
    answer = handle(recorded("disable_key_rotation", keyId=meta["Arn"]), None)
    assert [s["file"] for s in answer["drift"]["states"]] == ["prod.json"]
