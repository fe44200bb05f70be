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
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from checks.errors import InputError
from checks.model import SECRET, UNKNOWN, Resource, canonical_type, withhold_ephi
from checks.sources.base import Collected
from checks.sources.pulumi_project import (
    Project,
    StackConfig,
    default_stack,
    load_config,
    load_project,
    program_commit,
)

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


def _value(raw: Any) -> Any:
    """Turn the worker's JSON markers back into model values."""
    if isinstance(raw, dict):
        if raw.get("__secret__") is True and len(raw) == 1:
            return SECRET
        if raw.get("__unknown__") is True and len(raw) == 1:
            return UNKNOWN
        return {k: _value(v) for k, v in raw.items()}
    if isinstance(raw, list):
        return [_value(v) for v in raw]
    return raw


def _redact_text(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        if len(secret) >= 4:
            text = text.replace(secret, "[secret]")
    return text


def _error_line(project: Project, stack: str, error: Mapping[str, Any], secrets: list[str]) -> str:
    kind = error.get("kind")
    if kind == "config_missing":
        key = error["key"]
        flag = "--secret" if error.get("secret") else "--config"
        return (
            f"{project.file}: the program needs configuration '{key}': pass {flag} {key}=VALUE "
            f"or set it in Pulumi.{stack}.yaml"
        )
    if kind == "internal_error":
        message = _redact_text(str(error.get("message", "")), secrets).strip().splitlines()
        return (
            f"{project.main}: internal error in the scanner's mocks ({error.get('where')}: "
            f"{error.get('type')}: {message[0] if message else ''}); please report it"
        )
    where = project.directory / error["where"] if error.get("where") else project.main
    if kind == "missing_import":
        return (
            f"{where}: the program imports '{error['module']}', which is not installed for "
            f"{sys.executable}; install the program's dependencies into this environment"
        )
    message = _redact_text(str(error.get("message", "")), secrets).strip().splitlines()
    first = message[0] if message else ""
    return f"{where}: the program raised {error.get('type', 'an error')}: {first}"


def scan_program(
    directory: Path,
    stack: str | None = None,
    overrides: Mapping[str, str] | None = None,
    secret_overrides: Mapping[str, str] | None = None,
    timeout: float = 900.0,
) -> ProgramScan:
    """Run the program under mocks and return what it declares."""
    project = load_project(directory)
    stack = stack or default_stack(project)
    config = load_config(project, stack, overrides, secret_overrides)
    region = config.values.get("aws:region") or DEFAULT_REGION
    request = {
        "project_dir": str(project.directory),
        "main": str(project.main),
        "project": project.name,
        "stack": stack,
        "config": config.values,
        "secret_keys": sorted(config.secret_keys),
        "secret_plaintexts": config.secret_plaintexts,
        "region": region,
        "account": MOCK_ACCOUNT,
    }
    with tempfile.TemporaryDirectory(prefix="safeguard-") as tmp:
        request_path, result_path = Path(tmp) / "request.json", Path(tmp) / "result.json"
        request_path.write_text(json.dumps(request), encoding="utf-8")
        try:
            proc = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "checks.sources.program_worker",
                    str(request_path),
                    str(result_path),
                ],
                capture_output=True,
                text=True,
                timeout=timeout,
                cwd=str(project.directory),
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise InputError(
                f"{project.main}: the program did not finish within {timeout:.0f}s"
            ) from None
        if not result_path.is_file():
            tail = _redact_text(proc.stderr, config.secret_plaintexts).strip().splitlines()
            detail = tail[-1] if tail else f"exit code {proc.returncode}"
            raise InputError(f"{project.main}: the program's worker stopped: {detail}")
        result = json.loads(result_path.read_text(encoding="utf-8"))
    if result.get("error"):
        raise InputError(_error_line(project, stack, result["error"], config.secret_plaintexts))
    return _to_scan(project, stack, config, region, result["resources"])


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
    except ValueError:
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
    help = "folder holding Pulumi.yaml (default: this repository's billing-system program)"

    @staticmethod
    def default_location() -> Path:
        return _REPOSITORY if (_REPOSITORY / "Pulumi.yaml").is_file() else Path.cwd()

    def collect(self, request: SourceRequest) -> Collected:
        program_dir = request.program_dir or self.default_location()
        stack = request.stack or default_stack(load_project(program_dir))
        request.progress(
            f"running the Pulumi program in {program_dir} under mocks (no cloud, no CLI)…"
        )
        scan = scan_program(program_dir, stack, request.config, request.secrets)
        provenance = {
            "kind": self.kind,
            "program_dir": str(program_dir),
            "project": scan.project.name,
            "stack": scan.stack,
            "stack_file": scan.config.file.name if scan.config.file else None,
            "region": scan.region,
            "account": f"{MOCK_ACCOUNT} (mocks)",
            "config_keys": sorted(scan.config.values),
            "secret_config_keys": sorted(scan.config.secret_keys),
            "commit": program_commit(program_dir),
        }
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
        )
