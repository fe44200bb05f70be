"""Live collectors: CloudWatch Logs log groups (KMS key, retention, tags), metric filters and
resource policies, as `aws.cloudwatch.LogGroup`, `LogMetricFilter` and `LogResourcePolicy`
declare them.

Configuration only: log streams and log events may carry ePHI and are never read.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from checks.model import Resource
from checks.sources.aws.collect import Collector, Context
from checks.sources.aws.partial import Misses
from checks.sources.aws.shapes import present, snake_keys

LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
METRIC_FILTER = "aws:cloudwatch/logMetricFilter:LogMetricFilter"
RESOURCE_POLICY = "aws:cloudwatch/logResourcePolicy:LogResourcePolicy"

_TRANSFORMATION_NAMES = {
    "metricName": "name",
    "metricNamespace": "namespace",
    "metricValue": "value",
    "defaultValue": "default_value",
}


def _group_arn(group: Mapping[str, Any]) -> str:
    """The group's ARN as the provider gives it: without the ':*' the API appends."""
    arn = str(group.get("logGroupArn") or group.get("arn") or "")
    return arn[:-2] if arn.endswith(":*") else arn


def log_group_props(group: Mapping[str, Any], tags: dict[str, Any]) -> dict[str, Any]:
    return present(
        {
            "name": group["logGroupName"],
            "kms_key_id": group.get("kmsKeyId"),
            # No retention policy: the events never expire, which the provider records as 0.
            "retention_in_days": group.get("retentionInDays", 0),
            "log_group_class": group.get("logGroupClass"),
            "tags": tags,
        }
    )


def _log_groups(ctx: Context) -> Iterator[Resource]:
    client = ctx.client()
    with Misses(ctx, (LOG_GROUP,), "log group") as missed:
        for group in ctx.pages(client, "DescribeLogGroups", "logGroups"):
            name, arn = group["logGroupName"], _group_arn(group)
            with missed.of(name):
                tags = ctx.call(client, "ListTagsForResource", resourceArn=arn).get("tags") or {}
                yield ctx.resource(LOG_GROUP, name, log_group_props(group, tags), id=name, arn=arn)


def metric_filter_props(found: Mapping[str, Any]) -> dict[str, Any]:
    transformations = snake_keys(
        found.get("metricTransformations") or [], _TRANSFORMATION_NAMES, verbatim=("dimensions",)
    )
    return {
        "name": found["filterName"],
        "log_group_name": found["logGroupName"],
        "pattern": found.get("filterPattern", ""),
        # AWS allows one transformation per filter; the provider declares it as one block.
        "metric_transformation": (
            transformations[0] if len(transformations) == 1 else transformations
        ),
    }


def _metric_filters(ctx: Context) -> Iterator[Resource]:
    for found in ctx.pages(ctx.client(), "DescribeMetricFilters", "metricFilters"):
        name = found["filterName"]
        yield ctx.resource(METRIC_FILTER, name, metric_filter_props(found), id=name)


def _resource_policies(ctx: Context) -> Iterator[Resource]:
    for policy in ctx.pages(ctx.client(), "DescribeResourcePolicies", "resourcePolicies"):
        name = policy["policyName"]
        props = {"policy_name": name, "policy_document": policy.get("policyDocument")}
        yield ctx.resource(RESOURCE_POLICY, name, props, id=name)


COLLECTORS: list[Collector] = [
    Collector(
        "logs",
        (LOG_GROUP,),
        ("logs:DescribeLogGroups", "logs:ListTagsForResource"),
        _log_groups,
    ),
    Collector("logs", (METRIC_FILTER,), ("logs:DescribeMetricFilters",), _metric_filters),
    Collector("logs", (RESOURCE_POLICY,), ("logs:DescribeResourcePolicies",), _resource_policies),
]
