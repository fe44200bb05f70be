"""Live collectors: CloudWatch metric alarms as `aws.cloudwatch.MetricAlarm` declares them (the
metric they watch, whether their actions are enabled and whom they notify).

Configuration only: the alarm's state and the metric's data points are not read.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from checks.model import Resource
from checks.sources.aws.collect import Collector, Context
from checks.sources.aws.partial import Misses
from checks.sources.aws.shapes import present, snake_keys, tag_dict

METRIC_ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"


def _dimensions(found: Any) -> dict[str, Any] | None:
    return tag_dict(found, key="Name") if found else None


def _query(query: Mapping[str, Any]) -> dict[str, Any]:
    """One of a metric-math alarm's queries, as the provider's `metric_queries` block."""
    out = snake_keys({k: v for k, v in query.items() if k != "MetricStat"})
    stat = query.get("MetricStat")
    if stat:
        metric = stat.get("Metric") or {}
        out["metric"] = present(
            {
                "metric_name": metric.get("MetricName"),
                "namespace": metric.get("Namespace"),
                "dimensions": _dimensions(metric.get("Dimensions")),
                "period": stat.get("Period"),
                "stat": stat.get("Stat"),
                "unit": stat.get("Unit"),
            }
        )
    return out


def alarm_props(alarm: Mapping[str, Any], tags: dict[str, Any]) -> dict[str, Any]:
    props = present(
        {
            "name": alarm["AlarmName"],
            "alarm_description": alarm.get("AlarmDescription"),
            "alarm_actions": list(alarm.get("AlarmActions") or []),
            "ok_actions": list(alarm.get("OKActions") or []),
            "insufficient_data_actions": list(alarm.get("InsufficientDataActions") or []),
            "metric_name": alarm.get("MetricName"),
            "namespace": alarm.get("Namespace"),
            "statistic": alarm.get("Statistic"),
            "extended_statistic": alarm.get("ExtendedStatistic"),
            "dimensions": _dimensions(alarm.get("Dimensions")),
            "period": alarm.get("Period"),
            "unit": alarm.get("Unit"),
            "evaluation_periods": alarm.get("EvaluationPeriods"),
            "datapoints_to_alarm": alarm.get("DatapointsToAlarm"),
            "threshold": alarm.get("Threshold"),
            "threshold_metric_id": alarm.get("ThresholdMetricId"),
            "comparison_operator": alarm.get("ComparisonOperator"),
            "treat_missing_data": alarm.get("TreatMissingData"),
            "evaluate_low_sample_count_percentiles": alarm.get("EvaluateLowSampleCountPercentile"),
            "metric_queries": [_query(q) for q in alarm.get("Metrics") or []] or None,
            "tags": tags,
        }
    )
    # Checks take an absent `actions_enabled` for the provider's default (on): it must be real.
    props["actions_enabled"] = bool(alarm["ActionsEnabled"])
    return props


def _alarms(ctx: Context) -> Iterator[Resource]:
    client = ctx.client()
    with Misses(ctx, (METRIC_ALARM,), "alarm") as missed:
        for alarm in ctx.pages(client, "DescribeAlarms", "MetricAlarms"):
            name, arn = alarm["AlarmName"], alarm["AlarmArn"]
            with missed.of(name):
                found = ctx.call(client, "ListTagsForResource", ResourceARN=arn)
                props = alarm_props(alarm, tag_dict(found.get("Tags")))
                yield ctx.resource(METRIC_ALARM, name, props, id=name, arn=arn)


COLLECTORS: list[Collector] = [
    Collector(
        "cloudwatch",
        (METRIC_ALARM,),
        ("cloudwatch:DescribeAlarms", "cloudwatch:ListTagsForResource"),
        _alarms,
    )
]
