"""The README stays true: it lists every check the library has, and only those."""

from __future__ import annotations

import re
from pathlib import Path

from checks.library import build_registry

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_check_table_matches_the_library():
    rows = re.findall(r"^\| `([a-z0-9_]+)` \| (\w+) \| ([A-Z0-9-]+) \|", README.read_text(), re.M)
    listed = {check_id: (severity, control) for check_id, severity, control in rows}
    library = {c.id: (c.severity.label, c.control) for c in build_registry()}
    assert listed == library


def test_every_file_the_map_of_the_house_names_exists():
    text = README.read_text()
    house = text[text.index("### The map of the house") : text.index("### Working on it")]
    root = README.parent
    named = set(re.findall(r"`((?:checks|policies|reports|scripts|stacks|tests)/[\w/.]+)`", house))
    assert len(named) >= 6
    assert sorted(p for p in named if not (root / p).exists()) == []
    table = house[house.index("| folder |") :]
    for folder, module in re.findall(r"^\| `(\w+)/` \| (.*?) \|", table, re.M):
        for name in re.findall(r"`([\w/]+\.(?:py|yaml))`", module):
            assert (root / folder / name).exists(), f"{folder}/{name}"
