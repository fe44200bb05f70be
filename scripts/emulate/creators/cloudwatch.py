"""CloudWatch: log groups (with their key and retention), metric filters, log resource
policies, metric alarms, and EventBridge rules and targets (Pulumi's `cloudwatch` module)."""

from __future__ import annotations

from typing import Any

from scripts.emulate.creators.base import (
    Made,
    Target,
    physical_name,
    tag_list,
    tags,
    without_none,
)
from scripts.emulate.inputs import Inputs


def log_group(inputs: Inputs, target: Target, clients) -> Made:
    logs = clients("logs")
    name = physical_name(inputs, target, max_length=512)
    values = tags(inputs, target)
    logs.create_log_group(
        logGroupName=name,
        **without_none(
            kmsKeyId=inputs.get("kms_key_id"),
            logGroupClass=inputs.get("log_group_class"),
            tags=values or None,
        ),
    )
    if "retention_in_days" in inputs:
        logs.put_retention_policy(logGroupName=name, retentionInDays=inputs["retention_in_days"])
    inputs.provider_only("skip_destroy")
    return name, {"arn": target.arn("logs", f"log-group:{name}"), "name": name}


def metric_filter(inputs: Inputs, target: Target, clients) -> Made:
    name = physical_name(inputs, target)
    transformation = inputs.require("metric_transformation")
    metric = without_none(
        metricName=transformation.require("name"),
        metricNamespace=transformation.require("namespace"),
        metricValue=transformation.require("value"),
        defaultValue=float(transformation["default_value"])
        if "default_value" in transformation
        else None,
        unit=transformation.get("unit"),
        dimensions=transformation.plain("dimensions"),
    )
    clients("logs").put_metric_filter(
        logGroupName=inputs.require("log_group_name"),
        filterName=name,
        filterPattern=inputs.require("pattern"),
        metricTransformations=[metric],
    )
    return name, {"name": name}


def resource_policy(inputs: Inputs, target: Target, clients) -> Made:
    name = inputs.require("policy_name")
    clients("logs").put_resource_policy(
        policyName=name, policyDocument=inputs.require("policy_document")
    )
    return name, {}


_ALARM = {
    "comparison_operator": "ComparisonOperator",
    "evaluation_periods": "EvaluationPeriods",
    "metric_name": "MetricName",
    "namespace": "Namespace",
    "period": "Period",
    "statistic": "Statistic",
    "extended_statistic": "ExtendedStatistic",
    "threshold": "Threshold",
    "threshold_metric_id": "ThresholdMetricId",
    "actions_enabled": "ActionsEnabled",
    "alarm_description": "AlarmDescription",
    "treat_missing_data": "TreatMissingData",
    "unit": "Unit",
    "datapoints_to_alarm": "DatapointsToAlarm",
    "evaluate_low_sample_count_percentiles": "EvaluateLowSampleCountPercentile",
}
_ALARM_LISTS = {
    "alarm_actions": "AlarmActions",
    "ok_actions": "OKActions",
    "insufficient_data_actions": "InsufficientDataActions",
}


def metric_alarm(inputs: Inputs, target: Target, clients) -> Made:
    name = physical_name(inputs, target)
    args: dict[str, Any] = {api: inputs[key] for key, api in _ALARM.items() if key in inputs}
    args.update({api: inputs.plain(key) for key, api in _ALARM_LISTS.items() if key in inputs})
    if "threshold" in args:
        args["Threshold"] = float(args["Threshold"])
    if "dimensions" in inputs:
        dims = inputs.plain("dimensions")
        args["Dimensions"] = [{"Name": k, "Value": v} for k, v in dims.items()]
    clients("cloudwatch").put_metric_alarm(
        AlarmName=name, **args, Tags=tag_list(tags(inputs, target))
    )
    return name, {"arn": target.arn("cloudwatch", f"alarm:{name}"), "name": name}


def event_rule(inputs: Inputs, target: Target, clients) -> Made:
    name = physical_name(inputs, target, max_length=64)
    state = inputs.get("state")
    if state is None and "is_enabled" in inputs:
        state = "ENABLED" if inputs["is_enabled"] else "DISABLED"
    made = clients("events").put_rule(
        Name=name,
        **without_none(
            EventPattern=inputs.get("event_pattern"),
            ScheduleExpression=inputs.get("schedule_expression"),
            State=state,
            Description=inputs.get("description"),
            RoleArn=inputs.get("role_arn"),
            EventBusName=inputs.get("event_bus_name"),
        ),
        Tags=tag_list(tags(inputs, target)),
    )
    bus = inputs.get("event_bus_name") or "default"
    return f"{bus}/{name}" if bus != "default" else name, {"arn": made["RuleArn"], "name": name}


def event_target(inputs: Inputs, target: Target, clients) -> Made:
    rule = inputs.require("rule")
    target_id = inputs.get("target_id") or target.autoname(max_length=64)
    entry = without_none(
        Id=target_id,
        Arn=inputs.require("arn"),
        RoleArn=inputs.get("role_arn"),
        Input=inputs.get("input"),
        InputPath=inputs.get("input_path"),
    )
    transformer = inputs.get("input_transformer")
    if transformer is not None:
        entry["InputTransformer"] = without_none(
            InputPathsMap=transformer.plain("input_paths"),
            InputTemplate=transformer.require("input_template"),
        )
    made = clients("events").put_targets(
        Rule=rule,
        **without_none(EventBusName=inputs.get("event_bus_name")),
        Targets=[entry],
    )
    if made.get("FailedEntryCount"):
        failed = made["FailedEntries"][0]
        raise RuntimeError(f"PutTargets: {failed.get('ErrorCode')}: {failed.get('ErrorMessage')}")
    return f"{rule}-{target_id}", {"target_id": target_id}


CREATORS = {
    "aws:cloudwatch/logGroup:LogGroup": log_group,
    "aws:cloudwatch/logMetricFilter:LogMetricFilter": metric_filter,
    "aws:cloudwatch/logResourcePolicy:LogResourcePolicy": resource_policy,
    "aws:cloudwatch/metricAlarm:MetricAlarm": metric_alarm,
    "aws:cloudwatch/eventRule:EventRule": event_rule,
    "aws:cloudwatch/eventTarget:EventTarget": event_target,
}
