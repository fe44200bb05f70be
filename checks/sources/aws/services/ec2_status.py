"""Live collector for what only the running account knows of each EC2 instance: its state, and
since when it has been stopped. They are kept as `aws:ec2/instanceStatus:InstanceStatus` (no
Pulumi resource declares them), one per instance named by its id, with `audit_time`: when the
audit read them, which the stopped-instance check measures against.

AWS says when an instance stopped only in the text of its state transition reason
("User initiated (2026-11-01 10:00:00 GMT)"; the emulator writes UTC); a reason with no time
leaves `stopped_since` out.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping
from typing import Any

from checks.model import Resource
from checks.sources.aws.collect import Collector, Context
from checks.sources.aws.services.ec2_network import tags_of
from checks.sources.aws.shapes import present

INSTANCE_STATUS = "aws:ec2/instanceStatus:InstanceStatus"
_TRANSITION_TIME = re.compile(r"\((\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}) (?:GMT|UTC)\)")


def stopped_since(instance: Mapping[str, Any]) -> str | None:
    """When a stopped instance stopped (ISO 8601, UTC), from its state transition reason."""
    if (instance.get("State") or {}).get("Name") != "stopped":
        return None
    found = _TRANSITION_TIME.search(str(instance.get("StateTransitionReason") or ""))
    if not found:
        return None
    when = dt.datetime.strptime(found.group(1), "%Y-%m-%d %H:%M:%S").replace(tzinfo=dt.UTC)
    return when.isoformat()


def _statuses(ctx: Context) -> Iterator[Resource]:
    audited = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    for reservation in ctx.pages(ctx.client(), "DescribeInstances", "Reservations"):
        for instance in reservation.get("Instances") or ():
            state = (instance.get("State") or {}).get("Name")
            if state == "terminated":
                continue
            ident = instance["InstanceId"]
            props = present({
                "instance_id": ident,
                "instance_state": state,
                "stopped_since": stopped_since(instance),
                "audit_time": audited,
                "tags": tags_of(instance),
            })  # fmt: skip
            yield ctx.resource(INSTANCE_STATUS, ident, props, id=f"instance-status/{ident}")


COLLECTORS: list[Collector] = [
    Collector("ec2", (INSTANCE_STATUS,), ("ec2:DescribeInstances",), _statuses)
]
