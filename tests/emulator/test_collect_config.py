"""AWS Config, live: the recorder (what it records), its status (whether it records) and the
delivery channel, read as the program declares them; and the console changes the check catches."""

from __future__ import annotations

from checks.registry import Status
from checks.sources.aws.services.config import (
    COLLECTORS,
    DELIVERY_CHANNEL,
    RECORDER,
    RECORDER_STATUS,
)
from tests.emulator.gap_effects import BYSTANDER, hidden_checks
from tests.emulator.live_audit import audit, collect, deny, program_resources, shape_differences

ACCOUNT = "123456789012"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/config-recorder"
KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/a37bf4cc-98bf-3dcd-7dd4-5ea9430d9b2f"


def _config(aws, all_supported: bool = True) -> None:
    cfg = aws.client("config")
    group = (
        {"allSupported": True, "includeGlobalResourceTypes": True}
        if all_supported
        else {
            "allSupported": False,
            "resourceTypes": ["AWS::S3::Bucket"],
            "recordingStrategy": {"useOnly": "INCLUSION_BY_RESOURCE_TYPES"},
        }
    )
    cfg.put_configuration_recorder(
        ConfigurationRecorder={"name": "recorder", "roleARN": ROLE, "recordingGroup": group}
    )
    aws.client("s3").create_bucket(Bucket="evidence")
    cfg.put_delivery_channel(
        DeliveryChannel={
            "name": "evidence",
            "s3BucketName": "evidence",
            "s3KeyPrefix": "config",
            "s3KmsKeyArn": KEY,
            "configSnapshotDeliveryProperties": {"deliveryFrequency": "TwentyFour_Hours"},
        }
    )
    cfg.start_configuration_recorder(ConfigurationRecorderName="recorder")


def _recorder_check(evaluation):
    (finding,) = [f for f in evaluation.findings if f.check.id == "config_recorder_all_resources"]
    return finding


def test_recorder_status_and_channel_are_read_as_the_program_declares_them(aws):
    _config(aws)
    collected = collect(aws, COLLECTORS)
    assert collected.gaps == {}
    found = {r.type: r for r in collected.resources}
    assert sorted(found) == sorted([RECORDER, RECORDER_STATUS, DELIVERY_CHANNEL])
    assert dict(found[RECORDER].props) == {
        "name": "recorder",
        "role_arn": ROLE,
        "recording_group": {
            "all_supported": True,
            "include_global_resource_types": True,
            "recording_strategies": [{"use_only": "ALL_SUPPORTED_RESOURCE_TYPES"}],
        },
    }
    assert dict(found[RECORDER_STATUS].props) == {"name": "recorder", "is_enabled": True}
    assert dict(found[DELIVERY_CHANNEL].props) == {
        "name": "evidence",
        "s3_bucket_name": "evidence",
        "s3_key_prefix": "config",
        "s3_kms_key_arn": KEY,
        "snapshot_delivery_properties": {"delivery_frequency": "TwentyFour_Hours"},
    }
    declared = program_resources("prod")
    for live in found.values():
        program = next(r for r in declared if r.type == live.type)
        assert shape_differences(program.props, live.props) == [], live.type


def test_a_recording_all_resources_recorder_passes(aws):
    _config(aws)
    assert _recorder_check(audit(aws, COLLECTORS)).status is Status.PASS


def test_stopping_the_recorder_fails_the_check(aws):
    _config(aws)
    aws.client("config").stop_configuration_recorder(ConfigurationRecorderName="recorder")
    finding = _recorder_check(audit(aws, COLLECTORS))
    assert finding.status is Status.FAIL
    assert finding.evidence["missing"] == ["us-east-1"]


def test_a_recorder_of_some_types_only_fails_the_check(aws):
    _config(aws, all_supported=False)
    collected = collect(aws, COLLECTORS)
    (recorder,) = [r for r in collected.resources if r.type == RECORDER]
    assert recorder.props["recording_group"] == {
        "all_supported": False,
        "include_global_resource_types": False,
        "resource_types": ["AWS::S3::Bucket"],
        "recording_strategies": [{"use_only": "INCLUSION_BY_RESOURCE_TYPES"}],
    }
    assert _recorder_check(audit(aws, COLLECTORS)).status is Status.FAIL


def test_a_denied_status_read_hides_the_config_check_and_nothing_else(aws, monkeypatch):
    _config(aws)
    before = audit(aws, COLLECTORS, also=[BYSTANDER])
    deny(monkeypatch, "config", "DescribeConfigurationRecorderStatus")
    after = audit(aws, COLLECTORS, also=[BYSTANDER])
    reason = "access denied to DescribeConfigurationRecorderStatus (AccessDenied)"
    assert hidden_checks(before, after, reason) == {"config_recorder_all_resources"}
