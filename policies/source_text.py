"""Program text as the source editor (`policies.source_edit`) sees it: positions in lines and
character columns (`ast` counts UTF-8 bytes), the replacements an edit is made of, and what
is shown of an edit (the whole lines a GitHub suggestion replaces, a unified diff)."""

from __future__ import annotations

import ast
import difflib
import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate


@dataclass(frozen=True)
class Replacement:
    start_line: int
    start_column: int  # 1-based, in characters
    end_line: int
    end_column: int  # exclusive; an insertion has start == end
    text: str


# Python's own line ends (form feed and U+2028 are not line breaks to the parser).
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


class _Source:
    """The program text with its line starts, converting between `ast` positions (line, UTF-8
    byte column), character offsets in the text and (line, character column) pairs."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lines = _LINE.findall(text)
        self.newline = next((ln[len(ln.rstrip("\r\n")) :] for ln in self.lines), "\n") or "\n"
        self.starts = list(accumulate((len(ln) for ln in self.lines), initial=0))[:-1]

    def at(self, line: int, byte_col: int) -> int:
        prefix = self.lines[line - 1].encode("utf-8")[:byte_col]
        return self.starts[line - 1] + len(prefix.decode("utf-8"))

    def start(self, node: ast.AST) -> int:
        return self.at(node.lineno, node.col_offset)

    def end(self, node: ast.AST) -> int:
        return self.at(node.end_lineno, node.end_col_offset)

    def offset(self, line: int, col: int) -> int:
        """The offset of a 1-based (line, column); the line after the last ends the text."""
        if line == len(self.lines) + 1 and col == 1:
            return len(self.text)
        if not 1 <= line <= len(self.lines):
            raise ValueError(f"line {line} is outside the text ({len(self.lines)} lines)")
        if not 1 <= col <= len(self.content(line)) + 1:
            raise ValueError(f"column {col} is outside line {line}")
        return self.starts[line - 1] + col - 1

    def position(self, offset: int) -> tuple[int, int]:
        index = bisect_right(self.starts, offset) - 1
        if offset >= self.starts[index] + len(self.lines[index]):  # past the last line's end
            return index + 2, 1
        return index + 1, offset - self.starts[index] + 1

    def line_of(self, offset: int) -> int:
        return self.position(offset)[0]

    def content(self, line: int) -> str:
        return self.lines[line - 1].rstrip("\r\n")

    def eol(self, line: int) -> str:
        return self.lines[line - 1][len(self.content(line)) :] or self.newline

    def line_end(self, line: int) -> int:
        return self.starts[line - 1] + len(self.content(line))


@lru_cache(maxsize=16)
def source_of(text: str) -> _Source:
    """The text's positions, built once per text (a program's edits share them)."""
    return _Source(text)


def _spliced(text: str, edits: list[tuple[int, int, str]]) -> str:
    for s, e, t in sorted(edits, reverse=True):
        text = text[:s] + t + text[e:]
    return text


def apply(text: str, replacements: Sequence[Replacement]) -> str:
    """The text with the replacements made; they must not overlap (ValueError)."""
    src = source_of(text)
    spans = []
    for r in replacements:
        start, end = src.offset(r.start_line, r.start_column), src.offset(r.end_line, r.end_column)
        if end < start:
            raise ValueError(f"a replacement ends before it starts at line {r.start_line}")
        spans.append((start, end, r.text))
    spans.sort()
    for (s1, e1, _), (s2, e2, _) in zip(spans, spans[1:], strict=False):
        if s2 < e1 or (s1 == s2 and s1 == e1 == e2):
            raise ValueError(f"two replacements overlap at line {src.position(s2)[0]}")
    for start, end, new in reversed(spans):
        text = text[:start] + new + text[end:]
    return text


def changed_lines(text: str, replacements: Sequence[Replacement]) -> tuple[int, int, str]:
    """(first line, last line, the new text of exactly those whole lines, without the last
    line's end): what a GitHub suggestion block puts in place of those lines."""
    if not replacements:
        raise ValueError("no replacements: no lines change")
    src = source_of(text)
    first = min(r.start_line for r in replacements)
    last = max(r.end_line - (r.end_column == 1 and r.end_line > r.start_line) for r in replacements)
    seg_start = src.starts[first - 1]
    seg_end = max(src.line_end(last), *(src.offset(r.end_line, r.end_column) for r in replacements))
    after = apply(text, replacements)
    return first, last, after[seg_start : len(after) - (len(text) - seg_end)]


def unified_diff(label: str, before: str, after: str) -> str:
    """A unified diff from a/label to b/label that `git apply` and `patch -p1` take; empty when
    nothing changes."""
    lines = []
    for line in difflib.unified_diff(
        _diff_lines(before), _diff_lines(after), f"a/{label}", f"b/{label}"
    ):
        lines.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(lines)


def _diff_lines(text: str) -> list[str]:
    return re.findall(r"[^\n]*\n|[^\n]+\Z", text)
