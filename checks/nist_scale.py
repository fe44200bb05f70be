"""The five qualitative levels of NIST SP 800-30 Rev. 1 (Appendices G-I), for likelihood,
impact and risk. The control data rates likelihood in these words; the assessment rates risks."""

from __future__ import annotations

import enum
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
