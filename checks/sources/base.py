"""What every source hands the evaluator: the resources it saw, and what it set aside."""

from __future__ import annotations

from dataclasses import dataclass, field

from checks.model import Resource


@dataclass(frozen=True)
class Excluded:
    """A resource a source saw but does not evaluate, and why (deleted, pending replacement...)."""

    urn: str
    type: str
    reason: str


@dataclass(frozen=True)
class Collected:
    """The inventory side of one source run, plus the graph parts that are not AWS resources."""

    kind: str  # "program", "preview", "state", "aws"
    resources: tuple[Resource, ...]
    project: str | None = None
    stack: str | None = None
    components: tuple[Resource, ...] = ()
    providers: tuple[Resource, ...] = ()
    excluded: tuple[Excluded, ...] = ()
    notes: tuple[str, ...] = field(default=())
