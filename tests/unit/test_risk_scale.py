"""The NIST SP 800-30 Rev. 1 scale: its five levels and the Table I-2 risk matrix."""

from __future__ import annotations

import pytest

from policies.risk_scale import Level, risk_level

# NIST SP 800-30 Rev. 1, Table I-2, transcribed from the project's report spec:
# rows = likelihood, columns = impact (Very Low, Low, Moderate, High, Very High).
TABLE_I2 = {
    "very high": ["very low", "low", "moderate", "high", "very high"],
    "high": ["very low", "low", "moderate", "high", "very high"],
    "moderate": ["very low", "low", "moderate", "moderate", "high"],
    "low": ["very low", "low", "low", "low", "moderate"],
    "very low": ["very low", "very low", "very low", "low", "low"],
}
IMPACTS = ["very low", "low", "moderate", "high", "very high"]
CELLS = [
    (likelihood, impact, TABLE_I2[likelihood][i])
    for likelihood in TABLE_I2
    for i, impact in enumerate(IMPACTS)
]


@pytest.mark.parametrize(("likelihood", "impact", "expected"), CELLS)
def test_risk_level_is_table_i2(likelihood, impact, expected):
    assert risk_level(Level.parse(likelihood), Level.parse(impact)).label == expected


def test_all_25_cells_are_covered():
    assert len(CELLS) == 25
    assert len({(l_, i) for l_, i, _ in CELLS}) == 25


def test_the_table_is_not_multiplication():
    # moderate × very high is High, but very high × moderate is only Moderate
    assert risk_level(Level.MODERATE, Level.VERY_HIGH) is Level.HIGH
    assert risk_level(Level.VERY_HIGH, Level.MODERATE) is Level.MODERATE


@pytest.mark.parametrize("text", ["very high", "Very High", "VERY_HIGH", "very-high"])
def test_levels_parse_as_people_write_them(text):
    assert Level.parse(text) is Level.VERY_HIGH


def test_an_unknown_level_is_rejected():
    with pytest.raises(ValueError, match="unknown level 'severe'"):
        Level.parse("severe")
