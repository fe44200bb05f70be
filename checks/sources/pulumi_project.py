"""A Pulumi project folder as the CLI reads it: `Pulumi.yaml`, the stack files and the
configuration a run gives the program, without the CLI.

`secure:` values of a stack file can only be decrypted by the CLI, so they become a placeholder
marked secret; secrets passed on the command line are kept as plaintexts only so that every
output can be scrubbed of them.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from checks.errors import InputError
from checks.inputfiles import load_yaml
from checks.sources.base import DEFAULT_STACK

PROJECT_FILES = ("Pulumi.yaml", "Pulumi.yml")
# What the program receives for a `secure:` value only the CLI can decrypt: a secret whose
# plaintext nobody knows, so nothing built from it can decide a check.
SECRET_PLACEHOLDER = "secret-placeholder-"


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
    """A Pulumi project or stack file, read as the Pulumi CLI reads it (`checks.inputfiles`)."""
    return load_yaml(path, pulumi=True)


def load_project(directory: Path) -> Project:
    try:
        return _load_project(directory)
    except OSError as exc:  # a name too long, a folder it may not read, ...
        why = exc.strerror or exc
        raise InputError(f"{directory}: cannot read the program folder: {why}") from None


def _load_project(directory: Path) -> Project:
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


# A stack's own name, as `pulumi stack init` accepts it; `org/project/name` names it fully.
_STACK_NAME = re.compile(r"[A-Za-z0-9_.-]+")


def stack_name(given: str) -> str:
    """The stack's own name (`acme/billing/dev` → `dev`, as the CLI names its stack file)."""
    parts = given.split("/")
    if len(parts) > 3 or not all(_STACK_NAME.fullmatch(p) and p not in (".", "..") for p in parts):
        raise InputError(
            f"--stack {given!r}: not a stack name (letters, digits, '-', '_' and '.', "
            "optionally after org/project/)"
        )
    return parts[-1]


def _stack_path(project: Project, stack: str) -> Path:
    # The CLI names stack files after the project file: Pulumi.yml keeps Pulumi.<stack>.yml.
    return project.directory / f"Pulumi.{stack}{project.file.suffix}"


def stack_names(project: Project) -> list[str]:
    """The stacks that have a configuration file beside the project file, sorted."""
    suffix = project.file.suffix
    return sorted(
        name
        for p in project.directory.glob(f"Pulumi.*{suffix}")
        if p.is_file() and (name := p.name[len("Pulumi.") : -len(suffix)])
    )


def default_stack(project: Project) -> str:
    """The default stack when it has a stack file or nothing else does; else the only one's."""
    stacks = stack_names(project)
    if DEFAULT_STACK in stacks or len(stacks) != 1:
        return DEFAULT_STACK
    return stacks[0]


def stack_file(project: Project, stack: str) -> Path | None:
    """The stack's configuration file, or None when the project has no stack file at all (a
    stack with no configuration: the program runs with none). A stack with no file while others
    have one is most likely a mistyped name, never a silent run with no configuration."""
    path = _stack_path(project, stack)
    if path.is_file():
        return path
    others = stack_names(project)
    if not others:
        return None
    raise InputError(
        f"{path}: no such stack file, so there is no stack {stack!r} to scan; the stacks "
        f"here are {', '.join(others)} (choose one with --stack; an empty {path.name} scans a "
        "stack with no configuration)"
    )


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
    path = stack_file(project, stack)
    if path is not None:
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
                placeholder = f"{SECRET_PLACEHOLDER}{full.replace(':', '-')}"
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
