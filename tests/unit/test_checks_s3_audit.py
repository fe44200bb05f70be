"""S3 audit and recovery checks: Object Lock on audit buckets, access logs, data events,
lifecycle and replication."""

from __future__ import annotations

import pytest

from checks.aws.s3_audit import (
    s3_audit_bucket_object_lock,
    s3_bucket_access_logging,
    s3_bucket_data_events_logged,
    s3_bucket_lifecycle_or_replication,
)
from checks.model import UNKNOWN, Inventory, Resource, Undecidable
from checks.registry import Status

NAME = "phi-records-1a2b3c"
ARN = f"arn:aws:s3:::{NAME}"
ALL_OBJECTS = [{"data_resources": [{"type": "AWS::S3::Object", "values": ["arn:aws:s3"]}]}]
S3_05_06 = (
    s3_bucket_access_logging,
    s3_bucket_data_events_logged,
    s3_bucket_lifecycle_or_replication,
)


def bucket(name: str = NAME, **props) -> Resource:
    return Resource(
        "aws:s3/bucket:Bucket", name, {"bucket": name, **props}, id=name, arn=f"arn:aws:s3:::{name}"
    )


def companion(kind: str, name: str, bucket_name: str = NAME, **props) -> Resource:
    token = f"aws:s3/{kind[0].lower()}{kind[1:]}:{kind}"
    return Resource(token, name, {"bucket": bucket_name, **props}, urn=f"urn:{name}")


def trail(name: str = "audit", **props) -> Resource:
    return Resource("aws:cloudtrail/trail:Trail", name, {"s3_bucket_name": "trail-logs", **props})


def channel() -> Resource:
    return Resource(
        "aws:cfg/deliveryChannel:DeliveryChannel", "config", {"s3_bucket_name": "trail-logs"}
    )


def judge(fn, target: Resource, *others: Resource) -> tuple:
    result = fn(target, Inventory([target, *others]))
    return result.status, dict(result.evidence)


# -- s3_audit_bucket_object_lock -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("props", "status", "locked"),
    [
        ({"object_lock_enabled": True}, Status.PASS, True),
        ({"object_lock_enabled": "true"}, Status.PASS, True),
        ({"object_lock_configuration": {"object_lock_enabled": "Enabled"}}, Status.PASS, True),
        ({"object_lock_configuration": [{"object_lock_enabled": "Disabled"},
                                        {"object_lock_enabled": "Enabled"}]}, Status.PASS, True),
        ({"object_lock_configuration": {"object_lock_enabled": "Disabled"}}, Status.FAIL, False),
        ({"object_lock_configuration": {}}, Status.FAIL, False),
        ({"object_lock_enabled": False}, Status.FAIL, False),
        ({}, Status.FAIL, False),
    ],
    ids=["flag", "flag-string", "inline", "one-of-two-inline", "inline-disabled", "inline-empty",
         "off", "absent"],
)  # fmt: skip
def test_an_audit_bucket_needs_object_lock(props, status, locked):
    result = judge(s3_audit_bucket_object_lock, bucket("trail-logs", **props), trail())
    assert result == (status, {"object_lock": locked, "audit_sources": ["audit"]})


def test_lock_declared_as_a_companion_counts():
    lock = companion(
        "BucketObjectLockConfiguration",
        "lock",
        "trail-logs",
        rule={"default_retention": {"mode": "COMPLIANCE", "years": 6}},
    )
    assert judge(s3_audit_bucket_object_lock, bucket("trail-logs"), trail(), lock) == (
        Status.PASS,
        {"object_lock": True, "audit_sources": ["audit"]},
    )


def test_every_audit_source_of_the_bucket_is_named():
    result = judge(s3_audit_bucket_object_lock, bucket("trail-logs"), trail("z-trail"), channel())
    assert result == (Status.FAIL, {"object_lock": False, "audit_sources": ["config", "z-trail"]})


def test_a_bucket_no_trail_or_channel_delivers_into_is_not_applicable():
    assert judge(s3_audit_bucket_object_lock, bucket(), trail()) == (Status.NOT_APPLICABLE, {})


@pytest.mark.parametrize(
    ("target", "others"),
    [
        (bucket(), (trail(s3_bucket_name=UNKNOWN),)),
        (bucket("trail-logs", object_lock_enabled=UNKNOWN), (trail(),)),
    ],
    ids=["trail-bucket", "lock-flag"],
)
def test_object_lock_that_cannot_be_told_is_undecidable(target, others):
    with pytest.raises(Undecidable):
        judge(s3_audit_bucket_object_lock, target, *others)


# -- s3_bucket_access_logging ----------------------------------------------------------------------


def logging_to(target: str, name: str = "phi-logging") -> Resource:
    return companion("BucketLogging", name, target_bucket=target)


def test_access_logging_companion_or_inline_block_passes():
    result = judge(s3_bucket_access_logging, bucket(), logging_to("access-logs"))
    assert result == (Status.PASS, {"target_bucket": "access-logs"})
    inline = bucket(logging={"target_bucket": "access-logs"})
    assert judge(s3_bucket_access_logging, inline) == (
        Status.PASS,
        {"target_bucket": "access-logs"},
    )
    both = judge(
        s3_bucket_access_logging, bucket(logging=[{"target_bucket": "b"}]), logging_to("a")
    )
    assert both == (Status.PASS, {"target_bucket": ["a", "b"]})


def test_no_access_logging_fails():
    assert judge(s3_bucket_access_logging, bucket()) == (Status.FAIL, {"target_bucket": None})
    elsewhere = companion("BucketLogging", "other-logging", "other-bucket", target_bucket="x")
    assert judge(s3_bucket_access_logging, bucket(), elsewhere) == (
        Status.FAIL,
        {"target_bucket": None},
    )


def test_the_log_bucket_itself_is_exempt():
    by_companion = judge(
        s3_bucket_access_logging, bucket("access-logs"), bucket(), logging_to("access-logs")
    )
    assert by_companion == (Status.NOT_APPLICABLE, {"log_sources": ["urn:phi-logging"]})
    inline = bucket(logging=[{"target_bucket": "access-logs"}])
    assert judge(s3_bucket_access_logging, bucket("access-logs"), inline) == (
        Status.NOT_APPLICABLE,
        {"log_sources": [ARN]},
    )


@pytest.mark.parametrize(
    ("target", "others"),
    [
        (bucket(), (logging_to(UNKNOWN),)),
        (bucket("access-logs"), (logging_to(UNKNOWN, "pending"),)),
        (bucket(tags=UNKNOWN), ()),
    ],
    ids=["own-target", "may-log-here", "classification"],
)
def test_access_logging_that_cannot_be_told_is_undecidable(target, others):
    with pytest.raises(Undecidable):
        judge(s3_bucket_access_logging, target, *others)


# -- s3_bucket_data_events_logged ------------------------------------------------------------------


def classic(kind: str, value: str) -> list:
    return [{"data_resources": [{"type": kind, "values": [value]}]}]


def advanced(*arn_field: dict) -> list:
    fields = [
        {"field": "eventCategory", "equals": ["Data"]},
        {"field": "resources.type", "equals": ["AWS::S3::Object"]},
    ]
    return [{"field_selectors": fields + [{"field": "resources.ARN", **f} for f in arn_field]}]


@pytest.mark.parametrize(
    "props",
    [
        {"event_selectors": ALL_OBJECTS},
        {"event_selectors": classic("AWS::S3::Object", f"{ARN}/")},
        {"advanced_event_selectors": advanced()},
        {"advanced_event_selectors": advanced({"starts_withs": [f"{ARN}/"]})},
        {"advanced_event_selectors": advanced({"not_starts_withs": ["arn:aws:s3:::other/"]})},
    ],
    ids=["classic-all", "classic-bucket", "advanced-all", "advanced-bucket", "advanced-not-other"],
)
def test_a_logging_trail_recording_the_buckets_objects_passes(props):
    assert judge(s3_bucket_data_events_logged, bucket(), trail(**props)) == (
        Status.PASS,
        {"trails": ["audit"]},
    )


@pytest.mark.parametrize(
    "props",
    [
        {},
        {"event_selectors": classic("AWS::S3::Object", "arn:aws:s3:::other/")},
        {"event_selectors": classic("AWS::Lambda::Function", "arn:aws:s3")},
        {"advanced_event_selectors": advanced({"starts_withs": ["arn:aws:s3:::other/"]})},
        {"advanced_event_selectors": advanced({"not_starts_withs": [f"{ARN}/"]})},
        {"event_selectors": ALL_OBJECTS, "enable_logging": False},
    ],
    ids=[
        "none",
        "classic-other",
        "classic-lambda",
        "advanced-other",
        "advanced-excluded",
        "stopped",
    ],
)
def test_a_trail_that_does_not_record_the_buckets_objects_fails(props):
    assert judge(s3_bucket_data_events_logged, bucket(), trail(**props)) == (
        Status.FAIL,
        {"trails": []},
    )


def test_every_trail_recording_the_bucket_is_named():
    trails = (trail("b-trail", event_selectors=ALL_OBJECTS), trail("c-trail"),
              trail("a-trail", advanced_event_selectors=advanced()))  # fmt: skip
    assert judge(s3_bucket_data_events_logged, bucket(), *trails) == (
        Status.PASS,
        {"trails": ["a-trail", "b-trail"]},
    )


def test_a_log_destination_is_exempt_from_data_events():
    stopped = trail(event_selectors=ALL_OBJECTS, enable_logging=False)
    assert judge(s3_bucket_data_events_logged, bucket("trail-logs"), stopped, channel()) == (
        Status.NOT_APPLICABLE,
        {"log_sources": ["audit", "config"]},
    )
    assert judge(
        s3_bucket_data_events_logged, bucket("access-logs"), bucket(), logging_to("access-logs")
    ) == (Status.NOT_APPLICABLE, {"log_sources": ["urn:phi-logging"]})


@pytest.mark.parametrize(
    "props", [{"event_selectors": UNKNOWN}, {"enable_logging": UNKNOWN, "event_selectors": []}]
)
def test_data_events_that_cannot_be_seen_are_undecidable(props):
    with pytest.raises(Undecidable):
        judge(s3_bucket_data_events_logged, bucket(), trail(**props))


# -- s3_bucket_lifecycle_or_replication ------------------------------------------------------------


def lifecycle(*rules: dict) -> Resource:
    return companion("BucketLifecycleConfiguration", "lc", rules=list(rules))


def replication(*rules: dict) -> Resource:
    return companion("BucketReplicationConfig", "rep", rules=list(rules))


def counts(status: Status, lifecycle_rules: int, replication_rules: int) -> tuple:
    return status, {"lifecycle_rules": lifecycle_rules, "replication_rules": replication_rules}


ON, OFF = {"status": "Enabled"}, {"status": "Disabled"}
PASS, FAIL = Status.PASS, Status.FAIL


@pytest.mark.parametrize(
    ("target", "others", "expected"),
    [
        (bucket(), (), (FAIL, 0, 0)),
        (bucket(), (lifecycle({"id": "old", **ON, "filter": {}}),), (PASS, 1, 0)),
        (bucket(), (lifecycle({"id": "x", **OFF}),), (FAIL, 0, 0)),
        (bucket(), (lifecycle({"id": "a", **ON}, {"id": "b", **OFF}),), (PASS, 1, 0)),
        (bucket(), (lifecycle({"id": "default"}),), (PASS, 1, 0)),
        (bucket(), (replication(ON),), (PASS, 0, 1)),
        (bucket(), (replication(OFF),), (FAIL, 0, 0)),
        (bucket(lifecycle_rules=[{"enabled": True}]), (), (PASS, 1, 0)),
        (bucket(lifecycle_rules=[{"enabled": False}]), (), (FAIL, 0, 0)),
        (bucket(lifecycle_rules=[{"enabled": "true"}, {"enabled": "false"}]), (), (PASS, 1, 0)),
        (bucket(replication_configuration={"rules": [{"id": "a"}, {"id": "b"}]}), (), (PASS, 0, 2)),
        (bucket(lifecycle_rules=[{"enabled": True}]), (replication(ON),), (PASS, 1, 1)),
    ],
    ids=["none", "enabled", "disabled", "one-of-two", "status-unset", "replication",
         "replication-disabled", "inline", "inline-disabled", "inline-one-of-two",
         "inline-replication", "both"],
)  # fmt: skip
def test_enabled_lifecycle_or_replication_rules_are_counted(target, others, expected):
    assert judge(s3_bucket_lifecycle_or_replication, target, *others) == counts(*expected)


def test_unknown_lifecycle_rules_are_undecidable():
    for others in ((companion("BucketLifecycleConfiguration", "lc", rules=UNKNOWN),), ()):
        target = bucket() if others else bucket(lifecycle_rules=UNKNOWN)
        with pytest.raises(Undecidable):
            judge(s3_bucket_lifecycle_or_replication, target, *others)


# -- classification --------------------------------------------------------------------------------


@pytest.mark.parametrize("label", ["public", "internal", "logs"])
def test_buckets_classified_as_not_ephi_are_not_applicable_for_s3_05_and_s3_06(label):
    assets = bucket("assets", tags={"data-classification": label})
    for fn in S3_05_06:
        result = fn(assets, Inventory([assets]))
        assert (result.status, dict(result.evidence), result.message) == (
            Status.NOT_APPLICABLE,
            {},
            f"classified as {label}, not ePHI",
        )


@pytest.mark.parametrize("label", ["ephi", "PHI", " ePHI "])
def test_buckets_classified_as_ephi_are_held_to_the_bar(label):
    records = bucket(tags={"data-classification": label})
    expected = {
        s3_bucket_access_logging: (Status.FAIL, {"target_bucket": None}),
        s3_bucket_data_events_logged: (Status.FAIL, {"trails": []}),
        s3_bucket_lifecycle_or_replication: counts(Status.FAIL, 0, 0),
    }
    for fn in S3_05_06:
        assert judge(fn, records) == expected[fn], fn.__name__


def test_a_trail_whose_bucket_cannot_be_seen_leaves_the_audit_sources_untold_beside_a_seen_one():
    # The seen trail makes it an audit bucket; the hidden one may deliver into it too, and the
    # evidence names every source, so it is not told.
    hidden = trail("pending", s3_bucket_name=UNKNOWN)
    with pytest.raises(Undecidable) as caught:
        judge(s3_audit_bucket_object_lock, bucket("trail-logs"), trail(), hidden)
    assert str(caught.value) == (
        "the s3_bucket_name of pending cannot be seen, so whether it names trail-logs "
        "cannot be told"
    )
