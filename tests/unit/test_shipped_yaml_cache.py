"""The package's own data files are parsed once per version of the file: a later run reads the
parse kept beside the bytecode (`__pycache__`), and gets exactly what parsing gives."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from checks import inputfiles
from checks.inputfiles import LineDict, load_shipped_yaml

REPO = Path(__file__).resolve().parents[2]
TEXT = "version: 1\nrules:\n  - id: a\n    tags: {x: 1}\n  - id: b\n"


def _entries(folder: Path) -> list[str]:
    cache = folder / "__pycache__"
    return sorted(p.name for p in cache.iterdir()) if cache.is_dir() else []


def _lines(value):
    """The value with each mapping's line beside it, so LineDicts compare line and all."""
    if isinstance(value, dict):
        return ({k: _lines(v) for k, v in value.items()}, getattr(value, "line", None))
    if isinstance(value, list):
        return [_lines(v) for v in value]
    return value


@pytest.mark.parametrize("lines", [False, True])
def test_a_cached_parse_is_the_parse(tmp_path, lines):
    path = tmp_path / "rules.yaml"
    path.write_text(TEXT)
    first = load_shipped_yaml(path, lines=lines)
    assert first == {"version": 1, "rules": [{"id": "a", "tags": {"x": 1}}, {"id": "b"}]}
    (entry,) = _entries(tmp_path)
    assert entry.startswith(f"rules.yaml.{'lines' if lines else 'plain'}.")
    again = load_shipped_yaml(path, lines=lines)
    assert _lines(again) == _lines(first)
    if lines:
        assert isinstance(again["rules"][1], LineDict) and again["rules"][1].line == 5


def test_the_cache_is_read_not_parsed_again(tmp_path, monkeypatch):
    path = tmp_path / "rules.yaml"
    path.write_text(TEXT)
    load_shipped_yaml(path)
    monkeypatch.setattr(inputfiles.yaml, "load", lambda *a, **k: pytest.fail("parsed again"))
    assert load_shipped_yaml(path)["version"] == 1


def test_a_changed_file_is_parsed_again(tmp_path):
    path = tmp_path / "rules.yaml"
    path.write_text(TEXT)
    load_shipped_yaml(path)
    path.write_text(TEXT.replace("version: 1", "version: 2"))
    assert load_shipped_yaml(path)["version"] == 2
    (entry,) = _entries(tmp_path)  # the earlier version's entry is gone
    load_shipped_yaml(path, lines=True)
    assert len(_entries(tmp_path)) == 2  # the plain and the line-numbered parse


def test_a_damaged_entry_is_parsed_again_and_rewritten(tmp_path):
    path = tmp_path / "rules.yaml"
    path.write_text(TEXT)
    load_shipped_yaml(path)
    (entry,) = (tmp_path / "__pycache__").iterdir()
    entry.write_bytes(b"\x80\x05 half a pickle")
    assert load_shipped_yaml(path)["rules"][0]["id"] == "a"
    assert pickle.loads(entry.read_bytes()[32:])["rules"][0]["id"] == "a"  # after its digest


def test_a_folder_that_cannot_be_written_means_no_cache(tmp_path):
    path = tmp_path / "rules.yaml"
    path.write_text(TEXT)
    (tmp_path / "__pycache__").write_text("a file where the cache folder would be")
    assert load_shipped_yaml(path)["version"] == 1
    assert load_shipped_yaml(path)["version"] == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["__pycache__", "rules.yaml"]


def test_a_parse_error_is_raised_and_nothing_is_kept(tmp_path):
    path = tmp_path / "rules.yaml"
    path.write_text("rules: [unclosed\n")
    with pytest.raises(inputfiles.yaml.YAMLError):
        load_shipped_yaml(path)
    assert _entries(tmp_path) == []


def test_the_shipped_controls_read_the_same_cached_or_not(tmp_path):
    copy = tmp_path / "controls.yaml"
    copy.write_bytes((REPO / "checks" / "controls.yaml").read_bytes())
    parsed = load_shipped_yaml(copy, lines=True)
    assert _lines(load_shipped_yaml(copy, lines=True)) == _lines(parsed)
