"""What a program scan cannot see, said rather than left out.

Two parts of a real program never reach the mocks:
- a **multi-language component** (awsx's `Vpc`, pulumi-eks's `Cluster`) builds its resources
  inside its own provider plugin, which a scan without the Pulumi CLI cannot start: the
  component is registered, its children are not. For the components whose children are known,
  their types become coverage gaps, so the checks of those types are NOT_EVALUATED with the
  reason (as when the live account hides a type), never judged on an inventory that merely
  lacks them; for others the report says the component's insides were not seen.
- an **`apply` callback whose input is unknown until deploy** (a stack reference output, or a
  value built from one) does not run, exactly as in `pulumi preview`: whatever it would create
  is not in the scan. The callbacks that did not run are named by file and line.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import os
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from typing import Any

_VPC_PARTS = (
    "aws:ec2/vpc:Vpc",
    "aws:ec2/subnet:Subnet",
    "aws:ec2/routeTable:RouteTable",
    "aws:ec2/routeTableAssociation:RouteTableAssociation",
    "aws:ec2/route:Route",
    "aws:ec2/internetGateway:InternetGateway",
    "aws:ec2/natGateway:NatGateway",
    "aws:ec2/eip:Eip",
)
_TASK_PARTS = (
    "aws:ecs/taskDefinition:TaskDefinition",
    "aws:cloudwatch/logGroup:LogGroup",
    "aws:iam/role:Role",
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
)
_LB_PARTS = (
    "aws:lb/loadBalancer:LoadBalancer",
    "aws:lb/targetGroup:TargetGroup",
    "aws:lb/listener:Listener",
)
# The AWS resource types each multi-language component creates inside its provider (awsx v2/v3,
# pulumi-eks v3), as their providers' code builds them. A component type not listed here is
# still reported, with no types to hide.
COMPONENT_PARTS: Mapping[str, tuple[str, ...]] = {
    "awsx:ec2:Vpc": _VPC_PARTS,
    "awsx:lb:ApplicationLoadBalancer": (*_LB_PARTS, "aws:ec2/securityGroup:SecurityGroup"),
    "awsx:lb:NetworkLoadBalancer": _LB_PARTS,
    "awsx:lb:TargetGroupAttachment": ("aws:lb/targetGroupAttachment:TargetGroupAttachment",),
    "awsx:ecs:FargateService": ("aws:ecs/service:Service", *_TASK_PARTS),
    "awsx:ecs:EC2Service": ("aws:ecs/service:Service", *_TASK_PARTS),
    "awsx:ecs:FargateTaskDefinition": _TASK_PARTS,
    "awsx:ecs:EC2TaskDefinition": _TASK_PARTS,
    "awsx:ecr:Repository": (
        "aws:ecr/repository:Repository",
        "aws:ecr/lifecyclePolicy:LifecyclePolicy",
    ),
    "awsx:cloudtrail:Trail": (
        "aws:cloudtrail/trail:Trail",
        "aws:s3/bucket:Bucket",
        "aws:s3/bucketPolicy:BucketPolicy",
        "aws:cloudwatch/logGroup:LogGroup",
        "aws:iam/role:Role",
        "aws:iam/rolePolicy:RolePolicy",
    ),
    "eks:index:Cluster": (
        "aws:eks/cluster:Cluster",
        "aws:iam/role:Role",
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        "aws:iam/instanceProfile:InstanceProfile",
        "aws:ec2/securityGroup:SecurityGroup",
        "aws:ec2/securityGroupRule:SecurityGroupRule",
        "aws:ec2/launchTemplate:LaunchTemplate",
        "aws:autoscaling/group:Group",
        "aws:eks/nodeGroup:NodeGroup",
        "aws:eks/addon:Addon",
    ),
    "eks:index:ManagedNodeGroup": (
        "aws:eks/nodeGroup:NodeGroup",
        "aws:iam/role:Role",
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    ),
    "eks:index:NodeGroupV2": (
        "aws:ec2/launchTemplate:LaunchTemplate",
        "aws:autoscaling/group:Group",
        "aws:ec2/securityGroup:SecurityGroup",
        "aws:iam/instanceProfile:InstanceProfile",
    ),
}


class ApplyWatch:
    """Remembers every `Output.apply` the program itself calls, to name afterwards the ones
    whose callback never ran because their input stayed unknown."""

    def __init__(self, project_dir: str) -> None:
        self.project_dir = os.path.realpath(project_dir) + os.sep
        self._calls: list[tuple[Any, list[bool], str]] = []
        self._files: dict[str, str | None] = {}
        # A frame's current line: `frame.f_lineno`, or an equal and cheaper function.
        self._line: Callable[[Any], int | None] = _frame_line

    def _site(self, frame) -> str | None:
        """`file:line` of the program's own code that called apply, else None (SDK internals,
        libraries installed in a virtualenv inside the project)."""
        own = self._own_file(frame.f_code.co_filename)
        return None if own is None else f"{own}:{self._line(frame)}"

    def _own_file(self, filename: str) -> str | None:
        """The file's path under the project folder, resolved once per file: apply is called
        for every output a program transforms."""
        if filename not in self._files:
            path = os.path.realpath(filename)
            own = path.startswith(self.project_dir) and "site-packages" not in path
            self._files[filename] = path[len(self.project_dir) :] if own else None
        return self._files[filename]

    def install(self, line: Callable[[Any], int | None] | None = None) -> None:
        """Watch `Output.apply`; `line` gives a frame's `f_lineno` (by default, reads it)."""
        from pulumi import Output

        if line is not None:
            self._line = line

        original = Output.apply
        watch = self

        def apply(output, func, run_with_unknowns: bool = False):
            site = watch._site(sys._getframe(1))
            if site is None:
                return original(output, func, run_with_unknowns)
            ran: list[bool] = []

            @functools.wraps(func)
            def callback(value):
                ran.append(True)
                return func(value)

            watch._calls.append((output, ran, site))
            return original(output, callback, run_with_unknowns)

        Output.apply = apply

    def skipped(self) -> list[str]:
        """The call sites whose callback did not run on an input known to be unknown, with a
        count when one site was reached several times (in a loop)."""
        counts: Counter[str] = Counter()
        for output, ran, site in self._calls:
            if not ran and _resolved_unknown(output):
                counts[site] += 1
        return [site if n == 1 else f"{site} (×{n})" for site, n in sorted(counts.items())]


def _frame_line(frame) -> int | None:
    return frame.f_lineno


def _resolved_unknown(output: Any) -> bool:
    """Whether the output has resolved, to a value the deploy alone would know. Reads the
    SDK's settled future (`_data` holds value and knownness together since pulumi 3.1xx; older
    SDKs kept a `_is_known` future), never awaiting anything."""
    data = getattr(output, "_data", None)
    if isinstance(data, asyncio.Future):
        if not data.done() or data.cancelled() or data.exception() is not None:
            return False
        return data.result().is_known is False
    known = inspect.getattr_static(output, "_is_known", None)
    if isinstance(known, asyncio.Future) and known.done() and not known.cancelled():
        return known.exception() is None and known.result() is False
    return False


def unseen(
    components: Iterable[tuple[str, str]], skipped_applies: Iterable[str]
) -> tuple[dict[str, str], list[dict[str, Any]]]:
    """The coverage gaps (type → reason) and the report's entries for what the scan could not
    see: multi-language components `(type, name)` and apply callbacks that did not run."""
    gaps: dict[str, str] = {}
    entries: list[dict[str, Any]] = []
    by_type: dict[str, list[str]] = {}
    for token, name in components:
        by_type.setdefault(token, []).append(name)
    for token, names in sorted(by_type.items()):
        parts = COMPONENT_PARTS.get(token, ())
        listed = ", ".join(f"'{n}'" for n in sorted(names))
        reason = (
            f"created inside the multi-language component {token} {listed}, whose provider "
            "a scan under mocks cannot run"
        )
        for part in parts:
            gaps.setdefault(part, reason)
        entries.append(
            {
                "what": f"{token} {listed}",
                "why": "a multi-language component builds its resources in its own provider, "
                "which a scan under mocks cannot run"
                + ("" if parts else "; the types it creates are not known to the scanner"),
                "types": list(parts),
            }
        )
    sites = list(skipped_applies)
    if sites:
        entries.append(
            {
                "what": f"{len(sites)} apply callback(s) at {', '.join(sites)}",
                "why": "their input is unknown until deploy (a stack reference output, or a "
                "value only the deploy knows), so they did not run, as in `pulumi preview`: "
                "any resource they create is not in this scan",
                "types": [],
            }
        )
    return gaps, entries
