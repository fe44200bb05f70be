"""How checks shape the evidence they report."""

from __future__ import annotations

from typing import Any


def one(values: list[Any]) -> Any:
    """Evidence shape: None for nothing, the value for one, the list for several."""
    return None if not values else values[0] if len(values) == 1 else values
