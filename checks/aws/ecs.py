"""ECS: task definitions whose containers have read-only root filesystems, run host-network
containers as a non-root user, and send their logs somewhere; services and task sets that give
their tasks no public IP address (controls ECS-01, ECS-02, ECS-03).

A task definition's containers are one JSON document (`container_definitions`, spelt as the ECS
API spells it: `readonlyRootFilesystem`, `logConfiguration`). A document that is unknown until
deployment (built from outputs) or secret cannot be read, and neither can a check of it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from checks.model import Inventory, Resource, Undecidable
from checks.registry import Check, Result, Severity, check, failed, passed
from checks.support.props import blocks, flag, known, known_fields

CHECKS: list[Check] = []

TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition"
SERVICE = "aws:ecs/service:Service"
TASK_SET = "aws:ecs/taskSet:TaskSet"
# The users a container runs as root under: none named (the image's, root unless it says
# otherwise), `root` or uid 0, with or without a group.
ROOT_USERS = ("", "root", "0")


def containers(res: Resource) -> list[Mapping[str, Any]]:
    """The container definitions of a task definition; Undecidable when they cannot be read."""
    document = known(res, "container_definitions")
    if isinstance(document, str):
        try:
            document = json.loads(document)
        except ValueError:
            raise Undecidable(f"the container_definitions of {res.name} are not JSON") from None
    if not isinstance(document, list) or not all(isinstance(c, Mapping) for c in document):
        raise Undecidable(f"the container_definitions of {res.name} are not a list of containers")
    return document


def _name(container: Mapping[str, Any], index: int) -> str:
    return str(container.get("name") or f"container[{index}]")


@check(
    into=CHECKS,
    id="ecs_containers_readonly_root",
    control="ECS-01",
    title="ECS task definition containers have read-only root filesystems",
    severity=Severity.MEDIUM,
    config_rule="ecs-containers-readonly-access",
    resource_types=(TASK_DEFINITION,),
    remediation=(
        'Set "readonlyRootFilesystem": true in every container definition; give the paths the '
        "application writes a volume (or a tmpfs mount) of their own."
    ),
    pulumi_fix='aws.ecs.TaskDefinition("api", ..., container_definitions=json.dumps([{\n'
    '    "name": "api", "image": image_uri, "readonlyRootFilesystem": True,\n'
    '    "mountPoints": [{"sourceVolume": "tmp", "containerPath": "/tmp"}]}]),\n'
    '    volumes=[{"name": "tmp"}])',
)
def ecs_containers_readonly_root(res: Resource, inv: Inventory) -> Result:
    """Code that breaks into a container cannot rewrite its binaries or plant tools in it."""
    # Unset readonlyRootFilesystem: the ECS default, false (a writable root filesystem).
    writable = [
        _name(c, i)
        for i, c in enumerate(containers(res))
        if not flag(c.get("readonlyRootFilesystem"))
    ]
    if writable:
        return failed(f"writable root filesystem: {', '.join(writable)}", writable=writable)
    return passed("every container's root filesystem is read-only", writable=[])


def _runs_as_root(container: Mapping[str, Any]) -> bool:
    user = str(container.get("user") or "").strip()
    return user.split(":", 1)[0] in ROOT_USERS


@check(
    into=CHECKS,
    id="ecs_host_network_not_root",
    control="ECS-01",
    title="ECS host-network task definition runs no container as an implicit root user",
    severity=Severity.HIGH,
    citations=(
        "164.308(a)(3)(i)",
        "164.308(a)(3)(ii)(A)",
        "164.308(a)(4)(ii)(A)",
        "164.308(a)(4)(ii)(C)",
        "164.312(a)(1)",
    ),
    config_rule="ecs-task-definition-user-for-host-mode-check",
    resource_types=(TASK_DEFINITION,),
    remediation=(
        'Name a non-root "user" (e.g. "1000:1000") in every container of a task that uses the '
        "host's network, or use network_mode='awsvpc' so tasks get network interfaces of their "
        "own."
    ),
    pulumi_fix='aws.ecs.TaskDefinition("agent", ..., network_mode="awsvpc",\n'
    '    container_definitions=json.dumps([{"name": "agent", "image": image_uri,\n'
    '        "user": "1000:1000"}]))',
)
def ecs_host_network_not_root(res: Resource, inv: Inventory) -> Result:
    """A container sharing the host's network stack does not also hold root on it by default.

    As AWS's rule does, a container marked privileged passes: that is a choice someone made,
    where an unnamed user is root by accident."""
    # Unset network_mode: AWS's default for Linux tasks on EC2, bridge.
    mode = str(known(res, "network_mode", "bridge"))
    if mode != "host":
        return passed(f"the task uses {mode} networking, not the host's", root_containers=[])
    root = [
        _name(c, i)
        for i, c in enumerate(containers(res))
        if _runs_as_root(c) and not flag(c.get("privileged"))
    ]
    if root:
        return failed(
            f"host-network container(s) run as root: {', '.join(root)}", root_containers=root
        )
    return passed("every host-network container names a non-root user", root_containers=[])


@check(
    into=CHECKS,
    id="ecs_task_definition_logging",
    control="ECS-03",
    title="ECS task definition containers each have a log configuration",
    severity=Severity.MEDIUM,
    config_rule="ecs-task-definition-log-configuration",
    resource_types=(TASK_DEFINITION,),
    remediation=(
        'Give every container a "logConfiguration" (the awslogs driver to an encrypted log '
        "group with a retention period)."
    ),
    pulumi_fix='aws.ecs.TaskDefinition("api", ..., container_definitions=json.dumps([{\n'
    '    "name": "api", "image": image_uri, "logConfiguration": {"logDriver": "awslogs",\n'
    '        "options": {"awslogs-group": "/ecs/api", "awslogs-region": "us-east-1",\n'
    '                    "awslogs-stream-prefix": "api"}}}]))',
)
def ecs_task_definition_logging(res: Resource, inv: Inventory) -> Result:
    """What the application did with ePHI leaves a record that can be examined."""
    unlogged = [
        _name(c, i)
        for i, c in enumerate(containers(res))
        if not any(b.get("logDriver") for b in blocks(c.get("logConfiguration")))
    ]
    if unlogged:
        return failed(f"no log configuration: {', '.join(unlogged)}", unlogged=unlogged)
    return passed("every container has a log configuration", unlogged=[])


@check(
    into=CHECKS,
    id="ecs_service_no_public_ip",
    control="ECS-02",
    title="ECS service or task set assigns no public IP address to its tasks",
    severity=Severity.HIGH,
    resource_types=(SERVICE, TASK_SET),
    remediation=(
        "Set network_configuration assign_public_ip=False and run the tasks in private "
        "subnets; reach them through a load balancer, and the internet through a NAT gateway "
        "or VPC endpoints."
    ),
    pulumi_fix='aws.ecs.Service("api", ..., network_configuration={\n'
    '    "subnets": [s.id for s in private_subnets], "security_groups": [app_sg.id],\n'
    '    "assign_public_ip": False})',
)
def ecs_service_no_public_ip(res: Resource, inv: Inventory) -> Result:
    """Tasks that handle ePHI are not directly addressable from the internet."""
    # Unset assign_public_ip (or no awsvpc network configuration at all): the default, false.
    public = any(
        flag(n.get("assign_public_ip"))
        for n in known_fields(res, "network_configuration", "assign_public_ip")
    )
    if public:
        return failed("tasks get a public IP address", assign_public_ip=True)
    return passed("tasks get no public IP address", assign_public_ip=False)
