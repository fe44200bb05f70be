"""The README stays true: it lists every check the library has, and only those."""

from __future__ import annotations

import re
from pathlib import Path

from checks.registry import build_registry

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_check_table_matches_the_library():
    rows = re.findall(r"^\| `([a-z0-9_]+)` \| (\w+) \| ([A-Z0-9-]+) \|", README.read_text(), re.M)
    listed = {check_id: (severity, control) for check_id, severity, control in rows}
    library = {c.id: (c.severity.label, c.control) for c in build_registry()}
    assert listed == library
