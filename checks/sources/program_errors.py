"""What stopped a program run under mocks, told honestly in one record.

- configuration the program requires and was not given: the key to pass;
- a module the program imports that is not installed;
- an error raised in the scanner's own mocks: the scanner's, never the program's;
- a failure on a value the mocks made up (`program_blame`): what the scanner could not emulate;
- anything else: the program's error, at the program's own line.

Runs inside the worker processes (the scan's and the emulated deploy's).
"""

from __future__ import annotations

import traceback
from pathlib import Path
from typing import Any

from checks.sources.program_blame import made_up_culprit
from checks.sources.program_made_up import MadeUp

_SCANNER_DIR = Path(__file__).resolve().parents[1]  # the checks package


def root_cause(exc: BaseException, stop: tuple[type[BaseException], ...] = ()) -> BaseException:
    """The innermost `__cause__` of `exc`, or the first instance of a `stop` type on the way.
    An exception can be its own cause (Pulumi's `wait_for_rpcs` raises one "from" itself): each
    is visited once, so the walk ends."""
    seen = {id(exc)}
    cause = exc
    while not isinstance(cause, stop):
        nxt = cause.__cause__
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
    if frames and Path(frames[-1].filename).resolve().is_relative_to(_SCANNER_DIR):
        last = frames[-1]
        return {
            "kind": "internal_error",
            "type": type(cause).__name__,
            "message": str(cause),
            "where": f"{Path(last.filename).name}:{last.lineno}",
        }
    record = {
        "type": type(cause).__name__,
        "message": str(cause),
        "where": where_in_program(cause, program_dir) or where_in_program(exc, program_dir),
    }
    culprit = made_up_culprit(cause, made_up, program_dir)
    if culprit is not None:
        return {"kind": "not_emulated", "what": culprit, **record}
    return {"kind": "program_error", **record}
