"""What every source hands the evaluator: the resources it saw, what it set aside, and where
they came from. Every source returns the same `Collected` record, whatever it read."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from checks.model import Resource

# The stack a run is about when neither the user nor the source names one.
DEFAULT_STACK = "dev"
# How long a program may run under mocks before it is stopped (`--timeout`): minutes, not the
# quarter of an hour a hanging program used to hold a CI job for. Here, not in the program
# source, so that a command's options are built without importing the Pulumi runner.
DEFAULT_TIMEOUT = 300.0
PROGRAM_HELP = "folder holding Pulumi.yaml (default: this repository's billing-system program)"


@dataclass(frozen=True)
class Excluded:
    """A resource a source saw but does not evaluate, and why (deleted, pending replacement...)."""

    urn: str
    type: str
    reason: str


@dataclass(frozen=True)
class Collected:
    """The inventory side of one source run, plus the graph parts that are not AWS resources.

    `provenance` is what the run record says about the source (kind, file or folder, project,
    stack, ... — names of configuration keys, never their values); `graph` counts the parts of
    the program's graph that are not cloud resources; `home` is the folder policy files are
    looked up in by default (the program's folder, or the working directory for a file).
    """

    kind: str  # "program", "preview", "state", "aws"
    resources: tuple[Resource, ...]
    project: str | None = None
    stack: str | None = None
    components: tuple[Resource, ...] = ()
    providers: tuple[Resource, ...] = ()
    excluded: tuple[Excluded, ...] = ()
    notes: tuple[str, ...] = field(default=())
    provenance: Mapping[str, Any] = field(default_factory=dict)
    graph: Mapping[str, int] = field(default_factory=dict)
    home: Path | None = None
    # Secret values the run was given (command-line secrets, placeholders of encrypted config):
    # scrubbed from every output, never written anywhere.
    secrets: tuple[str, ...] = field(default=(), repr=False)
    # Types the source could not (fully) collect, and why (the live account's coverage gaps).
    gaps: Mapping[str, str] = field(default_factory=dict)

    @property
    def stack_or_default(self) -> str:
        return self.stack or DEFAULT_STACK
