"""NOT_EVALUATED table rows (tests/unit/test_not_evaluated_table.py) for the compute checks."""

from __future__ import annotations

from tests.unit.not_evaluated_sources import Row

ROWS: tuple[Row, ...] = ()
