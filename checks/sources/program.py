"""The `program` source: a Pulumi Python program run under mocks, before anything is deployed.

No Pulumi CLI, no credentials, no cloud: the program runs in a worker process under Pulumi's
unit-test mocks with the stack's configuration, and every resource it registers becomes a
`Resource` of the inventory — the intended state, as the program declares it.

`secure:` values of a stack file can only be decrypted by the CLI, so the program receives a
placeholder for them (marked secret). Secrets passed with `secret_overrides` reach the program
as their real value; neither ever appears in what this source returns.
"""

from __future__ import annotations

import json
import sys
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from checks.errors import InputError
from checks.model import (
    SECRET,
    UNKNOWN,
    MadeUp,
    Resource,
    Secret,
    canonical_type,
    secret_identity,
    withhold_ephi,
)
from checks.scope import SETTING as SCOPE_SETTING
from checks.sources.base import DEFAULT_TIMEOUT, PROGRAM_HELP, Collected
from checks.sources.program_process import run_worker, start_ahead, take_ahead
from checks.sources.program_unseen import unseen
from checks.sources.pulumi_project import (
    Project,
    StackConfig,
    default_stack,
    load_config,
    load_project,
    program_commit,
    stack_name,
    stack_names,
)
from checks.text import safe_text

if TYPE_CHECKING:
    from checks.sources.registry import SourceRequest

DEFAULT_REGION = "us-east-1"
# The account the mocks answer for: AWS's documentation account, never a real one.
MOCK_ACCOUNT = "123456789012"


@dataclass(frozen=True)
class ProgramScan:
    project: Project
    stack: str
    config: StackConfig
    region: str
    resources: tuple[Resource, ...]
    components: tuple[Resource, ...]
    providers: tuple[Resource, ...]
    reads: tuple[Resource, ...]
    # What the scan could not see (program_unseen): coverage gaps by type, and report entries.
    gaps: Mapping[str, str] = field(default_factory=dict)
    unseen: tuple[Mapping[str, Any], ...] = ()


def _value(raw: Any) -> Any:
    """Turn the worker's JSON markers back into model values."""
    if isinstance(raw, dict):
        if raw.get("__secret__") is True and set(raw) <= {"__secret__", "plaintext"}:
            return Secret(_value(raw["plaintext"])) if "plaintext" in raw else SECRET
        if raw.get("__unknown__") is True and len(raw) == 1:
            return UNKNOWN
        if set(raw) == {"__made_up__"}:
            return MadeUp(raw["__made_up__"])
        return {k: _value(v) for k, v in raw.items()}
    if isinstance(raw, list):
        return [_value(v) for v in raw]
    return raw


def _redact_text(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        if len(secret) >= 4:
            text = text.replace(secret, "[secret]")
    return text


def _first_line(text: str, secrets: list[str]) -> str:
    """The first line of a message from the program, scrubbed of secrets and control codes."""
    lines = safe_text(_redact_text(text, secrets)).strip().splitlines()
    return lines[0].strip() if lines else ""


def _error_line(project: Project, stack: str, error: Mapping[str, Any], secrets: list[str]) -> str:
    return safe_text(_describe_error(project, stack, error, secrets), one_line=True)


def _describe_error(
    project: Project, stack: str, error: Mapping[str, Any], secrets: list[str]
) -> str:
    kind = error.get("kind")
    if kind == "config_missing":
        key = error["key"]
        flag = "--secret" if error.get("secret") else "--config"
        return (
            f"{project.file}: the program needs configuration '{key}': pass {flag} {key}=VALUE "
            f"or set it in Pulumi.{stack}{project.file.suffix}"
        )
    if kind == "internal_error":
        message = _first_line(str(error.get("message", "")), secrets)
        return (
            f"{project.main}: internal error in the scanner's mocks ({error.get('where')}: "
            f"{error.get('type')}: {message}); please report it"
        )
    where = project.directory / error["where"] if error.get("where") else project.main
    if kind == "missing_import":
        return (
            f"{where}: the program imports '{error['module']}', which is not installed for "
            f"{sys.executable}; install the program's dependencies into this environment"
        )
    first = _first_line(str(error.get("message", "")), secrets)
    if kind == "not_emulated":
        return (
            f"{where}: the scanner could not emulate {error['what']}: the program raised "
            f"{error.get('type', 'an error')}: {first} on the value its mocks made up, which is "
            "not the program's error; scan this stack's `pulumi preview --json` with --preview "
            "FILE instead"
        )
    raised = f"{where}: the program raised {error.get('type', 'an error')}: {first}"
    if error.get("sdk"):
        return (
            f"{raised} (the installed {error['sdk']} has no such name or argument: the program "
            "is written for another version of it)"
        )
    return raised


def prestart(program_dir: Path | None) -> None:
    """Start the worker for the program in `program_dir` (the default program when None) now,
    so that its imports (Pulumi's own, a fifth of a second) overlap whatever the scan does
    before it runs the program; `scan_program` then hands it the request. A folder that is not
    a Pulumi project starts nothing (the scan says why, in its place)."""
    try:
        project = load_project(program_dir or ProgramSource.default_location())
    except InputError:
        return
    start_ahead(project)


def worker_request(project: Project, stack: str, config: StackConfig) -> dict[str, Any]:
    """What the worker (`checks.sources.program_worker`) is asked to run: the program, its
    stack and configuration, and the account and region the mocks answer for."""
    return {
        "project_dir": str(project.directory),
        "main": str(project.main),
        "project": project.name,
        "stack": stack,
        "config": config.values,
        "secret_keys": sorted(config.secret_keys),
        "secret_plaintexts": config.secret_plaintexts,
        "region": config.values.get("aws:region") or DEFAULT_REGION,
        "account": MOCK_ACCOUNT,
    }


def scan_program(
    directory: Path,
    stack: str | None = None,
    overrides: Mapping[str, str] | None = None,
    secret_overrides: Mapping[str, str] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    while_running: Callable[[], None] | None = None,
) -> ProgramScan:
    """Run the program under mocks and return what it declares. `while_running` is called
    once the program's process has started (work the caller can do beside it)."""
    project = load_project(directory)
    stack = stack_name(stack) if stack else default_stack(project)
    config = load_config(project, stack, overrides, secret_overrides)
    request = worker_request(project, stack, config)
    region = request["region"]
    ahead = take_ahead(project)
    folder = ahead.folder if ahead is not None else tempfile.TemporaryDirectory(prefix="safeguard-")
    with folder as tmp:
        request_path, result_path = Path(tmp) / "request.json", Path(tmp) / "result.json"
        request_path.write_text(json.dumps(request), encoding="utf-8")
        code, stderr = run_worker(project, request_path, result_path, timeout, while_running, ahead)
        if not result_path.is_file():
            tail = safe_text(_redact_text(stderr, config.secret_plaintexts)).strip().splitlines()
            ended = f"killed by signal {-code}" if code < 0 else f"exit code {code}"
            detail = tail[-1].strip() if tail else ended
            raise InputError(
                safe_text(f"{project.main}: the program's worker stopped: {detail}", one_line=True)
            )
        result = json.loads(result_path.read_text(encoding="utf-8"))
    if result.get("error"):
        raise InputError(_error_line(project, stack, result["error"], config.secret_plaintexts))
    scan = _to_scan(project, stack, config, region, result["resources"])
    hidden = result.get("unseen") or {}
    gaps, entries = unseen(
        (tuple(c) for c in hidden.get("components", ())), hidden.get("skipped_applies", ())
    )
    return replace(scan, gaps=gaps, unseen=tuple(entries))


def _from_cwd(prefix: str | None, position: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """Make a declaring file relative to where the scan runs (the repository, in CI), so code
    scanning can place findings; outside it, keep the path relative to the project."""
    if not position:
        return None
    file = str(position["file"])
    return {"file": f"{prefix}/{file}" if prefix else file, "line": position["line"]}


def _project_prefix(project: Project) -> str | None:
    """The project folder relative to the working directory ('' when they are the same)."""
    try:
        relative = project.directory.relative_to(Path.cwd().resolve()).as_posix()
    except (ValueError, FileNotFoundError):  # elsewhere, or the working folder was removed
        return None
    return "" if relative == "." else relative


def _to_scan(
    project: Project, stack: str, config: StackConfig, region: str, records: list
) -> ProgramScan:
    prefix = _project_prefix(project)
    groups: dict[str, list[Resource]] = {
        "resources": [],
        "components": [],
        "providers": [],
        "reads": [],
    }
    for rec in records:
        res = withhold_ephi(
            Resource(
                type=canonical_type(rec["type"]),
                name=rec["name"],
                props=_value(rec.get("props") or {}),
                urn=rec["urn"],
                id=rec.get("id"),
                arn=rec.get("arn"),
                region=rec.get("region"),
                account=rec.get("account"),
                source="program",
                parent=rec.get("parent"),
                position=_from_cwd(prefix, rec.get("position")),
            )
        )
        if rec["type"].startswith("pulumi:providers:"):
            groups["providers"].append(res)
        elif not rec.get("custom"):
            groups["components"].append(res)
        elif rec.get("read"):
            groups["reads"].append(res)
        else:
            groups["resources"].append(res)
    return ProgramScan(
        project=project,
        stack=stack,
        config=config,
        region=region,
        resources=tuple(groups["resources"]),
        components=tuple(groups["components"]),
        providers=tuple(groups["providers"]),
        reads=tuple(groups["reads"]),
    )


# The repository's own billing-system program, when this checkout holds one.
_REPOSITORY = Path(__file__).resolve().parents[2]


class ProgramSource:
    """A Pulumi Python program run under mocks: the intended state, no CLI, no cloud."""

    kind = "program"
    option = None
    help = PROGRAM_HELP

    @staticmethod
    def default_location() -> Path:
        return _REPOSITORY if (_REPOSITORY / "Pulumi.yaml").is_file() else Path.cwd()

    def collect(self, request: SourceRequest) -> Collected:
        program_dir = request.program_dir or self.default_location()
        project = load_project(program_dir)
        stack = stack_name(request.stack) if request.stack else default_stack(project)
        if not stack_names(project):
            request.progress(
                f"note: {project.directory} has no Pulumi.<stack>{project.file.suffix}: the "
                f"program runs as stack {stack} with no stack configuration (only --config and "
                "--secret values)"
            )
        request.progress(
            f"running the Pulumi program in {program_dir} under mocks (no cloud, no CLI)…"
        )
        scan = scan_program(
            program_dir,
            stack,
            request.config,
            request.secrets,
            timeout=request.timeout or DEFAULT_TIMEOUT,
            while_running=request.extra.get("while_running"),
        )
        provenance = {
            "kind": self.kind,
            "program_dir": str(program_dir),
            "project": scan.project.name,
            "stack": scan.stack,
            "stack_file": scan.config.file.name if scan.config.file else None,
            "region": scan.region,
            "account": f"{MOCK_ACCOUNT} (mocks)",
            "config_keys": sorted(scan.config.values),
            # The stack's own choice of scope (checks/scope.py), unless it is a secret.
            "scope_setting": None
            if SCOPE_SETTING in scan.config.secret_keys
            else scan.config.values.get(SCOPE_SETTING),
            "secret_config_keys": sorted(scan.config.secret_keys),
            "commit": program_commit(program_dir),
            "unseen": [dict(e) for e in scan.unseen],
        }
        for entry in scan.unseen:
            request.progress(f"note: not seen: {entry['what']}: {entry['why']}")
        graph = {
            "components": len(scan.components),
            "providers": len(scan.providers),
            "read_not_managed": len(scan.reads),
        }
        return Collected(
            kind=self.kind,
            resources=scan.resources,
            project=scan.project.name,
            stack=scan.stack,
            components=scan.components,
            providers=scan.providers,
            provenance=provenance,
            graph=graph,
            home=program_dir,
            gaps=scan.gaps,
            secrets=(
                *scan.config.secret_plaintexts,
                *(v for res in scan.resources for v in secret_identity(res)),
            ),
        )
