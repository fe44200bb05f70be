"""Run one Pulumi Python program with mocks that deploy it into the emulator.

Started by `scripts.emulate.deploy` in a process of its own, so the program's imports, globals
or crash never reach the caller:

    python -m scripts.emulate.worker REQUEST.json RESULT.json

Progress lines go to the worker's stdout (one per resource); whatever the program prints goes
to its stderr. The result lists what was created, what was not emulated and why, the inputs no
creator mapped, the data sources answered with made-up values, and the failure or program
error that stopped the run, all scrubbed of every secret's plaintext.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import logging
import os
import runpy
import sys
import threading
import traceback
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from checks.sources.program_errors import root_cause
from checks.sources.program_values import references_to_ids
from checks.sources.pulumi_transforms import delegating_mocks
from scripts.emulate.clients import Clients
from scripts.emulate.engine import Deployer
from scripts.emulate.registry import build_registry

# Registrations wait on AWS (and a dependant may wait for its target): more threads than
# Pulumi's default executor gives, so a waiting resource never holds up the rest.
_THREADS = 32
_EMULATE_DIR = Path(__file__).resolve().parent


def _make_monitor(deployer: Deployer):
    from pulumi.runtime.mocks import MockMonitor

    class _Monitor(MockMonitor):
        def _remember(self, request) -> None:
            deployer.local.request = request
            deployer.local.urn = self.make_urn(request.parent, request.type, request.name)

        def RegisterResource(self, request):
            references_to_ids(request.object)
            self._remember(request)
            return super().RegisterResource(request)

        def ReadResource(self, request):
            references_to_ids(request.properties)
            self._remember(request)
            return super().ReadResource(request)

        def Invoke(self, request):
            references_to_ids(request.args)
            return super().Invoke(request)

    return _Monitor(delegating_mocks(deployer))


def _where(exc: BaseException, program_dir: Path) -> str | None:
    spot = None
    for frame in traceback.extract_tb(exc.__traceback__):
        path = Path(frame.filename)
        if path.is_absolute() and program_dir in path.parents and "site-packages" not in path.parts:
            spot = f"{path.relative_to(program_dir)}:{frame.lineno}"
    return spot


def _classify(exc: BaseException, program_dir: Path) -> dict[str, Any]:
    from pulumi.config import ConfigMissingError

    cause = root_cause(exc, (ConfigMissingError,))
    if isinstance(cause, ConfigMissingError):
        return {"kind": "config_missing", "key": cause.key}
    if isinstance(cause, ModuleNotFoundError) and cause.name:
        return {"kind": "missing_import", "module": cause.name}
    frames = traceback.extract_tb(cause.__traceback__)
    if frames and Path(frames[-1].filename).resolve().is_relative_to(_EMULATE_DIR):
        last = frames[-1]
        where = f"{Path(last.filename).name}:{last.lineno}"
        return {"kind": "internal_error", "message": f"{type(cause).__name__}: {cause}",
                "where": where}  # fmt: skip
    return {
        "kind": "program_error",
        "message": f"{type(cause).__name__}: {cause}",
        "where": _where(cause, program_dir) or _where(exc, program_dir),
    }


def run(request: Mapping[str, Any], progress) -> dict[str, Any]:
    from pulumi.runtime import set_all_config, set_mocks
    from pulumi.runtime.stack import run_pulumi_func
    from pulumi.runtime.sync_await import _sync_await

    clients = Clients(request["endpoint"], request["region"])
    account = clients("sts").get_caller_identity()["Account"]
    deployer = Deployer({**request, "account": account}, clients, build_registry(), progress)
    project_dir, main = Path(request["project_dir"]), Path(request["main"])
    os.chdir(project_dir)
    sys.path.insert(0, str(main if main.is_dir() else main.parent))
    sys.argv = [str(main)]
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    loop.set_default_executor(concurrent.futures.ThreadPoolExecutor(_THREADS))
    monitor = _make_monitor(deployer)
    set_mocks(
        monitor.mocks,
        project=request["project"],
        stack=request["stack"],
        preview=False,
        monitor=monitor,
        organization="organization",
    )
    set_all_config(dict(request["config"]), list(request["secret_keys"]))

    error = None
    try:
        _sync_await(run_pulumi_func(lambda: runpy.run_path(str(main), run_name="__main__")))
    except SystemExit as exc:
        if exc.code not in (0, None):
            error = {"kind": "program_error", "message": f"SystemExit: exit {exc.code}"}
    except BaseException as exc:  # noqa: BLE001 - whatever stopped the run is reported
        if deployer.failure is None:
            error = _classify(exc, project_dir.resolve())
    return {**deployer.result(), "error": deployer.scrub(error)}


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print("usage: python -m scripts.emulate.worker REQUEST.json RESULT.json", file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as fh:
        request = json.load(fh)
    # Progress keeps the real stdout; the program's own prints go to stderr.
    channel = os.fdopen(os.dup(1), "w", buffering=1, encoding="utf-8")
    os.dup2(2, 1)
    logging.basicConfig(level=logging.ERROR, stream=sys.stderr)

    lock = threading.Lock()

    def progress(line: str) -> None:
        with lock:
            channel.write(line.replace("\n", " ") + "\n")

    result = run(request, progress)
    with open(argv[2], "w", encoding="utf-8") as fh:
        json.dump(result, fh)
    channel.flush()
    return 0


if __name__ == "__main__":
    code = main(sys.argv)
    # The result is on disk: skip tearing down the program's object graph.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
