"""Live collectors for ECS: services and their task sets (network configuration), as
`aws.ecs.Service` and `aws.ecs.TaskSet` declare them, and the latest active revision of each
task definition family as `aws.ecs.TaskDefinition` declares it.

A task definition's containers are kept as the provider keeps them: one JSON document
(`container_definitions`) in the ECS API's own spelling. Running tasks, their logs and their
data are never read.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from checks.model import Resource
from checks.sources.aws.collect import Collector, Context
from checks.sources.aws.partial import Misses
from checks.sources.aws.shapes import present, tag_dict

SERVICE = "aws:ecs/service:Service"
TASK_SET = "aws:ecs/taskSet:TaskSet"
TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition"
_SERVICES_PER_CALL = 10  # DescribeServices takes at most 10 services


def network_configuration(config: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """AWS's networkConfiguration as the provider's `network_configuration` block."""
    vpc = (config or {}).get("awsvpcConfiguration")
    if not vpc:
        return None
    return present({
        "subnets": list(vpc.get("subnets") or []),
        "security_groups": list(vpc.get("securityGroups") or []) or None,
        "assign_public_ip": vpc.get("assignPublicIp") == "ENABLED",
    })  # fmt: skip


def _tags(item: Mapping[str, Any]) -> dict[str, Any]:
    return tag_dict(item.get("tags"), key="key", value="value")


def _task_set(cluster: str, service: Mapping[str, Any], task_set: Mapping[str, Any]) -> dict:
    return present({
        "cluster": cluster,
        "service": service.get("serviceArn"),
        "task_definition": task_set.get("taskDefinition"),
        "external_id": task_set.get("externalId"),
        "launch_type": task_set.get("launchType"),
        "platform_version": task_set.get("platformVersion"),
        "network_configuration": network_configuration(task_set.get("networkConfiguration")),
        "tags": _tags(task_set),
    })  # fmt: skip


def _services(ctx: Context) -> Iterator[Resource]:
    client = ctx.client()
    clusters = list(ctx.pages(client, "ListClusters", "clusterArns"))
    with Misses(ctx, (SERVICE, TASK_SET), "cluster") as missed:
        for cluster in clusters:
            with missed.of(cluster.rsplit("/", 1)[-1]):
                arns = list(ctx.pages(client, "ListServices", "serviceArns", cluster=cluster))
                found = []
                for start in range(0, len(arns), _SERVICES_PER_CALL):
                    chunk = arns[start : start + _SERVICES_PER_CALL]
                    answer = ctx.call(
                        client,
                        "DescribeServices",
                        cluster=cluster,
                        services=chunk,
                        include=["TAGS"],
                    )
                    found += answer.get("services") or []
                for service in found:
                    props = present({
                        "name": service.get("serviceName"),
                        "cluster": cluster,
                        "task_definition": service.get("taskDefinition"),
                        "desired_count": service.get("desiredCount"),
                        "launch_type": service.get("launchType"),
                        "platform_version": service.get("platformVersion"),
                        "scheduling_strategy": service.get("schedulingStrategy"),
                        "network_configuration": network_configuration(
                            service.get("networkConfiguration")
                        ),
                        "tags": _tags(service),
                    })  # fmt: skip
                    arn = service.get("serviceArn")
                    yield ctx.resource(SERVICE, service["serviceName"], props, id=arn, arn=arn)
                    for task_set in service.get("taskSets") or ():
                        ident = task_set["id"]
                        props = _task_set(cluster, service, task_set)
                        yield ctx.resource(
                            TASK_SET, ident, props, id=ident, arn=task_set.get("taskSetArn")
                        )


def task_definition_props(definition: Mapping[str, Any], tags: Any) -> dict[str, Any]:
    return present({
        "family": definition.get("family"),
        "revision": definition.get("revision"),
        "arn": definition.get("taskDefinitionArn"),
        "container_definitions": json.dumps(definition.get("containerDefinitions") or []),
        "network_mode": definition.get("networkMode"),
        "requires_compatibilities": definition.get("requiresCompatibilities"),
        "cpu": definition.get("cpu"),
        "memory": definition.get("memory"),
        "execution_role_arn": definition.get("executionRoleArn"),
        "task_role_arn": definition.get("taskRoleArn"),
        "pid_mode": definition.get("pidMode"),
        "ipc_mode": definition.get("ipcMode"),
        "volumes": [
            present({"name": v.get("name"), "host_path": (v.get("host") or {}).get("sourcePath"),
                     "configure_at_launch": v.get("configuredAtLaunch")})
            for v in definition.get("volumes") or ()
        ] or None,
        "tags": tag_dict(tags, key="key", value="value"),
    })  # fmt: skip


def _task_definitions(ctx: Context) -> Iterator[Resource]:
    client = ctx.client()
    families = list(ctx.pages(client, "ListTaskDefinitionFamilies", "families", status="ACTIVE"))
    with Misses(ctx, (TASK_DEFINITION,), "task definition family") as missed:
        for family in families:
            with missed.of(family):
                # A family name alone names its latest ACTIVE revision, which AWS's rules judge.
                answer = ctx.call(
                    client, "DescribeTaskDefinition", taskDefinition=family, include=["TAGS"]
                )
                definition = answer.get("taskDefinition") or {}
                props = task_definition_props(definition, answer.get("tags"))
                arn = definition.get("taskDefinitionArn")
                yield ctx.resource(TASK_DEFINITION, family, props, id=family, arn=arn)


COLLECTORS: list[Collector] = [
    Collector(
        "ecs",
        (SERVICE, TASK_SET),
        ("ecs:ListClusters", "ecs:ListServices", "ecs:DescribeServices"),
        _services,
    ),
    Collector(
        "ecs",
        (TASK_DEFINITION,),
        ("ecs:ListTaskDefinitionFamilies", "ecs:DescribeTaskDefinition"),
        _task_definitions,
    ),
]
