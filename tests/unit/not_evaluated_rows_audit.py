"""NOT_EVALUATED table rows, part three: what records access to ePHI (CloudTrail, log groups,
alarms) and what watches the account (GuardDuty, AWS Config, Security Hub)."""

from __future__ import annotations

from tests.unit.not_evaluated_rows_access import TOPIC_ARN
from tests.unit.not_evaluated_rows_data import KEY, ROLE_ARN, bucket, companion, key
from tests.unit.not_evaluated_sources import ACCOUNT, LIVE, Res, Row

TRAIL = "aws:cloudtrail/trail:Trail"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
TRAIL_LOGS_ARN = f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:trail-logs"
SECURITY_EVENTS = (
    '{ ($.userIdentity.type = "Root") || ($.eventName = "ConsoleLogin" && '
    '$.errorMessage = "Failed authentication") || ($.eventName = "PutRolePolicy") || '
    '($.eventName = "AuthorizeSecurityGroupIngress") || ($.eventName = "CreateNetworkAclEntry") '
    '|| ($.eventName = "StopLogging") }'
)


def trail(**inputs) -> Res:
    base = {"name": "audit", "s3BucketName": "trail-bucket-1", "isMultiRegionTrail": True,
            "enableLogFileValidation": True}  # fmt: skip
    return Res(TRAIL, "audit", {**base, **inputs}, id="audit")


def alarm() -> Res:
    inputs = {
        "name": "security-events", "comparisonOperator": "GreaterThanOrEqualToThreshold",
        "evaluationPeriods": 1, "metricName": "SecurityEvents", "namespace": "CIS",
        "period": 300, "statistic": "Sum", "threshold": 1, "alarmActions": [TOPIC_ARN],
    }  # fmt: skip
    return Res(ALARM, "security-events-alarm", inputs, id="security-events")


# fmt: off
ROWS: tuple[Row, ...] = (
    # -- CloudTrail, log groups and alarms -----------------------------------------------------
    Row("cloudtrail_multi_region", (trail(),), ("audit", "isMultiRegionTrail")),
    Row("cloudtrail_log_file_validation", (trail(),), ("audit", "enableLogFileValidation")),
    Row("cloudtrail_kms_encrypted", (trail(kmsKeyId=KEY),), ("audit", "kmsKeyId")),
    Row(
        "cloudtrail_cloudwatch_logs",
        (trail(cloudWatchLogsGroupArn=f"{TRAIL_LOGS_ARN}:*", cloudWatchLogsRoleArn=ROLE_ARN),),
        ("audit", "cloudWatchLogsGroupArn"),
    ),
    Row("cloudtrail_enabled_multi_region", (trail(), key()), ("audit", "isMultiRegionTrail")),
    Row(
        "cloudtrail_bucket_private_and_logged",
        (trail(s3BucketName="records-bucket-1"), bucket(),
         companion("bucketPublicAccessBlock", "records-pab", blockPublicAcls=True,
                   blockPublicPolicy=True, ignorePublicAcls=True, restrictPublicBuckets=True),
         companion("bucketLogging", "records-logging", targetBucket="access-logs-bucket-1")),
        ("audit", "s3BucketName"),
        gap=("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",),
    ),
    Row(
        "log_group_kms_encrypted",
        (Res("aws:cloudwatch/logGroup:LogGroup", "app-logs", {"name": "/billing/app",
             "retentionInDays": 365, "kmsKeyId": KEY}, id="/billing/app"),),
        ("app-logs", "kmsKeyId"),
    ),
    Row(
        "log_group_retention",
        (Res("aws:cloudwatch/logGroup:LogGroup", "app-logs", {"name": "/billing/app",
             "retentionInDays": 365, "kmsKeyId": KEY}, id="/billing/app"),),
        ("app-logs", "retentionInDays"),
    ),
    Row("cloudwatch_alarm_has_action", (alarm(),), ("security-events-alarm", "alarmActions")),
    Row(
        "cloudwatch_security_event_alarms",
        (trail(cloudWatchLogsGroupArn=f"{TRAIL_LOGS_ARN}:*", cloudWatchLogsRoleArn=ROLE_ARN),
         Res("aws:cloudwatch/logMetricFilter:LogMetricFilter", "security-events", {
             "name": "security-events", "logGroupName": "trail-logs", "pattern": SECURITY_EVENTS,
             "metricTransformation": {"name": "SecurityEvents", "namespace": "CIS", "value": "1"}},
             id="security-events"),
         alarm()),
        ("security-events", "pattern"),
    ),
    # -- detection -----------------------------------------------------------------------------
    Row(
        "guardduty_enabled_all_regions",
        (Res("aws:guardduty/detector:Detector", "main", {"enable": True}, id="detector-1"),),
        ("main", "enable"),
    ),
    Row(
        "config_recorder_all_resources",
        (Res("aws:cfg/recorder:Recorder", "recorder", {"name": "default", "roleArn": ROLE_ARN,
             "recordingGroup": {"allSupported": True}}, id="default"),
         Res("aws:cfg/recorderStatus:RecorderStatus", "recorder-status",
             {"name": "default", "isEnabled": True}, id="default-status")),
        ("recorder-status", "isEnabled"),
    ),
    Row(
        "securityhub_enabled",
        (Res("aws:securityhub/account:Account", "hub", {"enableDefaultStandards": True},
             id=ACCOUNT),),
        ("hub",),
        kinds=(LIVE,),
        note="only whether the hub is enabled decides: a program or file always says",
    ),
)
# fmt: on
