"""One change judged: the checks of the changed resource's type, on what the live source reads.

The first increment collects by type, not by id: the collectors list every resource of a type,
so the handler reads the types the changed resource's checks need (`types_read` of them) and
keeps the findings on that resource. The checks are those that judge its type, and the account
checks that read it (a trail stopped is an account fact: "a logging, multi-region trail exists").
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Iterable
from dataclasses import dataclass, replace

from checks.evaluate import Finding, evaluate
from checks.library import build_registry
from checks.model import Inventory, Resource
from checks.registry import Registry, Status
from checks.selection import types_read
from checks.sources.aws.events import Change, Target
from checks.sources.base import Collected


@dataclass(frozen=True)
class Judged:
    """What the handler found out about one change."""

    change: Change
    findings: tuple[Finding, ...]
    seen: bool  # whether the changed resource (or, for a deletion, its absence) was read
    gaps: dict[str, str]
    api_calls: int


@functools.cache
def library() -> Registry:
    """The check library, built once per process (a warm Lambda reuses it)."""
    return build_registry()


def checks_for(change: Change, registry: Registry) -> Registry:
    """The resource checks that judge a changed type, and the account checks that read one."""
    types = change.types
    return Registry(
        c
        for c in registry
        if (c.scope == "resource" and types & set(c.resource_types))
        or (c.scope == "account" and types & c.types_read)
    )


def needed_types(change: Change, registry: Registry) -> frozenset[str]:
    """What the live source must read for those checks: the changed types and their joins."""
    return types_read(checks_for(change, registry)) | change.types


def _on_target(resource: Resource, targets: Iterable[Target]) -> bool:
    names = (resource.id, resource.arn, resource.name)
    return any(t.matches(resource.type, *names) for t in targets)


def _names_target(finding: Finding, targets: Iterable[Target]) -> bool:
    """Whether an account-level finding's words or evidence name a changed resource."""
    said = finding.message + json.dumps(finding.evidence, default=str, sort_keys=True)
    return any(ident in said for t in targets for ident in t.ids)


def _kept(finding: Finding, change: Change) -> bool:
    if finding.resource is not None:
        return _on_target(finding.resource, change.targets)
    if finding.status is Status.NOT_EVALUATED:
        return True  # part of what the change bears on could not be read: say so
    gone = any(t.gone for t in change.targets)
    return gone or _names_target(finding, change.targets)


def _parsed(stamp: object) -> dt.datetime | None:
    if not isinstance(stamp, str):
        return None
    try:
        when = dt.datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def _fresh(finding: Finding, change: Change) -> Finding:
    """A pass on a report generated before the change (AWS reuses a credential report up to
    four hours old) vouches for the state before it: not evaluated, never a pass."""
    if finding.status is not Status.PASS or finding.resource is None:
        return finding
    generated = _parsed(finding.resource.props.get("generated_time"))
    changed = _parsed(change.event_time)
    if generated is None or changed is None or generated >= changed:
        return finding
    why = (
        f"the credential report was generated at {generated.isoformat()}, before the change at "
        f"{changed.isoformat()}: it cannot show what the change did"
    )
    return replace(finding, status=Status.NOT_EVALUATED, message=why, evidence={})


def judge(change: Change, collected: Collected, registry: Registry) -> Judged:
    """The findings of `registry`'s checks on the changed resource in what was collected."""
    inventory = Inventory(collected.resources, gaps=collected.gaps)
    evaluation = evaluate(inventory, registry)
    findings = tuple(_fresh(f, change) for f in evaluation.findings if _kept(f, change))
    present = any(_on_target(r, change.targets) for r in inventory)
    seen = present or all(t.gone for t in change.targets)
    calls = int(collected.provenance.get("api_calls") or 0)
    gaps = {t: why for t, why in collected.gaps.items() if not why.startswith("not read:")}
    return Judged(change, findings, seen, gaps, calls)
