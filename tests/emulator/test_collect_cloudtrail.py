"""CloudTrail, live: trails read as the program declares them (logging status and event selectors
included), and the console changes the trail checks must catch."""

from __future__ import annotations

import datetime as dt

from checks.registry import Status
from checks.sources.aws.services.cloudtrail import COLLECTORS, TRAIL
from checks.sources.aws.session import AwsOptions
from checks.sources.aws.source import AwsSource
from checks.sources.registry import SourceRequest
from tests.emulator.gap_effects import BYSTANDER, hidden_checks, unseen
from tests.emulator.live_audit import audit, collect, deny, program_resources, shape_differences

ACCOUNT = "123456789012"
KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/3a34f661-038d-7bd6-b481-536142e9a889"
GROUP_ARN = f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/audit/cloudtrail:*"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/cloudtrail-to-logs"
AUDIT = f"arn:aws:cloudtrail:us-east-1:{ACCOUNT}:trail/audit-trail"
LEGACY = f"arn:aws:cloudtrail:us-east-1:{ACCOUNT}:trail/legacy-trail"
SELECTORS = [
    {
        "Name": "management",
        "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]}],
    },
    {
        "Name": "documents",
        "FieldSelectors": [
            {"Field": "eventCategory", "Equals": ["Data"]},
            {"Field": "resources.type", "Equals": ["AWS::S3::Object"]},
            {"Field": "resources.ARN", "StartsWith": ["arn:aws:s3:::documents/"]},
        ],
    },
]


def _trails(aws) -> None:
    """audit-trail: secure, as the billing program declares its trail. legacy-trail: one region,
    no validation, no KMS key, no CloudWatch Logs, not logging."""
    aws.client("s3").create_bucket(Bucket="trail-logs")
    ct = aws.client("cloudtrail")
    ct.create_trail(
        Name="audit-trail",
        S3BucketName="trail-logs",
        S3KeyPrefix="cloudtrail",
        IsMultiRegionTrail=True,
        IncludeGlobalServiceEvents=True,
        EnableLogFileValidation=True,
        KmsKeyId=KEY,
        CloudWatchLogsLogGroupArn=GROUP_ARN,
        CloudWatchLogsRoleArn=ROLE,
        TagsList=[{"Key": "data-classification", "Value": "ePHI"}],
    )
    ct.put_event_selectors(TrailName="audit-trail", AdvancedEventSelectors=SELECTORS)
    ct.start_logging(Name="audit-trail")
    ct.create_trail(Name="legacy-trail", S3BucketName="trail-logs")
    ct.put_event_selectors(
        TrailName="legacy-trail",
        EventSelectors=[{"ReadWriteType": "All", "IncludeManagementEvents": True}],
    )


def test_a_trail_is_read_as_the_program_declares_it(aws):
    _trails(aws)
    collected = collect(aws, COLLECTORS)
    assert collected.gaps == {}
    trails = {r.name: r for r in collected.resources}
    assert sorted(trails) == ["audit-trail", "legacy-trail"]
    trail = trails["audit-trail"]
    assert (trail.type, trail.id, trail.arn, trail.region) == (TRAIL, AUDIT, AUDIT, "us-east-1")
    props = dict(trail.props)
    assert _status_facts(props, started=True) == {
        "latest_cloud_watch_logs_delivery_time": None,  # moto never delivers to CloudWatch Logs
        "latest_cloud_watch_logs_delivery_error": None,
    }
    assert props == {
        "name": "audit-trail",
        "s3_bucket_name": "trail-logs",
        "s3_key_prefix": "cloudtrail",
        "include_global_service_events": True,
        "is_multi_region_trail": True,
        "is_organization_trail": False,
        "enable_log_file_validation": True,
        "cloud_watch_logs_group_arn": GROUP_ARN,
        "cloud_watch_logs_role_arn": ROLE,
        "kms_key_id": KEY,
        "enable_logging": True,
        "event_selectors": [],
        "advanced_event_selectors": [
            {"name": "management", "field_selectors": [
                {"field": "eventCategory", "equals": ["Management"]}]},
            {"name": "documents", "field_selectors": [
                {"field": "eventCategory", "equals": ["Data"]},
                {"field": "resources.type", "equals": ["AWS::S3::Object"]},
                {"field": "resources.ARN", "starts_withs": ["arn:aws:s3:::documents/"]}]},
        ],
        "tags": {"data-classification": "ePHI"},
    }  # fmt: skip
    assert trails["legacy-trail"].props["enable_logging"] is False
    assert _status_facts(dict(trails["legacy-trail"].props), started=False) == {
        "latest_cloud_watch_logs_delivery_time": None,
        "latest_cloud_watch_logs_delivery_error": None,
    }
    assert trails["legacy-trail"].props["event_selectors"] == [
        {"read_write_type": "All", "include_management_events": True}
    ]
    (declared,) = [r for r in program_resources("prod") if r.type == TRAIL]
    assert shape_differences(declared.props, trail.props) == []


def test_the_trail_checks_judge_the_live_trails(aws):
    _trails(aws)
    evaluation = audit(aws, COLLECTORS)
    for check in (
        "cloudtrail_multi_region",
        "cloudtrail_log_file_validation",
        "cloudtrail_kms_encrypted",
    ):
        assert verdicts_by_name(evaluation, check) == {
            "audit-trail": Status.PASS,
            "legacy-trail": Status.FAIL,
        }, check
    # Started moments ago, and moto never reports a CloudWatch Logs delivery: not yet decidable.
    assert verdicts_by_name(evaluation, "cloudtrail_cloudwatch_logs") == {
        "audit-trail": Status.NOT_EVALUATED,
        "legacy-trail": Status.FAIL,
    }
    delivery = [f for f in evaluation.findings if f.check.id == "cloudtrail_cloudwatch_logs"]
    (fresh,) = [f for f in delivery if f.status is Status.NOT_EVALUATED]
    assert "less than 24 hours before the audit" in fresh.message
    (account,) = [f for f in evaluation.findings if f.check.id == "cloudtrail_enabled_multi_region"]
    assert (account.status, account.evidence["trail"]) == (Status.PASS, "audit-trail")


def test_console_changes_to_the_trail_fail_their_checks(aws):
    _trails(aws)
    ct = aws.client("cloudtrail")
    ct.stop_logging(Name="audit-trail")
    ct.update_trail(Name="audit-trail", EnableLogFileValidation=False)
    evaluation = audit(aws, COLLECTORS)
    (account,) = [f for f in evaluation.findings if f.check.id == "cloudtrail_enabled_multi_region"]
    assert account.status is Status.FAIL
    assert account.evidence["missing_by_trail"]["audit-trail"] == [
        "enable_logging",
        "enable_log_file_validation",
    ]
    validation = verdicts_by_name(evaluation, "cloudtrail_log_file_validation")
    assert validation["audit-trail"] is Status.FAIL


def test_a_multi_region_trail_is_read_once_in_its_home_region(aws):
    _trails(aws)
    options = AwsOptions(endpoint_url=aws.endpoint, regions=("us-east-1", "us-west-2"))
    collected = AwsSource(COLLECTORS).collect(SourceRequest(extra={"aws": options}))
    names = sorted((r.name, r.region) for r in collected.resources)
    assert names == [("audit-trail", "us-east-1"), ("legacy-trail", "us-east-1")]


def test_a_denied_trail_status_hides_the_trail_checks_and_nothing_else(aws, monkeypatch):
    _trails(aws)
    before = audit(aws, COLLECTORS, also=[BYSTANDER])
    deny(monkeypatch, "cloudtrail", "GetTrailStatus")
    after = audit(aws, COLLECTORS, also=[BYSTANDER])
    reason = "access denied to GetTrailStatus (AccessDenied)"
    assert hidden_checks(before, after, reason) == {
        "cloudtrail_multi_region",
        "cloudtrail_log_file_validation",
        "cloudtrail_kms_encrypted",
        "cloudtrail_cloudwatch_logs",
        "cloudtrail_bucket_private_and_logged",
        "cloudtrail_enabled_multi_region",
        "cloudwatch_security_event_alarms",
    }
    (why,) = unseen(after, "cloudtrail_multi_region")
    assert why == (
        f"{TRAIL} could not be collected: us-east-1 ({ACCOUNT}): {reason} "
        "(for the trails audit-trail, legacy-trail)"
    )


def _status_facts(props: dict, started: bool) -> dict:
    """Take GetTrailStatus's live facts out of `props`; check the times that vary from run to
    run (the read, and the start moto stamps on StartLogging) against the clock."""
    read = dt.datetime.fromisoformat(props.pop("audit_time"))
    start = props.pop("start_logging_time")
    assert abs(dt.datetime.now(dt.UTC) - read) < dt.timedelta(minutes=5), read
    if started:  # the read is kept to the second: a start in the same second may follow it
        since = read - dt.datetime.fromisoformat(start)
        assert -dt.timedelta(seconds=1) < since < dt.timedelta(minutes=5), start
    else:
        assert start is None
    keys = ("latest_cloud_watch_logs_delivery_time", "latest_cloud_watch_logs_delivery_error")
    return {k: props.pop(k) for k in keys}


def verdicts_by_name(evaluation, check_id: str) -> dict[str, Status]:
    return {
        f.resource.name: f.status
        for f in evaluation.findings
        if f.check.id == check_id and f.resource is not None
    }
