"""A hostile pass over the 6 December cost cuts: the lazily built parser, the shipped-YAML
parse cache and the version read from the dist-info. Each test here failed when written."""

from __future__ import annotations

import contextlib
import io
import sys
import zipfile
from pathlib import Path

import pytest

from checks.inputfiles import load_shipped_yaml
from policies.version import _dist_info_version
from scripts.cli import build_parser

# -- scripts/cli.py: the parser built for the command argv names ------------------------------


def _said(parser, argv: list[str]) -> str:
    out, err = io.StringIO(), io.StringIO()
    with (
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(err),
        pytest.raises(SystemExit),
    ):
        parser.parse_args(argv)
    return out.getvalue() + err.getvalue()


def test_abbreviated_help_before_a_command_lists_every_command():
    # argparse takes `--hel` for `--help`; the lazy parser then sees `scan` as the command and
    # prints a top-level help whose command list holds only `scan`.
    argv = ["--hel", "scan"]
    lazy = _said(build_parser(argv), argv)
    assert "{scan,fix,audit,drift,nightly,demo,checks,framework,report,merge,history" in lazy
    assert lazy == _said(build_parser(None), argv)


def test_a_usage_error_after_a_command_shows_the_same_usage_as_the_whole_parser():
    argv = ["scan", "--no-such-option"]
    lazy = _said(build_parser(argv), argv)
    assert lazy.startswith("usage: safeguard [-h] [--version]\n                 {scan,fix,audit")
    assert lazy == _said(build_parser(None), argv)


# -- checks/inputfiles.py: the parse kept in __pycache__ --------------------------------------

_SHIPPED = "version: 1\nitems:\n  - {id: a, n: 1}\n  - {id: b, n: [1, 2]}\n"
_EXPECTED = {"version": 1, "items": [{"id": "a", "n": 1}, {"id": "b", "n": [1, 2]}]}


def test_a_damaged_cache_entry_is_parsed_again_never_served_or_raised(tmp_path):
    # One changed byte (a bad sector, a bad copy) must not give other data than the YAML holds
    # (a key renamed, a number changed), nor a TypeError/OverflowError/MemoryError traceback:
    # the docstring promises a damaged entry is parsed again.
    src = tmp_path / "table.yaml"
    src.write_text(_SHIPPED, encoding="utf-8")
    assert load_shipped_yaml(src, lines=True) == _EXPECTED
    (entry,) = (tmp_path / "__pycache__").iterdir()
    good = entry.read_bytes()
    wrong = []
    for i in range(len(good)):
        for flip in (0x01, 0x20):
            damaged = bytearray(good)
            damaged[i] ^= flip
            entry.write_bytes(bytes(damaged))
            try:
                got = load_shipped_yaml(src, lines=True)
            except Exception as exc:  # noqa: BLE001 - what escaped is what the test reports
                wrong.append((i, flip, type(exc).__name__))
                continue
            if got != _EXPECTED:
                wrong.append((i, flip, repr(got)[:60]))
    assert wrong == []


# -- policies/version.py: the dist-info read without importlib.metadata -----------------------


def _dist(folder: Path, version: str) -> Path:
    info = folder / f"hipaa_safeguard-{version}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: hipaa-safeguard\nVersion: {version}\n\n", encoding="utf-8"
    )
    return folder


def test_a_zipped_install_first_on_the_path_is_the_version_importlib_finds(tmp_path, monkeypatch):
    # A zipapp (shiv, pex, a zipped site) holds the running code; a stale site install lies
    # later on the path. importlib.metadata answers 2.0; the fast read skips the zip: 1.0.
    zipped = tmp_path / "app.pyz"
    with zipfile.ZipFile(zipped, "w") as zf:
        zf.writestr(
            "hipaa_safeguard-2.0.dist-info/METADATA",
            "Metadata-Version: 2.1\nName: hipaa-safeguard\nVersion: 2.0\n\n",
        )
    monkeypatch.setattr(sys, "path", [str(zipped), str(_dist(tmp_path / "site", "1.0"))])
    assert _dist_info_version() in (None, "2.0")


def test_an_egg_info_first_on_the_path_is_the_version_importlib_finds(tmp_path, monkeypatch):
    # `setup.py develop` / an old editable install leaves an .egg-info: importlib.metadata
    # takes it (3.0) before a later dist-info; the fast read reports the later one (1.0).
    egg = tmp_path / "src" / "hipaa_safeguard.egg-info"
    egg.mkdir(parents=True)
    (egg / "PKG-INFO").write_text(
        "Metadata-Version: 2.1\nName: hipaa-safeguard\nVersion: 3.0\n\n", encoding="utf-8"
    )
    monkeypatch.setattr(sys, "path", [str(tmp_path / "src"), str(_dist(tmp_path / "site", "1.0"))])
    assert _dist_info_version() in (None, "3.0")


def test_a_metadata_file_that_is_not_utf8_is_passed_over_not_raised(tmp_path, monkeypatch):
    # An OSError is passed over; a METADATA with a Latin-1 byte raises UnicodeDecodeError out
    # of tool_version(), which build_parser calls: every command then ends in a traceback.
    broken = tmp_path / "broken" / "hipaa_safeguard-4.0.dist-info"
    broken.mkdir(parents=True)
    (broken / "METADATA").write_bytes(b"Metadata-Version: 2.1\nSummary: caf\xe9\nVersion: 4.0\n\n")
    monkeypatch.setattr(sys, "path", [str(tmp_path / "broken"), str(_dist(tmp_path / "ok", "1.0"))])
    assert _dist_info_version() == "1.0"


# -- policies/fixes.py: parse_ahead, run on a thread while the program runs --------------------


def test_parse_ahead_from_a_removed_working_folder_raises_nothing(tmp_path, monkeypatch):
    # parse_ahead is a thread's target: whatever it raises is printed as "Exception in thread
    # parse-ahead: Traceback ...". ProgramFiles asks for the working folder, which a user can
    # have removed (a build folder wiped while the shell stays in it): FileNotFoundError.
    from policies.fixes import parse_ahead

    home = tmp_path / "prog"
    home.mkdir()
    (home / "__main__.py").write_text("import pulumi\n", encoding="utf-8")
    gone = tmp_path / "gone"
    gone.mkdir()
    monkeypatch.chdir(gone)
    gone.rmdir()
    assert parse_ahead(home) is None
