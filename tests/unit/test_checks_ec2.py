"""EC2/EBS encryption checks: volumes, launch block devices and the account's encryption by
default. (IMDSv2, instance profiles, EBS in backup plans: test_checks_ec2_instances.py.)"""

from __future__ import annotations

import pytest

from checks.aws.ec2 import (
    ebs_encryption_by_default,
    ebs_volume_encrypted,
    ec2_block_devices_encrypted,
)
from checks.model import HIDDEN_REGION, UNKNOWN, Inventory, Resource, Undecidable
from checks.registry import Status

REGION, OTHER = "us-east-1", "eu-west-1"


def volume(region=REGION, **props) -> Resource:
    return Resource(
        "aws:ebs/volume:Volume",
        "data",
        {"size": 100, **props},
        id="vol-1",
        arn="arn:aws:ec2:us-east-1:1:volume/vol-1",
        region=region,
    )


def instance(region=REGION, **props) -> Resource:
    return Resource("aws:ec2/instance:Instance", "app", {"ami": "ami-1", **props}, region=region)


def template(**props) -> Resource:
    return Resource("aws:ec2/launchTemplate:LaunchTemplate", "app-lt", props, region=REGION)


def by_default(enabled=True, region=REGION, name="ebs") -> Resource:
    return Resource(
        "aws:ebs/encryptionByDefault:EncryptionByDefault", name, {"enabled": enabled}, region=region
    )


def run(fn, target: Resource, *others: Resource):
    return fn(target, Inventory([target, *others]))


# -- ebs_volume_encrypted --------------------------------------------------------------------------


@pytest.mark.parametrize("value", [True, "true"])
def test_encrypted_volume_passes(value):
    result = run(ebs_volume_encrypted, volume(encrypted=value))
    assert (result.status, result.evidence) == (
        Status.PASS,
        {"encrypted": True, "by_default": False},
    )


@pytest.mark.parametrize("props", [{}, {"encrypted": False}])
def test_plain_volume_fails(props):
    result = run(ebs_volume_encrypted, volume(**props))
    assert (result.status, result.evidence) == (
        Status.FAIL,
        {"encrypted": False, "by_default": False},
    )


@pytest.mark.parametrize(
    "defaults",
    [
        (by_default(),),
        (by_default(region=None),),  # a program's default: the stack's own region
        (by_default(enabled=False, name="off"), by_default()),  # one enabled default suffices
        (by_default(region=OTHER, name="eu"), by_default()),
    ],
)
def test_account_default_encryption_covers_a_plain_volume_in_its_region(defaults):
    result = run(ebs_volume_encrypted, volume(), *defaults)
    assert (result.status, result.evidence) == (
        Status.PASS,
        {"encrypted": True, "by_default": True},
    )


def test_account_default_declared_without_enabled_is_on():
    bare = Resource("aws:ebs/encryptionByDefault:EncryptionByDefault", "ebs", {}, region=REGION)
    result = run(ebs_volume_encrypted, volume(), bare)
    assert (result.status, result.evidence) == (
        Status.PASS,
        {"encrypted": True, "by_default": True},
    )
    [account] = ebs_encryption_by_default(Inventory([volume(), bare]))
    assert (account.status, account.evidence) == (Status.PASS, {"regions": [REGION], "missing": []})


def test_account_default_covers_a_volume_whose_region_is_not_known():
    result = run(ebs_volume_encrypted, volume(region=None), by_default(region=OTHER))
    assert (result.status, result.evidence) == (
        Status.PASS,
        {"encrypted": True, "by_default": True},
    )


@pytest.mark.parametrize(
    "defaults",
    [
        (by_default(region=OTHER),),  # another region's default
        (by_default(enabled=False),),  # the default turned off here
        (by_default(enabled=False), by_default(region=OTHER, name="eu")),  # on only elsewhere
    ],
)
def test_account_default_elsewhere_or_off_does_not_cover_a_plain_volume(defaults):
    result = run(ebs_volume_encrypted, volume(), *defaults)
    assert (result.status, result.evidence) == (
        Status.FAIL,
        {"encrypted": False, "by_default": False},
    )


def test_volume_encryption_that_cannot_be_seen_is_not_evaluated():
    with pytest.raises(Undecidable, match="encrypted of data"):
        run(ebs_volume_encrypted, volume(encrypted=UNKNOWN))
    with pytest.raises(Undecidable, match="enabled of ebs"):
        run(ebs_volume_encrypted, volume(), by_default(enabled=UNKNOWN))


# -- ec2_block_devices_encrypted -------------------------------------------------------------------


def test_instance_with_encrypted_root_and_data_devices_passes():
    result = run(
        ec2_block_devices_encrypted,
        instance(
            root_block_device={"encrypted": True},
            ebs_block_devices=[
                {"device_name": "/dev/sdf", "encrypted": True},
                {"device_name": "/dev/sdg", "encrypted": "true"},
            ],
        ),
    )
    assert (result.status, result.evidence) == (Status.PASS, {"unencrypted": []})


@pytest.mark.parametrize(
    ("props", "unencrypted"),
    [
        ({}, ["root"]),  # an undeclared root device: the AMI decides
        ({"root_block_device": {"encrypted": False}}, ["root"]),
        (
            {
                "root_block_device": {"encrypted": True},
                "ebs_block_devices": [
                    {"device_name": "/dev/sdf", "encrypted": True},
                    {"device_name": "/dev/sdg"},
                ],
            },
            ["/dev/sdg"],
        ),
        ({"ebs_block_devices": [{"device_name": "/dev/sdf", "encrypted": True}]}, ["root"]),
    ],
)
def test_an_unencrypted_device_of_several_fails_naming_it(props, unencrypted):
    result = run(ec2_block_devices_encrypted, instance(**props))
    assert (result.status, result.evidence) == (Status.FAIL, {"unencrypted": unencrypted})


def test_launch_template_with_every_mapping_encrypted_passes():
    mappings = [
        {"device_name": "/dev/xvda", "ebs": {"encrypted": "true"}},
        {"device_name": "/dev/xvdb", "ebs": {"encrypted": True}},
    ]
    result = run(ec2_block_devices_encrypted, template(block_device_mappings=mappings))
    assert (result.status, result.evidence) == (Status.PASS, {"unencrypted": []})


def test_launch_template_with_one_plain_mapping_fails_naming_it():
    mappings = [
        {"device_name": "/dev/xvda", "ebs": {"encrypted": "true"}},
        {"device_name": "/dev/xvdb", "ebs": {"volume_size": 10}},
    ]
    result = run(ec2_block_devices_encrypted, template(block_device_mappings=mappings))
    assert (result.status, result.evidence) == (Status.FAIL, {"unencrypted": ["/dev/xvdb"]})


def test_launch_template_without_mappings_leaves_encryption_to_the_ami():
    result = run(ec2_block_devices_encrypted, template())
    assert (result.status, result.evidence) == (Status.FAIL, {"unencrypted": ["(AMI)"]})


@pytest.mark.parametrize("target", [template(), instance()])
def test_account_default_in_the_region_covers_every_launch(target):
    result = run(ec2_block_devices_encrypted, target, by_default())
    assert (result.status, result.evidence) == (Status.PASS, {"unencrypted": []})


def test_account_default_of_another_region_does_not_cover_a_launch():
    result = run(ec2_block_devices_encrypted, instance(), by_default(region=OTHER))
    assert (result.status, result.evidence) == (Status.FAIL, {"unencrypted": ["root"]})


def test_block_devices_that_cannot_be_seen_are_not_evaluated():
    with pytest.raises(Undecidable):
        run(ec2_block_devices_encrypted, template(block_device_mappings=UNKNOWN))
    with pytest.raises(Undecidable):
        run(ec2_block_devices_encrypted, instance(ebs_block_devices=UNKNOWN))


# -- ebs_encryption_by_default ---------------------------------------------------------------------


def test_account_default_in_each_ebs_region_passes():
    [result] = ebs_encryption_by_default(Inventory([volume(), by_default()]))
    assert (result.status, result.evidence) == (Status.PASS, {"regions": [REGION], "missing": []})


def test_account_default_in_one_ebs_region_of_two_fails_naming_the_other():
    inv = Inventory([volume(), instance(region=OTHER), by_default()])
    [result] = ebs_encryption_by_default(inv)
    assert (result.status, result.evidence) == (
        Status.FAIL,
        {"regions": [OTHER, REGION], "missing": [OTHER]},
    )


@pytest.mark.parametrize(
    "defaults", [(), (by_default(enabled=False),), (by_default(region=OTHER),)]
)
def test_no_enabled_default_in_the_ebs_region_fails(defaults):
    [result] = ebs_encryption_by_default(Inventory([volume(), *defaults]))
    assert (result.status, result.evidence) == (
        Status.FAIL,
        {"regions": [REGION], "missing": [REGION]},
    )


def test_a_default_or_a_launch_without_a_region_is_the_stacks_own_region():
    [unplaced_default] = ebs_encryption_by_default(
        Inventory([volume(), instance(region=OTHER), by_default(region=None)])
    )
    assert (unplaced_default.status, unplaced_default.evidence) == (
        Status.PASS,
        {"regions": [OTHER, REGION], "missing": []},
    )
    [unplaced_volume] = ebs_encryption_by_default(Inventory([volume(region=None), by_default()]))
    assert (unplaced_volume.status, unplaced_volume.evidence) == (
        Status.PASS,
        {"regions": [None], "missing": []},
    )


def test_account_default_with_no_ebs_in_use_reports_nothing():
    assert ebs_encryption_by_default(Inventory([by_default()])) == []


def test_account_default_that_cannot_be_seen_is_not_evaluated():
    with pytest.raises(Undecidable):
        ebs_encryption_by_default(Inventory([volume(), by_default(enabled=UNKNOWN)]))
    gapped = Inventory(
        [volume()], gaps={"aws:ebs/encryptionByDefault:EncryptionByDefault": "AccessDenied"}
    )
    with pytest.raises(Undecidable, match="AccessDenied"):
        ebs_encryption_by_default(gapped)


def test_ebs_regions_known_and_unknown_are_listed_together():
    inv = Inventory([volume(region=None), instance(region=OTHER), by_default(region=OTHER)])
    [result] = ebs_encryption_by_default(inv)
    assert (result.status, result.message, result.evidence) == (
        Status.PASS,
        "EBS encryption by default is on wherever EBS is used",
        {"regions": [None, OTHER], "missing": []},
    )


def test_an_account_default_in_a_hidden_region_is_named_in_the_reason():
    with pytest.raises(Undecidable) as caught:
        run(ebs_volume_encrypted, volume(), by_default(region=HIDDEN_REGION))
    assert str(caught.value) == "the region of data or ebs cannot be read"
