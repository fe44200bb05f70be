"""A pytest plugin that tests the check tests: each must fail when a check's verdict flips.

Load it with `-p tests.meta.flip_plugin`. At configure time, before any test module is imported,
every check of the library is replaced by a wrapper: in its defining module, in any loaded
module that imported it by name, and in the `Check` its module's `CHECKS` list holds (which
is what `build_registry` puts in a registry). A test module's `from checks.aws.x import fn`
therefore gets the wrapper.

The wrapper swaps PASS and FAIL in what the check returns (a `Result` or a list of them) when
told to, and leaves everything else alone: evidence and message, NOT_APPLICABLE,
NOT_EVALUATED and a raised `Undecidable`.

Each test function is then run several times inside its one setup:
  - once as written, recording the *named* calls: calls of a check made by test code itself
    (`fn(res, inv)`, `chk.fn(...)`), or through an engine entry point the test handed that very
    check (`run_check(chk, ...)`). A check run by `evaluate()` over the whole library is not
    named: the test did not choose it, and flipping it says nothing about the test.
  - once per named call that returned PASS or FAIL, with that call's verdict flipped (the
    check returns the opposite status on that one fixture);
  - once with every named verdict flipped (catches `a.status != b.status`).
A test is judged when at least one named call returned PASS or FAIL. A judged test must fail
under every flip; if it passes under one, it does not pin the verdict of that fixture, and
this plugin fails it, naming the check and the line that called it. Tests with no named
PASS/FAIL verdict (they assert NOT_APPLICABLE, NOT_EVALUATED, Undecidable, or metadata) run
once, as written, and are not judged.

Run it in one process (`-n 0` when pytest-xdist is installed). `--flip-report=PATH` writes
what was seen as JSON, for `tests/meta/test_flip.py` to read.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import json
import sys
import types
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

import checks
from checks.library import LIBRARY, build_registry
from checks.registry import Result, Status

_FLIPPED = {"PASS": "FAIL", "FAIL": "PASS"}
ALL = "all"  # the mutant that flips every named verdict at once


@dataclass
class _Run:
    """One run of a test function: which named calls to flip, and what the run saw."""

    flip: int | str | None  # None: as written; an index: that named call; ALL: every one
    test_code: types.CodeType | None = None  # the test function's, to say which line called
    named: list[dict[str, str]] = field(default_factory=list)  # named calls with a verdict
    engine_verdicts: int = 0  # PASS/FAIL results of checks the test did not name
    flipped: int = 0

    def after(self, check_id: str, value: Any, named: bool, where: str) -> Any:
        results = _results(value)
        if results is None or not any(str(r.status) in _FLIPPED for r in results):
            return value
        if not named:
            self.engine_verdicts += 1
            return value
        index = len(self.named)
        verdicts = ",".join(str(r.status) for r in results)
        self.named.append({"check": check_id, "where": where, "verdicts": verdicts})
        if self.flip == ALL or self.flip == index:
            self.flipped += 1
            return _flip(value)
        return value


class _State:
    def __init__(self) -> None:
        self.run: _Run | None = None
        self.wrapped: dict[str, Callable[..., Any]] = {}  # check id → wrapper
        self.originals: dict[int, str] = {}  # id(original function) → check id
        self.records: list[dict[str, Any]] = []
        self.stale: list[str] = []

    @contextmanager
    def running(self, flip: int | str | None, test: Callable[..., Any]) -> Iterator[_Run]:
        self.run = _Run(flip, getattr(inspect.unwrap(test), "__code__", None))
        try:
            yield self.run
        finally:
            self.run = None


_STATE = _State()


def _results(value: Any) -> list[Result] | None:
    if isinstance(value, Result):
        return [value]
    if isinstance(value, list | tuple) and value and all(isinstance(r, Result) for r in value):
        return list(value)
    return None


def _flip(value: Any) -> Any:
    def one(result: Result) -> Result:
        status = _FLIPPED.get(str(result.status))
        return dataclasses.replace(result, status=Status(status)) if status else result

    if isinstance(value, Result):
        return one(value)
    return type(value)(one(r) for r in value)


# -- which calls the test named ------------------------------------------------------------------


def _engine_dir() -> Path:
    return Path(checks.__file__).resolve().parent


def _in(path: str, root: Path) -> bool:
    try:
        return Path(path).resolve().is_relative_to(root)
    except (OSError, ValueError):
        return False


@functools.cache
def _is_engine_file(path: str) -> bool:
    return _in(path, _engine_dir())


def _receives(frame: types.FrameType, wrapper: Callable[..., Any]) -> bool:
    """Whether the engine function `frame` runs was handed this check (or its `Check`)."""
    code = frame.f_code
    count = code.co_argcount + code.co_kwonlyargcount
    args = [frame.f_locals.get(name) for name in code.co_varnames[:count]]
    return any(a is wrapper or getattr(a, "fn", None) is wrapper for a in args)


def _where(frame: types.FrameType, test_code: types.CodeType | None) -> str:
    """The line of the test function that led to `frame` (or `frame`'s own, if none did)."""
    line: types.FrameType | None = frame
    while line is not None and line.f_code is not test_code:
        line = line.f_back
    line = line or frame
    path = Path(line.f_code.co_filename)
    name = path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path.name
    return f"{name}:{line.f_lineno}"


def _caller(wrapper: Callable[..., Any], test_code: types.CodeType | None) -> tuple[bool, str]:
    """Whether the current call of `wrapper` is named by test code, and the test's line.

    Walk out from the check through the `checks` package (the engine) to the first frame of
    other code: no engine frame between them is a direct call; otherwise the outermost engine
    frame is the entry point the test called, and the call is named if it was given the check.
    """
    frame = sys._getframe(2)  # the wrapper's caller
    entry = None
    while frame is not None and _is_engine_file(frame.f_code.co_filename):
        entry, frame = frame, frame.f_back
    where = "?" if frame is None else _where(frame, test_code)
    return entry is None or _receives(entry, wrapper), where


# -- replacing the checks ------------------------------------------------------------------------


def _wrap(check_id: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        value = fn(*args, **kwargs)
        run = _STATE.run
        if run is None:
            return value
        named, where = _caller(wrapper, run.test_code)
        return run.after(check_id, value, named, where)

    return wrapper


def _project_modules() -> list[types.ModuleType]:
    """Loaded modules that are not the standard library's or an installed package's."""
    installed = tuple(Path(p).resolve() for p in {sys.prefix, sys.base_prefix, sys.exec_prefix})
    out = []
    for module in list(sys.modules.values()):
        path = getattr(module, "__file__", None)
        if path and not any(_in(path, root) for root in installed):
            out.append(module)
    return out


def install() -> None:
    """Replace every check of the library by its wrapper, wherever it is held."""
    replacements: dict[int, Callable[..., Any]] = {}
    for module in LIBRARY:
        for i, chk in enumerate(module.CHECKS):
            if chk.id in _STATE.wrapped:
                continue
            wrapper = _wrap(chk.id, chk.fn)
            _STATE.wrapped[chk.id] = wrapper
            _STATE.originals[id(chk.fn)] = chk.id
            replacements[id(chk.fn)] = wrapper
            module.CHECKS[i] = dataclasses.replace(chk, fn=wrapper)
    for module in _project_modules():
        for name, value in list(vars(module).items()):
            if callable(value) and id(value) in replacements:
                setattr(module, name, replacements[id(value)])


def _stale_references() -> list[str]:
    """Names in loaded project modules still bound to an unwrapped check."""
    return sorted(
        f"{module.__name__}.{name} ({_STATE.originals[id(value)]})"
        for module in _project_modules()
        for name, value in vars(module).items()
        if callable(value) and id(value) in _STATE.originals
    )


# -- pytest hooks --------------------------------------------------------------------------------


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--flip-report",
        metavar="PATH",
        help="write the flip plugin's per-test findings to PATH as JSON",
    )


def pytest_configure(config: pytest.Config) -> None:
    if hasattr(config, "workerinput") or config.getoption("numprocesses", None) not in (None, 0):
        # Records live in this process; xdist workers would each keep (and write) a part.
        raise pytest.UsageError("the flip plugin runs the tests in one process: add -n 0")
    install()


def pytest_collection_finish(session: pytest.Session) -> None:
    _STATE.stale = _stale_references()


def _describe(call: dict[str, str]) -> str:
    return f"{call['check']} ({call['verdicts']}) called at {call['where']}"


def _survives(pyfuncitem: pytest.Function, flip: int | str) -> bool | None:
    """Whether the test passes with `flip` applied (None: the flip found nothing to flip)."""
    with _STATE.running(flip, pyfuncitem.obj) as mutant:
        try:
            pyfuncitem.ihook.pytest_pyfunc_call(pyfuncitem=pyfuncitem)
        except pytest.skip.Exception:
            return True  # skipping asserts nothing: the flipped verdict went unnoticed
        # Any way the test fails is the wanted outcome: it noticed the flipped verdict.
        except (Exception, pytest.fail.Exception):  # noqa: BLE001
            return False
    return True if mutant.flipped else None


@pytest.hookimpl(wrapper=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> Any:
    if _STATE.run is not None or pyfuncitem.get_closest_marker("xfail"):
        return (yield)
    record: dict[str, Any] = {"nodeid": pyfuncitem.nodeid, "status": "failed as written"}
    _STATE.records.append(record)
    try:
        with _STATE.running(None, pyfuncitem.obj) as baseline:
            result = yield  # the test as written; if it fails, it fails as usual
    except pytest.skip.Exception:
        record["status"] = "skipped"
        raise
    named = baseline.named
    record.update(
        status="judged" if named else "not judged",
        named=named,
        engine_verdicts=baseline.engine_verdicts,
        survivors=[],
    )
    flips: list[int | str] = [*range(len(named)), *([ALL] if len(named) > 1 else [])]
    for flip in flips:
        survived = _survives(pyfuncitem, flip)
        if survived is False:
            continue
        if survived is None:
            survivor = {"check": "?", "where": "?", "verdicts": "the rerun made other calls"}
        elif flip == ALL:
            survivor = {
                "check": "every named check at once",
                "where": ", ".join(sorted({c["where"] for c in named})),
                "verdicts": ",".join(c["verdicts"] for c in named),
            }
        else:
            survivor = named[flip]  # type: ignore[index]
        record["survivors"].append({"flip": flip, **survivor})
    if record["survivors"]:
        pytest.fail(
            "the test still passes when a check's verdict is flipped (PASS<->FAIL):\n"
            + "\n".join(f"  {_describe(s)}" for s in record["survivors"]),
            pytrace=False,
        )
    return result


def pytest_terminal_summary(terminalreporter: Any) -> None:
    judged = [r for r in _STATE.records if r["status"] == "judged"]
    survivors = [r["nodeid"] for r in judged if r["survivors"]]
    terminalreporter.write_sep("-", "check verdict flips")
    terminalreporter.write_line(
        f"{len(_STATE.wrapped)} checks wrapped; {len(judged)} tests judged, "
        f"{len(survivors)} survive a flip; "
        f"{sum(r['status'] == 'not judged' for r in _STATE.records)} not judged"
    )
    for name in _STATE.stale:
        terminalreporter.write_line(f"unwrapped check still referenced: {name}")


def pytest_sessionfinish(session: pytest.Session) -> None:
    path = session.config.getoption("--flip-report")
    if not path:
        return
    report = {
        "wrapped": sorted(_STATE.wrapped),
        "registered": sorted(chk.id for chk in build_registry()),
        "registry_wrapped": all(chk.fn is _STATE.wrapped.get(chk.id) for chk in build_registry()),
        "stale": _STATE.stale,
        "tests": _STATE.records,
    }
    Path(path).write_text(json.dumps(report, indent=1))
