"""The CIS security-event alarms: a metric filter on the CloudTrail log group, with an alarm that
acts on its metric, for each of root use, sign-in failures and IAM/SG/NACL/trail changes."""

from __future__ import annotations

import pytest

from checks.aws.alarms import cloudwatch_security_event_alarms
from checks.model import UNKNOWN, Inventory, Resource, Undecidable
from checks.registry import Status

TRAIL_GROUP_ARN = "arn:aws:logs:us-east-1:111122223333:log-group:cloudtrail:*"

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
EVERY_EVENT_WATCHED = {
    "root account use": ["RootUse"],
    "console sign-in failures": ["ConsoleFailures"],
    "IAM policy changes": ["IamChanges"],
    "security group changes": ["SgChanges"],
    "network ACL changes": ["NaclChanges"],
    "CloudTrail changes": ["TrailChanges"],
}


def trail(arn=TRAIL_GROUP_ARN) -> Resource:
    return Resource(
        "aws:cloudtrail/trail:Trail",
        "audit",
        {"s3_bucket_name": "audit", "cloud_watch_logs_group_arn": arn},
    )


def alarm(metric: str, namespace: str = "CIS", **props) -> Resource:
    return Resource(
        "aws:cloudwatch/metricAlarm:MetricAlarm",
        f"{metric}-alarm",
        {"metric_name": metric, "namespace": namespace, "alarm_actions": ["arn:sns"], **props},
    )


def metric_filter(metric: str, group_name="cloudtrail", pattern=None, name=None) -> Resource:
    return Resource(
        "aws:cloudwatch/logMetricFilter:LogMetricFilter",
        name or metric,
        {
            "log_group_name": group_name,
            "pattern": CIS_PATTERNS[metric] if pattern is None else pattern,
            "metric_transformation": {"name": metric, "namespace": "CIS", "value": "1"},
        },
    )


def complete(*, but: str | None = None) -> list[Resource]:
    """A trail into CloudWatch with every CIS filter and alarm, less the one named `but`."""
    metrics = [m for m in CIS_PATTERNS if m != but]
    return [trail()] + [metric_filter(m) for m in metrics] + [alarm(m) for m in metrics]


def judge(*resources: Resource) -> tuple:
    [result] = cloudwatch_security_event_alarms(Inventory(resources))
    return result.status, dict(result.evidence)


def failing(missing: list[str], watched: dict) -> tuple:
    return Status.FAIL, {"trail_log_groups": ["cloudtrail"], "missing": missing, "watched": watched}


def without(*events: str) -> dict:
    return {e: f for e, f in EVERY_EVENT_WATCHED.items() if e not in events}


def test_every_security_event_alarmed_passes():
    assert judge(*complete()) == (
        Status.PASS,
        {"trail_log_groups": ["cloudtrail"], "missing": [], "watched": EVERY_EVENT_WATCHED},
    )


def test_a_missing_alarm_leaves_its_event_unwatched():
    resources = [*complete(but="RootUse"), metric_filter("RootUse")]
    assert judge(*resources) == failing(["root account use"], without("root account use"))


@pytest.mark.parametrize(
    "props",
    [{"actions_enabled": False}, {"alarm_actions": []}],
    ids=["disabled", "no-action"],
)
def test_an_alarm_that_does_not_act_does_not_watch(props):
    resources = [*complete(but="RootUse"), metric_filter("RootUse"), alarm("RootUse", **props)]
    assert judge(*resources) == failing(["root account use"], without("root account use"))


def test_an_alarm_on_another_namespace_does_not_watch_the_filters_metric():
    resources = [*complete(but="RootUse"), metric_filter("RootUse"), alarm("RootUse", "Other")]
    assert judge(*resources) == failing(["root account use"], without("root account use"))


def test_a_filter_on_another_log_group_does_not_count():
    resources = [*complete(but="RootUse"), metric_filter("RootUse", "app"), alarm("RootUse")]
    assert judge(*resources) == failing(["root account use"], without("root account use"))


@pytest.mark.parametrize(
    ("metric", "pattern", "event"),
    [
        ("RootUse", '{ $.userIdentity.type = "IAMUser" }', "root account use"),
        ("RootUse", '{ $.userIdentity.invokedBy = "Root" }', "root account use"),
        ("ConsoleFailures", "{ $.eventName = ConsoleLogin }", "console sign-in failures"),
        ("IamChanges", "{ $.eventName = DeleteRolePolicy }", "IAM policy changes"),
    ],
    ids=["root-without-type", "type-without-root", "login-without-failure", "other-iam-event"],
)
def test_a_pattern_needs_every_word_of_one_alternative(metric, pattern, event):
    resources = [*complete(but=metric), metric_filter(metric, pattern=pattern), alarm(metric)]
    assert judge(*resources) == failing([event], without(event))


@pytest.mark.parametrize(
    ("metric", "pattern"),
    [
        ("IamChanges", "{ $.eventName = CreatePolicy }"),
        ("SgChanges", "{ $.eventName = ModifySecurityGroupRules }"),
        ("NaclChanges", "{ $.eventName = ReplaceNetworkAclEntry }"),
        ("TrailChanges", "{ $.eventName = UpdateTrail }"),
        ("RootUse", '{ $.USERIDENTITY.TYPE = "ROOT" }'),
    ],
)
def test_any_one_alternative_of_an_event_is_enough_in_any_case(metric, pattern):
    resources = [*complete(but=metric), metric_filter(metric, pattern=pattern), alarm(metric)]
    assert judge(*resources) == (
        Status.PASS,
        {"trail_log_groups": ["cloudtrail"], "missing": [], "watched": EVERY_EVENT_WATCHED},
    )


def test_one_filter_may_watch_several_events_and_an_event_several_filters():
    both = "{ ($.eventName = StopLogging) || ($.eventName = CreateNetworkAclEntry) }"
    resources = [*complete(), metric_filter("TrailChanges", pattern=both, name="TrailOrNacl")]
    assert judge(*resources) == (
        Status.PASS,
        {
            "trail_log_groups": ["cloudtrail"],
            "missing": [],
            "watched": {
                **EVERY_EVENT_WATCHED,
                "network ACL changes": ["NaclChanges", "TrailOrNacl"],
                "CloudTrail changes": ["TrailChanges", "TrailOrNacl"],
            },
        },
    )


def test_filters_without_alarms_leave_every_event_missing_in_order():
    resources = [trail()] + [metric_filter(m) for m in CIS_PATTERNS]
    assert judge(*resources) == failing(list(EVERY_EVENT_WATCHED), {})


def test_no_trail_to_cloudwatch_fails_naming_every_event():
    log_group = Resource("aws:cloudwatch/logGroup:LogGroup", "app", {"name": "app"})
    no_cloudwatch = trail(None)
    for resources in ([log_group], [no_cloudwatch, *complete()[1:]]):
        assert judge(*resources) == (
            Status.FAIL,
            {
                "missing": [
                    "CloudTrail changes",
                    "IAM policy changes",
                    "console sign-in failures",
                    "network ACL changes",
                    "root account use",
                    "security group changes",
                ]
            },
        )


def test_an_empty_inventory_has_nothing_to_report():
    assert cloudwatch_security_event_alarms(Inventory([])) == []


@pytest.mark.parametrize(
    "pending",
    [
        [trail(UNKNOWN)],
        [*complete(but="RootUse"), metric_filter("RootUse", pattern=UNKNOWN), alarm("RootUse")],
        [*complete(but="RootUse"), metric_filter("RootUse", group_name=UNKNOWN)],
        [
            *complete(but="RootUse"),
            metric_filter("RootUse"),
            alarm("RootUse", alarm_actions=UNKNOWN),
        ],
    ],
    ids=["trail-group", "pattern", "filter-group", "alarm"],
)
def test_a_trail_filter_or_alarm_that_cannot_be_seen_is_undecidable(pending):
    with pytest.raises(Undecidable):
        cloudwatch_security_event_alarms(Inventory(pending))


def test_a_filter_on_another_log_group_listed_first_does_not_hide_the_others():
    first, *rest = complete()
    resources = [first, metric_filter("RootUse", "app", name="app-root-use"), *rest]
    assert judge(*resources) == (
        Status.PASS,
        {"trail_log_groups": ["cloudtrail"], "missing": [], "watched": EVERY_EVENT_WATCHED},
    )
