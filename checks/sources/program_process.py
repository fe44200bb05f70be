"""The program worker's process (`checks.sources.program_worker`): started in a process group
of its own, in the program's folder, waited for without reaping, and stopped with everything
the program started. A worker can be started ahead of its request (`start_ahead`), so that its
imports overlap what the scan does before it runs the program."""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from checks.errors import InputError
from checks.sources.pulumi_project import Project

_POLL = 0.05  # seconds between looks at whether the worker has exited


def _stop_group(proc: subprocess.Popen) -> None:
    """Kill the worker's whole process group: whatever the program started (a forked child, a
    `sleep` it spawned) ends with the run. Done before the worker is reaped, so the group id
    cannot have been reused."""
    # No such group: everything in it has exited already, so nothing is left to stop.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def _exited(proc: subprocess.Popen, timeout: float) -> bool:
    """Wait up to `timeout` seconds for the worker to exit, without reaping it."""
    deadline = time.monotonic() + timeout
    while True:
        if os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None:
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(_POLL)


def _spawn(project: Project, args: list[str], stderr: Any, **options: Any) -> subprocess.Popen:
    """The worker, in a process group of its own, in the program's folder."""
    return subprocess.Popen(
        [sys.executable, "-m", "checks.sources.program_worker", *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=stderr,
        cwd=str(project.directory),
        start_new_session=True,
        **options,
    )


@dataclass
class Ahead:
    """A worker started before its request (`prestart`), importing meanwhile."""

    proc: subprocess.Popen
    folder: tempfile.TemporaryDirectory
    stderr: Any
    feed: int  # the pipe its request's paths are written to


_AHEAD: dict[Path, Ahead] = {}  # by the program's folder


def start_ahead(project: Project) -> None:
    """Start the project's worker now, waiting for its request (`take_ahead`, `run_worker`).
    A worker not taken by the end of the process is stopped then."""
    if project.directory in _AHEAD:
        return
    folder = tempfile.TemporaryDirectory(prefix="safeguard-")
    stderr = (Path(folder.name) / "stderr.txt").open("w+b")
    read, feed = os.pipe()
    try:
        proc = _spawn(project, ["--wait", str(read)], stderr, pass_fds=(read,))
    except OSError:
        os.close(feed)
        stderr.close()
        folder.cleanup()
        return  # started in its turn instead, where a failure is said
    finally:
        os.close(read)
    if not _AHEAD:
        atexit.register(stop_unused)
    _AHEAD[project.directory] = Ahead(proc, folder, stderr, feed)


def take_ahead(project: Project) -> Ahead | None:
    """The worker started ahead for the project, if any, now the caller's to run."""
    return _AHEAD.pop(project.directory, None)


def stop_unused() -> None:
    """Stop every worker started ahead and not taken (a run that ended before its program)."""
    while _AHEAD:
        _, ahead = _AHEAD.popitem()
        os.close(ahead.feed)
        _stop_group(ahead.proc)
        ahead.stderr.close()
        ahead.folder.cleanup()


def run_worker(
    project: Project,
    request_path: Path,
    result_path: Path,
    timeout: float,
    while_running: Callable[[], None] | None = None,
    ahead: Ahead | None = None,
) -> tuple[int, str]:
    """Run the worker in its own process group (or hand the paths to the one started `ahead`);
    return its exit code and stderr. Only the worker's exit is waited for, never its pipes, so
    a child the program left running cannot hold the scan."""
    stderr_path = result_path.with_name("stderr.txt")
    with contextlib.ExitStack() as stack:
        if ahead is None:
            stderr = stack.enter_context(stderr_path.open("w+b"))
            proc = _spawn(project, [str(request_path), str(result_path)], stderr)
        else:
            stderr, proc = stack.enter_context(ahead.stderr), ahead.proc
        try:
            if ahead is not None:  # closed at once: the end of the pipe ends its reading
                try:
                    # A worker gone already (a broken pipe) is said by its exit code and stderr.
                    with contextlib.suppress(BrokenPipeError):
                        paths = [str(request_path), str(result_path)]
                        os.write(ahead.feed, json.dumps(paths).encode())
                finally:
                    os.close(ahead.feed)
            if while_running is not None:  # the caller's work that can go on beside the program
                while_running()
            finished = _exited(proc, timeout)
        finally:
            _stop_group(proc)
        if not finished:
            raise InputError(
                f"{project.main}: the program did not finish within {timeout:g} s (--timeout)"
            )
        stderr.seek(0)
        return proc.returncode, stderr.read().decode("utf-8", errors="replace")
