"""Account-level detection checks: GuardDuty, Security Hub and AWS Config in every audited
region."""

from __future__ import annotations

import pytest

from checks.aws.detection import (
    config_recorder_all_resources,
    guardduty_enabled_all_regions,
    securityhub_enabled,
)
from checks.model import HIDDEN_REGION, UNKNOWN, Inventory, Resource, Undecidable
from checks.registry import Status

EAST, WEST = "us-east-1", "us-west-2"


def bucket(region: str) -> Resource:
    return Resource("aws:s3/bucket:Bucket", f"b-{region}", {"bucket": f"b-{region}"}, region=region)


def detector(region: str | None, **props) -> Resource:
    return Resource("aws:guardduty/detector:Detector", f"gd-{region}", props, region=region)


def coverage(regions: list, enabled_in: list, missing: list) -> dict:
    return {"audited_regions": regions, "enabled_in": enabled_in, "missing": missing}


# -- guardduty_enabled_all_regions -----------------------------------------------------------------


def test_guardduty_in_every_audited_region_passes():
    inv = Inventory([bucket(EAST), bucket(WEST), detector(EAST), detector(WEST, enable=True)])
    [result] = guardduty_enabled_all_regions(inv)
    assert (result.status, result.evidence) == (
        Status.PASS,
        coverage([EAST, WEST], [EAST, WEST], []),
    )


def test_guardduty_suspended_in_one_region_of_two_fails_naming_it():
    inv = Inventory([bucket(EAST), bucket(WEST), detector(EAST), detector(WEST, enable=False)])
    [result] = guardduty_enabled_all_regions(inv)
    assert (result.status, result.evidence) == (
        Status.FAIL,
        coverage([EAST, WEST], [EAST], [WEST]),
    )


def test_guardduty_nowhere_fails():
    [result] = guardduty_enabled_all_regions(Inventory([bucket(EAST)]))
    assert (result.status, result.evidence) == (Status.FAIL, coverage([EAST], [], [EAST]))
    [off] = guardduty_enabled_all_regions(Inventory([bucket(EAST), detector(EAST, enable=False)]))
    assert (off.status, off.evidence) == (Status.FAIL, coverage([EAST], [], [EAST]))


def test_a_detector_in_another_region_does_not_cover_this_one():
    [result] = guardduty_enabled_all_regions(Inventory([bucket(EAST), detector(WEST)]))
    assert (result.status, result.evidence) == (
        Status.FAIL,
        coverage([EAST, WEST], [WEST], [EAST]),
    )


def test_a_detector_of_the_programs_own_region_covers_every_audited_region():
    """A program's resources carry no region: they all deploy to the stack's one region."""
    [result] = guardduty_enabled_all_regions(
        Inventory([bucket(EAST), bucket(WEST), detector(None)])
    )
    assert (result.status, result.evidence) == (Status.PASS, coverage([EAST, WEST], [""], []))


def test_guardduty_with_nothing_audited_reports_nothing():
    assert guardduty_enabled_all_regions(Inventory([])) == []


def test_guardduty_that_cannot_be_seen_is_not_evaluated():
    with pytest.raises(Undecidable, match="enable of gd-us-east-1"):
        guardduty_enabled_all_regions(Inventory([bucket(EAST), detector(EAST, enable=UNKNOWN)]))
    gapped = Inventory([bucket(EAST)], gaps={"aws:guardduty/detector:Detector": "AccessDenied"})
    with pytest.raises(Undecidable, match="AccessDenied"):
        guardduty_enabled_all_regions(gapped)


# -- securityhub_enabled ---------------------------------------------------------------------------


def hub(region: str) -> Resource:
    return Resource("aws:securityhub/account:Account", f"hub-{region}", {}, region=region)


def test_security_hub_in_every_audited_region_passes():
    [result] = securityhub_enabled(Inventory([bucket(EAST), hub(EAST)]))
    assert (result.status, result.evidence) == (Status.PASS, coverage([EAST], [EAST], []))


def test_security_hub_in_one_region_of_two_or_none_fails():
    [some] = securityhub_enabled(Inventory([bucket(EAST), bucket(WEST), hub(WEST)]))
    assert (some.status, some.evidence) == (Status.FAIL, coverage([EAST, WEST], [WEST], [EAST]))
    [none] = securityhub_enabled(Inventory([bucket(EAST)]))
    assert (none.status, none.evidence) == (Status.FAIL, coverage([EAST], [], [EAST]))


def test_security_hub_not_collected_is_not_evaluated():
    gapped = Inventory([bucket(EAST)], gaps={"aws:securityhub/account:Account": "AccessDenied"})
    with pytest.raises(Undecidable, match="AccessDenied"):
        securityhub_enabled(gapped)
    assert securityhub_enabled(Inventory([])) == []


# -- config_recorder_all_resources -----------------------------------------------------------------


def recorder(region=EAST, **props) -> Resource:
    return Resource(
        "aws:cfg/recorder:Recorder", f"config-{region}", {"name": "default", **props}, region=region
    )


def status(enabled=True, name="default", region=EAST) -> Resource:
    return Resource(
        "aws:cfg/recorderStatus:RecorderStatus",
        f"{name}-on-{region}",
        {"name": name, "is_enabled": enabled},
        region=region,
    )


def config(*resources: Resource) -> list:
    return config_recorder_all_resources(Inventory([bucket(EAST), *resources]))


@pytest.mark.parametrize(
    "props",
    [
        {},
        {"recording_group": {"all_supported": True}},
        {"recording_group": {"include_global_resource_types": True}},  # all_supported by default
    ],
)
def test_config_recorder_recording_everything_passes(props):
    [result] = config(recorder(**props), status())
    assert (result.status, result.evidence) == (Status.PASS, coverage([EAST], [EAST], []))


def test_a_recorder_without_a_name_is_the_default_recorder():
    unnamed = Resource("aws:cfg/recorder:Recorder", "config", {}, region=EAST)
    [result] = config(unnamed, status())
    assert (result.status, result.evidence) == (Status.PASS, coverage([EAST], [EAST], []))


def test_a_status_may_name_the_recorder_by_its_id():
    rec = Resource("aws:cfg/recorder:Recorder", "config", {}, id="org-recorder", region=EAST)
    [result] = config(rec, status(name="org-recorder"))
    assert (result.status, result.evidence) == (Status.PASS, coverage([EAST], [EAST], []))


def test_one_enabled_status_of_several_is_enough():
    [result] = config(recorder(), status(False, name="other"), status(True))
    assert (result.status, result.evidence) == (Status.PASS, coverage([EAST], [EAST], []))


@pytest.mark.parametrize(
    "statuses",
    [
        (),  # never started
        (status(False),),  # stopped
        (status(True, name="other"),),  # another recorder is started, not this one
    ],
)
def test_config_recorder_not_started_fails(statuses):
    [result] = config(recorder(), *statuses)
    assert (result.status, result.evidence) == (Status.FAIL, coverage([EAST], [], [EAST]))


@pytest.mark.parametrize(
    "group",
    [
        {"all_supported": False, "resource_types": ["AWS::S3::Bucket"]},
        [{"all_supported": True}, {"all_supported": False}],  # every group must record all
    ],
)
def test_partial_config_recorder_fails(group):
    [result] = config(recorder(recording_group=group), status())
    assert (result.status, result.evidence) == (Status.FAIL, coverage([EAST], [], [EAST]))


def test_config_recorder_in_one_region_of_two_fails_naming_the_other():
    inv = Inventory([bucket(EAST), bucket(WEST), recorder(EAST), status(region=EAST)])
    [result] = config_recorder_all_resources(inv)
    assert (result.status, result.evidence) == (
        Status.FAIL,
        coverage([EAST, WEST], [EAST], [WEST]),
    )


def test_config_recorder_that_cannot_be_seen_is_not_evaluated():
    with pytest.raises(Undecidable, match="is_enabled"):
        config(recorder(), status(UNKNOWN))
    with pytest.raises(Undecidable, match="recording_group"):
        config(recorder(recording_group=UNKNOWN), status())
    gapped = Inventory(
        [bucket(EAST), recorder()], gaps={"aws:cfg/recorderStatus:RecorderStatus": "AccessDenied"}
    )
    with pytest.raises(Undecidable, match="AccessDenied"):
        config_recorder_all_resources(gapped)


# -- the message of each verdict -------------------------------------------------------------------


def test_coverage_messages_name_the_service_and_the_missing_regions():
    everywhere = Inventory([bucket(EAST), bucket(WEST), detector(EAST), detector(WEST)])
    [result] = guardduty_enabled_all_regions(everywhere)
    assert (result.status, result.message, result.evidence) == (
        Status.PASS,
        "GuardDuty is enabled in every audited region",
        coverage([EAST, WEST], [EAST, WEST], []),
    )
    third = "eu-west-1"
    partial = Inventory([bucket(EAST), bucket(WEST), bucket(third), detector(WEST)])
    [result] = guardduty_enabled_all_regions(partial)
    assert (result.status, result.message, result.evidence) == (
        Status.FAIL,
        f"GuardDuty is not enabled in {third}, {EAST}",
        coverage([third, EAST, WEST], [WEST], [third, EAST]),
    )


def test_a_detector_in_a_hidden_region_is_named_in_the_reason():
    inv = Inventory([bucket(EAST), detector(HIDDEN_REGION)])
    with pytest.raises(Undecidable) as caught:
        guardduty_enabled_all_regions(inv)
    assert str(caught.value) == "GuardDuty is enabled in a region that cannot be read"


def test_a_named_recorder_is_not_started_by_the_default_recorders_status():
    [result] = config(recorder(name="prod"), status(True, name="default"))
    assert (result.status, result.evidence) == (Status.FAIL, coverage([EAST], [], [EAST]))
    [started] = config(recorder(name="prod"), status(True, name="prod"))
    assert (started.status, started.evidence) == (Status.PASS, coverage([EAST], [EAST], []))


def test_a_status_that_does_not_say_it_is_enabled_does_not_start_the_recorder():
    silent = Resource(
        "aws:cfg/recorderStatus:RecorderStatus", "on", {"name": "default"}, region=EAST
    )
    [result] = config(recorder(), silent)
    assert (result.status, result.evidence) == (Status.FAIL, coverage([EAST], [], [EAST]))
