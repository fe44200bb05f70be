"""CloudWatch alarms, live: metric alarms read as the program declares them, the CIS security
events alarmed through the trail's log group, and the console changes that silence them."""

from __future__ import annotations

from checks.registry import Status
from checks.sources.aws.services import cloudtrail, cloudwatch, logs
from checks.sources.aws.services.cloudwatch import METRIC_ALARM
from tests.emulator.gap_effects import BYSTANDER, hidden_checks
from tests.emulator.live_audit import audit, collect, deny, program_resources, shape_differences

ACCOUNT = "123456789012"
TOPIC = f"arn:aws:sns:us-east-1:{ACCOUNT}:security-alerts"
GROUP = "/audit/cloudtrail"
# Security event -> the CIS filter pattern that watches it.
PATTERNS = {
    "root-account-usage": '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS }',
    "console-signin-failures": '{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed '
    'authentication") }',
    "iam-policy-changes": "{ ($.eventName = PutRolePolicy) || ($.eventName = AttachRolePolicy) }",
    "security-group-changes": "{ ($.eventName = AuthorizeSecurityGroupIngress) }",
    "nacl-changes": "{ ($.eventName = CreateNetworkAclEntry) }",
    "cloudtrail-changes": "{ ($.eventName = StopLogging) || ($.eventName = DeleteTrail) }",
}
COLLECTORS = [*cloudwatch.COLLECTORS, *logs.COLLECTORS, *cloudtrail.COLLECTORS]


def _alarmed_trail(aws) -> None:
    aws.client("s3").create_bucket(Bucket="trail-logs")
    aws.client("cloudtrail").create_trail(
        Name="audit-trail",
        S3BucketName="trail-logs",
        CloudWatchLogsLogGroupArn=f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:{GROUP}:*",
        CloudWatchLogsRoleArn=f"arn:aws:iam::{ACCOUNT}:role/cloudtrail-to-logs",
    )
    cwl, cw = aws.client("logs"), aws.client("cloudwatch")
    cwl.create_log_group(logGroupName=GROUP)
    for name, pattern in PATTERNS.items():
        metric = name.title().replace("-", "")
        cwl.put_metric_filter(
            logGroupName=GROUP,
            filterName=name,
            filterPattern=pattern,
            metricTransformations=[
                {"metricName": metric, "metricNamespace": "CIS", "metricValue": "1"}
            ],
        )
        cw.put_metric_alarm(
            AlarmName=name,
            AlarmDescription=f"{name} in the trail",
            MetricName=metric,
            Namespace="CIS",
            Statistic="Sum",
            Period=300,
            EvaluationPeriods=1,
            Threshold=1,
            ComparisonOperator="GreaterThanOrEqualToThreshold",
            TreatMissingData="notBreaching",
            AlarmActions=[TOPIC],
            Tags=[{"Key": "data-classification", "Value": "internal"}],
        )


def test_an_alarm_is_read_as_the_program_declares_it(aws):
    _alarmed_trail(aws)
    collected = collect(aws, cloudwatch.COLLECTORS)
    assert collected.gaps == {}
    alarm = next(r for r in collected.resources if r.name == "root-account-usage")
    assert (alarm.type, alarm.id) == (METRIC_ALARM, "root-account-usage")
    assert alarm.arn == f"arn:aws:cloudwatch:us-east-1:{ACCOUNT}:alarm:root-account-usage"
    assert dict(alarm.props) == {
        "name": "root-account-usage",
        "alarm_description": "root-account-usage in the trail",
        "actions_enabled": True,
        "alarm_actions": [TOPIC],
        "ok_actions": [],
        "insufficient_data_actions": [],
        "metric_name": "RootAccountUsage",
        "namespace": "CIS",
        "statistic": "Sum",
        "period": 300,
        "evaluation_periods": 1,
        "threshold": 1.0,
        "comparison_operator": "GreaterThanOrEqualToThreshold",
        "treat_missing_data": "notBreaching",
        "tags": {"data-classification": "internal"},
    }
    declared = next(r for r in program_resources("prod") if r.type == METRIC_ALARM)
    assert shape_differences(declared.props, alarm.props) == []


def test_every_security_event_alarmed_through_the_trail_passes(aws):
    _alarmed_trail(aws)
    evaluation = audit(aws, COLLECTORS)
    (events,) = [f for f in evaluation.findings if f.check.id == "cloudwatch_security_event_alarms"]
    assert events.status is Status.PASS, events.message
    actions = {f.resource.name: f.status for f in evaluation.findings
               if f.check.id == "cloudwatch_alarm_has_action"}  # fmt: skip
    assert actions == dict.fromkeys(PATTERNS, Status.PASS)


def test_disabling_an_alarms_actions_fails_it_and_the_event_it_watched(aws):
    _alarmed_trail(aws)
    aws.client("cloudwatch").disable_alarm_actions(AlarmNames=["cloudtrail-changes"])
    evaluation = audit(aws, COLLECTORS)
    (silenced,) = [f for f in evaluation.findings if f.check.id == "cloudwatch_alarm_has_action"
                   and f.status is Status.FAIL]  # fmt: skip
    assert silenced.resource.name == "cloudtrail-changes"
    (events,) = [f for f in evaluation.findings if f.check.id == "cloudwatch_security_event_alarms"]
    assert (events.status, events.evidence["missing"]) == (Status.FAIL, ["CloudTrail changes"])


def test_denied_alarms_hide_the_alarm_checks_and_nothing_else(aws, monkeypatch):
    _alarmed_trail(aws)
    before = audit(aws, COLLECTORS, also=[BYSTANDER])
    deny(monkeypatch, "cloudwatch", "DescribeAlarms")
    after = audit(aws, COLLECTORS, also=[BYSTANDER])
    reason = "access denied to DescribeAlarms (AccessDenied)"
    assert hidden_checks(before, after, reason) == {
        "cloudwatch_alarm_has_action",
        "cloudwatch_security_event_alarms",
    }
