"""Reads that fail for one resource: the resource is left out and its types recorded as partly
seen, so one bucket's or one function's denied call does not hide every other one, and the
checks that needed what was missed are NOT_EVALUATED with the reason, never silent."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from types import TracebackType

from checks.sources.aws.collect import CollectionError, Context

# How many resources a gap's reason names before it counts the rest.
_NAMED = 5


class Misses:
    """`with Misses(ctx, [TYPE], "trail") as missed:` around a collector's loop, and
    `with missed.of(name):` around the reads of one resource and its `yield`: a failing read
    skips that resource, and on leaving, each distinct reason becomes one `ctx.hide` of `types`
    naming the resources it cost."""

    def __init__(self, ctx: Context, types: Iterable[str], noun: str) -> None:
        self.ctx = ctx
        self.types = tuple(types)
        self.noun = noun
        self.failed: dict[str, list[str]] = {}

    @contextlib.contextmanager
    def of(self, name: str) -> Iterator[None]:
        try:
            yield
        except CollectionError as exc:
            self.failed.setdefault(str(exc), []).append(name)

    def __enter__(self) -> Misses:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        for reason, names in self.failed.items():
            shown = ", ".join(names[:_NAMED])
            more = f" and {len(names) - _NAMED} more" if len(names) > _NAMED else ""
            plural = "s" if len(names) > 1 else ""
            self.ctx.hide(self.types, f"{reason} (for the {self.noun}{plural} {shown}{more})")
