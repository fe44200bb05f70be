"""ECS checks on hand-built inventories: container definitions (read-only root filesystems,
host-network users, log configuration) read from their JSON document, and public IPs on
services and task sets."""

from __future__ import annotations

import json

import pytest

from checks.aws.ecs import (
    ecs_containers_readonly_root,
    ecs_host_network_not_root,
    ecs_service_no_public_ip,
    ecs_task_definition_logging,
)
from checks.model import SECRET, UNKNOWN, Inventory, MadeUp, Resource, Undecidable
from checks.registry import Status

LOGS = {"logDriver": "awslogs", "options": {"awslogs-group": "/ecs/api"}}
API = {"name": "api", "image": "api:1", "readonlyRootFilesystem": True, "user": "1000:1000",
       "logConfiguration": LOGS}  # fmt: skip
SIDECAR = {**API, "name": "sidecar"}


def task(*containers: dict, **props) -> Resource:
    document = json.dumps(list(containers))
    return Resource("aws:ecs/taskDefinition:TaskDefinition", "api",
                    {"family": "api", "container_definitions": document, **props})  # fmt: skip


def run(fn, res: Resource):
    return fn(res, Inventory([res]))


# -- the container definitions document ----------------------------------------------------------


@pytest.mark.parametrize("hidden", [UNKNOWN, SECRET, MadeUp("[]")])
@pytest.mark.parametrize(
    "fn", [ecs_containers_readonly_root, ecs_task_definition_logging, ecs_host_network_not_root]
)
def test_a_document_that_cannot_be_seen_is_not_evaluated(fn, hidden):
    res = Resource("aws:ecs/taskDefinition:TaskDefinition", "api",
                   {"network_mode": "host", "container_definitions": hidden})  # fmt: skip
    with pytest.raises(Undecidable):
        run(fn, res)


@pytest.mark.parametrize("document", ["not json", '{"name": "api"}', "[1, 2]"])
def test_a_document_that_is_not_a_list_of_containers_is_not_evaluated(document):
    res = Resource(
        "aws:ecs/taskDefinition:TaskDefinition", "api", {"container_definitions": document}
    )
    with pytest.raises(Undecidable, match="container_definitions of api"):
        run(ecs_containers_readonly_root, res)


# -- ecs_containers_readonly_root ----------------------------------------------------------------


def test_every_read_only_container_passes():
    result = run(ecs_containers_readonly_root, task(API, SIDECAR))
    assert (result.status, result.evidence) == (Status.PASS, {"writable": []})


@pytest.mark.parametrize("setting", [{}, {"readonlyRootFilesystem": False}])
def test_one_writable_container_fails_naming_only_it(setting):
    writable = {k: v for k, v in SIDECAR.items() if k != "readonlyRootFilesystem"} | setting
    result = run(ecs_containers_readonly_root, task(API, writable))
    assert (result.status, result.evidence) == (Status.FAIL, {"writable": ["sidecar"]})


# -- ecs_host_network_not_root -------------------------------------------------------------------


@pytest.mark.parametrize("mode", [{}, {"network_mode": "awsvpc"}, {"network_mode": "bridge"}])
def test_tasks_off_the_host_network_pass_whoever_they_run_as(mode):
    root = {k: v for k, v in API.items() if k != "user"}
    result = run(ecs_host_network_not_root, task(root, **mode))
    assert (result.status, result.evidence) == (Status.PASS, {"root_containers": []})
    assert (
        result.message
        == f"the task uses {mode.get('network_mode', 'bridge')} networking, not the host's"
    )


def test_host_network_containers_with_named_users_pass():
    result = run(
        ecs_host_network_not_root, task(API, {**SIDECAR, "user": "app"}, network_mode="host")
    )
    assert (result.status, result.evidence) == (Status.PASS, {"root_containers": []})


@pytest.mark.parametrize("user", [None, "", "root", "0", "0:0", "root:wheel"])
def test_a_host_network_container_running_as_root_fails(user):
    sidecar = {k: v for k, v in SIDECAR.items() if k != "user"} | (
        {} if user is None else {"user": user}
    )
    result = run(ecs_host_network_not_root, task(API, sidecar, network_mode="host"))
    assert (result.status, result.evidence) == (Status.FAIL, {"root_containers": ["sidecar"]})


def test_an_explicitly_privileged_root_container_passes_as_aws_rule_does():
    agent = {"name": "agent", "image": "agent:1", "privileged": True}
    result = run(ecs_host_network_not_root, task(agent, network_mode="host"))
    assert (result.status, result.evidence) == (Status.PASS, {"root_containers": []})


def test_hidden_network_mode_is_not_evaluated():
    with pytest.raises(Undecidable):
        run(ecs_host_network_not_root, task(API, network_mode=UNKNOWN))


# -- ecs_task_definition_logging -----------------------------------------------------------------


def test_every_container_logging_passes():
    result = run(ecs_task_definition_logging, task(API, SIDECAR))
    assert (result.status, result.evidence) == (Status.PASS, {"unlogged": []})


@pytest.mark.parametrize("setting", [None, {}, {"logDriver": None}])
def test_a_container_without_a_log_driver_fails(setting):
    quiet = {k: v for k, v in SIDECAR.items() if k != "logConfiguration"}
    if setting is not None:
        quiet["logConfiguration"] = setting
    result = run(ecs_task_definition_logging, task(API, quiet))
    assert (result.status, result.evidence) == (Status.FAIL, {"unlogged": ["sidecar"]})


def test_unnamed_containers_are_named_by_position():
    result = run(ecs_task_definition_logging, task({"image": "a:1"}, API))
    assert (result.status, result.evidence) == (Status.FAIL, {"unlogged": ["container[0]"]})


# -- ecs_service_no_public_ip --------------------------------------------------------------------

NETWORK = {"subnets": ["subnet-1"], "security_groups": ["sg-1"]}


@pytest.mark.parametrize("token", ["aws:ecs/service:Service", "aws:ecs/taskSet:TaskSet"])
@pytest.mark.parametrize(
    "props", [{}, {"network_configuration": NETWORK},
              {"network_configuration": {**NETWORK, "assign_public_ip": False}}],
)  # fmt: skip
def test_no_public_ip_passes_and_is_the_default(token, props):
    result = run(ecs_service_no_public_ip, Resource(token, "api", props))
    assert (result.status, result.evidence) == (Status.PASS, {"assign_public_ip": False})


@pytest.mark.parametrize("token", ["aws:ecs/service:Service", "aws:ecs/taskSet:TaskSet"])
@pytest.mark.parametrize("flag", [True, "true"])
def test_a_public_ip_fails(token, flag):
    res = Resource(token, "api", {"network_configuration": {**NETWORK, "assign_public_ip": flag}})
    result = run(ecs_service_no_public_ip, res)
    assert (result.status, result.evidence) == (Status.FAIL, {"assign_public_ip": True})


def test_a_hidden_public_ip_flag_is_not_evaluated():
    res = Resource("aws:ecs/service:Service", "api",
                   {"network_configuration": {**NETWORK, "assign_public_ip": UNKNOWN}})  # fmt: skip
    with pytest.raises(Undecidable):
        run(ecs_service_no_public_ip, res)


@pytest.mark.parametrize("looked_up", [UNKNOWN, MadeUp("subnet-made-up")])
@pytest.mark.parametrize(("flag", "status"), [(True, Status.FAIL), (False, Status.PASS)])
def test_a_declared_public_ip_is_judged_beside_subnets_only_the_deploy_knows(
    looked_up, flag, status
):
    network = {"subnets": [looked_up], "security_groups": [UNKNOWN], "assign_public_ip": flag}
    res = Resource("aws:ecs/service:Service", "api", {"network_configuration": network})
    result = run(ecs_service_no_public_ip, res)
    assert (result.status, result.evidence) == (status, {"assign_public_ip": flag})


def test_a_network_configuration_unknown_as_a_whole_is_not_evaluated():
    res = Resource("aws:ecs/service:Service", "api", {"network_configuration": UNKNOWN})
    with pytest.raises(Undecidable, match="network_configuration of api"):
        run(ecs_service_no_public_ip, res)


# -- edges pinned by mutation testing (issue 15) -------------------------------------------------


def test_the_user_is_what_comes_before_the_first_colon():
    # ecs x__runs_as_root__mutmut_12: "0:0:0" names user 0 (root), not a user "0:0"
    sidecar = {**SIDECAR, "user": "0:0:0"}
    result = run(ecs_host_network_not_root, task(API, sidecar, network_mode="host"))
    assert (result.status, result.evidence) == (Status.FAIL, {"root_containers": ["sidecar"]})
