"""Run the mock monitor's calls on the event loop's own thread, where that changes nothing.

The Pulumi SDK sends every monitor call (register a resource, read one, invoke a data source)
to a thread pool, because a real monitor is a gRPC server. Under mocks the monitor is local
Python, and the hop costs each resource two thread switches and a wake-up of the loop. With
`install`, a monitor call runs at once on the calling thread; the worker's monitor raises
`NeedsThread` before it does anything when a call carries more than plain data (a resource
reference, an asset, an output value) or transforms (user code, which may run an event loop of
its own), and that call takes the pool thread as before.

In place, the mock monitor's `_sync_await` (it serializes the mocks' answer) cannot run a loop
of its own on a thread whose loop is running: the coroutine is run through at once, which for
plain data never waits; one that does wait is handed to the SDK's own, which pumps the loop.

Part of the program worker's accelerators (`checks.sources.pulumi_speed`).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import inspect
import threading
from typing import Any

# How deep the current thread is in monitor calls run in place (0: on a pool thread, or none).
_inline = threading.local()
# The code of the SDK's `wrap_with_context` wrapper, which every monitor call goes through.
_WRAPPED: list[Any] = []


class NeedsThread(Exception):
    """A monitor call asked to run in place cannot: it must run on a pool thread."""


def install(loop: asyncio.AbstractEventLoop) -> None:
    import pulumi.runtime.mocks

    pulumi.runtime.mocks._sync_await = sync_await
    loop.set_default_executor(InlineFirst(thread_name_prefix="asyncio"))


class InlineFirst(concurrent.futures.ThreadPoolExecutor):
    """An event loop's default executor: an SDK monitor call runs at once on the calling
    thread, unless the monitor raises `NeedsThread`; anything else goes to the pool."""

    def submit(self, fn, /, *args, **kwargs):
        if not is_monitor_call(fn):
            return super().submit(fn, *args, **kwargs)
        done: concurrent.futures.Future = concurrent.futures.Future()
        _inline.depth = getattr(_inline, "depth", 0) + 1
        try:
            done.set_result(fn(*args, **kwargs))
        except NeedsThread:
            return super().submit(fn, *args, **kwargs)
        except BaseException as exc:  # noqa: BLE001 - handed on, as a pool thread does
            done.set_exception(exc)
        finally:
            _inline.depth -= 1
        return done


def is_monitor_call(fn: Any) -> bool:
    """Whether `fn` is one of the SDK's monitor calls: all of them, and nothing else the SDK
    sends to the executor, are wrapped by `pulumi.runtime._context.wrap_with_context`."""
    if not _WRAPPED:
        from pulumi.runtime._context import wrap_with_context

        _WRAPPED.append(wrap_with_context(lambda: None).__code__)
    return getattr(fn, "__code__", None) is _WRAPPED[0]


def in_place() -> bool:
    """Whether the current monitor call runs in place (on the event loop's thread)."""
    return getattr(_inline, "depth", 0) > 0


def require_plain(struct: Any, transforms: bool = False) -> None:
    """For the worker's monitor, first thing in a call: raise `NeedsThread` when the call runs
    in place and carries more than plain data, or transforms to run."""
    if in_place() and (transforms or not plain_struct(struct)):
        raise NeedsThread


def plain_struct(struct: Any) -> bool:
    """Whether a protobuf Struct holds only values the mock monitor reads without the event
    loop: scalars, lists, maps and secrets (a resource reference, an asset, an archive or an
    output value is more)."""
    from pulumi.runtime.rpc import _special_secret_sig, _special_sig_key

    pending = [struct]
    while pending:
        fields = pending.pop().fields
        if _special_sig_key in fields and fields[_special_sig_key].string_value != (
            _special_secret_sig
        ):
            return False
        for value in fields.values():
            kind = value.WhichOneof("kind")
            if kind == "struct_value":
                pending.append(value.struct_value)
            elif kind == "list_value":
                pending.extend(_list_structs(value.list_value))
    return True


def _list_structs(values: Any) -> list[Any]:
    """The structs inside a protobuf ListValue, however deeply nested in lists."""
    found, pending = [], [values]
    while pending:
        for value in pending.pop().values:
            kind = value.WhichOneof("kind")
            if kind == "struct_value":
                found.append(value.struct_value)
            elif kind == "list_value":
                pending.append(value.list_value)
    return found


def sync_await(awaitable: Any) -> Any:
    """`pulumi.runtime.sync_await._sync_await` for the mock monitor. On a pool thread it is the
    SDK's own. In place, a coroutine is run through at once; one that waits for a future is
    handed to the SDK's own, which pumps the running loop until it is done."""
    from pulumi.runtime.sync_await import _sync_await

    if not in_place() or not inspect.iscoroutine(awaitable):
        return _sync_await(awaitable)
    try:
        waiting = awaitable.send(None)
    except StopIteration as done:
        return done.value
    return _sync_await(_resume(awaitable, waiting))


async def _resume(coroutine: Any, waiting: Any) -> Any:
    """Carry on a coroutine that has yielded `waiting`, as an asyncio Task would."""
    while True:
        if waiting is None:
            await asyncio.sleep(0)
        else:
            waiting._asyncio_future_blocking = False  # as a Task does before it waits
            await asyncio.wait([waiting])
        try:
            waiting = coroutine.send(None)
        except StopIteration as done:
            return done.value
