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


def bucket(name: str = NAME, **props) -> Resource:
    return Resource(
        "aws:s3/bucket:Bucket", name, {"bucket": name, **props}, id=name, arn=f"arn:aws:s3:::{name}"
    )


def companion(kind: str, name: str, bucket_name: str = NAME, **props) -> Resource:
    token = f"aws:s3/{kind[0].lower()}{kind[1:]}:{kind}"
    return Resource(token, name, {"bucket": bucket_name, **props}, urn=f"urn:{name}")


def trail(**props) -> Resource:
    return Resource(
        "aws:cloudtrail/trail:Trail", "audit", {"s3_bucket_name": "trail-logs", **props}
    )


def run(fn, target: Resource, *others: Resource):
    return fn(target, Inventory([target, *others]))


# -- s3_audit_bucket_object_lock -------------------------------------------------------------------


def test_trail_bucket_with_object_lock_passes():
    result = run(
        s3_audit_bucket_object_lock, bucket("trail-logs", object_lock_enabled=True), trail()
    )
    assert (result.status, result.evidence) == (
        Status.PASS,
        {"object_lock": True, "audit_sources": ["audit"]},
    )


def test_trail_bucket_without_object_lock_fails_and_other_buckets_are_not_applicable():
    result = run(s3_audit_bucket_object_lock, bucket("trail-logs"), trail())
    assert (result.status, result.evidence["object_lock"]) == (Status.FAIL, False)
    assert run(s3_audit_bucket_object_lock, bucket(), trail()).status is Status.NOT_APPLICABLE


def test_lock_declared_as_a_companion_counts():
    lock = companion(
        "BucketObjectLockConfiguration",
        "lock",
        "trail-logs",
        rule={"default_retention": {"mode": "COMPLIANCE", "years": 6}},
    )
    assert (
        run(s3_audit_bucket_object_lock, bucket("trail-logs"), trail(), lock).status is Status.PASS
    )


def test_trail_bucket_not_known_yet_is_undecidable():
    with pytest.raises(Undecidable):
        run(s3_audit_bucket_object_lock, bucket(), trail(s3_bucket_name=UNKNOWN))


# -- s3_bucket_access_logging ----------------------------------------------------------------------


def test_access_logging_companion_passes():
    logging = companion("BucketLogging", "phi-logging", target_bucket="access-logs")
    result = run(s3_bucket_access_logging, bucket(), logging, bucket("access-logs"))
    assert (result.status, result.evidence) == (Status.PASS, {"target_bucket": "access-logs"})


def test_no_access_logging_fails_but_the_log_bucket_itself_is_exempt():
    logging = companion("BucketLogging", "phi-logging", target_bucket="access-logs")
    assert run(s3_bucket_access_logging, bucket()).status is Status.FAIL
    exempt = run(s3_bucket_access_logging, bucket("access-logs"), bucket(), logging)
    assert (exempt.status, exempt.evidence) == (
        Status.NOT_APPLICABLE,
        {"log_sources": ["urn:phi-logging"]},
    )


def test_unknown_logging_target_is_undecidable():
    logging = companion("BucketLogging", "phi-logging", target_bucket=UNKNOWN)
    with pytest.raises(Undecidable):
        run(s3_bucket_access_logging, bucket(), logging)


# -- s3_bucket_data_events_logged ------------------------------------------------------------------


def test_classic_selector_for_all_buckets_passes():
    selectors = [{"data_resources": [{"type": "AWS::S3::Object", "values": ["arn:aws:s3"]}]}]
    result = run(s3_bucket_data_events_logged, bucket(), trail(event_selectors=selectors))
    assert (result.status, result.evidence) == (Status.PASS, {"trails": ["audit"]})


def test_advanced_selector_for_this_bucket_passes_and_for_another_fails():
    def advanced(prefix: str) -> list:
        return [
            {
                "field_selectors": [
                    {"field": "eventCategory", "equals": ["Data"]},
                    {"field": "resources.type", "equals": ["AWS::S3::Object"]},
                    {"field": "resources.ARN", "starts_withs": [prefix]},
                ]
            }
        ]

    ok = run(
        s3_bucket_data_events_logged, bucket(), trail(advanced_event_selectors=advanced(f"{ARN}/"))
    )
    other = run(
        s3_bucket_data_events_logged,
        bucket(),
        trail(advanced_event_selectors=advanced("arn:aws:s3:::other/")),
    )
    assert ok.status is Status.PASS
    assert (other.status, other.evidence) == (Status.FAIL, {"trails": []})


def test_stopped_trail_does_not_count_and_trail_bucket_is_exempt():
    selectors = [{"data_resources": [{"type": "AWS::S3::Object", "values": ["arn:aws:s3"]}]}]
    stopped = trail(event_selectors=selectors, enable_logging=False)
    assert run(s3_bucket_data_events_logged, bucket(), stopped).status is Status.FAIL
    assert run(s3_bucket_data_events_logged, bucket("trail-logs"), stopped).status is (
        Status.NOT_APPLICABLE
    )


def test_unknown_selectors_are_undecidable():
    with pytest.raises(Undecidable):
        run(s3_bucket_data_events_logged, bucket(), trail(event_selectors=UNKNOWN))


# -- s3_bucket_lifecycle_or_replication ------------------------------------------------------------


def test_enabled_lifecycle_rule_passes():
    lifecycle = companion(
        "BucketLifecycleConfiguration",
        "lc",
        rules=[{"id": "old", "status": "Enabled", "filter": {}}],
    )
    result = run(s3_bucket_lifecycle_or_replication, bucket(), lifecycle)
    assert (result.status, result.evidence) == (
        Status.PASS,
        {"lifecycle_rules": 1, "replication_rules": 0},
    )


def test_disabled_or_missing_rules_fail_and_replication_passes():
    disabled = companion(
        "BucketLifecycleConfiguration", "lc", rules=[{"id": "x", "status": "Disabled"}]
    )
    assert run(s3_bucket_lifecycle_or_replication, bucket(), disabled).status is Status.FAIL
    replication = companion("BucketReplicationConfig", "rep", rules=[{"status": "Enabled"}])
    assert run(s3_bucket_lifecycle_or_replication, bucket(), replication).status is Status.PASS


def test_unknown_lifecycle_rules_are_undecidable():
    lifecycle = companion("BucketLifecycleConfiguration", "lc", rules=UNKNOWN)
    with pytest.raises(Undecidable):
        run(s3_bucket_lifecycle_or_replication, bucket(), lifecycle)


def test_buckets_classified_as_not_ephi_are_not_applicable_for_s3_05_and_s3_06():
    public_assets = bucket("assets", tags={"data-classification": "public"})
    for fn in (
        s3_bucket_access_logging,
        s3_bucket_data_events_logged,
        s3_bucket_lifecycle_or_replication,
    ):
        result = run(fn, public_assets)
        assert (result.status, result.message) == (
            Status.NOT_APPLICABLE,
            "classified as public, not ePHI",
        )
