"""The version is written once (pyproject.toml) and read the same installed or not."""

from __future__ import annotations

import contextlib
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

from policies import version

REPO = Path(__file__).resolve().parents[2]


def test_the_one_version_is_pyprojects():
    written = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"]
    assert version.tool_version() == written
    # Installed, the distribution says the same (setup.sh installs it; mutation testing's
    # copy of the tree is not installed).
    with contextlib.suppress(metadata.PackageNotFoundError):
        assert metadata.version("hipaa-safeguard") == written


def test_a_source_tree_that_is_not_installed_reads_its_pyproject(monkeypatch):
    def not_installed(name):
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(version.metadata, "version", not_installed)
    version.tool_version.cache_clear()
    try:
        written = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"]
        assert version.tool_version() == written
    finally:
        version.tool_version.cache_clear()


def test_the_command_says_it():
    proc = subprocess.run(
        [sys.executable, "-m", "safeguard", "--version"], capture_output=True, text=True, check=True
    )
    assert proc.stdout.strip() == f"safeguard {version.tool_version()}"
