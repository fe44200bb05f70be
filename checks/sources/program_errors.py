"""What stopped a program run under mocks, told honestly in one record.

- configuration the program requires and was not given: the key to pass;
- a module the program imports that is not installed;
- an error raised in the scanner's own mocks: the scanner's, never the program's;
- a failure on a value the mocks made up (`program_blame`): what the scanner could not emulate;
- the program asking an installed package for a name or argument it lacks (written for another
  version of it): the program's error, with the installed version — whatever values it held;
- anything else: the program's error, at the program's own line.

Runs inside the worker processes (the scan's and the emulated deploy's).
"""

from __future__ import annotations

import contextlib
import re
import traceback
import types
from pathlib import Path
from typing import Any

from checks.sources.program_blame import made_up_culprit
from checks.sources.program_made_up import MadeUp
from checks.sources.pulumi_lazy import LAZY_FILE

_SCANNER_DIR = Path(__file__).resolve().parents[1]  # the checks package
# The function a signature error names, as Python spells it: `Vpc._internal_init() got …`.
_CALLEE = re.compile(r"([\w.<>]+)\(\) ")
# A call the function's signature refuses, whatever the values passed: never a made-up value's.
_SIGNATURE = re.compile(r"\(\) (got an unexpected keyword argument|missing \d+ required)")


def root_cause(exc: BaseException, stop: tuple[type[BaseException], ...] = ()) -> BaseException:
    """The innermost `__cause__` of `exc`, or the first instance of a `stop` type on the way.
    An exception can be its own cause (Pulumi's `wait_for_rpcs` raises one "from" itself): that
    overwrote the cause it had, which its `__context__` still holds (the error of the program's
    `apply` behind "While processing resource …"), so the walk goes on there. Each exception is
    visited once, so the walk ends."""
    seen = {id(exc)}
    cause = exc
    while not isinstance(cause, stop):
        nxt = cause.__cause__
        if nxt is cause:
            nxt = cause.__context__
        if nxt is None or id(nxt) in seen:
            break
        seen.add(id(nxt))
        cause = nxt
    return cause


def where_in_program(exc: BaseException, program_dir: Path) -> str | None:
    """The last traceback frame inside the program, as 'file:line'."""
    spot = None
    for frame in traceback.extract_tb(exc.__traceback__):
        path = Path(frame.filename)
        if path.is_absolute() and program_dir in path.parents and "site-packages" not in path.parts:
            spot = f"{path.relative_to(program_dir)}:{frame.lineno}"
    return spot


def _package_of(path: Path) -> str | None:
    """The top-level package a file of site-packages belongs to."""
    parts = path.parts
    if "site-packages" not in parts:
        return None
    at = parts.index("site-packages")
    return parts[at + 1].removesuffix(".py") if len(parts) > at + 1 else None


def _sdk_asked(cause: BaseException) -> str | None:
    """The installed package whose API the program asked for something it does not have: a
    name its module lacks, a name `from … import` could not find, an argument its functions
    do not take (`Deployment(stage_name=…)` on a provider that dropped it). Such programs are
    written for another version of the package, which the one line should say."""
    if isinstance(cause, AttributeError) and getattr(cause, "obj", None) is not None:
        obj = cause.obj
        owner = obj.__name__ if isinstance(obj, types.ModuleType) else type(obj).__module__
        return owner.partition(".")[0]
    if type(cause) is ImportError and cause.name:
        return cause.name.partition(".")[0]
    if _is_signature_error(cause):
        callee = _callee(cause)
        return _package_of(Path(callee.co_filename)) if callee is not None else None
    return None


def _is_signature_error(cause: BaseException) -> bool:
    return isinstance(cause, TypeError) and _SIGNATURE.search(str(cause)) is not None


def _callee(cause: BaseException) -> types.CodeType | None:
    """The code of the function whose signature refused a call, found from the frame that made
    the call by the name the message gives (`Deployment._internal_init() got …`), or among the
    functions that frame holds (the callback an `apply` was given: `<lambda>() missing …`).
    A program's own function called with the wrong arguments is the program's mistake, not
    a version of the SDK, nor of the scanner, that called it."""
    named = _CALLEE.match(str(cause))
    tb = cause.__traceback__
    if named is None or tb is None:
        return None
    while tb.tb_next is not None:
        tb = tb.tb_next
    frame = tb.tb_frame
    first, *rest = named.group(1).split(".")
    target = frame.f_locals.get(first, frame.f_globals.get(first))
    for attribute in rest:
        target = getattr(target, attribute, None)
    code = getattr(target, "__code__", None)
    if isinstance(code, types.CodeType):
        return code
    held = (getattr(value, "__code__", None) for value in frame.f_locals.values())
    last = named.group(1).rpartition(".")[2]
    return next((c for c in held if isinstance(c, types.CodeType) and c.co_name == last), None)


def _installed_version(package: str) -> str | None:
    from importlib import metadata

    if package == _SCANNER_DIR.name:
        return None  # the scanner's own objects are never an SDK the program was written for
    for dist in metadata.packages_distributions().get(package, ()):
        with contextlib.suppress(metadata.PackageNotFoundError):
            return metadata.version(dist)
    return None


def classify(exc: BaseException, program_dir: Path, made_up: MadeUp) -> dict[str, Any]:
    """The record of what stopped the program (see the module's docstring for the kinds)."""
    from pulumi.config import ConfigMissingError

    cause = root_cause(exc, (ConfigMissingError,))
    if isinstance(cause, ConfigMissingError):
        return {"kind": "config_missing", "key": cause.key, "secret": bool(cause.secret)}
    if isinstance(cause, ModuleNotFoundError) and cause.name:
        where = where_in_program(cause, program_dir)
        return {"kind": "missing_import", "module": cause.name, "where": where}
    frames = traceback.extract_tb(cause.__traceback__)
    if isinstance(cause, AttributeError) and frames and Path(frames[-1].filename) == LAZY_FILE:
        frames.pop()  # a name a lazily loaded package lacks: the module type's own error
    callee = _callee(cause) if _is_signature_error(cause) else None
    if callee is not None and not Path(callee.co_filename).resolve().is_relative_to(_SCANNER_DIR):
        frames = []  # the scanner called a function of the program's with what the SDK gave it
    if frames and Path(frames[-1].filename).resolve().is_relative_to(_SCANNER_DIR):
        last = frames[-1]
        return {
            "kind": "internal_error",
            "type": type(cause).__name__,
            "message": str(cause),
            "where": f"{Path(last.filename).name}:{last.lineno}",
        }
    where = where_in_program(cause, program_dir) or where_in_program(exc, program_dir)
    if where is None and callee is not None:
        defined = Path(callee.co_filename).resolve()
        if defined.is_relative_to(program_dir) and "site-packages" not in defined.parts:
            where = f"{defined.relative_to(program_dir)}:{callee.co_firstlineno}"
    record = {"type": type(cause).__name__, "message": str(cause), "where": where}
    # Asking an installed package for what it lacks is the program's, whatever values it held;
    # so is a call its callee's signature refuses.
    package = _sdk_asked(cause)
    version = _installed_version(package) if package else None
    if version is not None:
        return {"kind": "program_error", "sdk": f"{package} {version}", **record}
    if _is_signature_error(cause):
        return {"kind": "program_error", **record}
    culprit = made_up_culprit(cause, made_up, program_dir)
    if culprit is not None:
        return {"kind": "not_emulated", "what": culprit, **record}
    return {"kind": "program_error", **record}
