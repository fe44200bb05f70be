"""Each accelerator of the program worker against the Pulumi SDK function it replaces, on
hand-made inputs. Nothing here patches the SDK in the test process: the originals are called
side by side with the replacements (`pulumi_speed.sdk()`)."""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

import pytest
from pulumi.output import UNKNOWN, Output, Unknown
from pulumi.runtime import settings
from pulumi.runtime.mocks import MockEngine

from checks.sources import pulumi_speed
from checks.sources.pulumi_speed import (
    PLAIN_ENV,
    PULUMI_VERSION,
    contains_unknowns,
    line_number,
    log_debug,
    sdk,
    stack_trace,
    transfer_properties,
)

REPO = Path(__file__).resolve().parents[2]


def _cycle_list() -> list:
    items: list = [1, "a"]
    items.append(items)
    return items


def _cycle_dict(unknown: bool) -> dict:
    value: dict = {"x": [1, {"y": "z"}]}
    value["self"] = value
    if unknown:
        value["x"][1]["u"] = UNKNOWN
    return value


class _Dict(dict):
    pass


VALUES = {
    "string": "abc",
    "int": 3,
    "float": 2.5,
    "bool": True,
    "none": None,
    "unknown": UNKNOWN,
    "another unknown": Unknown(),
    "empty dict": {},
    "empty list": [],
    "flat dict": {"a": 1, "b": "c"},
    "deep unknown": {"a": [{"b": [1, 2, {"c": UNKNOWN}]}]},
    "deep known": {"a": [{"b": [1, 2, {"c": "d"}]}]},
    "unknown in a tuple": ("a", UNKNOWN),  # tuples are not looked into
    "unknown in a set": {1, 2},
    "list cycle": _cycle_list(),
    "dict cycle": _cycle_dict(unknown=False),
    "dict cycle with an unknown": _cycle_dict(unknown=True),
    "shared container": [[UNKNOWN]] * 3,
    "dict subclass": _Dict(a=[UNKNOWN]),
    "object": object(),
}


@pytest.mark.parametrize("name", sorted(VALUES))
def test_contains_unknowns_answers_as_the_sdk(name: str) -> None:
    value = VALUES[name]
    assert contains_unknowns(value) == sdk().contains_unknowns(value)


def test_contains_unknowns_finds_the_deep_unknown_and_ends_on_cycles() -> None:
    assert contains_unknowns(VALUES["deep unknown"]) is True
    assert contains_unknowns(VALUES["dict cycle with an unknown"]) is True
    assert contains_unknowns(VALUES["list cycle"]) is False
    assert contains_unknowns(VALUES["unknown in a tuple"]) is False


# A program file: resources declared at module level, through a helper, inside a component's
# `__init__`, and one made with too few constructors above it (no position at all).
PROGRAM = """
class Resource:
    def __init__(self):
        self.traces = capture()

class CustomResource(Resource):
    def __init__(self):
        super().__init__()

class Bucket(CustomResource):
    def __init__(self):
        super().__init__()

class Component(CustomResource):
    def __init__(self):
        super().__init__()
        self.child = Bucket()

def helper():
    return Bucket()

top = Bucket()
made = helper()
component = Component()
bare = CustomResource()
"""


@pytest.fixture(scope="module")
def program(tmp_path_factory) -> dict:
    path = tmp_path_factory.mktemp("program") / "__main__.py"
    path.write_text(PROGRAM)

    def capture():
        return sdk().stack_trace(), stack_trace()

    scope = {"capture": capture}
    exec(compile(PROGRAM, str(path), "exec"), scope)
    return {"path": path, **scope}


@pytest.mark.parametrize(
    ("what", "line"),
    [("top", 22), ("made", 20), ("component", 24), ("component.child", 17)],
)
def test_stack_trace_gives_the_sdk_source_position(program, what: str, line: int) -> None:
    resource = program[what.split(".")[0]]
    if "." in what:
        resource = resource.child
    original, fast = resource.traces
    assert fast.frames[0] == original.frames[0]
    assert fast.frames[0].pc.uri == program["path"].as_uri()
    assert fast.frames[0].pc.line == line


def test_stack_trace_is_empty_as_the_sdk_without_three_constructors(program) -> None:
    original, fast = program["bare"].traces
    assert len(original.frames) == 0
    assert len(fast.frames) == 0


def test_line_number_is_the_frame_line_across_a_long_module() -> None:
    body = "".join(f"v{i} = {i}\nseen.append(probe())\n" for i in range(3000))
    seen: list = []

    def probe():
        frame = sys._getframe(1)
        return line_number(frame), frame.f_lineno

    exec(compile(body, "/tmp/long_program.py", "exec"), {"probe": probe, "seen": seen})
    assert len(seen) == 3000
    assert [pair for pair in seen if pair[0] != pair[1]] == []
    assert seen[-1] == (6000, 6000)


def test_line_number_under_a_tracer_is_the_tracer_line() -> None:
    def tracer(frame, event, arg):
        return tracer

    def probe():
        frame = sys._getframe()
        return line_number(frame), frame.f_lineno

    sys.settrace(tracer)
    try:
        fast, slow = probe()
    finally:
        sys.settrace(None)
    assert fast == slow


class _Res:
    """Stands for a resource: transfer_properties sets Outputs in its __dict__."""


async def _settle(transfer, resolve_with) -> tuple[dict, list]:
    res = _Res()
    dep = _Res()
    resolvers = transfer(res, {"urn": 1, "id": 2, "arn": 3, "tags": 4, "name": 5}, True)
    futures = {key: res.__dict__[key]._data for key in resolvers}
    tracked_before = sorted(k for k, f in futures.items() if f in settings.SETTINGS.outputs)
    for key, resolve in resolvers.items():
        resolve(*resolve_with(key, dep))
    for _ in range(5):  # the SDK stops tracking a settled output a few loop turns later
        await asyncio.sleep(0)
    tracked_after = sorted(k for k, f in futures.items() if f in settings.SETTINGS.outputs)
    settings.SETTINGS.outputs.difference_update(futures.values())
    states = [("tracked", tracked_before, tracked_after)]
    for key in sorted(resolvers):
        output = res.__dict__[key]
        assert isinstance(output, Output)
        try:
            data = await output._data
        except ValueError as exc:
            states.append((key, "raised", str(exc)))
            continue
        deps = sorted("res" if r is res else "dep" for r in data.resources)
        states.append((key, data.value, data.is_known, data.is_secret, deps))
    return sorted(resolvers), states


def _values(key: str, dep):
    if key == "arn":
        return ("arn:aws:s3:::b", True, False, {dep}, None)
    if key == "tags":
        return ({"a": UNKNOWN}, True, True, None, None)  # an unknown inside: not known
    return (None, False, False, None, ValueError(f"{key} failed"))


def test_transfer_properties_settles_outputs_as_the_sdk() -> None:
    loop = asyncio.new_event_loop()
    try:
        original = loop.run_until_complete(_settle(sdk().transfer_properties, _values))
        fast = loop.run_until_complete(_settle(transfer_properties, _values))
        # The SDK's futures that failed and nobody awaited report it when collected: now, not
        # in the middle of a later compile (which CPython 3.11 then rejects).
        gc.collect()
    finally:
        loop.close()
    assert fast == original
    keys, states = fast
    assert keys == ["arn", "name", "tags"]  # urn and a custom resource's id are the SDK's own
    # Tracked until settled; a failed one stays, for the run to re-raise at its end.
    assert states[0] == ("tracked", ["arn", "name", "tags"], ["name"])
    assert states[1] == ("arn", "arn:aws:s3:::b", True, False, ["dep", "res"])
    assert states[2] == ("name", "raised", "name failed")
    assert states[3][2:] == (False, True, ["res"])


# (name, type, parent, project, stack): every shape `create_urn` is called with.
URN_CASES = [
    ("bucket", "aws:s3/bucket:Bucket", None, None, None),  # the run's own project and stack
    ("bucket", "aws:s3/bucket:Bucket", None, "other", "prod"),
    ("k", "aws:kms/key:Key", "urn:pulumi:dev::p::my:C::parent", None, None),
    ("k", "aws:kms/key:Key", "urn:pulumi:dev::p::a$my:C::nested", "x", "y"),
    ("k", "t", "", None, None),  # an empty parent URN: the SDK's slice of it, all the same
    ("k", "t", "no-separator", None, None),
    ("", "", None, "", ""),
    ("ünïcode", "t::with::colons", "urn:pulumi:s::p::t::n", None, None),
]


async def _urn_state(create, args, parent_res, loop_turns: int):
    """What the Output of `create(*args)` settles to, and how many loop turns that takes."""
    output = create(*args)
    turns = 0
    while not output._data.done():
        await asyncio.sleep(0)
        turns += 1
        assert turns < loop_turns
    data = output._data.result()
    deps = sorted("parent" if r is parent_res else repr(r) for r in data.resources)
    return data.value, data.is_known, data.is_secret, deps, turns


@pytest.mark.parametrize("case", range(len(URN_CASES)))
def test_create_urn_settles_as_the_sdk_at_once(monkeypatch, case: int) -> None:
    monkeypatch.setattr(settings, "get_stack", lambda: "dev")
    monkeypatch.setattr(settings, "get_project", lambda: "proj")
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        args = URN_CASES[case]
        original = loop.run_until_complete(_urn_state(sdk().create_urn, args, None, 50))
        fast = loop.run_until_complete(_urn_state(pulumi_speed.create_urn, args, None, 1))
    finally:
        asyncio.set_event_loop(None)
        loop.close()
    assert fast[:4] == original[:4]
    assert fast[4] == 0 < original[4]  # settled when made; the SDK's takes loop turns


@pytest.mark.parametrize(
    "args",
    [
        (Output.from_input("n"), "t", None, None, None),  # an Output name
        ("n", "t", Output.secret("urn:pulumi:s::p::t::parent"), None, None),  # a secret parent
        ("n", "t", None, 3, None),  # not text: the SDK's own raises what it raises
    ],
    ids=["output_name", "secret_parent", "number_project"],
)
def test_create_urn_hands_anything_but_text_to_the_sdk(monkeypatch, args) -> None:
    monkeypatch.setattr(settings, "get_stack", lambda: "dev")
    monkeypatch.setattr(settings, "get_project", lambda: "proj")
    calls = []

    def sdk_create_urn(*given):
        calls.append(given)
        return "the SDK's"

    monkeypatch.setattr(sdk(), "create_urn", sdk_create_urn)
    assert pulumi_speed.create_urn(*args) == "the SDK's"
    assert calls == [args]


class _Engine(MockEngine):
    """A mock engine that also counts what reaches it."""

    def __init__(self, logger):
        super().__init__(logger)
        self.requests = 0

    def Log(self, request):
        self.requests += 1
        super().Log(request)


@pytest.mark.parametrize("level", [logging.DEBUG, logging.ERROR])
def test_log_debug_logs_what_the_sdk_logs(monkeypatch, level: int) -> None:
    logger = logging.getLogger(f"test_pulumi_speed.{level}")
    logger.setLevel(level)
    records: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda record: records.append(record.getMessage())
    logger.addHandler(handler)
    engine = MockEngine(logger)
    monkeypatch.setattr(settings, "get_engine", lambda: engine)
    try:
        sdk().debug("from the sdk")
        log_debug("from the accelerator")
    finally:
        logger.removeHandler(handler)
    expected = ["from the sdk", "from the accelerator"] if level == logging.DEBUG else []
    assert records == expected


def test_log_debug_hands_other_engines_the_message(monkeypatch) -> None:
    logger = logging.getLogger("test_pulumi_speed.other")
    logger.setLevel(logging.ERROR)
    engine = _Engine(logger)
    monkeypatch.setattr(settings, "get_engine", lambda: engine)
    log_debug("reaches an engine that is not the plain mock one")
    assert engine.requests == 1


def test_the_accelerators_are_written_for_the_pinned_pulumi() -> None:
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text())
    pins = [d for d in pyproject["project"]["dependencies"] if d.startswith("pulumi==")]
    assert pins == [f"pulumi=={PULUMI_VERSION}"]
    assert pulumi_speed.installed_pulumi() == PULUMI_VERSION


def test_another_pulumi_runs_plain(monkeypatch) -> None:
    monkeypatch.setattr(pulumi_speed, "installed_pulumi", lambda: "3.999.0")
    assert pulumi_speed.accelerate() == ()


@pytest.mark.parametrize(("value", "wanted"), [("", True), ("0", True), ("1", False)])
def test_the_environment_turns_them_off(monkeypatch, value: str, wanted: bool) -> None:
    monkeypatch.setenv(PLAIN_ENV, value)
    assert pulumi_speed.wanted() is wanted


APPLY = textwrap.dedent(
    """
    import gc, pulumi.log, pulumi.runtime.mocks
    from pulumi import _types
    from pulumi.runtime import resource, rpc
    from pulumi.runtime.sync_await import _ensure_event_loop
    from checks.sources.pulumi_speed import accelerate
    names = accelerate()
    replaced = [
        f.__module__ for f in (resource._get_stack_trace, pulumi.log.debug,
        rpc.contains_unknowns, rpc.transfer_properties, pulumi.runtime.mocks._sync_await,
        rpc.serialize_properties, rpc.deserialize_properties, _types.unwrap_type,
        _types.unwrap_optional_type, resource.create_urn)
    ]
    executor = type(_ensure_event_loop()._default_executor).__name__
    print(",".join(names), sorted(set(replaced)), executor, gc.get_threshold())
    """
)


@pytest.mark.parametrize("plain", [False, True])
def test_accelerate_replaces_the_sdk_functions_in_a_process_of_its_own(plain: bool) -> None:
    env = {k: v for k, v in os.environ.items() if k != PLAIN_ENV}
    if plain:
        env[PLAIN_ENV] = "1"
    run = subprocess.run(
        [sys.executable, "-c", APPLY], capture_output=True, text=True, env=env, check=True
    )
    if plain:
        expected = " ['pulumi._types', 'pulumi.log', 'pulumi.runtime.resource',"
        expected += " 'pulumi.runtime.rpc',"
        expected += " 'pulumi.runtime.sync_await'] NoneType (700, 10, 10)"
    else:
        expected = "stack_trace,log_debug,contains_unknowns,transfer_properties,struct_conversions,"
        expected += "type_unwrapping,create_urn,inline_monitor,lazy_packages,gc_thresholds"
        expected += " ['checks.sources.pulumi_inline',"
        expected += " 'checks.sources.pulumi_speed', 'checks.sources.pulumi_struct']"
        expected += " InlineFirst (50000, 20, 100)"
    assert run.stdout.strip() == expected.strip()
