"""Live collectors for Systems Manager: Parameter Store parameters (their metadata, never their
values) and the managed-instance facts behind control EC2-03 (is each instance managed by SSM,
and is it patch compliant).

DescribeParameters returns a parameter's name, type and key, never its value: the collector
has no way to read one (ssm:GetParameter* is not among its actions, and the auditor role is
denied it outright).

Managed instances have no Pulumi resource: they are facts of the live account only, kept as
`aws:ssm/managedInstance:ManagedInstance` resources (one per managed node, named by its
instance id) with the node's SSM agent status and its latest patch state, for a check of
EC2-03 to join to `aws:ec2/instance:Instance` by `instance_id`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from typing import Any

from checks.model import Resource
from checks.sources.aws.collect import Collector, Context
from checks.sources.aws.shapes import present, snake

PARAMETER = "aws:ssm/parameter:Parameter"
MANAGED_INSTANCE = "aws:ssm/managedInstance:ManagedInstance"

# DescribeInstanceInformation fields kept for a managed node (no host names or addresses).
_NODE_FIELDS = (
    "ResourceType",
    "PingStatus",
    "LastPingDateTime",
    "AgentVersion",
    "IsLatestVersion",
    "PlatformType",
    "PlatformName",
    "PlatformVersion",
    "AssociationStatus",
    "LastAssociationExecutionDate",
    "LastSuccessfulAssociationExecutionDate",
)
# DescribeInstancePatchStates fields kept: the baseline, the last operation and its counts.
_PATCH_FIELDS = (
    "PatchGroup",
    "BaselineId",
    "Operation",
    "OperationStartTime",
    "OperationEndTime",
    "RebootOption",
    "LastNoRebootInstallOperationTime",
    "InstalledCount",
    "InstalledOtherCount",
    "InstalledPendingRebootCount",
    "InstalledRejectedCount",
    "MissingCount",
    "FailedCount",
    "NotApplicableCount",
    "UnreportedNotApprovedCount",
    "CriticalNonCompliantCount",
    "SecurityNonCompliantCount",
    "OtherNonCompliantCount",
)
_PATCH_STATES_PER_CALL = 50  # DescribeInstancePatchStates takes at most 50 instance ids


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.datetime) else value


def _fields(item: Mapping[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    return {snake(n): _plain(item[n]) for n in names if item.get(n) is not None}


def _parameters(ctx: Context) -> Iterator[Resource]:
    for param in ctx.pages(ctx.client(), "DescribeParameters", "Parameters"):
        name = param["Name"]
        props = present(
            {
                "name": name,
                "type": param.get("Type"),
                "key_id": param.get("KeyId") if param.get("Type") == "SecureString" else None,
                "tier": param.get("Tier"),
                "data_type": param.get("DataType"),
                "description": param.get("Description"),
                "allowed_pattern": param.get("AllowedPattern"),
            }
        )
        arn = param.get("ARN") or (
            f"arn:{ctx.partition}:ssm:{ctx.region}:{ctx.account_id}:parameter/{name.lstrip('/')}"
        )
        yield ctx.resource(PARAMETER, name, props, id=name, arn=arn)


def _managed_instances(ctx: Context) -> Iterator[Resource]:
    client = ctx.client()
    nodes = list(ctx.pages(client, "DescribeInstanceInformation", "InstanceInformationList"))
    ids = [n["InstanceId"] for n in nodes]
    states: dict[str, Mapping[str, Any]] = {}
    for start in range(0, len(ids), _PATCH_STATES_PER_CALL):
        chunk = ids[start : start + _PATCH_STATES_PER_CALL]
        for state in ctx.pages(
            client, "DescribeInstancePatchStates", "InstancePatchStates", InstanceIds=chunk
        ):
            states[state["InstanceId"]] = state
    for node in nodes:
        ident = node["InstanceId"]
        state = states.get(ident)
        props = {
            "instance_id": ident,
            **_fields(node, _NODE_FIELDS),
            # None: no patch operation has ever reported for the node.
            "patch_state": _fields(state, _PATCH_FIELDS) if state else None,
        }
        yield ctx.resource(MANAGED_INSTANCE, ident, props, id=ident)


COLLECTORS: list[Collector] = [
    Collector("ssm", (PARAMETER,), ("ssm:DescribeParameters",), _parameters),
    Collector(
        "ssm",
        (MANAGED_INSTANCE,),
        ("ssm:DescribeInstanceInformation", "ssm:DescribeInstancePatchStates"),
        _managed_instances,
    ),
]
