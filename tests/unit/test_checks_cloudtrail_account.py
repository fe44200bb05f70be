"""The account's CloudTrail trail (logging, multi-region, validated, management events) and the
trail's bucket (private and access-logged)."""

from __future__ import annotations

import pytest

from checks.aws.cloudtrail_delivery import (
    cloudtrail_bucket_private_and_logged,
    cloudtrail_enabled_multi_region,
)
from checks.model import UNKNOWN, Inventory, Resource, Undecidable
from checks.registry import Status

TRAIL = "aws:cloudtrail/trail:Trail"


def trail(name="audit", **props) -> Resource:
    return Resource(TRAIL, name, {"s3_bucket_name": "audit-logs", **props})


def good_trail(name="audit", **props) -> Resource:
    base = {"is_multi_region_trail": True, "enable_log_file_validation": True}
    return trail(name, **{**base, **props})


def account(*resources: Resource) -> list:
    return cloudtrail_enabled_multi_region(Inventory(resources))


def advanced(*categories: str, field: str = "eventCategory") -> list[dict]:
    return [{"name": c, "field_selectors": [{"field": field, "equals": [c]}]} for c in categories]


# -- cloudtrail_enabled_multi_region ---------------------------------------------------------------


def test_account_has_a_multi_region_validated_trail():
    audit = good_trail()
    [result] = account(audit)
    assert (result.status, result.resource, result.evidence) == (
        Status.PASS,
        audit,
        {"trail": "audit"},
    )


def test_a_trail_with_the_providers_defaults_misses_two_settings():
    [result] = account(trail())
    assert (result.status, result.evidence) == (
        Status.FAIL,
        {"missing_by_trail": {"audit": ["is_multi_region_trail", "enable_log_file_validation"]}},
    )


@pytest.mark.parametrize(
    ("gap", "props"),
    [
        ("is_multi_region_trail", {"is_multi_region_trail": False}),
        ("enable_log_file_validation", {"enable_log_file_validation": False}),
        ("enable_logging", {"enable_logging": False}),
        ("management events", {"event_selectors": [{"include_management_events": False}]}),
        ("management events", {"advanced_event_selectors": advanced("Data")}),
        # "Management" tested on another field is not the event category
        ("management events", {"advanced_event_selectors": advanced("Management", field="x")}),
        # advanced selectors replace classic ones
        (
            "management events",
            {
                "advanced_event_selectors": advanced("Data"),
                "event_selectors": [{"include_management_events": True}],
            },
        ),
    ],
)
def test_a_trail_missing_one_setting_fails_naming_it(gap, props):
    [result] = account(good_trail(**props))
    assert (result.status, result.evidence) == (Status.FAIL, {"missing_by_trail": {"audit": [gap]}})


@pytest.mark.parametrize(
    "props",
    [
        {"enable_logging": True},
        {"event_selectors": []},
        {"event_selectors": [{"read_write_type": "All"}]},  # management events by default
        # one selector of several recording management events is enough
        {
            "event_selectors": [
                {"include_management_events": False},
                {"include_management_events": True},
            ]
        },
        {"advanced_event_selectors": advanced("Management")},
        {"advanced_event_selectors": advanced("Data", "Management")},
    ],
)
def test_a_trail_recording_management_events_passes(props):
    audit = good_trail(**props)
    [result] = account(audit)
    assert (result.status, result.resource, result.evidence) == (
        Status.PASS,
        audit,
        {"trail": "audit"},
    )


def test_one_good_trail_among_bad_ones_passes_naming_it():
    org = good_trail("org")
    [result] = account(trail("dev"), org)
    assert (result.status, result.resource, result.evidence) == (Status.PASS, org, {"trail": "org"})
    [first] = account(org, good_trail("backup"))
    assert (first.status, first.resource, first.evidence) == (Status.PASS, org, {"trail": "org"})


def test_every_trail_bad_fails_naming_what_each_misses():
    [result] = account(trail("dev"), good_trail("paused", enable_logging=False))
    assert (result.status, result.evidence) == (
        Status.FAIL,
        {
            "missing_by_trail": {
                "dev": ["is_multi_region_trail", "enable_log_file_validation"],
                "paused": ["enable_logging"],
            }
        },
    )


def test_no_trail_fails_and_empty_inventory_reports_nothing():
    bucket = Resource("aws:s3/bucket:Bucket", "b", {"bucket": "b"})
    [result] = account(bucket)
    assert (result.status, result.evidence) == (Status.FAIL, {})
    assert account() == []


def test_trail_settings_not_known_or_not_collected_are_not_evaluated():
    with pytest.raises(Undecidable, match="is_multi_region_trail of audit"):
        account(good_trail(is_multi_region_trail=UNKNOWN))
    with pytest.raises(Undecidable, match="advanced_event_selectors of audit"):
        account(good_trail(advanced_event_selectors=UNKNOWN))
    bucket = Resource("aws:s3/bucket:Bucket", "b", {"bucket": "b"})
    gapped = Inventory([bucket], gaps={TRAIL: "AccessDenied on DescribeTrails"})
    with pytest.raises(Undecidable, match="DescribeTrails"):
        cloudtrail_enabled_multi_region(gapped)


# -- cloudtrail_bucket_private_and_logged ----------------------------------------------------------


def _bucket(**props) -> Resource:
    # As the live account reports it: a setting it does not report is not there.
    return Resource(
        "aws:s3/bucket:Bucket", "audit-logs", {"bucket": "audit-logs", **props}, id="audit-logs",
        source="aws",
    )  # fmt: skip


def _pab(**overrides) -> Resource:
    flags = {
        "block_public_acls": True,
        "block_public_policy": True,
        "ignore_public_acls": True,
        "restrict_public_buckets": True,
        **overrides,
    }
    return Resource(
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
        "audit-pab",
        {"bucket": "audit-logs", **flags},
    )


def _logging() -> Resource:
    return Resource(
        "aws:s3/bucketLogging:BucketLogging",
        "audit-logging",
        {"bucket": "audit-logs", "target_bucket": "access-logs"},
    )


def judge(*resources: Resource):
    audit = trail()
    return cloudtrail_bucket_private_and_logged(audit, Inventory([audit, *resources]))


def evidence(blocked: bool, logged: bool) -> dict:
    return {"bucket": "audit-logs", "public_access_blocked": blocked, "access_logged": logged}


def test_private_logged_trail_bucket_passes():
    result = judge(_bucket(), _pab(), _logging())
    assert (result.status, result.evidence) == (Status.PASS, evidence(True, True))
    inline = judge(_bucket(logging={"target_bucket": "access-logs"}), _pab())
    assert (inline.status, inline.evidence) == (Status.PASS, evidence(True, True))


@pytest.mark.parametrize(
    ("companions", "blocked", "logged"),
    [
        ((_pab(),), True, False),  # private but not logged
        ((_logging(),), False, True),  # logged but no public access block
        ((_pab(restrict_public_buckets=False), _logging()), False, True),  # three of four
        ((), False, False),
    ],
)
def test_trail_bucket_open_or_unlogged_fails(companions, blocked, logged):
    result = judge(_bucket(), *companions)
    assert (result.status, result.evidence) == (Status.FAIL, evidence(blocked, logged))


def test_trail_bucket_with_a_public_acl_fails_despite_the_block():
    result = judge(_bucket(acl="public-read"), _pab(), _logging())
    assert (result.status, result.evidence) == (Status.FAIL, evidence(False, True))


def test_trail_bucket_not_in_the_inventory_or_not_known_yet_is_not_evaluated():
    with pytest.raises(Undecidable, match="not in the inventory"):
        judge()
    pending = trail(s3_bucket_name=UNKNOWN)
    with pytest.raises(Undecidable, match="s3_bucket_name of audit"):
        cloudtrail_bucket_private_and_logged(pending, Inventory([pending, _bucket()]))
