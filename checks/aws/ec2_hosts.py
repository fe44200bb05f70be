"""EC2 hosts: launched into a VPC subnet chosen for them, selected by a backup plan, managed
and patched by Systems Manager, and not left stopped (controls EC2-03, EC2-04, EC2-05, EC2-06).

Whether an instance runs, since when it has been stopped, and what Systems Manager knows of it
are facts only the live account shows. The live source collects them as
`aws:ec2/instanceStatus:InstanceStatus` (one per instance, named by its id) and
`aws:ssm/managedInstance:ManagedInstance` (one per managed node); a program, preview or state
file holds neither, and there the checks of them say nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from checks.model import Inventory, Resource, Undecidable
from checks.registry import Check, Result, Severity, check, failed, not_applicable, passed
from checks.support.backup_selections import backup_selections
from checks.support.joins import resolve
from checks.support.props import blocks, known
from checks.support.resource_types import EC2_INSTANCE, LAUNCH_TEMPLATE

CHECKS: list[Check] = []

INSTANCE_STATUS = "aws:ec2/instanceStatus:InstanceStatus"
MANAGED_INSTANCE = "aws:ssm/managedInstance:ManagedInstance"
MAX_STOPPED_DAYS = 30
# Patch counts that make a node non-compliant with its patch baseline.
PATCH_GAPS = (
    "missing_count",
    "failed_count",
    "installed_pending_reboot_count",
    "installed_rejected_count",
)


def _subnet_of_template(res: Resource, inv: Inventory) -> Any:
    spec = (blocks(known(res, "launch_template")) or [{}])[0]
    ref = spec.get("id") or spec.get("name")
    template = resolve(inv, ref, (LAUNCH_TEMPLATE,), f"the launch template of {res.name}")
    if template is None:
        if ref:
            raise Undecidable(f"the launch template of {res.name} is not in this inventory")
        return None
    return next(
        (
            n["subnet_id"]
            for n in blocks(known(template, "network_interfaces"))
            if n.get("subnet_id")
        ),
        None,
    )


@check(
    into=CHECKS,
    id="ec2_instance_in_vpc",
    control="EC2-05",
    title="EC2 instance runs in a VPC subnet chosen for it",
    severity=Severity.MEDIUM,
    config_rule="ec2-instances-in-vpc",
    resource_types=(EC2_INSTANCE,),
    reads=(LAUNCH_TEMPLATE,),
    remediation=(
        "Set subnet_id to a private subnet of the workload's VPC (or attach network "
        "interfaces, or a launch template that names one)."
    ),
    pulumi_fix='aws.ec2.Instance("app", ..., subnet_id=private_subnets[0].id,\n'
    "    vpc_security_group_ids=[app_sg.id])",
)
def ec2_instance_in_vpc(res: Resource, inv: Inventory) -> Result:
    """The host sits behind the network controls built for it.

    EC2-Classic is gone, so every instance runs in some VPC: one that names no subnet runs in
    the region's default VPC, whose subnets give every instance a public address."""
    subnet = known(res, "subnet_id")
    attached = [
        n for n in blocks(known(res, "network_interfaces")) if n.get("network_interface_id")
    ]
    if not subnet and not attached and known(res, "launch_template"):
        subnet = _subnet_of_template(res, inv)
    if subnet or attached:
        where = subnet or f"{len(attached)} attached network interface(s)"
        return passed(f"the instance runs in {where}", subnet_id=subnet)
    return failed("no subnet is named: the instance lands in the default VPC", subnet_id=None)


@check(
    into=CHECKS,
    id="ec2_instance_in_backup_plan",
    control="EC2-04",
    title="EC2 instance is selected by an AWS Backup plan",
    severity=Severity.MEDIUM,
    citations=("164.308(a)(7)(i)", "164.308(a)(7)(ii)(A)", "164.308(a)(7)(ii)(B)"),
    config_rule="ec2-resources-protected-by-backup-plan",
    resource_types=(EC2_INSTANCE,),
    reads=("aws:backup/selection:Selection",),
    remediation="Select the instance in an aws.backup.Selection, by ARN or by tag.",
    pulumi_fix='aws.backup.Selection("hosts", plan_id=plan.id, iam_role_arn=backup_role.arn,\n'
    "    resources=[instance.arn])",
)
def ec2_instance_in_backup_plan(res: Resource, inv: Inventory) -> Result:
    """A host's disks and configuration can be restored after a failure or an attack."""
    selections = [s.name for s in backup_selections(res, inv)]
    if selections:
        return passed("an AWS Backup plan selects the instance", backup_selections=selections)
    return failed("no AWS Backup selection covers the instance", backup_selections=[])


def _time(res: Resource, key: str) -> dt.datetime | None:
    text = known(res, key)
    if text is None:
        return None
    try:
        return dt.datetime.fromisoformat(str(text))
    except ValueError:
        raise Undecidable(f"the {key} of {res.name} is not a time: {text!r}") from None


@check(
    into=CHECKS,
    id="ec2_stopped_instance",
    control="EC2-06",
    title=f"EC2 instance has not been stopped for more than {MAX_STOPPED_DAYS} days",
    severity=Severity.LOW,
    config_rule="ec2-stopped-instance",
    resource_types=(INSTANCE_STATUS,),
    remediation=(
        "Terminate an instance nobody needs (snapshot its volumes first if they must be kept), "
        "or start it and let it take its patches."
    ),
    pulumi_fix="# Remove the instance from the program (pulumi up terminates it), or run it:\n"
    'aws.ec2transitgateway.InstanceState("worker", instance_id=worker.id, state="running")',
)
def ec2_stopped_instance(res: Resource, inv: Inventory) -> Result:
    """No forgotten host comes back months later without the patches it missed."""
    state = str(known(res, "instance_state"))
    if state != "stopped":
        return passed(f"the instance is {state}", instance_state=state, stopped_days=None)
    since, audited = _time(res, "stopped_since"), _time(res, "audit_time")
    if since is None or audited is None:
        raise Undecidable(f"when {res.name} was stopped is not recorded")
    days = (audited - since).days
    evidence = {"instance_state": state, "stopped_days": days}
    if days > MAX_STOPPED_DAYS:
        return failed(f"stopped for {days} days", **evidence)
    return passed(f"stopped for {days} days", **evidence)


def _managed_nodes(inv: Inventory) -> dict[str, Resource]:
    return {str(known(n, "instance_id", n.name)): n for n in inv.by_type(MANAGED_INSTANCE)}


@check(
    into=CHECKS,
    id="ec2_instance_managed_by_ssm",
    control="EC2-03",
    title="Running EC2 instance is managed by Systems Manager",
    severity=Severity.MEDIUM,
    config_rule="ec2-instance-managed-by-systems-manager",
    resource_types=(INSTANCE_STATUS,),
    reads=(MANAGED_INSTANCE,),
    remediation=(
        "Give the instance a profile with AmazonSSMManagedInstanceCore and a route to the SSM "
        "endpoints (VPC endpoints in private subnets); the SSM agent ships with Amazon Linux."
    ),
    pulumi_fix='aws.iam.RolePolicyAttachment("worker-ssm", role=worker_role.name,\n'
    '    policy_arn="arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore")',
)
def ec2_instance_managed_by_ssm(res: Resource, inv: Inventory) -> Result:
    """The host can be patched, inventoried and reached without SSH keys."""
    state = str(known(res, "instance_state"))
    if state != "running":
        return not_applicable(f"a {state} instance cannot report to Systems Manager")
    node = _managed_nodes(inv).get(str(known(res, "instance_id", res.name)))
    ping = str(known(node, "ping_status")) if node is not None else None
    if ping == "Online":
        return passed("Systems Manager manages the instance", ping_status=ping)
    if node is None:
        return failed("Systems Manager does not know the instance", ping_status=None)
    return failed(f"the SSM agent is {ping}", ping_status=ping)


@check(
    into=CHECKS,
    id="ssm_patch_compliant",
    control="EC2-03",
    title="Managed instance is compliant with its patch baseline",
    severity=Severity.MEDIUM,
    config_rule="ec2-managedinstance-patch-compliance-status-check",
    resource_types=(MANAGED_INSTANCE,),
    remediation=(
        "Scan and install with a patch baseline on a maintenance window (AWS-RunPatchBaseline "
        "with Operation=Install), and reboot when patches need it."
    ),
    pulumi_fix='aws.ssm.Association("patch", name="AWS-RunPatchBaseline",\n'
    '    schedule_expression="cron(0 4 ? * SUN *)", parameters={"Operation": "Install"},\n'
    '    targets=[{"key": "tag:patch-group", "values": ["claims"]}])',
)
def ssm_patch_compliant(res: Resource, inv: Inventory) -> Result:
    """Known vulnerabilities with a patch available are patched (security updates)."""
    state = known(res, "patch_state")
    if not isinstance(state, Mapping):
        return failed("no patch scan has ever reported for the node", patch_gaps={})
    gaps = {k: int(state[k]) for k in PATCH_GAPS if int(state.get(k) or 0) > 0}
    if gaps:
        shown = ", ".join(
            f"{n} {k.removesuffix('_count').replace('_', ' ')}" for k, n in gaps.items()
        )
        return failed(f"patches not in place: {shown}", patch_gaps=gaps)
    return passed("every patch of the baseline is installed", patch_gaps={})


@check(
    into=CHECKS,
    id="ssm_association_compliant",
    control="EC2-03",
    title="Managed instance's State Manager associations succeed",
    severity=Severity.LOW,
    config_rule="ec2-managedinstance-association-compliance-status-check",
    resource_types=(MANAGED_INSTANCE,),
    remediation=(
        "Read the failed association's execution history (aws ssm "
        "describe-association-executions), fix its cause, and run it again."
    ),
    pulumi_fix='aws.ssm.Association("inventory", name="AWS-GatherSoftwareInventory",\n'
    '    schedule_expression="rate(1 day)", targets=[{"key": "InstanceIds", "values": ["*"]}])',
)
def ssm_association_compliant(res: Resource, inv: Inventory) -> Result:
    """The configuration State Manager enforces on the host (agents, inventory, hardening) holds."""
    status = known(res, "association_status")
    if status is None:
        return not_applicable("no State Manager association applies to the node")
    if str(status) == "Success":
        return passed("the node's associations succeeded", association_status=status)
    if str(status) == "Pending":
        raise Undecidable(f"the associations of {res.name} have not run yet (Pending)")
    return failed(f"the node's associations are {status}", association_status=status)
