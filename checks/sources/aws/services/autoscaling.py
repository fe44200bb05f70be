"""Live collector for Auto Scaling groups, as `aws.autoscaling.Group` declares them: capacity,
health checks, and the load balancers, target groups and traffic sources they sit behind
(attachments declared apart in a program are the group's own lists here)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from checks.model import Resource
from checks.sources.aws.collect import Collector, Context
from checks.sources.aws.shapes import present

GROUP = "aws:autoscaling/group:Group"


def group_props(group: Mapping[str, Any]) -> dict[str, Any]:
    template = group.get("LaunchTemplate") or {}
    zones = str(group.get("VPCZoneIdentifier") or "")
    return present({
        "name": group.get("AutoScalingGroupName"),
        "arn": group.get("AutoScalingGroupARN"),
        "min_size": group.get("MinSize"),
        "max_size": group.get("MaxSize"),
        "desired_capacity": group.get("DesiredCapacity"),
        "health_check_type": group.get("HealthCheckType"),
        "health_check_grace_period": group.get("HealthCheckGracePeriod"),
        "load_balancers": list(group.get("LoadBalancerNames") or []),
        "target_group_arns": list(group.get("TargetGroupARNs") or []),
        "traffic_sources": [
            present({"identifier": t.get("Identifier"), "type": t.get("Type")})
            for t in group.get("TrafficSources") or ()
        ],
        "availability_zones": list(group.get("AvailabilityZones") or []),
        "vpc_zone_identifiers": [z for z in zones.split(",") if z] or None,
        "launch_configuration": group.get("LaunchConfigurationName"),
        "launch_template": present({
            "id": template.get("LaunchTemplateId"),
            "name": template.get("LaunchTemplateName"),
            "version": template.get("Version"),
        }) or None,
        "tags": [
            {"key": t["Key"], "value": t.get("Value"),
             "propagate_at_launch": bool(t.get("PropagateAtLaunch"))}
            for t in group.get("Tags") or () if "Key" in t
        ],
    })  # fmt: skip


def _groups(ctx: Context) -> Iterator[Resource]:
    for group in ctx.pages(ctx.client(), "DescribeAutoScalingGroups", "AutoScalingGroups"):
        name = group["AutoScalingGroupName"]
        arn = group.get("AutoScalingGroupARN")
        yield ctx.resource(GROUP, name, group_props(group), id=name, arn=arn)


COLLECTORS: list[Collector] = [
    Collector("autoscaling", (GROUP,), ("autoscaling:DescribeAutoScalingGroups",), _groups)
]
