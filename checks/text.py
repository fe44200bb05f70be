"""Text that is safe to show: no terminal escape sequences, no control characters.

A message can carry text from outside the tool: a program's exception, a resource name, a value
read from a preview or state file. Printed raw, an ANSI escape sequence clears or recolours the
terminal or rewrites a CI log, a carriage return hides what came before it on the line, a
backspace erases it, and a bidirectional override reorders what a reviewer reads. `safe_text` is
the one function every such message goes through before it reaches a terminal or a file.
"""

from __future__ import annotations

import re

__all__ = ["safe_text"]

# Whole escape sequences go, not only their ESC byte: a bare "[2J[31m" left behind is noise.
_ESCAPE_SEQUENCE = re.compile(
    r"""
      \x1b\[ [0-?]* [ -/]* [@-~]?                          # CSI: colours, cursor moves, erasing
    | \x1b[\]PX^_] [^\x00-\x1f\x7f-\x9f]* (?:\x07|\x1b\\|\x9c)?  # OSC (titles, links), DCS, APC...
    | \x1b [ -/]* [0-~]?                                   # every other escape sequence
    | \x9b [0-?]* [ -/]* [@-~]?                            # CSI in its 8-bit (C1) form
    | [\x90\x98\x9d\x9e\x9f] [^\x00-\x1f\x7f-\x9f]* (?:\x07|\x9c)?  # 8-bit OSC, DCS, APC...
    """,
    re.VERBOSE,
)
# C0 and C1 controls and DEL, but for tab and newline; the bidirectional embeddings, overrides
# and isolates ("Trojan Source") that make text read differently from what it is.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_LINE_BREAK = re.compile(r"\r\n|[\r\u2028\u2029]")
# Lone surrogates: how Python holds bytes of a file name that are not UTF-8. No UTF-8 file can
# hold them, so a report would fail to be written; each becomes U+FFFD.
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_BREAKS_IN_LINE = re.compile(r"[ \t]*[\n\t][ \t\n]*")
# Anything any of the above could act on: text without it is returned as it is (the common case).
_SUSPECT = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def safe_text(text: str, *, one_line: bool = False) -> str:
    """`text` without escape sequences or control characters, safe for a terminal or a file.

    Tabs and newlines stay (carriage returns and Unicode line separators become newlines);
    with `one_line`, every run of them becomes one space, for a message that must stay on its
    line (an error line, a progress line, a table cell). A lone surrogate (a file name's bytes
    that are not UTF-8) becomes U+FFFD. Idempotent, and the identity on printable text.
    """
    if text.isprintable() or not _SUSPECT.search(text):  # isprintable: C-fast, and enough
        return text
    text = _ESCAPE_SEQUENCE.sub("", text)
    text = _LINE_BREAK.sub("\n", text)
    text = _CONTROL.sub("", text)
    text = _SURROGATE.sub("\ufffd", text)
    if one_line:
        text = _BREAKS_IN_LINE.sub(" ", text)
    return text
