"""CloudWatch Logs and alarm checks: KMS, retention (six years for CloudTrail's group), alarm
actions, and the CIS security-event metric filters."""

from __future__ import annotations

import pytest

from checks.aws.alarms import cloudwatch_alarm_has_action, cloudwatch_security_event_alarms
from checks.aws.logs import log_group_kms_encrypted, log_group_retention
from checks.model import UNKNOWN, Inventory, Resource, Undecidable
from checks.registry import Status

TRAIL_GROUP_ARN = "arn:aws:logs:us-east-1:111122223333:log-group:cloudtrail:*"


def group(name: str = "app", **props) -> Resource:
    return Resource("aws:cloudwatch/logGroup:LogGroup", name, {"name": name, **props}, id=name)


def trail() -> Resource:
    return Resource(
        "aws:cloudtrail/trail:Trail",
        "audit",
        {"s3_bucket_name": "audit", "cloud_watch_logs_group_arn": TRAIL_GROUP_ARN},
    )


def run(fn, target: Resource, *others: Resource):
    return fn(target, Inventory([target, *others]))


# -- log_group_kms_encrypted -----------------------------------------------------------------------


def test_log_group_kms():
    key = "arn:aws:kms:us-east-1:1:key/k"
    ok = run(log_group_kms_encrypted, group(kms_key_id=key))
    assert (ok.status, ok.evidence) == (Status.PASS, {"kms_key_id": key})
    assert run(log_group_kms_encrypted, group()).status is Status.FAIL
    with pytest.raises(Undecidable):
        run(log_group_kms_encrypted, group(kms_key_id=UNKNOWN))


# -- log_group_retention ---------------------------------------------------------------------------


def test_retention_of_a_year_passes_and_a_month_fails():
    ok = run(log_group_retention, group(retention_in_days=365))
    assert (ok.status, ok.evidence) == (
        Status.PASS,
        {"retention_in_days": 365, "minimum_days": 365, "receives_trail": None},
    )
    assert run(log_group_retention, group(retention_in_days=30)).status is Status.FAIL


def test_never_expiring_group_passes_explicitly():
    result = run(log_group_retention, group())
    assert result.status is Status.PASS
    assert "never expire" in result.message


def test_cloudtrail_group_needs_six_years():
    short = run(log_group_retention, group("cloudtrail", retention_in_days=365), trail())
    assert (short.status, short.evidence["minimum_days"], short.evidence["receives_trail"]) == (
        Status.FAIL,
        2190,
        "audit",
    )
    assert run(
        log_group_retention, group("cloudtrail", retention_in_days=2192), trail()
    ).status is (Status.PASS)
    with pytest.raises(Undecidable):
        run(log_group_retention, group(retention_in_days=UNKNOWN))


# -- alarms ----------------------------------------------------------------------------------------


def alarm(metric: str, **props) -> Resource:
    return Resource(
        "aws:cloudwatch/metricAlarm:MetricAlarm",
        metric,
        {"metric_name": metric, "namespace": "CIS", "alarm_actions": ["arn:sns"], **props},
    )


def test_alarm_action():
    ok = run(cloudwatch_alarm_has_action, alarm("RootUse"))
    assert (ok.status, ok.evidence) == (Status.PASS, {"alarm_actions": ["arn:sns"]})
    assert (
        run(cloudwatch_alarm_has_action, alarm("RootUse", alarm_actions=[])).status is Status.FAIL
    )
    assert run(cloudwatch_alarm_has_action, alarm("RootUse", actions_enabled=False)).status is (
        Status.FAIL
    )
    with pytest.raises(Undecidable):
        run(cloudwatch_alarm_has_action, alarm("RootUse", alarm_actions=UNKNOWN))


CIS_PATTERNS = {
    "RootUse": '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS }',
    "ConsoleFailures": (
        '{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }'
    ),
    "IamChanges": "{ ($.eventName = PutRolePolicy) || ($.eventName = AttachRolePolicy) }",
    "SgChanges": "{ ($.eventName = AuthorizeSecurityGroupIngress) }",
    "NaclChanges": "{ ($.eventName = CreateNetworkAclEntry) }",
    "TrailChanges": "{ ($.eventName = StopLogging) || ($.eventName = DeleteTrail) }",
}


def metric_filter(metric: str, group_name: str = "cloudtrail") -> Resource:
    return Resource(
        "aws:cloudwatch/logMetricFilter:LogMetricFilter",
        metric,
        {
            "log_group_name": group_name,
            "pattern": CIS_PATTERNS[metric],
            "metric_transformation": {"name": metric, "namespace": "CIS", "value": "1"},
        },
    )


def test_every_security_event_alarmed_passes():
    resources = (
        [trail()] + [metric_filter(m) for m in CIS_PATTERNS] + [alarm(m) for m in CIS_PATTERNS]
    )
    [result] = cloudwatch_security_event_alarms(Inventory(resources))
    assert result.status is Status.PASS
    assert result.evidence["missing"] == []
    assert result.evidence["watched"]["root account use"] == ["RootUse"]


def test_missing_alarm_or_filter_on_another_group_fails():
    resources = (
        [trail()]
        + [metric_filter(m) for m in CIS_PATTERNS]
        + [alarm(m) for m in CIS_PATTERNS if m != "RootUse"]
    )
    [result] = cloudwatch_security_event_alarms(Inventory(resources))
    assert (result.status, result.evidence["missing"]) == (Status.FAIL, ["root account use"])
    elsewhere = [trail(), metric_filter("RootUse", "app"), alarm("RootUse")]
    [result] = cloudwatch_security_event_alarms(Inventory(elsewhere))
    assert "root account use" in result.evidence["missing"]


def test_no_trail_to_cloudwatch_fails_and_unknown_group_is_undecidable():
    [result] = cloudwatch_security_event_alarms(Inventory([group()]))
    assert result.status is Status.FAIL
    pending = Resource(
        "aws:cloudtrail/trail:Trail", "audit", {"cloud_watch_logs_group_arn": UNKNOWN}
    )
    with pytest.raises(Undecidable):
        cloudwatch_security_event_alarms(Inventory([pending]))
