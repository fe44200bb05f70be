"""The tool's version, written once: pyproject.toml's, as the installed distribution states it."""

from __future__ import annotations

import functools
import os
import sys
from pathlib import Path

TOOL_NAME = "hipaa-safeguard"
_PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"


@functools.cache
def tool_version() -> str:
    """The installed distribution's version; for a source tree used without installing it
    (on PYTHONPATH, or mutation testing's copy), the pyproject.toml beside its packages."""
    found = _dist_info_version()
    if found:
        return found
    from importlib import metadata  # other layouts (an egg-info); costs more to import

    try:
        return metadata.version(TOOL_NAME)
    except (metadata.PackageNotFoundError, OSError, UnicodeDecodeError):
        pass  # not installed (a source tree, a mutation run's copy), or its METADATA unreadable
    import tomllib

    try:
        return str(tomllib.loads(_PYPROJECT.read_text(encoding="utf-8"))["project"]["version"])
    except (OSError, tomllib.TOMLDecodeError, KeyError) as exc:
        raise RuntimeError(
            f"{TOOL_NAME} is neither installed nor beside its pyproject.toml ({exc})"
        ) from None


def _dist_info_version() -> str | None:
    """The `Version:` of the first `hipaa_safeguard-*.dist-info` on sys.path, as
    importlib.metadata finds it, read without importing importlib.metadata (and the email
    parser it loads), which costs a small scan a tenth of its start-up. None where that module
    could find another kind of install first (a zip on the path, an egg-info): it is asked then.
    A METADATA that cannot be read is passed over."""
    stem = TOOL_NAME.replace("-", "_")
    for entry in sys.path:
        folder = entry or "."
        if os.path.isfile(folder):
            return None  # a zip (zipapp, pex, shiv): importlib.metadata reads inside those
        try:
            names = sorted(
                n
                for n in os.listdir(folder)
                if n.lower().startswith(stem) and n[len(stem) : len(stem) + 1] in ("-", ".")
            )
        except OSError:
            continue
        if any(n.endswith(".egg-info") for n in names):
            return None
        for name in names:
            if name.endswith(".dist-info"):
                found = _metadata_version(os.path.join(folder, name, "METADATA"))
                if found:
                    return found
    return None


def _metadata_version(path: str) -> str | None:
    try:
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("Version:"):
                    return line.split(":", 1)[1].strip()
                if not line.strip():
                    return None  # the headers end at the first blank line
    except (OSError, UnicodeDecodeError):
        return None  # unreadable: passed over
    return None
