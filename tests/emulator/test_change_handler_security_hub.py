"""With `SAFEGUARD_SECURITY_HUB` on, the change's findings land in Security Hub as ASFF: FAILED
while the check fails, PASSED once it passes again (the same finding id, updated), never a
PASSED for a check that did not decide; a hub that refuses is said, and the alert still goes."""

from __future__ import annotations

import datetime as dt
import socket

import pytest

from checks.evaluate import Finding
from checks.model import Resource
from checks.registry import Status
from checks.sources.aws.emulator import EMULATED_ACCOUNT
from checks.sources.aws.events import read_event
from scripts.handler.entry import TOPIC_VARIABLE, handle
from scripts.handler.judge import Judged, library
from scripts.handler.security_hub import SECURITY_HUB_VARIABLE, asff_findings
from tests.emulator.test_change_handler import PASSWORD, database_made_public, recorded

KEY_ARN = f"arn:aws:kms:us-east-1:{EMULATED_ACCOUNT}:key/k-1"
KEY_TYPE = (
    "Software and Configuration Checks/Industry and Regulatory Standards/HIPAA Controls (USA)"
)


@pytest.fixture
def hub(aws, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL", aws.endpoint)
    monkeypatch.delenv(TOPIC_VARIABLE, raising=False)
    monkeypatch.setenv(SECURITY_HUB_VARIABLE, "true")
    aws.client("securityhub").enable_security_hub()
    return aws


def _rotation(aws, on: bool) -> str:
    kms = aws.client("kms")
    arn = kms.create_key()["KeyMetadata"]["Arn"]
    kms.enable_key_rotation(KeyId=arn)
    if not on:
        kms.disable_key_rotation(KeyId=arn)
    return arn


def _hub_findings(aws, check: str) -> list[dict]:
    found = aws.client("securityhub").get_findings()["Findings"]
    return [f for f in found if f["GeneratorId"] == f"hipaa-safeguard/{check}"]


def test_a_failure_lands_in_security_hub_with_its_resource_actor_and_citations(hub):
    arn = _rotation(hub, on=False)
    answer = handle(recorded("disable_key_rotation", keyId=arn), None)

    assert answer["security_hub"]["error"] is None
    assert answer["security_hub"]["refused"] == []
    assert answer["security_hub"]["imported"] == len(answer["findings"])
    (finding,) = _hub_findings(hub, "kms_key_rotation_enabled")
    assert finding["Compliance"]["Status"] == "FAILED"
    assert finding["Compliance"]["RelatedRequirements"] == [
        "HIPAA 45 CFR 164.312(a)(2)(iv)",
        "HIPAA 45 CFR 164.312(e)(2)(ii)",
    ]
    assert finding["Resources"] == [
        {"Type": "AwsKmsKey", "Id": arn, "Partition": "aws", "Region": "us-east-1"}
    ]
    assert finding["Types"] == [KEY_TYPE]
    assert finding["Id"] == (
        f"hipaa-safeguard/kms_key_rotation_enabled/{EMULATED_ACCOUNT}/us-east-1/{arn}"
    )
    assert finding["ProductFields"]["hipaa-safeguard/Actor"].startswith(
        f"IAMUser arn:aws:iam::{EMULATED_ACCOUNT}:user/alice"
    )


def test_the_next_change_to_the_resource_updates_the_same_finding_to_passed(hub):
    arn = _rotation(hub, on=False)
    handle(recorded("disable_key_rotation", keyId=arn), None)
    hub.client("kms").enable_key_rotation(KeyId=arn)
    handle(recorded("disable_key_rotation", keyId=arn), None)

    (finding,) = _hub_findings(hub, "kms_key_rotation_enabled")
    assert finding["Compliance"]["Status"] == "PASSED"


def test_a_hub_that_cannot_be_reached_is_said_and_the_change_is_still_judged(hub, monkeypatch):
    with socket.socket() as sock:  # a port nothing listens on once the socket is closed
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("AWS_ENDPOINT_URL_SECURITYHUB", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    arn = _rotation(hub, on=False)

    answer = handle(recorded("disable_key_rotation", keyId=arn), None)

    assert answer["status"] == "audited"
    assert ("kms_key_rotation_enabled", "FAIL") in {
        (f["check"], f["status"]) for f in answer["findings"]
    }
    assert answer["security_hub"]["imported"] == 0
    assert answer["security_hub"]["error"].startswith("Could not connect to the endpoint URL")


def test_off_by_default(aws, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL", aws.endpoint)
    monkeypatch.delenv(SECURITY_HUB_VARIABLE, raising=False)
    arn = _rotation(aws, on=False)
    assert handle(recorded("disable_key_rotation", keyId=arn), None)["security_hub"] is None


def test_no_request_value_reaches_security_hub(hub):
    scenario = database_made_public(hub)
    handle(scenario.event, None)
    text = repr(hub.client("securityhub").get_findings()["Findings"])
    assert PASSWORD not in text
    assert "rds_instance_not_public" in text


def test_an_undecided_check_is_not_available_and_a_not_applicable_one_is_not_sent():
    key = Resource("aws:kms/key:Key", "k-1", {}, id="k-1", arn=KEY_ARN, region="us-east-1")
    check = library().get("kms_key_rotation_enabled")
    findings = (
        Finding(check, Status.NOT_EVALUATED, "rotation status could not be read", {}, key),
        Finding(check, Status.NOT_APPLICABLE, "an asymmetric key", {}, key),
    )
    change = read_event(recorded("disable_key_rotation", keyId=KEY_ARN))
    judged = Judged(change, findings, True, {}, 0)

    (document,) = asff_findings(judged, EMULATED_ACCOUNT, dt.datetime(2026, 12, 6, tzinfo=dt.UTC))

    assert document["Compliance"]["Status"] == "NOT_AVAILABLE"
    assert document["Description"] == "rotation status could not be read"
    assert document["CreatedAt"] == document["UpdatedAt"] == "2026-12-06T00:00:00.000Z"
    assert document["Severity"] == {"Label": check.severity.name}
