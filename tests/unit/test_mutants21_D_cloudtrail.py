"""LOG-04 live, at two edges mutation testing (issue 15) showed no test held: a delivery time
written with a zone other than UTC is read at that zone, and a trail that says nothing of its
logging flag is taken as logging (the provider's default), not as one that never logged."""

from __future__ import annotations

import pytest

from checks.aws.cloudtrail_delivery import cloudtrail_cloudwatch_logs
from checks.model import Inventory, Resource, Undecidable
from checks.registry import Status

GROUP = "arn:aws:logs:us-east-1:111122223333:log-group:trail:*"
AUDIT = "2026-12-02T12:00:00+00:00"


def trail(**facts) -> Resource:
    props = {
        "s3_bucket_name": "audit-logs",
        "cloud_watch_logs_group_arn": GROUP,
        "audit_time": AUDIT,
        "latest_cloud_watch_logs_delivery_time": None,
        "latest_cloud_watch_logs_delivery_error": None,
        "start_logging_time": None,
        **facts,
    }
    return Resource("aws:cloudtrail/trail:Trail", "audit", props)


def run(res: Resource):
    return cloudtrail_cloudwatch_logs(res, Inventory([res]))


def test_a_delivery_time_with_an_offset_is_read_at_its_own_zone():
    # 13:00 at +02:00 is 11:00 UTC: 25 hours before the read, not 23 as a UTC reading would say.
    delivered = "2026-12-01T13:00:00+02:00"
    result = run(trail(latest_cloud_watch_logs_delivery_time=delivered, enable_logging=True))
    assert (result.status, result.evidence) == (
        Status.FAIL,
        {
            "cloud_watch_logs_group_arn": GROUP,
            "latest_cloud_watch_logs_delivery_time": "2026-12-01T13:00:00+02:00",
            "latest_cloud_watch_logs_delivery_error": None,
        },
    )
    assert result.message == (
        "CloudTrail has not delivered to CloudWatch Logs since 2026-12-01T13:00:00+02:00, "
        "more than 24 hours before the audit"
    )


def test_an_offset_delivery_within_24_hours_passes():
    # 10:00 at -03:00 is 13:00 UTC the day before the read: 23 hours, within the window.
    delivered = "2026-12-01T10:00:00-03:00"
    result = run(trail(latest_cloud_watch_logs_delivery_time=delivered, enable_logging=True))
    assert (result.status, result.evidence["latest_cloud_watch_logs_delivery_time"]) == (
        Status.PASS,
        "2026-12-01T10:00:00-03:00",
    )
    assert result.message == (
        "CloudTrail last delivered to CloudWatch Logs at 2026-12-01T10:00:00-03:00"
    )


def test_a_trail_silent_on_its_logging_flag_is_not_taken_for_one_that_never_logged():
    res = trail()  # no enable_logging at all: the provider's default is a logging trail
    assert "enable_logging" not in res.props
    with pytest.raises(Undecidable) as caught:
        run(res)
    assert str(caught.value) == (
        "no CloudWatch Logs delivery of audit is on record and AWS gives no time it started "
        "logging: whether it delivers cannot be told yet"
    )
