"""CloudTrail checks of one trail's own settings: every region, log file validation, a KMS key,
delivery to CloudWatch Logs. (The account's trail and its bucket:
test_checks_cloudtrail_account.py.)"""

from __future__ import annotations

import pytest

from checks.aws.cloudtrail import (
    cloudtrail_kms_encrypted,
    cloudtrail_log_file_validation,
    cloudtrail_multi_region,
)
from checks.aws.cloudtrail_delivery import cloudtrail_cloudwatch_logs
from checks.model import UNKNOWN, Inventory, Resource, Undecidable
from checks.registry import Status

KEY = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
GROUP = "arn:aws:logs:us-east-1:111122223333:log-group:trail:*"


def trail(**props) -> Resource:
    return Resource(
        "aws:cloudtrail/trail:Trail", "audit", {"s3_bucket_name": "audit-logs", **props}
    )


def run(fn, res: Resource):
    return fn(res, Inventory([res]))


# -- cloudtrail_multi_region -----------------------------------------------------------------------


@pytest.mark.parametrize("value", [True, "true", "True"])
def test_multi_region_trail_passes(value):
    result = run(cloudtrail_multi_region, trail(is_multi_region_trail=value))
    assert (result.status, result.evidence) == (Status.PASS, {"is_multi_region_trail": True})


@pytest.mark.parametrize(
    "props", [{}, {"is_multi_region_trail": False}, {"is_multi_region_trail": "false"}]
)
def test_single_region_trail_fails_and_is_the_default(props):
    result = run(cloudtrail_multi_region, trail(**props))
    assert (result.status, result.evidence) == (Status.FAIL, {"is_multi_region_trail": False})


# -- cloudtrail_log_file_validation ----------------------------------------------------------------


def test_log_file_validation_on_passes():
    result = run(cloudtrail_log_file_validation, trail(enable_log_file_validation=True))
    assert (result.status, result.evidence) == (Status.PASS, {"enable_log_file_validation": True})


@pytest.mark.parametrize("props", [{}, {"enable_log_file_validation": False}])
def test_log_file_validation_off_fails_and_is_the_default(props):
    result = run(cloudtrail_log_file_validation, trail(**props))
    assert (result.status, result.evidence) == (Status.FAIL, {"enable_log_file_validation": False})


# -- cloudtrail_kms_encrypted ----------------------------------------------------------------------


@pytest.mark.parametrize("key", [KEY, "alias/trail"])
def test_kms_encrypted_trail_passes(key):
    result = run(cloudtrail_kms_encrypted, trail(kms_key_id=key))
    assert (result.status, result.evidence) == (Status.PASS, {"kms_key_id": key})


@pytest.mark.parametrize("key", [None, ""])
def test_trail_without_a_kms_key_fails(key):
    result = run(cloudtrail_kms_encrypted, trail(kms_key_id=key))
    assert (result.status, result.evidence) == (Status.FAIL, {"kms_key_id": key})
    absent = run(cloudtrail_kms_encrypted, trail())
    assert (absent.status, absent.evidence) == (Status.FAIL, {"kms_key_id": None})


# -- cloudtrail_cloudwatch_logs --------------------------------------------------------------------


def test_trail_delivered_to_cloudwatch_logs_passes():
    result = run(cloudtrail_cloudwatch_logs, trail(cloud_watch_logs_group_arn=GROUP))
    assert (result.status, result.evidence) == (Status.PASS, {"cloud_watch_logs_group_arn": GROUP})


@pytest.mark.parametrize("props", [{}, {"cloud_watch_logs_group_arn": ""}])
def test_trail_not_delivered_to_cloudwatch_logs_fails(props):
    result = run(cloudtrail_cloudwatch_logs, trail(**props))
    assert (result.status, result.evidence) == (Status.FAIL, {"cloud_watch_logs_group_arn": None})


# -- values that cannot be seen -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("fn", "prop"),
    [
        (cloudtrail_multi_region, "is_multi_region_trail"),
        (cloudtrail_log_file_validation, "enable_log_file_validation"),
        (cloudtrail_kms_encrypted, "kms_key_id"),
        (cloudtrail_cloudwatch_logs, "cloud_watch_logs_group_arn"),
    ],
)
def test_unknown_values_are_not_evaluated(fn, prop):
    with pytest.raises(Undecidable, match=f"{prop} of audit"):
        run(fn, trail(**{prop: UNKNOWN}))
