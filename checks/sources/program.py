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
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from checks.errors import InputError
from checks.model import SECRET, UNKNOWN, Resource, canonical_type, withhold_ephi
from checks.sources.base import DEFAULT_STACK, Collected

if TYPE_CHECKING:
    from checks.sources.registry import SourceRequest

DEFAULT_REGION = "us-east-1"
# The account the mocks answer for: AWS's documentation account, never a real one.
MOCK_ACCOUNT = "123456789012"
PROJECT_FILES = ("Pulumi.yaml", "Pulumi.yml")


@dataclass(frozen=True)
class Project:
    directory: Path
    file: Path
    name: str
    main: Path


@dataclass
class StackConfig:
    """Configuration for one run: values by full key, and which keys are secret."""

    values: dict[str, str] = field(default_factory=dict)
    secret_keys: set[str] = field(default_factory=set)
    secret_plaintexts: list[str] = field(default_factory=list)
    file: Path | None = None


def program_commit(directory: Path) -> dict[str, Any] | None:
    """The git commit the program was scanned at, and whether the work tree differed from it."""
    try:
        head = subprocess.run(
            ["git", "-C", str(directory), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
        if head.returncode != 0:
            return None
        dirty = subprocess.run(
            ["git", "-C", str(directory), "status", "--porcelain", "--", "."],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None  # no git here: the report says "not recorded"
    return {"sha": head.stdout.strip(), "uncommitted_changes": bool(dirty.stdout.strip())}


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


def _load_yaml(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{path}: cannot be read: {exc.strerror}") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        context, context_mark = getattr(exc, "context", None), getattr(exc, "context_mark", None)
        if (
            context
            and context_mark is not None
            and mark is not None
            and context_mark.line != mark.line
        ):
            problem += f" ({context} that starts on line {context_mark.line + 1})"
        raise InputError(f"{path}: {where}malformed YAML: {problem}") from None


def load_project(directory: Path) -> Project:
    if not directory.exists():
        raise InputError(f"{directory}: no such directory")
    if not directory.is_dir():
        raise InputError(f"{directory}: not a directory (give the folder holding Pulumi.yaml)")
    file = next((directory / n for n in PROJECT_FILES if (directory / n).is_file()), None)
    if file is None:
        raise InputError(f"{directory}: no Pulumi.yaml here, so this is not a Pulumi project")
    doc = _load_yaml(file)
    if not isinstance(doc, Mapping) or not isinstance(doc.get("name"), str):
        raise InputError(f"{file}: a Pulumi project file needs a 'name'")
    runtime = doc.get("runtime")
    runtime_name = runtime.get("name") if isinstance(runtime, Mapping) else runtime
    if runtime_name != "python":
        raise InputError(
            f"{file}: runtime is {runtime_name!r}; only Python programs can be scanned "
            "(scan a preview or state file for programs in other languages)"
        )
    main = (directory / str(doc.get("main") or ".")).resolve()
    if main.is_dir() and not (main / "__main__.py").is_file():
        raise InputError(f"{file}: the program folder {main} has no __main__.py")
    if not main.exists():
        raise InputError(f"{file}: main {doc.get('main')!r} does not exist")
    return Project(directory.resolve(), file, doc["name"], main)


def default_stack(project: Project) -> str:
    """The default stack when it has a stack file or nothing else does; else the only one's."""
    stacks = sorted(
        p.name[len("Pulumi.") : -len(".yaml")] for p in project.directory.glob("Pulumi.*.yaml")
    )
    if DEFAULT_STACK in stacks or len(stacks) != 1:
        return DEFAULT_STACK
    return stacks[0]


def _full_key(project: Project, key: str) -> str:
    return key if ":" in key else f"{project.name}:{key}"


def _config_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    return "" if value is None else str(value)


def _has_secure(value: Any) -> bool:
    if isinstance(value, Mapping):
        return "secure" in value or any(_has_secure(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_secure(v) for v in value)
    return False


def load_config(
    project: Project,
    stack: str,
    overrides: Mapping[str, str] | None = None,
    secret_overrides: Mapping[str, str] | None = None,
) -> StackConfig:
    config = StackConfig()
    path = project.directory / f"Pulumi.{stack}.yaml"
    if path.is_file():
        config.file = path
        doc = _load_yaml(path) or {}
        if not isinstance(doc, Mapping):
            raise InputError(f"{path}: expected a mapping with a 'config' key")
        block = doc.get("config") or {}
        if not isinstance(block, Mapping):
            raise InputError(f"{path}: 'config' must be a mapping of keys to values")
        for key, value in block.items():
            full = _full_key(project, str(key))
            if _has_secure(value):
                # Only the CLI can decrypt it: the program gets a placeholder, marked secret.
                placeholder = f"secret-placeholder-{full.replace(':', '-')}"
                config.values[full] = placeholder
                config.secret_keys.add(full)
                config.secret_plaintexts.append(placeholder)
            else:
                config.values[full] = _config_text(value)
    for key, value in (overrides or {}).items():
        config.values[_full_key(project, key)] = value
    for key, value in (secret_overrides or {}).items():
        full = _full_key(project, key)
        config.values[full] = value
        config.secret_keys.add(full)
        config.secret_plaintexts.append(value)
    return config


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
