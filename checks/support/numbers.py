"""Numbers a check compares against a floor (days of retention, capacity units): sources give
them as numbers or as their text."""

from __future__ import annotations

from typing import Any

from checks.model import Undecidable


def whole_number(value: Any, what: str) -> int:
    """`value` as an int; Undecidable when it is not one (a check never guesses a number)."""
    if isinstance(value, bool):
        raise Undecidable(f"{what} is not a number ({value!r})")
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Undecidable(f"{what} is not a number ({value!r})") from None
