"""The NIST SP 800-30 Rev. 1 assessment scales: five qualitative levels and the risk matrix."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any


class Level(enum.IntEnum):
    """The five qualitative values of NIST SP 800-30 Rev. 1, Appendices G-I."""

    VERY_LOW = 0
    LOW = 1
    MODERATE = 2
    HIGH = 3
    VERY_HIGH = 4

    @property
    def label(self) -> str:
        return self.name.lower().replace("_", " ")

    @classmethod
    def parse(cls, text: Any) -> Level:
        if isinstance(text, Level):
            return text
        key = str(text).strip().upper().replace("-", "_").replace(" ", "_")
        try:
            return cls[key]
        except KeyError:
            names = ", ".join(level.label for level in cls)
            raise ValueError(f"unknown level {text!r} (expected one of: {names})") from None


_VL, _L, _M, _H, _VH = Level  # short names, so the table reads like the published one

# NIST SP 800-30 Rev. 1, Appendix I, Table I-2 (assessment scale: level of risk).
# Rows: likelihood (that a threat event occurs and results in adverse impact).
# Columns: level of impact, Very Low → Very High.
RISK_MATRIX: Mapping[Level, tuple[Level, Level, Level, Level, Level]] = {
    Level.VERY_HIGH: (_VL, _L, _M, _H, _VH),
    Level.HIGH: (_VL, _L, _M, _H, _VH),
    Level.MODERATE: (_VL, _L, _M, _M, _H),
    Level.LOW: (_VL, _L, _L, _L, _M),
    Level.VERY_LOW: (_VL, _VL, _VL, _L, _L),
}


def risk_level(likelihood: Level, impact: Level) -> Level:
    """The level of risk from Table I-2."""
    return RISK_MATRIX[likelihood][impact]
