"""Monitor calls run in place (checks.sources.pulumi_inline): which calls run on the event
loop's thread, which go to the pool, and how the mock monitor's serialization runs in place."""

from __future__ import annotations

import asyncio
import threading

import pytest
from google.protobuf import struct_pb2
from pulumi.runtime import rpc
from pulumi.runtime._context import wrap_with_context

from checks.sources.pulumi_inline import (
    InlineFirst,
    NeedsThread,
    in_place,
    is_monitor_call,
    plain_struct,
    require_plain,
    sync_await,
)


def _struct(value: dict) -> struct_pb2.Struct:
    struct = struct_pb2.Struct()
    struct.update(value)
    return struct


SIG = rpc._special_sig_key
SECRET = {SIG: rpc._special_secret_sig, "value": "hunter2"}
ASSET = {SIG: rpc._special_asset_sig, "text": "hello"}
REFERENCE = {SIG: rpc._special_resource_sig, "urn": "urn:pulumi:dev::p::t::n"}
OUTPUT = {SIG: rpc._special_output_value_sig, "value": "v"}

STRUCTS = {
    "scalars": ({"a": "b", "n": 1, "t": True, "z": None}, True),
    "nested maps and lists": ({"a": {"b": [1, [2, {"c": "d"}]]}}, True),
    "a secret": ({"password": SECRET, "tags": {"t": SECRET}}, True),
    "an asset": ({"code": ASSET}, False),
    "a resource reference deep in lists": ({"vpc": [[{"ref": REFERENCE}]]}, False),
    "an output value": ({"o": {"x": OUTPUT}}, False),
}


@pytest.mark.parametrize("name", sorted(STRUCTS))
def test_plain_struct(name: str) -> None:
    value, plain = STRUCTS[name]
    assert plain_struct(_struct(value)) is plain


def test_only_the_sdk_monitor_calls_are_recognised() -> None:
    def call():
        return 1

    assert is_monitor_call(wrap_with_context(call)) is True
    assert is_monitor_call(call) is False
    assert is_monitor_call(lambda: 1) is False


@pytest.fixture
def executor():
    pool = InlineFirst(max_workers=1)
    yield pool
    pool.shutdown(wait=True)


def _where() -> tuple[int, bool]:
    return threading.get_ident(), in_place()


def test_a_monitor_call_runs_in_place(executor) -> None:
    future = executor.submit(wrap_with_context(_where))
    assert future.done()
    assert future.result() == (threading.get_ident(), True)
    assert in_place() is False


def test_anything_else_runs_on_a_pool_thread(executor) -> None:
    thread, inside = executor.submit(_where).result(timeout=10)
    assert thread != threading.get_ident()
    assert inside is False


def test_a_call_that_needs_a_thread_gets_one(executor) -> None:
    calls: list[tuple[int, bool]] = []

    def monitor_call():
        calls.append(_where())
        require_plain(_struct({"code": ASSET}))
        return "registered"

    assert executor.submit(wrap_with_context(monitor_call)).result(timeout=10) == "registered"
    here = threading.get_ident()
    assert calls[0] == (here, True)  # tried in place, stopped before doing anything
    assert calls[1][0] != here and calls[1][1] is False  # then run on the pool


def test_transforms_need_a_thread(executor) -> None:
    def monitor_call():
        require_plain(_struct({"a": "b"}), transforms=True)
        return threading.get_ident()

    assert executor.submit(wrap_with_context(monitor_call)).result(10) != threading.get_ident()


def test_require_plain_off_the_loop_thread_never_stops_a_call() -> None:
    require_plain(_struct({"code": ASSET}), transforms=True)  # not in place: nothing raised


def test_a_failing_monitor_call_fails_its_future(executor) -> None:
    def monitor_call():
        raise KeyError("no such resource")

    future = executor.submit(wrap_with_context(monitor_call))
    with pytest.raises(KeyError, match="no such resource"):
        future.result()


def test_needs_thread_is_never_seen_by_the_sdk(executor) -> None:
    def monitor_call():
        if in_place():
            raise NeedsThread
        return "on the pool"

    assert executor.submit(wrap_with_context(monitor_call)).result(10) == "on the pool"


async def _serialize_plain():
    return await rpc.serialize_properties({"name": "b", "tags": {"a": "1"}, "n": [1, 2]}, {})


def test_sync_await_in_place_runs_a_plain_serialization_through() -> None:
    """At once: the loop runs nothing else meanwhile (the SDK's own would pump it)."""
    ran: list[str] = []

    def monitor_call():
        return sync_await(_serialize_plain()), list(ran)

    async def main():
        loop = asyncio.get_running_loop()
        loop.set_default_executor(InlineFirst(max_workers=1))
        loop.call_soon(ran.append, "another task")
        return await loop.run_in_executor(None, wrap_with_context(monitor_call))

    struct, meanwhile = asyncio.run(main())
    assert dict(struct) == {"name": "b", "tags": {"a": "1"}, "n": [1.0, 2.0]}
    assert meanwhile == []


def test_sync_await_in_place_waits_for_a_future_the_loop_settles() -> None:
    async def main():
        loop = asyncio.get_running_loop()
        loop.set_default_executor(InlineFirst(max_workers=1))
        later = loop.create_future()
        loop.call_soon(later.set_result, "settled")

        async def waits():
            return "value " + await later

        return await loop.run_in_executor(None, wrap_with_context(lambda: sync_await(waits())))

    assert asyncio.run(main()) == "value settled"


def test_sync_await_off_the_loop_thread_is_the_sdk_own() -> None:
    assert dict(sync_await(_serialize_plain())) == {
        "name": "b",
        "tags": {"a": "1"},
        "n": [1.0, 2.0],
    }
