"""One change judged: the checks of the changed resource's type, on what the live source reads.

The handler reads the types the changed resource's checks need (`types_read` of them) and keeps
the findings on that resource. The checks are those that judge its type, and the account checks
that read it (a trail stopped is an account fact: "a logging, multi-region trail exists").

Of the changed type itself it first reads only the changed resource, where a collector can
(`narrowing`: a bucket, a security group, a key, a database; the others read every resource of
the type as before). The rest of that type is then a gap, so a check that needed every resource
of it cannot decide on the narrow read (`needs_full_read`): the handler reads the type whole and
judges again. A narrow read only ever saves calls; it never changes a verdict.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from checks.evaluate import Finding, evaluate
from checks.library import build_registry
from checks.model import Inventory, Resource
from checks.registry import Registry, Status
from checks.selection import types_read
from checks.sources.aws.collect import NARROWED
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
    narrowed: bool = False  # whether only the changed resource of its type was read
    # What the drift against the stack compares with: the live read and every finding on it.
    inventory: Inventory | None = None
    evaluated: tuple[Finding, ...] = ()
    collected_types: frozenset[str] = frozenset()
    drift: dict[str, Any] | None = None  # the changed resource's drift, when a stack is given
    # Identifiers of a narrowly read target that nothing read carries: another resource of
    # the type may (a group given by id and, in the same event, another group's name).
    missed: tuple[str, ...] = ()


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


def narrowing(change: Change) -> dict[str, tuple[tuple[str, ...], ...]]:
    """What the first read is narrowed to: per changed type, the changed resources by their
    identifiers. A type with a deleted resource is read whole: what is judged then is the
    account without it."""
    gone = {t for target in change.targets if target.gone for t in target.types}
    wanted: dict[str, tuple[tuple[str, ...], ...]] = {}
    for target in change.targets:
        for token in set(target.types) - gone:
            wanted[token] = (*wanted.get(token, ()), target.ids)
    return wanted


def _narrow_artifact(finding: Finding) -> bool:
    """The "may have missed resources" finding a narrowed type gives each check of it: about
    the resources deliberately not read, never about the changed one."""
    return (
        finding.resource is None
        and finding.check.scope == "resource"
        and finding.status is Status.NOT_EVALUATED
        and NARROWED in finding.message
    )


def needs_full_read(judged: Judged) -> bool:
    """Whether a narrowed read left something the change bears on undecided (a check needed
    every resource of the type), or missed the changed resource (named another way)."""
    if not judged.narrowed:
        return False
    undecided = any(
        f.status is Status.NOT_EVALUATED and NARROWED in f.message for f in judged.findings
    )
    # A narrow read that decided nothing on the changed resource (a name AWS cannot take,
    # read as a bucket whose every setting failed) is settled by the whole read: not there.
    decided = any(
        f.status in (Status.PASS, Status.FAIL) and f.resource is not None for f in judged.findings
    )
    return undecided or not judged.seen or bool(judged.missed) or not decided


def _bare(ident: str) -> str:
    """An identifier with an ARN's partition left out: `arn:aws:s3:::x` as the event reader
    spells a bucket is the same bucket as `arn:aws-us-gov:s3:::x`."""
    parts = ident.split(":", 2)
    return f"arn::{parts[2]}" if len(parts) == 3 and parts[0] == "arn" else ident


def _missed(change: Change, inventory: Inventory, narrowed: set[str]) -> tuple[str, ...]:
    """The identifiers of the narrowly read targets that no resource read carries."""
    missed: list[str] = []
    for target in change.targets:
        if target.gone or not narrowed & set(target.types):
            continue
        carried = {
            _bare(n)
            for r in inventory
            if r.type in target.types
            for n in (r.id, r.arn, r.name)
            if isinstance(n, str) and n
        }
        missed += [i for i in target.ids if _bare(i) not in carried]
    return tuple(missed)


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


def _shown_gap(why: str) -> bool:
    """A gap worth naming in the answer: not a type no selected check reads, nor the rest of
    a type read narrowly."""
    return not why.startswith("not read:") and not all(NARROWED in p for p in why.split("; "))


def judge(change: Change, collected: Collected, registry: Registry) -> Judged:
    """The findings of `registry`'s checks on the changed resource in what was collected."""
    inventory = Inventory(collected.resources, gaps=collected.gaps)
    evaluation = evaluate(inventory, registry)
    findings = tuple(
        _fresh(f, change)
        for f in evaluation.findings
        if not _narrow_artifact(f) and _kept(f, change)
    )
    present = any(_on_target(r, change.targets) for r in inventory)
    seen = present or all(t.gone for t in change.targets)
    calls = int(collected.provenance.get("api_calls") or 0)
    gaps = {t: why for t, why in collected.gaps.items() if _shown_gap(why)}
    narrowed_types = {t for t, why in collected.gaps.items() if NARROWED in why}
    skipped = {t for t, why in collected.gaps.items() if why.startswith("not read:")}
    read = frozenset(t for c in _collectors() for t in c.types) - skipped
    missed = _missed(change, inventory, narrowed_types) if present else ()
    return Judged(
        change, findings, seen, gaps, calls, bool(narrowed_types), inventory,
        evaluation.findings, read, missed=missed,
    )  # fmt: skip


@functools.cache
def _collectors() -> tuple[Any, ...]:
    from checks.sources.aws.collectors import all_collectors

    return tuple(all_collectors())
