"""CloudWatch Logs, live: log groups (KMS key, retention), metric filters and resource policies read
as the program declares them, never a log event; and the console changes the log checks catch."""

from __future__ import annotations

import json

from checks.registry import Status
from checks.sources.aws.services import cloudtrail, logs
from checks.sources.aws.services.logs import LOG_GROUP, METRIC_FILTER, RESOURCE_POLICY
from tests.emulator.gap_effects import BYSTANDER, hidden_checks, unseen
from tests.emulator.live_audit import audit, collect, deny, program_resources, shape_differences

ACCOUNT = "123456789012"
KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/d4d8be8b-5176-ec3c-ab0e-2532a8c61884"
TRAIL_GROUP = "/audit/cloudtrail"
ROOT_USE = '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS }'
POLICY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "WafLogDelivery",
                "Effect": "Allow",
                "Principal": {"Service": "delivery.logs.amazonaws.com"},
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:aws-waf-logs-web:*",
            }
        ],
    }
)
COLLECTORS = [*logs.COLLECTORS, *cloudtrail.COLLECTORS]


def _groups(aws) -> None:
    """The trail's group, encrypted and kept six years; an application group kept 30 days in
    CloudWatch's default encryption (made by hand in the console); a filter and a policy."""
    cwl = aws.client("logs")
    cwl.create_log_group(
        logGroupName=TRAIL_GROUP, kmsKeyId=KEY, tags={"data-classification": "ePHI"}
    )
    cwl.put_retention_policy(logGroupName=TRAIL_GROUP, retentionInDays=2192)
    cwl.create_log_group(logGroupName="/app/api")
    cwl.put_retention_policy(logGroupName="/app/api", retentionInDays=30)
    cwl.put_metric_filter(
        logGroupName=TRAIL_GROUP,
        filterName="root-account-usage",
        filterPattern=ROOT_USE,
        metricTransformations=[
            {"metricName": "RootUse", "metricNamespace": "CIS", "metricValue": "1", "unit": "Count"}
        ],
    )
    cwl.put_resource_policy(policyName="waf-log-delivery", policyDocument=POLICY)
    aws.client("s3").create_bucket(Bucket="trail-logs")
    aws.client("cloudtrail").create_trail(
        Name="audit-trail",
        S3BucketName="trail-logs",
        CloudWatchLogsLogGroupArn=f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:{TRAIL_GROUP}:*",
        CloudWatchLogsRoleArn=f"arn:aws:iam::{ACCOUNT}:role/cloudtrail-to-logs",
    )


def _by_type(collected, token):
    return {r.name: r for r in collected.resources if r.type == token}


def test_log_groups_filters_and_policies_are_read_as_the_program_declares_them(aws):
    _groups(aws)
    collected = collect(aws, logs.COLLECTORS)
    assert collected.gaps == {}
    group = _by_type(collected, LOG_GROUP)[TRAIL_GROUP]
    assert (group.id, group.arn) == (
        TRAIL_GROUP,
        f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:{TRAIL_GROUP}",
    )
    assert dict(group.props) == {
        "name": TRAIL_GROUP,
        "kms_key_id": KEY,
        "retention_in_days": 2192,
        "tags": {"data-classification": "ePHI"},
    }
    # A group with no retention policy keeps its events forever: the provider records 0.
    aws.client("logs").delete_retention_policy(logGroupName="/app/api")
    kept = _by_type(collect(aws, logs.COLLECTORS), LOG_GROUP)["/app/api"]
    assert kept.props["retention_in_days"] == 0
    (metric_filter,) = _by_type(collected, METRIC_FILTER).values()
    assert dict(metric_filter.props) == {
        "name": "root-account-usage",
        "log_group_name": TRAIL_GROUP,
        "pattern": ROOT_USE,
        "metric_transformation": {
            "name": "RootUse",
            "namespace": "CIS",
            "value": "1",
            "unit": "Count",
        },
    }
    (policy,) = _by_type(collected, RESOURCE_POLICY).values()
    assert dict(policy.props) == {"policy_name": "waf-log-delivery", "policy_document": POLICY}
    declared = program_resources("prod")
    for live in (group, metric_filter, policy):
        (program,) = [r for r in declared if r.type == live.type][:1]
        assert shape_differences(program.props, live.props) == [], live.type


def test_the_log_group_checks_judge_the_live_groups(aws):
    _groups(aws)
    evaluation = audit(aws, COLLECTORS)
    assert _verdicts(evaluation, "log_group_kms_encrypted") == {
        TRAIL_GROUP: Status.PASS,
        "/app/api": Status.FAIL,
    }
    assert _verdicts(evaluation, "log_group_retention") == {
        TRAIL_GROUP: Status.PASS,
        "/app/api": Status.FAIL,
    }


def test_shortening_the_trail_groups_retention_fails_it(aws):
    _groups(aws)
    # 400 days would do for an application's logs, not for the audit trail's six years.
    aws.client("logs").put_retention_policy(logGroupName=TRAIL_GROUP, retentionInDays=400)
    evaluation = audit(aws, COLLECTORS)
    (finding,) = [
        f
        for f in evaluation.findings
        if f.check.id == "log_group_retention" and f.resource and f.resource.name == TRAIL_GROUP
    ]
    assert finding.status is Status.FAIL
    assert finding.evidence["receives_trail"] == "audit-trail"
    assert finding.evidence["minimum_days"] == 2190


def test_a_denied_tag_read_hides_the_log_group_checks_and_nothing_else(aws, monkeypatch):
    _groups(aws)
    before = audit(aws, COLLECTORS, also=[BYSTANDER])
    deny(monkeypatch, "logs", "ListTagsForResource")
    after = audit(aws, COLLECTORS, also=[BYSTANDER])
    reason = "access denied to ListTagsForResource (AccessDenied)"
    assert hidden_checks(before, after, reason) == {
        "log_group_kms_encrypted",
        "log_group_retention",
    }
    (why,) = unseen(after, "log_group_kms_encrypted")
    assert why.endswith(f"{reason} (for the log groups /app/api, {TRAIL_GROUP})")


def _verdicts(evaluation, check_id: str) -> dict[str, Status]:
    return {
        f.resource.name: f.status
        for f in evaluation.findings
        if f.check.id == check_id and f.resource is not None
    }
