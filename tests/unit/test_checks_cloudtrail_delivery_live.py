"""LOG-04 on the live account: a configured log group passes only when CloudTrail delivered to it
within 24 hours of the status read; the collector's GetTrailStatus facts, as it records them.
(The configuration-only verdict of the file sources: test_checks_cloudtrail.py.)"""

from __future__ import annotations

import datetime as dt

import pytest

from checks.aws.cloudtrail_delivery import cloudtrail_cloudwatch_logs
from checks.evaluate import evaluate
from checks.library import build_registry
from checks.model import UNKNOWN, Inventory, Resource, Undecidable
from checks.registry import Status
from checks.sources.aws.services.cloudtrail import status_facts, trail_props

GROUP = "arn:aws:logs:us-east-1:111122223333:log-group:trail:*"
AUDIT = "2026-12-02T12:00:00+00:00"
# Times before AUDIT: a second under 24 hours, exactly 24 hours, a second over.
UNDER = "2026-12-01T12:00:01+00:00"
EXACTLY = "2026-12-01T12:00:00+00:00"
OVER = "2026-12-01T11:59:59+00:00"
ROLE_GONE = "Access denied. Verify in IAM that the role has adequate permissions."


def live_trail(
    delivered: str | None = None,
    error: str | None = None,
    started: str | None = None,
    logging: bool = True,
    **props,
) -> Resource:
    facts = {
        "s3_bucket_name": "audit-logs",
        "cloud_watch_logs_group_arn": GROUP,
        "enable_logging": logging,
        "audit_time": AUDIT,
        "latest_cloud_watch_logs_delivery_time": delivered,
        "latest_cloud_watch_logs_delivery_error": error,
        "start_logging_time": started,
    }
    return Resource("aws:cloudtrail/trail:Trail", "audit", {**facts, **props})


def run(res: Resource):
    return cloudtrail_cloudwatch_logs(res, Inventory([res]))


def reason(res: Resource) -> str:
    with pytest.raises(Undecidable) as caught:
        run(res)
    return str(caught.value)


def evidence(delivered: str | None, error: str | None = None) -> dict:
    return {
        "cloud_watch_logs_group_arn": GROUP,
        "latest_cloud_watch_logs_delivery_time": delivered,
        "latest_cloud_watch_logs_delivery_error": error,
    }


# -- a delivery on record --------------------------------------------------------------------


@pytest.mark.parametrize("delivered", [UNDER, EXACTLY])
def test_a_delivery_within_24_hours_of_the_read_passes(delivered):
    result = run(live_trail(delivered, started="2026-11-01T08:00:00+00:00"))
    assert (result.status, result.evidence) == (Status.PASS, evidence(delivered))
    assert result.message == f"CloudTrail last delivered to CloudWatch Logs at {delivered}"


def test_a_last_delivery_a_second_over_24_hours_fails_naming_it():
    result = run(live_trail(OVER, started="2026-11-01T08:00:00+00:00"))
    assert (result.status, result.evidence) == (Status.FAIL, evidence(OVER))
    assert result.message == (
        "CloudTrail has not delivered to CloudWatch Logs since 2026-12-01T11:59:59+00:00, "
        "more than 24 hours before the audit"
    )


def test_an_old_delivery_fails_with_the_error_aws_gave():
    result = run(live_trail("2026-11-20T09:30:00+00:00", error=ROLE_GONE))
    assert (result.status, result.evidence) == (
        Status.FAIL,
        evidence("2026-11-20T09:30:00+00:00", ROLE_GONE),
    )
    assert result.message == (
        "CloudTrail has not delivered to CloudWatch Logs since 2026-11-20T09:30:00+00:00, "
        f"more than 24 hours before the audit (last delivery error: {ROLE_GONE})"
    )


def test_an_error_beside_a_recent_delivery_passes_and_is_shown():
    """AWS does not say whether the error came before or after the delivery: records arrived."""
    result = run(live_trail(UNDER, error=ROLE_GONE))
    assert (result.status, result.evidence) == (Status.PASS, evidence(UNDER, ROLE_GONE))
    assert result.message == (
        "CloudTrail last delivered to CloudWatch Logs at 2026-12-01T12:00:01+00:00 "
        f"(last delivery error: {ROLE_GONE})"
    )


def test_a_delivery_time_without_a_zone_is_utc():
    result = run(live_trail("2026-12-01T11:59:59", audit_time="2026-12-02T12:00:00"))
    assert (result.status, result.evidence) == (Status.FAIL, evidence(OVER))


# -- no delivery on record -------------------------------------------------------------------


def test_never_delivered_a_second_over_24_hours_after_starting_fails():
    result = run(live_trail(started=OVER))
    assert (result.status, result.evidence) == (Status.FAIL, evidence(None))
    assert result.message == (
        "CloudTrail never delivered to CloudWatch Logs, and the trail started logging at "
        "2026-12-01T11:59:59+00:00, more than 24 hours before the audit"
    )


def test_never_delivered_with_an_error_names_the_error():
    result = run(live_trail(error=ROLE_GONE, started="2026-10-01T00:00:00+00:00"))
    assert (result.status, result.evidence) == (Status.FAIL, evidence(None, ROLE_GONE))
    assert result.message.endswith(f"before the audit (last delivery error: {ROLE_GONE})")


@pytest.mark.parametrize("started", [EXACTLY, UNDER, "2026-12-02T11:55:00+00:00"])
def test_a_trail_started_24_hours_ago_or_since_is_not_evaluated_never_passed(started):
    assert reason(live_trail(started=started)) == (
        "no CloudWatch Logs delivery of audit is on record yet: the trail started logging at "
        f"{started}, less than 24 hours before the audit, and a newly started trail may not "
        "have delivered yet"
    )


def test_a_trail_that_never_started_logging_fails():
    result = run(live_trail(logging=False))
    assert (result.status, result.evidence) == (Status.FAIL, evidence(None))
    assert result.message == "the trail has never logged: nothing reached CloudWatch Logs"


def test_a_logging_trail_with_no_start_time_is_not_evaluated():
    assert reason(live_trail()) == (
        "no CloudWatch Logs delivery of audit is on record and AWS gives no time it started "
        "logging: whether it delivers cannot be told yet"
    )


def test_the_evaluator_reports_a_fresh_trail_as_not_evaluated_with_the_reason():
    res = live_trail(started=UNDER)
    findings = evaluate(Inventory([res]), build_registry()).findings
    (finding,) = [f for f in findings if f.check.id == "cloudtrail_cloudwatch_logs"]
    assert finding.status is Status.NOT_EVALUATED
    assert "a newly started trail may not have delivered yet" in finding.message


# -- what does not change --------------------------------------------------------------------


def test_no_group_fails_live_too_whatever_was_delivered():
    result = run(live_trail(UNDER, cloud_watch_logs_group_arn=None))
    assert (result.status, result.evidence) == (Status.FAIL, {"cloud_watch_logs_group_arn": None})


def test_without_live_facts_a_configured_group_passes():
    result = run(live_trail(audit_time=None))
    assert (result.status, result.evidence) == (Status.PASS, {"cloud_watch_logs_group_arn": GROUP})


@pytest.mark.parametrize(
    ("prop", "value", "says"),
    [
        ("audit_time", UNKNOWN, "audit_time of audit"),
        ("latest_cloud_watch_logs_delivery_time", "yesterday", "is not a time: 'yesterday'"),
        ("start_logging_time", UNKNOWN, "start_logging_time of audit"),
    ],
)
def test_unreadable_times_are_not_evaluated(prop, value, says):
    assert says in reason(live_trail(**{prop: value}))


# -- the collector's facts -------------------------------------------------------------------

READ_AT = dt.datetime(2026, 12, 2, 12, 0, 0, 431000, tzinfo=dt.UTC)


def test_status_facts_are_utc_iso_times_taken_from_boto3_datetimes():
    plus_two = dt.timezone(dt.timedelta(hours=2))
    status = {
        "IsLogging": True,
        "LatestCloudWatchLogsDeliveryTime": dt.datetime(2026, 12, 2, 13, 55, 7, tzinfo=plus_two),
        "LatestCloudWatchLogsDeliveryError": ROLE_GONE,
        "StartLoggingTime": dt.datetime(2026, 11, 1, 8, 0, 0),  # no zone: taken as UTC
    }
    assert status_facts(status, READ_AT) == {
        "audit_time": "2026-12-02T12:00:00+00:00",
        "latest_cloud_watch_logs_delivery_time": "2026-12-02T11:55:07+00:00",
        "latest_cloud_watch_logs_delivery_error": ROLE_GONE,
        "start_logging_time": "2026-11-01T08:00:00+00:00",
    }


def test_a_status_without_delivery_facts_records_none():
    assert status_facts({"IsLogging": False, "LatestCloudWatchLogsDeliveryError": ""}, READ_AT) == {
        "audit_time": "2026-12-02T12:00:00+00:00",
        "latest_cloud_watch_logs_delivery_time": None,
        "latest_cloud_watch_logs_delivery_error": None,
        "start_logging_time": None,
    }


def test_trail_props_carry_the_status_facts():
    trail = {"Name": "audit", "S3BucketName": "audit-logs", "CloudWatchLogsLogGroupArn": GROUP}
    status = {"IsLogging": True, "StartLoggingTime": dt.datetime(2026, 11, 1, 8, tzinfo=dt.UTC)}
    props = trail_props(trail, status, {}, {}, READ_AT)
    assert (props["enable_logging"], props["start_logging_time"], props["audit_time"]) == (
        True,
        "2026-11-01T08:00:00+00:00",
        "2026-12-02T12:00:00+00:00",
    )
