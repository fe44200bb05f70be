"""CloudTrail checks on hand-built inventories."""

from __future__ import annotations

import pytest

from checks.aws.cloudtrail import (
    cloudtrail_kms_encrypted,
    cloudtrail_log_file_validation,
    cloudtrail_multi_region,
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
