"""The source registry: every source of truth registers by kind and returns `Collected`.

A source is asked with a `SourceRequest` (a location, a stack, configuration) and answers with
the same record whatever it read, so the command that drives it never branches on the kind.
Adding a source is one module with a `Source` in it, and one line in
`checks.sources.catalog.build_sources`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from checks.errors import InputError
from checks.model import secret_identity
from checks.sources.base import Collected


def _silent(message: str) -> None:
    """Progress sink for callers that show none."""


@dataclass(frozen=True)
class SourceRequest:
    """What a run asks of a source: where to read, for which stack, with which configuration."""

    location: Path | None = None  # the file a file source reads
    program_dir: Path | None = None  # the program folder (PROGRAM_DIR), when one was given
    stack: str | None = None
    config: Mapping[str, str] = field(default_factory=dict)
    secrets: Mapping[str, str] = field(default_factory=dict)
    progress: Callable[[str], None] = _silent
    timeout: float | None = None  # seconds a program may run (None: the source's default)
    # What only one source understands (the live audit's endpoint, regions, roles; the program
    # source's `while_running`, called once the program's process runs), by name.
    extra: Mapping[str, Any] = field(default_factory=dict)


class Source(Protocol):
    kind: str
    # The command-line option that selects this source and names its location, e.g. "--state";
    # None for the default source, whose location is the positional argument.
    option: str | None
    help: str

    def collect(self, request: SourceRequest) -> Collected: ...


@dataclass(frozen=True)
class FileSource:
    """A file the real Pulumi CLI wrote, read without the CLI."""

    kind: str
    option: str
    help: str
    load: Callable[[Path], Collected]

    def collect(self, request: SourceRequest) -> Collected:
        if request.location is None:
            raise InputError(f"{self.option}: name the file to read")
        if request.program_dir is not None or request.config or request.secrets:
            raise InputError(
                f"{self.option} reads a file: PROGRAM_DIR, --config and --secret do not apply"
            )
        path = request.location
        request.progress(f"reading the {self.kind} file {path}…")
        collected = self.load(path)
        stack = request.stack or collected.stack
        provenance = {
            "kind": self.kind,
            "file": str(path),
            "project": collected.project,
            "stack": stack,
            "excluded": [
                {"urn": e.urn, "type": e.type, "reason": e.reason} for e in collected.excluded
            ],
            "notes": list(collected.notes),
        }
        graph = {"components": len(collected.components), "providers": len(collected.providers)}
        secrets = tuple(v for res in collected.resources for v in secret_identity(res))
        return dataclasses.replace(
            collected,
            stack=stack,
            provenance=provenance,
            graph=graph,
            home=Path.cwd(),
            secrets=secrets,
        )


class SourceRegistry:
    """The sources a run can read, by kind."""

    def __init__(self, sources: list[Source], default: str) -> None:
        """`default`: the kind `safeguard scan` reads when no file option is given."""
        self._sources: dict[str, Source] = {}
        for source in sources:
            if source.kind in self._sources:
                raise ValueError(f"source {source.kind!r} registered twice")
            self._sources[source.kind] = source
        if default not in self._sources or self._sources[default].option is not None:
            raise ValueError(f"the default source {default!r} must be registered, with no option")
        self.default: Source = self._sources[default]

    def __iter__(self) -> Iterator[Source]:
        return iter(self._sources.values())

    def get(self, kind: str) -> Source:
        try:
            return self._sources[kind]
        except KeyError:
            known = ", ".join(self._sources)
            raise InputError(f"unknown source {kind!r} (known: {known})") from None

    @property
    def file_sources(self) -> list[Source]:
        return [s for s in self if s.option is not None]
