"""Shell-style wildcard matching (`fnmatch.fnmatchcase`), fast on the shapes policies use most."""

from __future__ import annotations

from fnmatch import fnmatchcase


def glob_match(text: str, pattern: str) -> bool:
    """`fnmatchcase(text, pattern)`. A pattern with no wildcard is compared as text and one whose
    only wildcard is a closing `*` as a prefix, so the many one-off patterns of a large inventory
    (each bucket's `arn:aws:s3:::name/*`) do not each compile a regular expression; anything
    else, a value that is not text included, goes to `fnmatchcase` itself."""
    if type(text) is str and type(pattern) is str and "?" not in pattern and "[" not in pattern:
        star = pattern.find("*")
        if star < 0:
            return text == pattern
        if star == len(pattern) - 1:
            return text.startswith(pattern[:-1])
    return fnmatchcase(text, pattern)
