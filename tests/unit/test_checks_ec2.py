"""EC2/EBS checks: volume encryption (and the account default), IMDSv2, instance profiles,
EBS in backup plans."""

from __future__ import annotations

import dataclasses

import pytest

from checks.aws.ec2 import (
    ebs_encryption_by_default,
    ebs_volume_encrypted,
    ebs_volume_in_backup_plan,
    ec2_block_devices_encrypted,
    ec2_imdsv2_required,
    ec2_instance_profile_attached,
)
from checks.evaluate import run_check
from checks.library import build_registry
from checks.model import SECRET, UNKNOWN, Inventory, MadeUp, Resource, Undecidable
from checks.registry import Status

REGION = "us-east-1"


def volume(**props) -> Resource:
    return Resource(
        "aws:ebs/volume:Volume",
        "data",
        {"size": 100, **props},
        id="vol-1",
        arn="arn:aws:ec2:us-east-1:1:volume/vol-1",
        region=REGION,
    )


def instance(**props) -> Resource:
    return Resource("aws:ec2/instance:Instance", "app", {"ami": "ami-1", **props}, region=REGION)


def template(**props) -> Resource:
    return Resource("aws:ec2/launchTemplate:LaunchTemplate", "app-lt", props, region=REGION)


def by_default(enabled=True, region=REGION) -> Resource:
    return Resource(
        "aws:ebs/encryptionByDefault:EncryptionByDefault",
        "ebs",
        {"enabled": enabled},
        region=region,
    )


def run(fn, target: Resource, *others: Resource):
    return fn(target, Inventory([target, *others]))


# -- ebs_volume_encrypted --------------------------------------------------------------------------


def test_encrypted_volume_passes_and_plain_volume_fails():
    ok = run(ebs_volume_encrypted, volume(encrypted=True))
    assert (ok.status, ok.evidence) == (Status.PASS, {"encrypted": True, "by_default": False})
    plain = run(ebs_volume_encrypted, volume())
    assert (plain.status, plain.evidence) == (
        Status.FAIL,
        {"encrypted": False, "by_default": False},
    )


def test_account_default_encryption_covers_a_plain_volume_in_its_region_only():
    assert run(ebs_volume_encrypted, volume(), by_default()).evidence["by_default"] is True
    assert run(ebs_volume_encrypted, volume(), by_default(region="eu-west-1")).status is Status.FAIL
    assert run(ebs_volume_encrypted, volume(), by_default(enabled=False)).status is Status.FAIL


def test_unknown_encryption_flag_is_undecidable():
    with pytest.raises(Undecidable):
        run(ebs_volume_encrypted, volume(encrypted=UNKNOWN))


# -- ec2_block_devices_encrypted -------------------------------------------------------------------


def test_instance_with_encrypted_root_and_data_devices_passes():
    result = run(
        ec2_block_devices_encrypted,
        instance(
            root_block_device={"encrypted": True},
            ebs_block_devices=[{"device_name": "/dev/sdf", "encrypted": True}],
        ),
    )
    assert (result.status, result.evidence) == (Status.PASS, {"unencrypted": []})


def test_undeclared_root_device_or_plain_data_device_fails():
    root = run(ec2_block_devices_encrypted, instance())
    assert (root.status, root.evidence) == (Status.FAIL, {"unencrypted": ["root"]})
    data = run(
        ec2_block_devices_encrypted,
        instance(
            root_block_device={"encrypted": True}, ebs_block_devices=[{"device_name": "/dev/sdf"}]
        ),
    )
    assert data.evidence == {"unencrypted": ["/dev/sdf"]}


def test_launch_template_mappings_and_account_default():
    lt = template(
        block_device_mappings=[{"device_name": "/dev/xvda", "ebs": {"encrypted": "true"}}]
    )
    assert run(ec2_block_devices_encrypted, lt).status is Status.PASS
    assert run(ec2_block_devices_encrypted, template()).status is Status.FAIL
    assert run(ec2_block_devices_encrypted, template(), by_default()).status is Status.PASS
    with pytest.raises(Undecidable):
        run(ec2_block_devices_encrypted, template(block_device_mappings=UNKNOWN))


# -- ebs_encryption_by_default ---------------------------------------------------------------------


def test_account_default_required_in_each_ebs_region():
    [ok] = ebs_encryption_by_default(Inventory([volume(), by_default()]))
    assert (ok.status, ok.evidence) == (Status.PASS, {"regions": [REGION], "missing": []})
    [missing] = ebs_encryption_by_default(Inventory([volume()]))
    assert (missing.status, missing.evidence["missing"]) == (Status.FAIL, [REGION])
    assert ebs_encryption_by_default(Inventory([by_default()])) == []
    with pytest.raises(Undecidable):
        ebs_encryption_by_default(Inventory([volume(), by_default(enabled=UNKNOWN)]))


# -- ec2_imdsv2_required ---------------------------------------------------------------------------


def test_imdsv2_required_or_endpoint_disabled_passes():
    ok = run(ec2_imdsv2_required, instance(metadata_options={"http_tokens": "required"}))
    assert (ok.status, ok.evidence) == (Status.PASS, {"http_tokens": "required"})
    off = run(ec2_imdsv2_required, template(metadata_options={"http_endpoint": "disabled"}))
    assert off.status is Status.PASS


def test_imdsv1_allowed_fails_unless_the_account_default_requires_v2():
    optional = run(ec2_imdsv2_required, instance(metadata_options={"http_tokens": "optional"}))
    assert (optional.status, optional.evidence) == (Status.FAIL, {"http_tokens": "optional"})
    unset = run(ec2_imdsv2_required, instance())
    assert (unset.status, unset.evidence) == (Status.FAIL, {"http_tokens": None})
    defaults = Resource(
        "aws:ec2/instanceMetadataDefaults:InstanceMetadataDefaults",
        "imds",
        {"http_tokens": "required"},
        region=REGION,
    )
    assert run(ec2_imdsv2_required, instance(), defaults).status is Status.PASS


def test_unknown_metadata_options_are_undecidable():
    with pytest.raises(Undecidable):
        run(ec2_imdsv2_required, instance(metadata_options=UNKNOWN))


# -- ec2_instance_profile_attached / ebs_volume_in_backup_plan -------------------------------------


def test_instance_profile():
    ok = run(ec2_instance_profile_attached, instance(iam_instance_profile="app-profile"))
    assert (ok.status, ok.evidence) == (Status.PASS, {"iam_instance_profile": "app-profile"})
    assert run(ec2_instance_profile_attached, instance()).status is Status.FAIL
    with pytest.raises(Undecidable):
        run(ec2_instance_profile_attached, instance(iam_instance_profile=UNKNOWN))


def test_volume_in_backup_plan():
    selection = Resource(
        "aws:backup/selection:Selection", "volumes", {"resources": ["arn:aws:ec2:*:*:volume/*"]}
    )
    ok = run(ebs_volume_in_backup_plan, volume(), selection)
    assert (ok.status, ok.evidence) == (Status.PASS, {"backup_selections": ["volumes"]})
    assert run(ebs_volume_in_backup_plan, volume()).status is Status.FAIL


def test_volume_whose_arn_property_cannot_be_seen_is_not_evaluated():
    """The ARN property decides the selection by pattern, through the accessor: the ARN the
    source knows the volume by does not stand in for one it could not see."""
    selection = Resource(
        "aws:backup/selection:Selection", "volumes", {"resources": ["arn:aws:ec2:*:*:volume/*"]}
    )
    check = build_registry().get("ebs_volume_in_backup_plan")
    unrecorded = dataclasses.replace(volume(), source="state", recorded=frozenset({"size"}))
    cases = [volume(arn=v) for v in (SECRET, UNKNOWN, MadeUp(volume().arn))] + [unrecorded]
    for target in cases:
        [finding] = run_check(check, Inventory([target, selection]), target)
        assert finding.status is Status.NOT_EVALUATED, target.props
