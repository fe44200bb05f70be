"""The tool's version, written once: pyproject.toml's, as the installed distribution states it."""

from __future__ import annotations

import functools
import tomllib
from importlib import metadata
from pathlib import Path

TOOL_NAME = "hipaa-safeguard"
_PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"


@functools.cache
def tool_version() -> str:
    """The installed distribution's version; for a source tree used without installing it
    (on PYTHONPATH, or mutation testing's copy), the pyproject.toml beside its packages."""
    try:
        return metadata.version(TOOL_NAME)
    except metadata.PackageNotFoundError:
        pass
    try:
        return str(tomllib.loads(_PYPROJECT.read_text(encoding="utf-8"))["project"]["version"])
    except (OSError, tomllib.TOMLDecodeError, KeyError) as exc:
        raise RuntimeError(
            f"{TOOL_NAME} is neither installed nor beside its pyproject.toml ({exc})"
        ) from None
