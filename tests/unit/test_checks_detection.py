"""Account-level detection checks: GuardDuty, Security Hub and AWS Config in every audited
region."""

from __future__ import annotations

import pytest

from checks.aws.detection import (
    config_recorder_all_resources,
    guardduty_enabled_all_regions,
    securityhub_enabled,
)
from checks.model import UNKNOWN, Inventory, Resource, Undecidable
from checks.registry import Status


def bucket(region: str) -> Resource:
    return Resource("aws:s3/bucket:Bucket", f"b-{region}", {"bucket": f"b-{region}"}, region=region)


def detector(region: str, **props) -> Resource:
    return Resource("aws:guardduty/detector:Detector", f"gd-{region}", props, region=region)


def test_guardduty_in_every_audited_region_passes():
    inv = Inventory(
        [bucket("us-east-1"), bucket("us-west-2"), detector("us-east-1"), detector("us-west-2")]
    )
    [result] = guardduty_enabled_all_regions(inv)
    assert result.status is Status.PASS
    assert result.evidence["missing"] == []


def test_guardduty_missing_or_suspended_in_a_region_fails():
    inv = Inventory(
        [
            bucket("us-east-1"),
            bucket("us-west-2"),
            detector("us-east-1"),
            detector("us-west-2", enable=False),
        ]
    )
    [result] = guardduty_enabled_all_regions(inv)
    assert (result.status, result.evidence["missing"]) == (Status.FAIL, ["us-west-2"])
    [none] = guardduty_enabled_all_regions(Inventory([bucket("us-east-1")]))
    assert none.status is Status.FAIL
    assert guardduty_enabled_all_regions(Inventory([])) == []
    with pytest.raises(Undecidable):
        guardduty_enabled_all_regions(
            Inventory([bucket("us-east-1"), detector("us-east-1", enable=UNKNOWN)])
        )


def test_security_hub():
    hub = Resource("aws:securityhub/account:Account", "hub", {}, region="us-east-1")
    [ok] = securityhub_enabled(Inventory([bucket("us-east-1"), hub]))
    assert (ok.status, ok.evidence["enabled_in"]) == (Status.PASS, ["us-east-1"])
    [missing] = securityhub_enabled(Inventory([bucket("us-east-1")]))
    assert missing.status is Status.FAIL


def recorder(**props) -> Resource:
    return Resource(
        "aws:cfg/recorder:Recorder", "config", {"name": "default", **props}, region="us-east-1"
    )


def status(enabled=True) -> Resource:
    return Resource(
        "aws:cfg/recorderStatus:RecorderStatus",
        "config-on",
        {"name": "default", "is_enabled": enabled},
        region="us-east-1",
    )


def test_config_recorder_recording_everything_passes():
    [ok] = config_recorder_all_resources(Inventory([bucket("us-east-1"), recorder(), status()]))
    assert ok.status is Status.PASS


def test_config_recorder_not_started_or_partial_fails():
    [stopped] = config_recorder_all_resources(Inventory([bucket("us-east-1"), recorder()]))
    assert stopped.status is Status.FAIL
    partial = recorder(
        recording_group={"all_supported": False, "resource_types": ["AWS::S3::Bucket"]}
    )
    [result] = config_recorder_all_resources(Inventory([bucket("us-east-1"), partial, status()]))
    assert (result.status, result.evidence["missing"]) == (Status.FAIL, ["us-east-1"])
    with pytest.raises(Undecidable):
        config_recorder_all_resources(Inventory([bucket("us-east-1"), recorder(), status(UNKNOWN)]))
