"""CloudWatch alarms: every alarm notifies someone, and the CIS security events on the CloudTrail
log group raise one (control CWL-03)."""

from __future__ import annotations

from checks.model import Inventory, Resource
from checks.registry import Check, Result, Severity, check, failed, passed
from checks.support.props import blocks, flag, known
from checks.support.trails import trail_log_groups

CHECKS: list[Check] = []

METRIC_ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
METRIC_FILTER = "aws:cloudwatch/logMetricFilter:LogMetricFilter"
# Security event -> alternatives, each a set of words a filter pattern must all contain.
SECURITY_EVENTS: dict[str, tuple[tuple[str, ...], ...]] = {
    "root account use": (("userIdentity.type", "Root"),),
    "console sign-in failures": (("ConsoleLogin", "Failed authentication"),),
    "IAM policy changes": tuple(
        (e,) for e in ("PutRolePolicy", "AttachRolePolicy", "CreatePolicy")
    ),
    "security group changes": (("AuthorizeSecurityGroupIngress",), ("ModifySecurityGroupRules",)),
    "network ACL changes": (("CreateNetworkAclEntry",), ("ReplaceNetworkAclEntry",)),
    "CloudTrail changes": (("StopLogging",), ("DeleteTrail",), ("UpdateTrail",)),
}


def _acts(alarm: Resource) -> bool:
    return flag(known(alarm, "actions_enabled", True)) and bool(known(alarm, "alarm_actions"))


@check(
    into=CHECKS,
    id="cloudwatch_alarm_has_action",
    control="CWL-03",
    title="CloudWatch alarm notifies someone when it fires",
    severity=Severity.LOW,
    config_rule="cloudwatch-alarm-action-check",
    resource_types=(METRIC_ALARM,),
    remediation="Set alarm_actions to an SNS topic the on-call team reads; keep actions_enabled.",
    pulumi_fix='aws.cloudwatch.MetricAlarm("root-use", ..., alarm_actions=[security_topic.arn])',
)
def cloudwatch_alarm_has_action(res: Resource, inv: Inventory) -> Result:
    """A security alarm reaches a person who can respond (security incident procedures)."""
    actions = list(known(res, "alarm_actions") or [])
    if _acts(res):
        return passed(f"the alarm notifies {len(actions)} target(s)", alarm_actions=actions)
    return failed("the alarm has no enabled action: nobody is told", alarm_actions=actions)


def _matches(pattern: str, alternatives: tuple[tuple[str, ...], ...]) -> bool:
    text = pattern.lower()
    return any(all(word.lower() in text for word in words) for words in alternatives)


def _alarmed_metrics(inv: Inventory) -> set[tuple[str, str]]:
    return {
        (str(known(a, "namespace")), str(known(a, "metric_name")))
        for a in inv.by_type(METRIC_ALARM)
        if _acts(a)
    }


def _watched_events(inv: Inventory, groups: set[str]) -> dict[str, list[str]]:
    """Security event -> the metric filters on a trail log group that watch it with an alarm."""
    alarmed, watched = _alarmed_metrics(inv), {e: [] for e in SECURITY_EVENTS}
    for f in inv.by_type(METRIC_FILTER):
        if str(known(f, "log_group_name")) not in groups:
            continue
        metrics = {
            (str(m.get("namespace")), str(m.get("name")))
            for m in blocks(known(f, "metric_transformation"))
        }
        for event, alternatives in SECURITY_EVENTS.items():
            if metrics & alarmed and _matches(str(known(f, "pattern")), alternatives):
                watched[event].append(f.name)
    return watched


@check(
    into=CHECKS,
    id="cloudwatch_security_event_alarms",
    control="CWL-03",
    title="Root use, sign-in failures and IAM/SG/NACL/trail changes raise alarms",
    severity=Severity.MEDIUM,
    config_rule="cloudwatch-alarm-action-check",
    scope="account",
    baseline=True,
    reads=(
        "aws:cloudtrail/trail:Trail",
        "aws:cloudwatch/logMetricFilter:LogMetricFilter",
        "aws:cloudwatch/metricAlarm:MetricAlarm",
    ),
    remediation=(
        "On the log group CloudTrail delivers to, declare an aws.cloudwatch.LogMetricFilter per "
        "event (the CIS AWS Foundations patterns) and an aws.cloudwatch.MetricAlarm with an "
        "action on each metric."
    ),
    pulumi_fix=(
        'aws.cloudwatch.LogMetricFilter("root-use", log_group_name=trail_logs.name,\n'
        "    pattern='{ $.userIdentity.type = \"Root\" && $.userIdentity.invokedBy NOT EXISTS }',\n"
        '    metric_transformation={"name": "RootUse", "namespace": "CIS", "value": "1"})\n'
        'aws.cloudwatch.MetricAlarm("root-use", metric_name="RootUse", namespace="CIS",\n'
        '    statistic="Sum", period=300, evaluation_periods=1, threshold=1,\n'
        '    comparison_operator="GreaterThanOrEqualToThreshold", alarm_actions=[topic.arn])'
    ),
)
def cloudwatch_security_event_alarms(inv: Inventory) -> list[Result]:
    """Log-in monitoring and incident detection: the riskiest account events page someone."""
    if not len(inv):
        return []
    groups = trail_log_groups(inv)
    if not groups:
        return [
            failed(
                "no CloudTrail trail delivers to CloudWatch Logs, so no event can alarm",
                missing=sorted(SECURITY_EVENTS),
            )
        ]
    watched = _watched_events(inv, set(groups))
    missing = [event for event, filters in watched.items() if not filters]
    evidence = {
        "trail_log_groups": sorted(groups),
        "missing": missing,
        "watched": {e: f for e, f in watched.items() if f},
    }
    if missing:
        return [failed(f"no alarmed metric filter for: {', '.join(missing)}", **evidence)]
    return [passed("every security event has an alarmed metric filter", **evidence)]
