"""EC2 instance checks: IMDSv2 (own options or the account's defaults), instance profiles, and
EBS volumes in a backup plan."""

from __future__ import annotations

import dataclasses

import pytest

from checks.aws.ec2 import (
    ebs_volume_in_backup_plan,
    ec2_imdsv2_required,
    ec2_instance_profile_attached,
)
from checks.evaluate import run_check
from checks.library import build_registry
from checks.model import SECRET, UNKNOWN, Inventory, MadeUp, Resource, Undecidable
from checks.registry import Status

REGION, OTHER = "us-east-1", "eu-west-1"
SELECTION = "aws:backup/selection:Selection"


def instance(**props) -> Resource:
    return Resource("aws:ec2/instance:Instance", "app", {"ami": "ami-1", **props}, region=REGION)


def template(**props) -> Resource:
    return Resource("aws:ec2/launchTemplate:LaunchTemplate", "app-lt", props, region=REGION)


def imds_defaults(region=REGION, **props) -> Resource:
    return Resource(
        "aws:ec2/instanceMetadataDefaults:InstanceMetadataDefaults", "imds", props, region=region
    )


def run(fn, target: Resource, *others: Resource):
    return fn(target, Inventory([target, *others]))


# -- ec2_imdsv2_required ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "tokens"),
    [
        ({"http_tokens": "required"}, "required"),
        ({"http_endpoint": "disabled"}, "disabled"),
        ({"http_endpoint": "disabled", "http_tokens": "optional"}, "disabled"),
        ([{"http_put_response_hop_limit": 1}, {"http_tokens": "required"}], "required"),
    ],
)
@pytest.mark.parametrize("launcher", [instance, template])
def test_imdsv1_turned_off_by_the_launchs_own_options_passes(launcher, options, tokens):
    result = run(ec2_imdsv2_required, launcher(metadata_options=options))
    assert (result.status, result.evidence, result.message) == (
        Status.PASS,
        {"http_tokens": tokens},
        f"IMDSv1 is off (metadata_options: {tokens})",
    )


@pytest.mark.parametrize(
    ("props", "tokens"),
    [
        ({"metadata_options": {"http_tokens": "optional"}}, "optional"),
        ({"metadata_options": {"http_endpoint": "enabled"}}, None),
        ({}, None),
    ],
)
def test_imdsv1_allowed_fails(props, tokens):
    result = run(ec2_imdsv2_required, instance(**props))
    assert (result.status, result.evidence) == (Status.FAIL, {"http_tokens": tokens})


@pytest.mark.parametrize(
    ("defaults", "tokens"),
    [
        ({"http_tokens": "required"}, "required"),
        ({"http_endpoint": "disabled"}, "disabled"),
    ],
)
def test_account_defaults_in_the_region_turn_imdsv1_off(defaults, tokens):
    result = run(ec2_imdsv2_required, instance(), imds_defaults(**defaults))
    assert (result.status, result.evidence, result.message) == (
        Status.PASS,
        {"http_tokens": tokens},
        f"IMDSv1 is off (account defaults: {tokens})",
    )
    unplaced = run(ec2_imdsv2_required, instance(), imds_defaults(None, **defaults))
    assert (unplaced.status, unplaced.evidence) == (Status.PASS, {"http_tokens": tokens})


@pytest.mark.parametrize(
    ("launch", "defaults", "tokens"),
    [
        ({}, imds_defaults(OTHER, http_tokens="required"), None),  # another region's defaults
        ({}, imds_defaults(http_tokens="optional"), "optional"),
        ({}, imds_defaults(http_tokens="no-preference"), "no-preference"),
        ({}, imds_defaults(), None),  # defaults declared without a preference
        # the launch's own setting wins over the account's default
        ({"metadata_options": {"http_tokens": "optional"}}, imds_defaults(http_tokens="required"),
         "optional"),
    ],
)  # fmt: skip
def test_account_defaults_that_allow_imdsv1_or_do_not_apply_fail(launch, defaults, tokens):
    result = run(ec2_imdsv2_required, instance(**launch), defaults)
    assert (result.status, result.evidence) == (Status.FAIL, {"http_tokens": tokens})


def test_metadata_options_that_cannot_be_seen_are_not_evaluated():
    with pytest.raises(Undecidable, match="metadata_options of app"):
        run(ec2_imdsv2_required, instance(metadata_options=UNKNOWN))
    with pytest.raises(Undecidable, match="http_tokens of imds"):
        run(ec2_imdsv2_required, instance(), imds_defaults(http_tokens=UNKNOWN))


# -- ec2_instance_profile_attached -----------------------------------------------------------------


def test_instance_profile_attached_passes():
    result = run(ec2_instance_profile_attached, instance(iam_instance_profile="app-profile"))
    assert (result.status, result.evidence) == (
        Status.PASS,
        {"iam_instance_profile": "app-profile"},
    )


@pytest.mark.parametrize(
    "props", [{}, {"iam_instance_profile": ""}, {"iam_instance_profile": None}]
)
def test_instance_without_a_profile_fails(props):
    result = run(ec2_instance_profile_attached, instance(**props))
    assert (result.status, result.evidence) == (Status.FAIL, {"iam_instance_profile": None})


def test_instance_profile_that_cannot_be_seen_is_not_evaluated():
    with pytest.raises(Undecidable, match="iam_instance_profile of app"):
        run(ec2_instance_profile_attached, instance(iam_instance_profile=UNKNOWN))


# -- ebs_volume_in_backup_plan ---------------------------------------------------------------------


def volume(**props) -> Resource:
    return Resource(
        "aws:ebs/volume:Volume",
        "data",
        {"size": 100, **props},
        id="vol-1",
        arn="arn:aws:ec2:us-east-1:1:volume/vol-1",
        region=REGION,
    )


def selection(name="volumes", **props) -> Resource:
    return Resource(SELECTION, name, props)


@pytest.mark.parametrize(
    "chosen",
    [
        selection(resources=["arn:aws:ec2:*:*:volume/*"]),
        selection(resources=["arn:aws:rds:*:*:db:*", "arn:aws:ec2:*:*:volume/vol-1"]),
        selection(selection_tags=[{"type": "STRINGEQUALS", "key": "backup", "value": "daily"}]),
        selection(
            resources=["*"],
            conditions=[{"string_likes": [{"key": "aws:ResourceTag/backup", "value": "da*"}]}],
        ),
    ],
)
def test_volume_selected_by_a_backup_plan_passes(chosen):
    result = run(ebs_volume_in_backup_plan, volume(tags={"backup": "daily"}), chosen)
    assert (result.status, result.evidence) == (Status.PASS, {"backup_selections": ["volumes"]})


@pytest.mark.parametrize(
    "others",
    [
        (),
        (selection(resources=["arn:aws:rds:*:*:db:*"]),),
        (selection(resources=["arn:aws:ec2:*:*:volume/*"], not_resources=["*:volume/vol-1"]),),
        (selection(resources=["*"], conditions=[{"string_not_equals": [
            {"key": "aws:ResourceTag/backup", "value": "daily"}]}]),),
    ],
)  # fmt: skip
def test_volume_no_selection_chooses_fails(others):
    result = run(ebs_volume_in_backup_plan, volume(tags={"backup": "daily"}), *others)
    assert (result.status, result.evidence) == (Status.FAIL, {"backup_selections": []})


def test_volume_whose_arn_property_cannot_be_seen_is_not_evaluated():
    """The ARN property decides the selection by pattern, through the accessor: the ARN the
    source knows the volume by does not stand in for one it could not see."""
    chosen = selection(resources=["arn:aws:ec2:*:*:volume/*"])
    check = build_registry().get("ebs_volume_in_backup_plan")
    unrecorded = dataclasses.replace(volume(), source="state", recorded=frozenset({"size"}))
    cases = [volume(arn=v) for v in (SECRET, UNKNOWN, MadeUp(volume().arn))] + [unrecorded]
    for target in cases:
        [finding] = run_check(check, Inventory([target, chosen]), target)
        assert finding.status is Status.NOT_EVALUATED, target.props


def test_volume_selections_that_cannot_be_seen_are_not_evaluated():
    with pytest.raises(Undecidable):
        run(ebs_volume_in_backup_plan, volume(), selection(resources=UNKNOWN))
    with pytest.raises(Undecidable):
        run(ebs_volume_in_backup_plan, volume(tags=UNKNOWN), selection(selection_tags=[{}]))
    gapped = Inventory([volume()], gaps={SELECTION: "AccessDenied on ListBackupSelections"})
    with pytest.raises(Undecidable, match="ListBackupSelections"):
        ebs_volume_in_backup_plan(volume(), gapped)
