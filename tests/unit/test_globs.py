"""`glob_match` answers as `fnmatchcase` does on every pattern, fast shapes or not."""

from __future__ import annotations

import random
from fnmatch import fnmatchcase

import pytest

from checks.support.globs import glob_match

_ALPHABET = "ab*?[]!/:-\n"


def _word(rng: random.Random, longest: int) -> str:
    return "".join(rng.choice(_ALPHABET) for _ in range(rng.randint(0, longest)))


def test_random_patterns_match_as_fnmatchcase_does():
    rng = random.Random(2026)
    for _ in range(20000):
        text, pattern = _word(rng, 6), _word(rng, 5)
        if rng.random() < 0.3:  # the fast shapes: a literal, or a literal with a closing star
            pattern = text[: rng.randint(0, len(text))] + rng.choice(("", "*"))
        assert glob_match(text, pattern) == fnmatchcase(text, pattern), (text, pattern)


@pytest.mark.parametrize(
    ("text", "pattern", "expected"),
    [
        ("arn:aws:s3:::docs", "arn:aws:s3:::docs", True),
        ("arn:aws:s3:::docs/*", "arn:aws:s3:::docs/*", True),
        ("arn:aws:s3:::docs/x", "arn:aws:s3:::docs/*", True),
        ("arn:aws:s3:::docs", "arn:aws:s3:::docs/*", False),
        ("arn:aws:s3:::docs/a\nb", "arn:aws:s3:::docs/*", True),  # `*` spans a line break
        ("arn:aws:s3:::DOCS", "arn:aws:s3:::docs", False),  # case counts
        ("x", "*", True),
        ("", "*", True),
        ("", "", True),
        ("a*b", "a*b", True),  # a star inside: fnmatchcase's own rules
        ("axxb", "a*b", True),
        ("a[b", "a[b", True),
    ],
)
def test_the_shapes_a_policy_uses(text, pattern, expected):
    assert glob_match(text, pattern) is expected is fnmatchcase(text, pattern)


@pytest.mark.parametrize(("text", "pattern"), [(1, "a"), ("a", 1), (None, "*"), ("a", None)])
def test_a_value_that_is_not_text_fails_as_fnmatchcase_does(text, pattern):
    with pytest.raises(TypeError):
        fnmatchcase(text, pattern)
    with pytest.raises(TypeError):
        glob_match(text, pattern)
