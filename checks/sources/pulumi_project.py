"""A Pulumi project folder as the CLI reads it: `Pulumi.yaml`, the stack files and the
configuration a run gives the program, without the CLI.

`secure:` values of a stack file can only be decrypted by the CLI, so they become a placeholder
marked secret; secrets passed on the command line are kept as plaintexts only so that every
output can be scrubbed of them.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from checks.errors import InputError
from checks.sources.base import DEFAULT_STACK

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
