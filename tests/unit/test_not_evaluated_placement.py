"""Where a resource is, when it is not known: an account-wide setting (GuardDuty, Security Hub,
an AWS Config recorder, EBS encryption by default, instance metadata defaults) declared through
a provider whose region the stack keeps secret covers no region the audit knows of.

The stack export below places a volume and an instance in us-east-1 (their ARNs say so) and the
setting under the provider `elsewhere`, whose `region` is a secret only the stack's key opens.
The same setting under the default provider, in us-east-1, passes; in the unknown region it must
not: it may be in any region.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from checks.evaluate import evaluate
from checks.library import build_registry
from checks.model import Inventory
from checks.registry import Status
from checks.sources.state import load_state

PREFIX = "urn:pulumi:dev::placement::"
PROVIDER = PREFIX + "pulumi:providers:aws::elsewhere"
DEFAULT_PROVIDER = PREFIX + "pulumi:providers:aws::default_7_0_0"
SECRET_REGION = {
    "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
    "ciphertext": "v1:Zx8qP1sD5gH0:c2VjcmV0LXJlZ2lvbg==",
}
ROLE = "arn:aws:iam::123456789012:role/config"

SETTINGS = {
    "guardduty_enabled_all_regions": [
        ("aws:guardduty/detector:Detector", "main", {"enable": True}),
    ],
    "securityhub_enabled": [
        ("aws:securityhub/account:Account", "hub", {"enableDefaultStandards": True}),
    ],
    "config_recorder_all_resources": [
        ("aws:cfg/recorder:Recorder", "recorder",
         {"name": "default", "roleArn": ROLE, "recordingGroup": {"allSupported": True}}),
        ("aws:cfg/recorderStatus:RecorderStatus", "recorder-status",
         {"name": "default", "isEnabled": True}),
    ],
    "ebs_encryption_by_default": [
        ("aws:ebs/encryptionByDefault:EncryptionByDefault", "ebs-default", {"enabled": True}),
    ],
    "ebs_volume_encrypted": [
        ("aws:ebs/encryptionByDefault:EncryptionByDefault", "ebs-default", {"enabled": True}),
    ],
    "ec2_block_devices_encrypted": [
        ("aws:ebs/encryptionByDefault:EncryptionByDefault", "ebs-default", {"enabled": True}),
    ],
    "ec2_imdsv2_required": [
        ("aws:ec2/instanceMetadataDefaults:InstanceMetadataDefaults", "imds",
         {"httpTokens": "required"}),
    ],
}  # fmt: skip
# What each check judges: the account (None) or one of the resources placed in us-east-1.
SUBJECT = {
    "ebs_volume_encrypted": "data",
    "ec2_block_devices_encrypted": "app",
    "ec2_imdsv2_required": "app",
}


def _entry(token: str, name: str, inputs: dict[str, Any], provider: str) -> dict[str, Any]:
    arn = {
        "data": "arn:aws:ec2:us-east-1:123456789012:volume/vol-0a1b2c3d",
        "app": "arn:aws:ec2:us-east-1:123456789012:instance/i-0a1b2c3d",
    }.get(name)
    return {
        "urn": f"{PREFIX}{token}::{name}", "custom": True, "type": token, "id": f"{name}-id",
        "provider": f"{provider}::{name}-provider-id", "inputs": inputs,
        "outputs": {**inputs, **({"arn": arn} if arn else {})},
    }  # fmt: skip


def _export(tmp_path: Path, check_id: str, provider: str) -> Path:
    placed = [
        ("aws:ebs/volume:Volume", "data",
         {"availabilityZone": "us-east-1a", "size": 20, "encrypted": False}),
        ("aws:ec2/instance:Instance", "app", {"ami": "ami-0abcdef1234567890",
         "instanceType": "t3.micro"}),
    ]  # fmt: skip
    providers = [
        {"urn": PROVIDER, "custom": True, "type": "pulumi:providers:aws", "id": "elsewhere-id",
         "inputs": {"region": SECRET_REGION}, "outputs": {"region": SECRET_REGION}},
        {"urn": DEFAULT_PROVIDER, "custom": True, "type": "pulumi:providers:aws",
         "id": "default-id", "inputs": {"region": "us-east-1"},
         "outputs": {"region": "us-east-1"}},
    ]  # fmt: skip
    resources = [
        {"urn": PREFIX + "pulumi:pulumi:Stack::placement-dev", "custom": False,
         "type": "pulumi:pulumi:Stack"},
        *providers,
        *(_entry(*r, DEFAULT_PROVIDER) for r in placed),
        *(_entry(*r, provider) for r in SETTINGS[check_id]),
    ]  # fmt: skip
    path = tmp_path / "state.json"
    path.write_text(json.dumps({"version": 3, "deployment": {"resources": resources}}))
    return path


def _statuses(tmp_path: Path, check_id: str, provider: str) -> list[Status]:
    collected = load_state(_export(tmp_path, check_id, provider))
    subject = SUBJECT.get(check_id)
    return [
        f.status
        for f in evaluate(Inventory(collected.resources), build_registry()).findings
        if f.check.id == check_id and (f.resource.name if f.resource else None) == subject
    ]


@pytest.mark.parametrize("check_id", sorted(SETTINGS))
def test_the_setting_in_the_known_region_passes(tmp_path, check_id):
    assert _statuses(tmp_path, check_id, DEFAULT_PROVIDER) == [Status.PASS]


@pytest.mark.parametrize("check_id", sorted(SETTINGS))
def test_the_setting_in_an_unknown_region_is_not_evaluated(tmp_path, check_id):
    assert _statuses(tmp_path, check_id, PROVIDER) == [Status.NOT_EVALUATED]


def test_the_unknown_region_is_unknown_to_the_inventory(tmp_path):
    collected = load_state(_export(tmp_path, "guardduty_enabled_all_regions", PROVIDER))
    regions = {r.name: r.region for r in collected.resources}
    assert regions == {"data": "us-east-1", "app": "us-east-1", "main": "(hidden region)"}
