"""Make Pulumi's runtime cheaper for the program worker, without changing what it records.

A program under Pulumi's unit-test mocks spends most of its time in the SDK's own machinery,
not in the mocks. Each accelerator here but the last replaces one SDK internal with one that
gives the same answer for less work; the last tunes the garbage collector:

- `stack_trace`: the SDK captures the whole Python stack (reading every frame's source line)
  for each resource, then uses only its first frame (the resource's `sourcePosition`); the mock
  monitor ignores the rest. This builds that first frame alone, and reads its line from a
  table kept per code object (the interpreter decodes the line table of a long module from its
  start at every look, a cost that grows with the line).
- `log_debug`: every SDK debug message is made into a protobuf request for an engine that, under
  mocks, hands it to a Python logger; when that logger drops DEBUG, the message is not built.
- `contains_unknowns`: run for every Output the SDK creates; a scalar answers at once, and
  containers are walked without recursion.
- `transfer_properties`: each output property of each resource was four futures and a task
  that gathers them into the Output's one state, and a callback that stops tracking it once
  settled; here it is that one future, settled and untracked at once.
- `struct_conversions` (`checks.sources.pulumi_struct`): every resource's state makes a round
  trip through a protobuf Struct (the mock monitor writes it, the SDK reads it back); both
  directions fill and read the same Struct through its C-level fields.
- `type_unwrapping`: the SDK unwraps a property's annotation (`Optional[Input[T]]` to `T`)
  afresh for every value it serializes or reads back, through `typing`'s introspection; the
  answer depends on the annotation alone, and is kept per annotation object.
- `inline_monitor` (`checks.sources.pulumi_inline`): each monitor call ran on a pool thread;
  under mocks it runs on the event loop's own thread when it carries plain data.
- `lazy_packages` (`checks.sources.pulumi_lazy`): a `pulumi_aws` service package builds every
  class it holds when first touched; here it gives each name from its own module when the
  program first asks for it.
- `gc_thresholds`: nearly all a program run allocates stays alive to its end (resources,
  outputs, futures), so the collector's full passes, each over the whole heap and more often
  the more the heap grows, found next to nothing to free and took near half of a 4,000
  resource run. Young objects are still collected; full passes come after ~100M allocations.

`line_number` also gives the program worker's apply watch (`checks.sources.program_unseen`) the
line of each `Output.apply` call site.

- `create_urn`: the SDK works out a URN for every registration (for a run with no monitor at
  all, so unused here) through three Outputs, a gather and an apply, and awaits it: about a
  twentieth of a large program's run. When the name, type, parent URN, project and stack are
  all plain text, the Output is made settled with the same string, no resource dependency,
  known and not secret, as the SDK's would settle. Anything else goes to the SDK's own.
  The fewer event-loop turns let more registrations finish before a failing program stops;
  that is not observable: a program that fails yields its error alone, no resources
  (`checks.sources.program_worker`), as the count differs even between plain runs.

They are written against one Pulumi release (`PULUMI_VERSION`) and applied only to it; with any
other release, or with SAFEGUARD_PLAIN_PULUMI=1 in the environment, Pulumi runs unchanged.

Runs inside the worker process (`checks.sources.program_worker`).
"""

from __future__ import annotations

import asyncio
import bisect
import functools
import gc
import importlib.metadata
import logging
import os
import pathlib
import sys
from types import SimpleNamespace
from typing import Any

from pulumi.output import Output, Unknown, _OutputData
from pulumi.runtime import settings
from pulumi.runtime.mocks import MockEngine
from pulumi.runtime.proto import source_pb2

from checks.sources import pulumi_inline, pulumi_lazy, pulumi_struct

# The Pulumi release whose internals these replacements were read against and tested on.
PULUMI_VERSION = "3.272.0"
# Set to anything but "" or "0": run plain Pulumi (for debugging, and for the equivalence tests).
PLAIN_ENV = "SAFEGUARD_PLAIN_PULUMI"

_SCALARS = frozenset({str, int, float, bool, type(None)})
# The collector's thresholds for a program run (Python's own: 700, 10, 10).
GC_THRESHOLDS = (50_000, 20, 100)


def wanted() -> bool:
    """Whether the environment allows the accelerators."""
    return os.environ.get(PLAIN_ENV, "") in ("", "0")


def installed_pulumi() -> str | None:
    try:
        return importlib.metadata.version("pulumi")
    except importlib.metadata.PackageNotFoundError:
        return None


def accelerate() -> tuple[str, ...]:
    """Apply every accelerator, if the installed Pulumi is the release they were written for
    and the environment allows them; the names of those applied. Call before `set_mocks`."""
    if not wanted() or installed_pulumi() != PULUMI_VERSION:
        return ()
    import pulumi.log
    from pulumi import _types
    from pulumi.runtime import resource, rpc
    from pulumi.runtime.sync_await import _ensure_event_loop

    sdk()  # the SDK's own functions, taken before they are replaced
    resource._get_stack_trace = stack_trace
    pulumi.log.debug = log_debug
    rpc.contains_unknowns = contains_unknowns
    rpc.transfer_properties = transfer_properties
    pulumi_struct.sdk()
    rpc.serialize_properties = pulumi_struct.serialize_properties
    rpc.deserialize_properties = pulumi_struct.deserialize_properties
    _types.unwrap_type = unwrap_type
    _types.unwrap_optional_type = unwrap_optional_type
    resource.create_urn = create_urn
    pulumi_inline.install(_ensure_event_loop())
    pulumi_lazy.install()
    gc.set_threshold(*GC_THRESHOLDS)
    return (
        "stack_trace",
        "log_debug",
        "contains_unknowns",
        "transfer_properties",
        "struct_conversions",
        "type_unwrapping",
        "create_urn",
        "inline_monitor",
        "lazy_packages",
        "gc_thresholds",
    )


@functools.cache
def sdk() -> SimpleNamespace:
    """The SDK's own functions that the accelerators replace or fall back to."""
    import pulumi.log
    from pulumi import _types
    from pulumi.runtime import resource, rpc

    return SimpleNamespace(
        unwrap_type=_types.unwrap_type,
        unwrap_optional_type=_types.unwrap_optional_type,
        stack_trace=resource._get_stack_trace,
        debug=pulumi.log.debug,
        contains_unknowns=rpc.contains_unknowns,
        transfer_properties=rpc.transfer_properties,
        create_urn=resource.create_urn,
    )


def stack_trace():
    """`pulumi.runtime.resource._get_stack_trace` with only the frame the SDK reads: the caller
    of the third `__init__` up the stack (Resource, Custom/ComponentResource, the concrete
    class), which is where the program declared the resource."""
    frame = sys._getframe(1)
    seen = 0
    while frame is not None:
        if frame.f_code.co_name == "__init__":
            seen += 1
            if seen == 3:
                break
        frame = frame.f_back
    caller = frame.f_back if frame is not None else None
    if caller is None:
        return source_pb2.StackTrace()
    return source_pb2.StackTrace(frames=[source_pb2.StackFrame(pc=_position(caller))])


def _position(frame) -> Any:
    """What `pulumi.runtime.resource._get_source_position_for_frame` makes of a frame."""
    filename, line = frame.f_code.co_filename, line_number(frame)
    if filename == "" or line is None:
        return None
    uri = _uri(filename)
    return None if uri is None else source_pb2.SourcePosition(uri=uri, line=line)


@functools.cache
def _uri(filename: str) -> str | None:
    """A source file's URI, once per file; None for a relative path, which has none."""
    try:
        return pathlib.Path(filename).as_uri()
    except ValueError:  # the SDK gives no position either
        return None


def line_number(frame) -> int | None:
    """`frame.f_lineno`, from a table made once per code object: the interpreter decodes a
    code object's line table from its start on every call, so for the frame of a program's
    long module each resource would cost time in proportion to its line."""
    if frame.f_trace is not None:  # a tracer (debugger, coverage) keeps its own line
        return frame.f_lineno
    code = frame.f_code
    table = _LINE_TABLES.get(id(code))  # by id: a code object hashes its whole content
    if table is None or table[0] is not code:
        ranges = list(code.co_lines())
        table = _LINE_TABLES[id(code)] = (code, [r[0] for r in ranges], ranges)
    _, starts, ranges = table
    offset = frame.f_lasti
    at = bisect.bisect_right(starts, offset) - 1
    if at >= 0 and offset < ranges[at][1]:
        return ranges[at][2]
    return frame.f_lineno


# Each code object's (itself, kept alive so that its id is not reused; range starts; ranges).
_LINE_TABLES: dict[int, tuple[Any, list[int], list[tuple[int, int, int | None]]]] = {}


def unwrap_type(val: Any) -> Any:
    """`pulumi._types.unwrap_type`, answered once per annotation object."""
    return _unwrapped(_UNWRAPPED, sdk().unwrap_type, val)


def unwrap_optional_type(val: Any) -> Any:
    """`pulumi._types.unwrap_optional_type`, answered once per annotation object."""
    return _unwrapped(_UNWRAPPED_OPTIONAL, sdk().unwrap_optional_type, val)


def _unwrapped(table: dict[int, tuple[Any, Any]], unwrap: Any, val: Any) -> Any:
    """`unwrap(val)` from `table`, kept by the annotation's id (typing's own hash walks its
    arguments) with the annotation itself, so that its id is not reused. An annotation the
    SDK refuses raises each time, as it does; the table stops growing at `_UNWRAP_LIMIT`."""
    kept = table.get(id(val))
    if kept is not None and kept[0] is val:
        return kept[1]
    answer = unwrap(val)
    if len(table) < _UNWRAP_LIMIT:
        table[id(val)] = (val, answer)
    return answer


# Each annotation's (itself, its unwrapped type), by id; a program's annotations are its
# provider's classes' (some thousands for pulumi_aws), created once.
_UNWRAPPED: dict[int, tuple[Any, Any]] = {}
_UNWRAPPED_OPTIONAL: dict[int, tuple[Any, Any]] = {}
_UNWRAP_LIMIT = 100_000


def log_debug(msg: str, resource=None, stream_id=None, ephemeral=None) -> None:
    """`pulumi.log.debug`, skipped when the mock engine's logger would drop the message."""
    engine = settings.get_engine()
    quiet = type(engine) is MockEngine and not engine.logger.isEnabledFor(logging.DEBUG)
    if resource is None and quiet:
        return
    sdk().debug(msg, resource, stream_id, ephemeral)


def contains_unknowns(val: Any) -> bool:
    """`pulumi.runtime.rpc.contains_unknowns`: whether an Unknown is reachable through dict
    values and list items (each container looked at once)."""
    if type(val) in _SCALARS:
        return False
    if not isinstance(val, (dict, list)):
        return isinstance(val, Unknown)
    seen: set[int] = set()
    pending = [val]
    while pending:
        value = pending.pop()
        if isinstance(value, Unknown):
            return True
        if type(value) in _SCALARS or id(value) in seen:
            continue
        seen.add(id(value))
        if isinstance(value, dict):
            pending.extend(value[k] for k in value)
        elif isinstance(value, list):
            pending.extend(value)
    return False


def transfer_properties(res: Any, props: Any, custom: bool) -> dict[str, Any]:
    """`pulumi.runtime.rpc.transfer_properties`: an Output on `res` for each property but `urn`
    (and a custom resource's `id`), and the resolver the SDK calls with its registered value
    (value, is_known, is_secret, deps, failure). Each Output is tracked, as `Output._track`
    tracks it, in the SDK's set of outputs the program run waits for."""
    tracked, lock = settings.SETTINGS.outputs, settings.SETTINGS.lock
    resolvers: dict[str, Any] = {}
    for name in props:
        if name == "urn" or (name == "id" and custom):
            continue
        data: asyncio.Future = asyncio.Future()
        output = object.__new__(Output)
        output._data = data
        with lock:
            tracked.add(data)
        resolvers[name] = functools.partial(_resolve, res, data, tracked, lock)
        res.__dict__[name] = output
    return resolvers


def _resolve(res, data, tracked, lock, value, is_known, is_secret, deps, failed) -> None:
    """Settle an Output made by `transfer_properties` as the SDK's resolver settles it: its
    dependencies are `deps` and the resource itself; a failure is the Output's exception, and
    keeps it tracked (the run re-raises it at the end), as `Output._track`'s callback does."""
    if failed is not None:
        data.set_exception(failed)
        return
    resources = set(deps) if deps else set()
    resources.add(res)
    data.set_result(
        _OutputData(resources=resources, value=value, is_known=is_known, is_secret=is_secret)
    )
    with lock:
        tracked.discard(data)


def create_urn(
    name: Any, type_: Any, parent: Any = None, project: Any = None, stack: Any = None
) -> Any:
    """`pulumi.runtime.resource.create_urn`. With the name, the type, the parent (a URN, or none)
    and the project and stack (or none, for the run's own) all plain text, the URN is worked out
    here, as the SDK's Outputs work it out, and its Output is made settled: no resource
    dependency (plain text has none), known, not secret. A parent given as a resource or an
    Output, or any part that is not text, goes to the SDK's own function."""
    if not (
        type(name) is str
        and type(type_) is str
        and (parent is None or type(parent) is str)
        and (project is None or type(project) is str)
        and (stack is None or type(stack) is str)
    ):
        return sdk().create_urn(name, type_, parent, project, stack)
    if parent is not None:
        prefix = parent[0 : parent.rfind("::")] + "$"
    else:
        stack = settings.get_stack() if stack is None else stack
        project = settings.get_project() if project is None else project
        prefix = "urn:pulumi:" + stack + "::" + project + "::"
    data: asyncio.Future = asyncio.Future()
    data.set_result(
        _OutputData(
            resources=set(), value=prefix + type_ + "::" + name, is_known=True, is_secret=False
        )
    )
    output = object.__new__(Output)
    output._data = data
    return output
