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

    monkeypatch.setattr(version, "_dist_info_version", lambda: None)
    monkeypatch.setattr(metadata, "version", not_installed)
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


def test_the_installed_version_is_read_from_the_first_dist_info_on_the_path(monkeypatch, tmp_path):
    """Read without importlib.metadata, the way it finds it: the first folder on sys.path
    that holds a hipaa_safeguard-*.dist-info, its METADATA's Version header."""
    first, second = tmp_path / "first", tmp_path / "second"
    for folder, number in ((first, "7.1.2"), (second, "0.0.1")):
        info = folder / f"hipaa_safeguard-{number}.dist-info"
        info.mkdir(parents=True)
        (info / "METADATA").write_text(
            f"Metadata-Version: 2.1\nName: hipaa-safeguard\nVersion: {number}\n\nVersion: 9\n"
        )
    (tmp_path / "none").mkdir()
    monkeypatch.setattr(sys, "path", [str(tmp_path / "missing"), str(tmp_path / "none"),
                                      str(first), str(second)])  # fmt: skip
    assert version._dist_info_version() == "7.1.2"
    monkeypatch.setattr(sys, "path", [str(tmp_path / "none")])
    assert version._dist_info_version() is None


def test_the_fast_read_agrees_with_importlib_metadata(monkeypatch):
    # The checkout holds the egg-info an editable install leaves; run from there ('' first on
    # the path, as `python -c` puts it), the fast read defers to importlib.metadata.
    if (REPO / "hipaa_safeguard.egg-info").is_dir():
        monkeypatch.setattr(sys, "path", [str(REPO), *sys.path])
        assert version._dist_info_version() is None
    away = [p for p in sys.path if p not in ("", ".", str(REPO)) and Path(p) != REPO]
    monkeypatch.setattr(sys, "path", away)
    with contextlib.suppress(metadata.PackageNotFoundError):
        assert version._dist_info_version() == metadata.version("hipaa-safeguard")
