"""The smallest edit that sets inputs (`pulumi_aws` snake_case paths, possibly nested, with list
indices) on the resource call starting at a given line of a Pulumi Python program, in the
author's layout: a literal is replaced in place, an absent input is added as the call already
lays out its arguments, nested inputs go into the dict or `...Args(...)` already there. What the
source does not state as a literal (a variable, a config lookup, `**kwargs`) is never guessed at:
`NotEditable` says where to set it. Columns are 1-based characters; `ast` counts UTF-8 bytes.
"""

from __future__ import annotations

import ast
import json
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from policies.source_text import (
    Replacement,
    _Source,
    _spliced,
    apply,
    changed_lines,
    source_of,
    unified_diff,
)

__all__ = [
    "NotEditable",
    "Replacement",
    "apply",
    "changed_lines",
    "edit_call",
    "literal",
    "unified_diff",
]

Path = tuple[str | int, ...]


class NotEditable(Exception):
    """The source does not state the input as a literal at the declaration; the message (one
    line) says what is there and where to set the value instead."""


@dataclass(frozen=True)
class _Leaf:
    value: Any


_SHOWN = 40


def literal(value: Any) -> str:
    """Python source for a JSON-able value: strings in double quotes, dict keys too."""
    if (
        value is None
        or isinstance(value, bool | int)
        or (isinstance(value, float) and math.isfinite(value))
    ):
        return repr(value)
    if isinstance(value, str):
        return '"' + "".join(_char(c) for c in value) + '"'
    if isinstance(value, list | tuple):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        return "{" + ", ".join(f"{literal(k)}: {literal(v)}" for k, v in value.items()) + "}"
    raise ValueError(f"{value!r} is not a JSON value")


def _char(c: str) -> str:
    if c in '"\\':
        return "\\" + c
    return c if c.isprintable() else repr(c)[1:-1]


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _shown(path: Path) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def _same(a: Any, b: Any) -> bool:
    try:
        return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)
    except (TypeError, ValueError):
        return False


def _plan(changes: Sequence[tuple[Path, Any]]) -> dict:
    """The changes as a tree keyed by path part; a dict value is set key by key."""
    root: dict = {}
    for path, value in changes:
        path = tuple(path)
        if not path or not isinstance(path[0], str):
            raise ValueError(f"a change's path starts with an input name: {path!r}")
        if not all(isinstance(p, str) or type(p) is int and p >= 0 for p in path):
            raise ValueError(f"a path holds names and list indices only: {path!r}")
        _put(root, path, value)
    return root


def _put(plan: dict, path: Path, value: Any) -> None:
    if isinstance(value, dict) and value and all(isinstance(k, str) for k in value):
        for key, inner in value.items():
            _put(plan, (*path, key), inner)
        return
    literal(value)  # refuses what has no literal, before anything is edited
    node = plan
    for depth, key in enumerate(path):
        if node and isinstance(next(iter(node)), int) != isinstance(key, int):
            raise ValueError(f"{_shown(path[:depth])} is changed both as a list and as a map")
        if depth == len(path) - 1:
            break
        node = node.setdefault(key, {})
        if isinstance(node, _Leaf):
            raise ValueError(f"{_shown(path[: depth + 1])} is changed both whole and in part")
    old = node.get(path[-1])
    if isinstance(old, dict) or (isinstance(old, _Leaf) and not _same(old.value, value)):
        raise ValueError(f"{_shown(path)} is changed twice")
    node[path[-1]] = _Leaf(value)


def _callee(func: ast.expr, aliases: dict[str, str]) -> str | None:
    if isinstance(func, ast.Attribute):
        return func.attr
    return aliases.get(func.id, func.id) if isinstance(func, ast.Name) else None


def _is_args(node: ast.expr) -> bool:
    """An inputs object written out at the call: `...Args(...)`, `dict(...)` or a dict literal."""
    if isinstance(node, ast.Dict):
        return True
    name = _callee(node.func, {}) if isinstance(node, ast.Call) else None
    return name is not None and (name.endswith("Args") or name == "dict")


@dataclass(frozen=True)
class _Entry:
    name: str | None  # the keyword or string key; None for positional arguments
    start: int
    end: int
    value: ast.expr
    spread: bool  # `**mapping`


class _Editor:
    def __init__(self, src: _Source, file: str, redact: Callable[[str], str]) -> None:
        self.src = src
        self.file = file
        self.redact = redact
        self.edits: list[tuple[int, int, str]] = []

    def where(self, node: ast.AST) -> str:
        return f"{self.file}:{node.lineno}" if self.file else f"line {node.lineno}"

    def code(self, node: ast.AST) -> str:
        # Redacted whole, then shortened: a secret cut in two would no longer be recognised.
        text = self.redact(" ".join((ast.get_source_segment(self.src.text, node) or "").split()))
        return text if len(text) <= _SHOWN else text[: _SHOWN - 3] + "..."

    def entries(self, container: ast.Call | ast.Dict) -> list[_Entry]:
        src = self.src
        if isinstance(container, ast.Call):
            out = [_Entry(None, src.start(a), src.end(a), a, False) for a in container.args]
            for kw in container.keywords:
                out.append(_Entry(kw.arg, src.start(kw), src.end(kw), kw.value, kw.arg is None))
        else:
            out = []
            for key, value in zip(container.keys, container.values, strict=True):
                name = getattr(key, "value", None)  # a string key, or None for `**mapping`
                name = name if isinstance(name, str) else None
                out.append(_Entry(name, src.start(key or value), src.end(value), value, not key))
        return sorted(out, key=lambda e: e.start)

    def edit(self, container: ast.Call | ast.Dict, plan: dict, path: Path) -> None:
        entries = self.entries(container)
        keys = [e.name for e in entries if e.name]
        camel = (
            isinstance(container, ast.Dict)
            and not any("_" in k for k in keys)
            and any(k != k.lower() for k in keys)
        )
        new = []
        for key, sub in plan.items():
            here = (*path, key)
            found = [e for e in entries if e.name in (key, _camel(key))]
            if found:
                self.set(found[-1].value, sub, here, camel)
                continue
            spread = next((e for e in entries if e.spread), None)
            if spread is not None:
                raise NotEditable(
                    f"{_shown(here)} is not set and the inputs come through "
                    f"**{self.code(spread.value)} at {self.where(spread.value)}: set it there"
                )
            value = self.build(sub, camel, here, container)
            is_dict = isinstance(container, ast.Dict)
            new.append(
                f"{literal(_camel(key) if camel else key)}: {value}"
                if is_dict
                else f"{key}={value}"
            )
        if new:
            self.insert(container, entries, new)

    def set(self, node: ast.expr, sub: dict | _Leaf, path: Path, camel: bool) -> None:
        if isinstance(sub, _Leaf):
            try:
                current = ast.literal_eval(node)
            except (ValueError, TypeError, SyntaxError):
                raise self.computed(node, path) from None
            if not _same(current, sub.value):
                self.edits.append((self.src.start(node), self.src.end(node), literal(sub.value)))
            return
        if isinstance(node, ast.Constant) and node.value is None:
            built = self.build(sub, camel, path, node)
            self.edits.append((self.src.start(node), self.src.end(node), built))
        elif isinstance(next(iter(sub)), int) and isinstance(node, ast.List | ast.Tuple):
            for index, inner in sub.items():
                before = node.elts[: index + 1]
                if index >= len(node.elts) or any(isinstance(e, ast.Starred) for e in before):
                    raise NotEditable(
                        f"{_shown((*path, index))} is not in the list at {self.where(node)}: "
                        f"there is no element {index} to change"
                    )
                self.set(node.elts[index], inner, (*path, index), camel)
        elif _is_args(node) and not isinstance(next(iter(sub)), int):
            self.edit(node, sub, path)
        else:
            raise self.computed(node, path)

    def computed(self, node: ast.expr, path: Path) -> NotEditable:
        if isinstance(node, ast.Name):
            return NotEditable(
                f"{_shown(path)} is set from the variable {node.id} at {self.where(node)}: "
                f"change it where {node.id} is set (other code may use it)"
            )
        return NotEditable(
            f"{_shown(path)} is computed ({self.code(node)}) at {self.where(node)}: "
            "set it where it is computed"
        )

    def build(self, sub: dict | _Leaf, camel: bool, path: Path, at: ast.AST) -> str:
        if isinstance(sub, _Leaf):
            return literal(sub.value)
        first = next(iter(sub))
        if isinstance(first, int):
            raise NotEditable(
                f"{_shown(path)} is not set at {self.where(at)}: "
                f"there is no element {first} to change"
            )
        parts = []
        for key, inner in sub.items():
            name = _camel(key) if camel else key
            parts.append(f"{literal(name)}: {self.build(inner, camel, (*path, key), at)}")
        return "{" + ", ".join(parts) + "}"

    def insert(self, container: ast.Call | ast.Dict, entries: list[_Entry], new: list[str]) -> None:
        src = self.src
        close = src.end(container) - 1  # the closing bracket
        if not entries:
            self.edits.append((close, close, ", ".join(new)))
            return
        last = max(entries, key=lambda e: e.end)
        comma, value_end = _after(src.text, last.end, close)
        if src.line_of(last.start) == container.lineno:  # all on the call's first line
            if comma is None:
                self.edits.append((value_end, value_end, ", " + ", ".join(new)))
            else:
                self.edits.append((comma + 1, comma + 1, " " + ", ".join(new) + ","))
            return
        line = src.line_of(last.start)
        indent = re.match(r"[ \t]*", src.content(line)).group()
        eol = src.eol(line)
        if comma is not None:
            comma_line = src.line_of(comma)
            if comma_line == src.line_of(close):
                self.edits.append(
                    (comma + 1, comma + 1, "".join(eol + indent + t + "," for t in new))
                )
            else:
                at = src.starts[comma_line]  # the start of the next line
                self.edits.append((at, at, "".join(indent + t + "," + eol for t in new)))
            return
        lines = eol + indent + ("," + eol + indent).join(new)
        value_line = src.line_of(value_end)
        if src.text[value_end : src.line_end(value_line)].lstrip().startswith("#"):
            end = src.line_end(value_line)  # keep the comment on its line
            self.edits += [(value_end, value_end, ","), (end, end, lines)]
        else:
            self.edits.append((value_end, value_end, "," + lines))


def _after(text: str, start: int, close: int) -> tuple[int | None, int]:
    """Between the last entry and the closing bracket: the trailing comma's offset, if any, and
    where the entry ends once the parentheses around its value are closed."""
    between = re.sub(r"#[^\r\n]*", lambda m: " " * len(m.group()), text[start:close])
    comma = between.find(",")
    paren = between.rfind(")", 0, comma if comma >= 0 else len(between))
    return (start + comma if comma >= 0 else None), start + paren + 1


@dataclass(frozen=True)
class _Parsed:
    """One program text, parsed once however many of its resources are edited."""

    src: _Source
    problem: str | None  # why it does not parse
    aliases: dict[str, str]
    calls: dict[int, list[ast.Call]]  # by the line each call starts on
    # By the line its callee's name ends on: `aws.sqs.\` then `Queue(...)` on the next line is
    # reported on the second line, where the call does not start.
    named_on: dict[int, list[ast.Call]]


def parse_ahead(text: str) -> None:
    """Parse `text` now, for an `edit_call` on it later: the parse is kept by text."""
    _parsed(text)


def forget_parses() -> None:
    """Drop the kept parses. A large program's syntax trees, left to the end, cost the
    interpreter a third of a second to tear down on exit (at 4,000 resources); dropped here,
    a fiftieth."""
    _parsed.cache_clear()


@lru_cache(maxsize=16)
def _parsed(text: str) -> _Parsed:
    try:
        tree = ast.parse(text)
    except SyntaxError as exc:
        return _Parsed(source_of(text), exc.msg, {}, {}, {})
    aliases: dict[str, str] = {}
    calls: dict[int, list[ast.Call]] = {}
    named_on: dict[int, list[ast.Call]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            aliases.update((a.asname, a.name) for a in node.names if a.asname)
        elif isinstance(node, ast.Call):
            calls.setdefault(node.lineno, []).append(node)
            if node.func.end_lineno != node.lineno:
                named_on.setdefault(node.func.end_lineno, []).append(node)
    return _Parsed(source_of(text), None, aliases, calls, named_on)


def _find_call(parsed: _Parsed, line: int, class_name: str, where: str) -> ast.Call:
    calls = parsed.calls.get(line, ())
    named = [c for c in calls if _callee(c.func, parsed.aliases) == class_name]
    if not named:
        calls = parsed.named_on.get(line, ())
        named = [c for c in calls if _callee(c.func, parsed.aliases) == class_name]
    if len(named) > 1:
        raise NotEditable(
            f"{len(named)} calls of {class_name} start at {where}: cannot tell which one "
            "declares the resource"
        )
    if not named:
        raise NotEditable(f"no call of {class_name} starts at {where}")
    return named[0]


def _inputs(call: ast.Call, class_name: str, where: str, code) -> ast.Call | ast.Dict:
    """Where the call's inputs are written: its own keywords or its args object."""
    candidates = [a for a in call.args if isinstance(a, ast.Starred)]
    candidates += [kw.value for kw in call.keywords if kw.arg == "args"]
    for second in call.args[1:2]:  # the args object, or the options
        if not (isinstance(second, ast.Call) and _callee(second.func, {}) == "ResourceOptions"):
            candidates.append(second)
    for node in candidates:
        if _is_args(node):
            return node
        raise NotEditable(
            f"the inputs of {class_name} at {where} come through {code(node)}: set them there"
        )
    return call


def edit_call(
    text: str,
    line: int,
    class_name: str,
    changes: Sequence[tuple[Path, Any]],
    *,
    file: str = "",
    redact: Callable[[str], str] = str,
) -> list[Replacement]:
    """The replacements that set each (path, value) on the `class_name(...)` call starting at
    `line`. `file` names the program file in NotEditable messages, and `redact` scrubs the
    program text they quote (secrets). Inputs the source already states with the wanted value
    need no replacement; when none needs one, NotEditable says so."""
    plan = _plan(changes)
    where = f"{file}:{line}" if file else f"line {line}"
    parsed = _parsed(text)
    if parsed.problem:
        raise NotEditable(f"{file or 'the program'} does not parse ({parsed.problem})")
    editor = _Editor(parsed.src, file, redact)
    call = _find_call(parsed, line, class_name, where)
    if not plan:
        return []
    editor.edit(_inputs(call, class_name, where, editor.code), plan, ())
    if not editor.edits:
        names = ", ".join(_shown((k,)) for k in plan)
        raise NotEditable(
            f"the source already sets {names} as wanted at {where}: the resource gets its values "
            "from elsewhere (a transformation, a default?)"
        )
    src = editor.src
    out = [Replacement(*src.position(s), *src.position(e), t) for s, e, t in sorted(editor.edits)]
    try:
        _still_parses(src, call, sorted(editor.edits))
    except SyntaxError as exc:
        raise NotEditable(
            f"the edit at {where} would not parse ({exc.msg}): change it by hand"
        ) from None
    return out


def _still_parses(src: _Source, call: ast.Call, edits: list[tuple[int, int, str]]) -> None:
    """SyntaxError unless the text with `edits` made parses. Edits inside the call are checked
    on the call alone (in parentheses, so its indentation does not matter): a program of
    thousands of resources is not parsed again for each one."""
    start, end = src.start(call), src.end(call)
    if not all(start <= s and e <= end for s, e, _ in edits):
        ast.parse(_spliced(src.text, edits))
        return
    segment = _spliced(src.text[start:end], [(s - start, e - start, t) for s, e, t in edits])
    ast.parse("(\n" + segment + "\n)", mode="eval")
