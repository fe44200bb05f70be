"""EC2 host checks on hand-built inventories: placement in a chosen subnet, backup selection,
and the live-only facts (how long an instance has been stopped, and what Systems Manager knows
of it: management, patches, associations)."""

from __future__ import annotations

import pytest

from checks.aws.ec2_hosts import (
    ec2_instance_in_backup_plan,
    ec2_instance_in_vpc,
    ec2_instance_managed_by_ssm,
    ec2_stopped_instance,
    ssm_association_compliant,
    ssm_patch_compliant,
)
from checks.model import UNKNOWN, Inventory, Resource, Undecidable
from checks.registry import Status

INSTANCE = "aws:ec2/instance:Instance"
TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
STATUS = "aws:ec2/instanceStatus:InstanceStatus"
NODE = "aws:ssm/managedInstance:ManagedInstance"
ARN = "arn:aws:ec2:us-east-1:111122223333:instance/i-0abc"
AUDITED = "2026-12-01T12:00:00+00:00"


def instance(**props) -> Resource:
    return Resource(
        INSTANCE, "worker", {"instance_type": "t3.small", **props}, id="i-0abc", arn=ARN
    )


def status(state: str, since: str | None = None, **props) -> Resource:
    facts = {"instance_id": "i-0abc", "instance_state": state, "audit_time": AUDITED, **props}
    if since is not None:
        facts["stopped_since"] = since
    return Resource(STATUS, "i-0abc", facts, id="i-0abc", source="aws")


def node(**props) -> Resource:
    return Resource(NODE, "i-0abc", {"instance_id": "i-0abc", "ping_status": "Online", **props},
                    id="i-0abc", source="aws")  # fmt: skip


def run(fn, res: Resource, *others: Resource):
    return fn(res, Inventory([res, *others]))


# -- ec2_instance_in_vpc -------------------------------------------------------------------------


def test_a_named_subnet_passes():
    result = run(ec2_instance_in_vpc, instance(subnet_id="subnet-1"))
    assert (result.status, result.evidence) == (Status.PASS, {"subnet_id": "subnet-1"})


def test_attached_network_interfaces_pass():
    res = instance(network_interfaces=[{"network_interface_id": "eni-1", "device_index": 0}])
    result = run(ec2_instance_in_vpc, res)
    assert (result.status, result.evidence) == (Status.PASS, {"subnet_id": None})


def test_a_launch_template_naming_a_subnet_passes():
    template = Resource(TEMPLATE, "batch", {"name": "batch",
                        "network_interfaces": [{"subnet_id": "subnet-2"}]}, id="lt-1")  # fmt: skip
    result = run(ec2_instance_in_vpc, instance(launch_template={"id": "lt-1"}), template)
    assert (result.status, result.evidence) == (Status.PASS, {"subnet_id": "subnet-2"})


def test_a_launch_template_naming_no_subnet_fails():
    template = Resource(TEMPLATE, "batch", {"name": "batch"}, id="lt-1")
    result = run(ec2_instance_in_vpc, instance(launch_template={"name": "batch"}), template)
    assert (result.status, result.evidence) == (Status.FAIL, {"subnet_id": None})


def test_a_launch_template_outside_the_inventory_is_not_evaluated():
    with pytest.raises(Undecidable, match="launch template of worker is not in this inventory"):
        run(ec2_instance_in_vpc, instance(launch_template={"id": "lt-9"}))


def test_no_placement_fails_into_the_default_vpc():
    result = run(ec2_instance_in_vpc, instance())
    assert (result.status, result.evidence) == (Status.FAIL, {"subnet_id": None})
    assert result.message == "no subnet is named: the instance lands in the default VPC"


def test_a_hidden_subnet_is_not_evaluated():
    with pytest.raises(Undecidable):
        run(ec2_instance_in_vpc, instance(subnet_id=UNKNOWN))


# -- ec2_instance_in_backup_plan -----------------------------------------------------------------

SELECTION = "aws:backup/selection:Selection"


def test_an_instance_selected_by_arn_or_tag_passes():
    by_arn = Resource(SELECTION, "hosts", {"resources": ["arn:aws:ec2:*:*:instance/*"]})
    result = run(ec2_instance_in_backup_plan, instance(), by_arn)
    assert (result.status, result.evidence) == (Status.PASS, {"backup_selections": ["hosts"]})
    by_tag = Resource(SELECTION, "ephi", {"selection_tags": [
        {"type": "STRINGEQUALS", "key": "backup", "value": "daily"}]})  # fmt: skip
    result = run(ec2_instance_in_backup_plan, instance(tags={"backup": "daily"}), by_tag)
    assert (result.status, result.evidence) == (Status.PASS, {"backup_selections": ["ephi"]})


def test_an_instance_no_selection_covers_fails():
    volumes = Resource(SELECTION, "volumes", {"resources": ["arn:aws:ec2:*:*:volume/*"]})
    result = run(ec2_instance_in_backup_plan, instance(), volumes)
    assert (result.status, result.evidence) == (Status.FAIL, {"backup_selections": []})


# -- ec2_stopped_instance ------------------------------------------------------------------------


@pytest.mark.parametrize("state", ["running", "pending", "stopping"])
def test_an_instance_not_stopped_passes(state):
    result = run(ec2_stopped_instance, status(state))
    assert (result.status, result.evidence) == (
        Status.PASS,
        {"instance_state": state, "stopped_days": None},
    )


@pytest.mark.parametrize(
    ("since", "days", "verdict"),
    [
        ("2026-11-01T12:00:00+00:00", 30, Status.PASS),  # the boundary: 30 days is allowed
        ("2026-11-01T12:00:01+00:00", 29, Status.PASS),
        ("2026-11-01T11:59:59+00:00", 30, Status.PASS),
        ("2026-10-31T12:00:00+00:00", 31, Status.FAIL),
        ("2025-12-01T12:00:00+00:00", 365, Status.FAIL),
    ],
)
def test_a_stopped_instance_fails_after_30_days(since, days, verdict):
    result = run(ec2_stopped_instance, status("stopped", since))
    assert (result.status, result.evidence) == (
        verdict,
        {"instance_state": "stopped", "stopped_days": days},
    )


def test_a_stopped_instance_with_no_stop_time_is_not_evaluated():
    with pytest.raises(Undecidable, match="when i-0abc was stopped is not recorded"):
        run(ec2_stopped_instance, status("stopped"))


def test_an_unreadable_stop_time_is_not_evaluated():
    with pytest.raises(Undecidable, match="stopped_since of i-0abc is not a time"):
        run(ec2_stopped_instance, status("stopped", "User initiated"))


def test_a_hidden_state_is_not_evaluated():
    with pytest.raises(Undecidable):
        run(ec2_stopped_instance, status(UNKNOWN))


# -- ec2_instance_managed_by_ssm -----------------------------------------------------------------


def test_a_running_instance_online_in_ssm_passes():
    result = run(ec2_instance_managed_by_ssm, status("running"), node())
    assert (result.status, result.evidence) == (Status.PASS, {"ping_status": "Online"})


def test_a_running_instance_ssm_does_not_know_fails():
    other = Resource(NODE, "i-0def", {"instance_id": "i-0def", "ping_status": "Online"})
    result = run(ec2_instance_managed_by_ssm, status("running"), other)
    assert (result.status, result.evidence) == (Status.FAIL, {"ping_status": None})


@pytest.mark.parametrize("ping", ["ConnectionLost", "Inactive"])
def test_a_running_instance_whose_agent_is_not_online_fails(ping):
    result = run(ec2_instance_managed_by_ssm, status("running"), node(ping_status=ping))
    assert (result.status, result.evidence) == (Status.FAIL, {"ping_status": ping})


def test_a_stopped_instance_is_not_applicable():
    result = run(ec2_instance_managed_by_ssm, status("stopped", "2026-11-30T00:00:00+00:00"))
    assert (result.status, result.message) == (
        Status.NOT_APPLICABLE,
        "a stopped instance cannot report to Systems Manager",
    )


def test_managed_instances_that_could_not_be_read_are_not_evaluated():
    res = status("running")
    with pytest.raises(Undecidable, match="could not be collected"):
        ec2_instance_managed_by_ssm(res, Inventory([res], gaps={NODE: "access denied"}))


# -- ssm_patch_compliant -------------------------------------------------------------------------

CLEAN = {"installed_count": 40, "missing_count": 0, "failed_count": 0,
         "installed_pending_reboot_count": 0, "installed_rejected_count": 0}  # fmt: skip


def test_a_node_with_every_patch_installed_passes():
    result = run(ssm_patch_compliant, node(patch_state=CLEAN))
    assert (result.status, result.evidence) == (Status.PASS, {"patch_gaps": {}})


@pytest.mark.parametrize(
    "gap",
    ["missing_count", "failed_count", "installed_pending_reboot_count", "installed_rejected_count"],
)
def test_one_patch_gap_of_any_kind_fails(gap):
    result = run(ssm_patch_compliant, node(patch_state={**CLEAN, gap: 1}))
    assert (result.status, result.evidence) == (Status.FAIL, {"patch_gaps": {gap: 1}})


def test_a_node_that_never_reported_a_patch_scan_fails():
    result = run(ssm_patch_compliant, node(patch_state=None))
    assert (result.status, result.evidence) == (Status.FAIL, {"patch_gaps": {}})
    assert result.message == "no patch scan has ever reported for the node"


# -- ssm_association_compliant -------------------------------------------------------------------


def test_successful_associations_pass():
    result = run(ssm_association_compliant, node(association_status="Success"))
    assert (result.status, result.evidence) == (Status.PASS, {"association_status": "Success"})


def test_failed_associations_fail():
    result = run(ssm_association_compliant, node(association_status="Failed"))
    assert (result.status, result.evidence) == (Status.FAIL, {"association_status": "Failed"})


def test_no_association_is_not_applicable_and_pending_is_not_evaluated():
    result = run(ssm_association_compliant, node())
    assert result.status is Status.NOT_APPLICABLE
    with pytest.raises(Undecidable, match="Pending"):
        run(ssm_association_compliant, node(association_status="Pending"))


# -- edges pinned by mutation testing (issue 15) -------------------------------------------------


def test_a_launch_template_named_by_name_gives_its_subnet():
    # ec2_hosts x__subnet_of_template__mutmut_16, _17, _18: the template's name is a reference
    template = Resource(TEMPLATE, "batch", {"name": "batch",
                        "network_interfaces": [{"subnet_id": "subnet-3"}]}, id="lt-1")  # fmt: skip
    result = run(ec2_instance_in_vpc, instance(launch_template={"name": "batch"}), template)
    assert (result.status, result.message, result.evidence) == (
        Status.PASS,
        "the instance runs in subnet-3",
        {"subnet_id": "subnet-3"},
    )


def test_a_managed_node_without_an_instance_id_is_known_by_its_name():
    # ec2_hosts x__managed_nodes__mutmut_4, _7: the live source names a node by its instance id
    bare = Resource(NODE, "i-0abc", {"ping_status": "Online"}, id="i-0abc", source="aws")
    result = run(ec2_instance_managed_by_ssm, status("running"), bare)
    assert (result.status, result.message, result.evidence) == (
        Status.PASS,
        "Systems Manager manages the instance",
        {"ping_status": "Online"},
    )
