"""Deploy a Pulumi Python program into the emulator, with no Pulumi CLI and no AWS account.

    report = deploy(Path("."), "prod", emu.endpoint)

The program runs (as the scanner runs it: its Pulumi.yaml, its stack's configuration) in a
worker process whose Pulumi mocks create each resource in the emulator through boto3 and hand
the program back the real ids, ARNs and outputs. The report lists what was created, what was
not emulated and why, and the declared inputs no creator mapped; the caller decides what that
means. A resource AWS refuses stops the deploy with a `DeployError` naming it and the AWS error.
A demo and test harness: real deploys are `pulumi up`.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from checks.errors import InputError
from checks.sources.aws.emulator import CREDENTIALS
from checks.sources.pulumi_project import (
    SECRET_PLACEHOLDER,
    load_config,
    load_project,
    stack_name,
)
from checks.text import safe_text
from scripts.emulate.report import DeployReport, from_result
from scripts.emulate.values import redact

DEFAULT_REGION = "us-east-1"
DEFAULT_TIMEOUT = 300.0
# What the worker's environment must not carry into the emulated deploy: a real account's
# profile or endpoint configuration.
_DROPPED = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE")


class DeployError(InputError):
    """The emulated deploy stopped: a creator failed, or the program did. `report` holds what
    was done up to then (None when the worker left no result)."""

    def __init__(self, message: str, report: DeployReport | None = None) -> None:
        super().__init__(message)
        self.report = report


def _environment(endpoint: str, region: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _DROPPED}
    # Every client the worker makes goes to the emulator, even one a program made itself.
    env.update(CREDENTIALS, AWS_DEFAULT_REGION=region, AWS_ENDPOINT_URL=endpoint)
    return env


def _run_worker(
    cwd: Path, paths: tuple[Path, Path], env: dict[str, str], timeout: float, progress, secrets
) -> tuple[int, str]:
    """Run the worker in its own process group, forwarding its progress lines; return its exit
    code and stderr. Whatever the program left running is stopped with it."""
    stderr_path = paths[1].with_name("stderr.txt")
    command = [sys.executable, "-m", "scripts.emulate.worker", str(paths[0]), str(paths[1])]
    with stderr_path.open("w+b") as stderr:
        proc = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=stderr,
            cwd=str(cwd),
            env=env,
            start_new_session=True,
        )

        def forward() -> None:
            for raw in proc.stdout:  # type: ignore[union-attr]
                if progress is not None:
                    progress(safe_text(redact(raw.decode("utf-8", "replace").rstrip(), secrets)))

        reader = threading.Thread(target=forward, daemon=True)
        reader.start()
        try:
            code = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            code = None
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            reader.join(timeout=5)
        if code is None:
            raise DeployError(f"{cwd}: the emulated deploy did not finish within {timeout:g} s")
        stderr.seek(0)
        return code, stderr.read().decode("utf-8", errors="replace")


def _describe(error: Mapping[str, Any], where: str) -> str:
    kind = error.get("kind")
    if kind == "config_missing":
        return f"{where}: the program needs configuration '{error['key']}'"
    if kind == "missing_import":
        return f"{where}: the program imports '{error['module']}', which is not installed"
    if kind == "internal_error":
        detail = f"{error.get('where')}: {error.get('message')}"
        return f"{where}: internal error in the emulated deploy ({detail}); please report it"
    spot = f" at {error['where']}" if error.get("where") else ""
    return f"{where}: the program raised{spot}: {error.get('message')}"


def _check_default_tags(text: str | None) -> None:
    """`aws:defaultTags` is JSON: `{"tags": {"key": "value", ...}}`, as the provider reads it."""
    if not text:
        return
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        value = None
    if not isinstance(value, dict) or not isinstance(value.get("tags", {}), dict):
        raise DeployError('aws:defaultTags: expected JSON like {"tags": {"key": "value"}}')


def stack_region(program_dir: Path, stack: str) -> str:
    """The region the program's stack deploys to (its `aws:region`), as `deploy` reads it."""
    project = load_project(program_dir)
    values = load_config(project, stack_name(stack), None, None).values
    return values.get("aws:region") or DEFAULT_REGION


def deploy(
    program_dir: Path,
    stack: str,
    endpoint: str,
    *,
    config: Mapping[str, str] | None = None,
    secrets: Mapping[str, str] | None = None,
    progress: Callable[[str], None] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> DeployReport:
    """Stand the program's `stack` up in the emulator at `endpoint` (see the module doc)."""
    project = load_project(program_dir)
    stack = stack_name(stack)
    stack_config = load_config(project, stack, config, secrets)
    region = stack_config.values.get("aws:region") or DEFAULT_REGION
    _check_default_tags(stack_config.values.get("aws:defaultTags"))
    plaintexts = stack_config.secret_plaintexts
    request = {
        "project_dir": str(project.directory),
        "main": str(project.main),
        "project": project.name,
        "stack": stack,
        "config": stack_config.values,
        "secret_keys": sorted(stack_config.secret_keys),
        "secret_plaintexts": plaintexts,
        "region": region,
        "endpoint": endpoint,
    }
    where = f"{project.name}/{stack}"
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="safeguard-deploy-") as tmp:
        paths = (Path(tmp) / "request.json", Path(tmp) / "result.json")
        paths[0].write_text(json.dumps(request), encoding="utf-8")
        env = _environment(endpoint, region)
        code, stderr = _run_worker(project.directory, paths, env, timeout, progress, plaintexts)
        if not paths[1].is_file():
            tail = safe_text(redact(stderr, plaintexts)).strip().splitlines()
            detail = tail[-1] if tail else f"exit code {code}"
            raise DeployError(
                safe_text(f"{where}: the deploy worker stopped: {detail}", one_line=True)
            )
        result = json.loads(paths[1].read_text(encoding="utf-8"))
    report = from_result(
        result,
        project=project.name,
        stack=stack,
        endpoint=endpoint,
        region=region,
        seconds=time.monotonic() - started,
    )
    placeholders = [k for k, v in stack_config.values.items() if SECRET_PLACEHOLDER in v]
    if placeholders:
        report = _with_notes(report, [
            f"configuration {key} is encrypted (secure:), which only the Pulumi CLI can "
            "decrypt: the program got a placeholder (pass the value with secrets=)"
            for key in placeholders
        ])  # fmt: skip
    failure = result.get("failure")
    if failure:
        raise DeployError(
            safe_text(f"{where}: {failure['type']} {failure['name']} could not be created in "
                      f"the emulator: {failure['error']}", one_line=True),
            report,
        )  # fmt: skip
    if result.get("error"):
        raise DeployError(safe_text(_describe(result["error"], where), one_line=True), report)
    return report


def _with_notes(report: DeployReport, notes: list[str]) -> DeployReport:
    return replace(report, notes=(*report.notes, *notes))
