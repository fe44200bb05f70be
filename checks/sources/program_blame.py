"""Whether a program stopped on a value the scanner made up, and whose value it was.

Under mocks, what no program declares is invented: a data source's answer, an output nobody set.
A program that decodes such a token, indexes such a map or parses such a number may fail where
the real deploy would not. That failure is the scanner's emulation, never the program's error, so
before a failure is blamed on the program the values it failed on are looked at:
- the Pulumi SDK rejecting an answer of the mocks (a result type's own check) names that answer;
- otherwise the values the failing lines read (the names and attributes on each line of the
  program, an `apply` callback's input, a standard-library function's arguments) are looked up
  among what the mocks made up (`MadeUp.origin_of`).

Runs inside the worker process (`checks.sources.program_worker`).
"""

from __future__ import annotations

import dis
import sysconfig
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from checks.sources.program_made_up import MadeUp, invoke_name

_LOADS = frozenset({"LOAD_NAME", "LOAD_GLOBAL", "LOAD_FAST", "LOAD_DEREF", "LOAD_CLASSDEREF"})
_ATTRIBUTES = frozenset({"LOAD_ATTR", "LOAD_METHOD"})
# The SDK functions that turn a provider's answer into typed result objects.
_SDK_TYPING = frozenset({"output_type_from_dict", "translate_output_properties"})
_STDLIB = Path(sysconfig.get_paths()["stdlib"]).resolve()
_MISSING = object()


def _frames(exc: BaseException) -> list[tuple[types.FrameType, int]]:
    """The traceback's frames, outermost first, each with the instruction it stopped at."""
    frames = []
    tb = exc.__traceback__
    while tb is not None:
        frames.append((tb.tb_frame, tb.tb_lasti))
        tb = tb.tb_next
    return frames


def _file(frame: types.FrameType) -> Path:
    """The frame's source file. A frozen module's frame (`<frozen runpy>`, whose line holds the
    program's whole namespace) names no file: it stays a relative name, so it is never taken
    for a file of the program folder (the worker's working directory)."""
    name = Path(frame.f_code.co_filename)
    return name.resolve() if name.is_absolute() else name


def _pulumi_dir() -> Path:
    import pulumi

    return Path(pulumi.__file__).resolve().parent


def _rejected_answer(frames: list[tuple[types.FrameType, int]]) -> str | None:
    """The mocks' answer the SDK refused to type (a bool given as a string, say), if that is
    what failed."""
    sdk = _pulumi_dir()
    if not any(f.f_code.co_name in _SDK_TYPING and _file(f).is_relative_to(sdk) for f, _ in frames):
        return None
    import pulumi

    for frame, _ in frames:
        token = frame.f_locals.get("tok")
        if isinstance(token, str) and token.count(":") == 2:
            return f"the answer of the data source {invoke_name(token)}"
        res = frame.f_locals.get("res")
        if isinstance(res, pulumi.Resource):
            return f"the outputs of {res._type} '{res._name}'"
    return "an answer of its mocks"


def _lookup(frame: types.FrameType, name: str) -> Any:
    for scope in (frame.f_locals, frame.f_globals):
        if name in scope:
            return scope[name]
    return _MISSING


def _read_on_line(frame: types.FrameType, lasti: int) -> Iterator[Any]:
    """The values the failing line of a frame reads before it stopped: its names, and the
    attributes it reads of a data source's result. What the line would have read after the
    instruction that raised was never read (`aws.ec2.get_subnet_ids(vpc_id=vpc.id)` stops on
    the module's missing function before `vpc` is loaded), so it cannot be what failed."""
    from pulumi import _types

    code = frame.f_code
    instructions = list(dis.get_instructions(code))
    at = next((i for i in instructions if i.offset == lasti), None)
    line = at.positions.lineno if at is not None and at.positions else frame.f_lineno
    on_line = [
        i
        for i in instructions
        if i.positions and i.positions.lineno == line and (at is None or i.offset <= lasti)
    ]
    attributes = {i.argval for i in on_line if i.opname in _ATTRIBUTES}
    for ins in on_line:
        if ins.opname not in _LOADS:
            continue
        value = _lookup(frame, ins.argval)
        if value is _MISSING or callable(value) or isinstance(value, types.ModuleType):
            continue
        if _types.is_output_type(type(value)) and not isinstance(value, dict):
            for name in attributes:
                yield vars(value).get(name)
        yield value


def _in_program(path: Path, program_dir: Path) -> bool:
    return path.is_relative_to(program_dir) and "site-packages" not in path.parts


def _candidates(frames: list[tuple[types.FrameType, int]], program_dir: Path) -> Iterator[Any]:
    """The values the failing frames read, innermost first. A standard-library frame counts
    only when the program called it (runpy's and asyncio's hold the whole program)."""
    output_py = _pulumi_dir() / "output.py"
    called = [False] * len(frames)
    for i, (frame, _) in enumerate(frames):
        called[i] = (i > 0 and called[i - 1]) or _in_program(_file(frame), program_dir)
    for i in reversed(range(len(frames))):
        frame, lasti = frames[i]
        path = _file(frame)
        if _in_program(path, program_dir):
            yield from _read_on_line(frame, lasti)
        elif path == output_py and frame.f_code.co_name == "run":
            yield frame.f_locals.get("value")  # an apply callback's input
        elif called[i] and path.is_relative_to(_STDLIB) and "site-packages" not in path.parts:
            yield from frame.f_locals.values()  # base64.b64decode(s), json.loads(s), …


def made_up_culprit(exc: BaseException, made_up: MadeUp, program_dir: Path) -> str | None:
    """What the scanner made up that the program failed on (its origin, for the message), or
    None when the failure involves no made-up value."""
    if isinstance(exc, AttributeError) and isinstance(getattr(exc, "obj", None), types.ModuleType):
        return None  # a name the module lacks (an SDK API of another version): the program's
    frames = _frames(exc)
    rejected = _rejected_answer(frames)
    if rejected is not None:
        return rejected
    indexed = isinstance(exc, (KeyError, IndexError))
    for value in _candidates(frames, program_dir):
        origin = made_up.origin_of(value, empty=indexed)
        if origin is not None:
            return origin
    return None
