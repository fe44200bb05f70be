"""The NIST SP 800-30 Rev. 1 risk matrix over its five qualitative levels (`checks.nist_scale`)."""

from __future__ import annotations

from collections.abc import Mapping

from checks.nist_scale import Level

__all__ = ["RISK_MATRIX", "Level", "risk_level"]


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
