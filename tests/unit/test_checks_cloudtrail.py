"""CloudTrail checks on hand-built inventories."""

from __future__ import annotations

import pytest

from checks.aws.cloudtrail import (
    cloudtrail_kms_encrypted,
    cloudtrail_log_file_validation,
    cloudtrail_multi_region,
)
from checks.aws.cloudtrail_delivery import (
    cloudtrail_bucket_private_and_logged,
    cloudtrail_cloudwatch_logs,
    cloudtrail_enabled_multi_region,
)
from checks.model import UNKNOWN, Inventory, Resource, Undecidable
from checks.registry import Status

KEY = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def trail(**props) -> Resource:
    return Resource(
        "aws:cloudtrail/trail:Trail", "audit", {"s3_bucket_name": "audit-logs", **props}
    )


def run(fn, res: Resource):
    return fn(res, Inventory([res]))


def test_multi_region_trail_passes():
    result = run(cloudtrail_multi_region, trail(is_multi_region_trail=True))
    assert (result.status, result.evidence) == (Status.PASS, {"is_multi_region_trail": True})


def test_single_region_trail_fails_by_default():
    result = run(cloudtrail_multi_region, trail())
    assert (result.status, result.evidence) == (Status.FAIL, {"is_multi_region_trail": False})


def test_log_file_validation():
    on = run(cloudtrail_log_file_validation, trail(enable_log_file_validation=True))
    off = run(cloudtrail_log_file_validation, trail(enable_log_file_validation=False))
    assert (on.status, on.evidence) == (Status.PASS, {"enable_log_file_validation": True})
    assert (off.status, off.evidence) == (Status.FAIL, {"enable_log_file_validation": False})


def test_kms_encryption():
    on = run(cloudtrail_kms_encrypted, trail(kms_key_id=KEY))
    off = run(cloudtrail_kms_encrypted, trail())
    assert (on.status, on.evidence) == (Status.PASS, {"kms_key_id": KEY})
    assert (off.status, off.evidence) == (Status.FAIL, {"kms_key_id": None})


@pytest.mark.parametrize(
    ("fn", "prop"),
    [
        (cloudtrail_multi_region, "is_multi_region_trail"),
        (cloudtrail_log_file_validation, "enable_log_file_validation"),
        (cloudtrail_kms_encrypted, "kms_key_id"),
    ],
)
def test_unknown_values_are_undecidable(fn, prop):
    with pytest.raises(Undecidable, match=f"{prop} of audit"):
        run(fn, trail(**{prop: UNKNOWN}))


# -- the account's trail ---------------------------------------------------------------------------


def good_trail(**props) -> Resource:
    base = {"is_multi_region_trail": True, "enable_log_file_validation": True}
    return trail(**{**base, **props})


def test_account_has_a_multi_region_validated_trail():
    audit = good_trail()
    [result] = cloudtrail_enabled_multi_region(Inventory([audit]))
    assert (result.status, result.resource, result.evidence) == (
        Status.PASS,
        audit,
        {"trail": "audit"},
    )


def test_trail_without_validation_or_stopped_or_without_management_events_fails():
    for gap, props in [
        ("enable_log_file_validation", {"enable_log_file_validation": False}),
        ("enable_logging", {"enable_logging": False}),
        ("management events", {"event_selectors": [{"include_management_events": False}]}),
    ]:
        [result] = cloudtrail_enabled_multi_region(Inventory([good_trail(**props)]))
        assert result.status is Status.FAIL
        assert result.evidence == {"missing_by_trail": {"audit": [gap]}}


def test_no_trail_fails_and_empty_inventory_reports_nothing():
    bucket = Resource("aws:s3/bucket:Bucket", "b", {"bucket": "b"})
    [result] = cloudtrail_enabled_multi_region(Inventory([bucket]))
    assert result.status is Status.FAIL
    assert cloudtrail_enabled_multi_region(Inventory([])) == []
    with pytest.raises(Undecidable):
        cloudtrail_enabled_multi_region(Inventory([good_trail(is_multi_region_trail=UNKNOWN)]))


# -- cloudtrail_bucket_private_and_logged ----------------------------------------------------------


def _audit_bucket(*companions: Resource) -> list[Resource]:
    bucket = Resource(
        "aws:s3/bucket:Bucket", "audit-logs", {"bucket": "audit-logs"}, id="audit-logs"
    )
    return [bucket, *companions]


def _pab() -> Resource:
    flags = dict.fromkeys(
        (
            "block_public_acls",
            "block_public_policy",
            "ignore_public_acls",
            "restrict_public_buckets",
        ),
        True,
    )
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


def test_private_logged_trail_bucket_passes():
    audit = trail()
    result = cloudtrail_bucket_private_and_logged(
        audit, Inventory([audit, *_audit_bucket(_pab(), _logging())])
    )
    assert (result.status, result.evidence) == (
        Status.PASS,
        {"bucket": "audit-logs", "public_access_blocked": True, "access_logged": True},
    )


def test_trail_bucket_without_logging_fails_and_unknown_bucket_is_undecidable():
    audit = trail()
    result = cloudtrail_bucket_private_and_logged(audit, Inventory([audit, *_audit_bucket(_pab())]))
    assert (result.status, result.evidence["access_logged"]) == (Status.FAIL, False)
    with pytest.raises(Undecidable, match="not in the inventory"):
        cloudtrail_bucket_private_and_logged(audit, Inventory([audit]))


# -- cloudtrail_cloudwatch_logs --------------------------------------------------------------------


def test_trail_delivery_to_cloudwatch_logs():
    group = "arn:aws:logs:us-east-1:111122223333:log-group:trail:*"
    ok = run(cloudtrail_cloudwatch_logs, trail(cloud_watch_logs_group_arn=group))
    assert (ok.status, ok.evidence) == (Status.PASS, {"cloud_watch_logs_group_arn": group})
    assert run(cloudtrail_cloudwatch_logs, trail()).status is Status.FAIL
    with pytest.raises(Undecidable):
        run(cloudtrail_cloudwatch_logs, trail(cloud_watch_logs_group_arn=UNKNOWN))
