"""Input-level fixes: which inputs of a resource to set, and to what, so a failing check passes.

The knowledge is data, in `fixes.yaml` beside this module (its header documents the rule
vocabulary). The table is read and validated on first use; a malformed table raises one
`FixTableError` naming the file and the rule. Whether its check ids are real checks of the
library, and its types types those checks read, is proved by tests/unit/test_fixes_table.py
rather than here: loading the table stays free of the check library.

`input_fix(check_id, type_, props)` applies the table to a resource's props (as the inventory
holds them: pulumi_aws Python names) and returns the concrete changes.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from checks.inputfiles import kind_of, shipped_table
from checks.values import MadeUp, Secret, Unread, is_special, is_unknown

FIXES_FILE = Path(__file__).with_name("fixes.yaml")
VERSION = 1

_CHECK_ID = re.compile(r"^[a-z0-9]+(_[a-z0-9]+)+$")
_TYPE = re.compile(r"^aws:[a-z][A-Za-z0-9]*/[a-z][A-Za-z0-9]*:[A-Z][A-Za-z0-9]*$")
_PATH = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$")
_KINDS = ("equals", "at_least", "within")
_RULE_KEYS = frozenset({*_KINDS, "path", "reason", "set", "ok", "when", "unless", "if_present"})
_EACH_KEYS = frozenset({"each", "where", "rules"})
_SCALARS = (bool, int, float, str)

Path_ = tuple[str, ...]
# (path, the values that match there); None among the values stands for "unset".
Condition = tuple[tuple[Path_, tuple[Any, ...]], ...]


class FixTableError(Exception):
    """The fix table's data file is malformed."""


@dataclass(frozen=True)
class InputChange:
    """One input to set: where, to what, what it holds now, and what the new value buys."""

    path: tuple[str | int, ...]
    value: Any
    before: Any
    reason: str


@dataclass(frozen=True)
class InputRule:
    """One input and its secure value (the vocabulary is documented in fixes.yaml)."""

    path: Path_
    reason: str
    kind: str  # one of _KINDS
    value: Any  # what is set: `equals`, the `at_least` floor, or `within`'s `set`
    low: int | None = None  # the range `at_least` / `within` accepts
    high: int | None = None
    ok: tuple[Any, ...] = ()
    when: Condition = ()
    unless: Condition = ()
    if_present: Path_ | None = None


@dataclass(frozen=True)
class EachRule:
    """Rules applied inside every element of a list of blocks (those `where` picks)."""

    each: Path_
    rules: tuple[InputRule, ...]
    where: Condition = ()


Rule = InputRule | EachRule
FixTable = Mapping[str, Mapping[str, tuple[Rule, ...]]]


# -- loading ---------------------------------------------------------------------------------


def _path(value: Any, what: str) -> Path_:
    if not isinstance(value, str) or not _PATH.match(value):
        raise ValueError(f"{what} must be a dotted snake_case input name, found {value!r}")
    return tuple(value.split("."))


def _scalar_list(value: Any, what: str) -> tuple[Any, ...]:
    if not isinstance(value, list) or not value:
        raise ValueError(f"{what} must be a non-empty list of values")
    if bad := [v for v in value if v is not None and not isinstance(v, _SCALARS)]:
        raise ValueError(f"{what} holds {kind_of(bad[0])}: only plain values and null")
    return tuple(value)


def _condition(value: Any, what: str) -> Condition:
    if value is None:
        return ()
    if not isinstance(value, Mapping) or not value:
        raise ValueError(f"{what} must map input names to lists of values")
    return tuple((_path(p, what), _scalar_list(v, f"{what} {p}")) for p, v in value.items())


def _whole(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{what} must be a whole number, found {value!r}")
    return value


def _input_rule(entry: Mapping[str, Any]) -> InputRule:
    if unknown := sorted(set(entry) - _RULE_KEYS):
        raise ValueError(f"unknown keys {unknown}")
    kinds = [k for k in _KINDS if k in entry]
    if len(kinds) != 1:
        raise ValueError("needs exactly one of equals, at_least and within")
    kind = kinds[0]
    reason = entry.get("reason")
    if not isinstance(reason, str) or not reason.strip():
        raise ValueError("reason must say what the secure value buys")
    if ("set" in entry) != (kind == "within"):
        raise ValueError("set goes with within, and only with it")
    low = high = None
    if kind == "equals":
        value = entry["equals"]
        if not isinstance(value, _SCALARS):
            raise ValueError(f"equals must be a plain value, found {kind_of(value)}")
    elif kind == "at_least":
        value = low = _whole(entry["at_least"], "at_least")
    else:
        bounds = entry["within"]
        if not isinstance(bounds, list) or len(bounds) != 2:
            raise ValueError("within must be [lowest, highest]")
        low, high = _whole(bounds[0], "within"), _whole(bounds[1], "within")
        value = _whole(entry["set"], "set")
        if not low <= value <= high:
            raise ValueError(f"set {value} is outside within [{low}, {high}]")
    return InputRule(
        path=_path(entry.get("path"), "path"),
        reason=" ".join(reason.split()),
        kind=kind,
        value=value,
        low=low,
        high=high,
        ok=_scalar_list(entry["ok"], "ok") if "ok" in entry else (),
        when=_condition(entry.get("when"), "when"),
        unless=_condition(entry.get("unless"), "unless"),
        if_present=_path(entry["if_present"], "if_present") if "if_present" in entry else None,
    )


def _rule(entry: Any) -> Rule:
    if not isinstance(entry, Mapping):
        raise ValueError(f"expected a mapping, found {kind_of(entry)}")
    if "each" not in entry:
        return _input_rule(entry)
    if unknown := sorted(set(entry) - _EACH_KEYS):
        raise ValueError(f"unknown keys {unknown} (an each rule has each, where and rules)")
    inner = entry.get("rules")
    if not isinstance(inner, list) or not inner:
        raise ValueError("rules must be a non-empty list")
    rules = []
    for n, item in enumerate(inner, start=1):
        try:
            if not isinstance(item, Mapping) or "each" in item:
                raise ValueError("expected a rule for one input")
            rules.append(_input_rule(item))
        except ValueError as exc:
            raise ValueError(f"each {entry['each']}, rule {n}: {exc}") from None
    return EachRule(
        _path(entry["each"], "each"), tuple(rules), _condition(entry.get("where"), "where")
    )


def _rules(check_id: Any, type_: Any, entries: Any) -> tuple[Rule, ...]:
    if not isinstance(check_id, str) or not _CHECK_ID.match(check_id):
        raise ValueError("the check id must be snake_case")
    if not isinstance(type_, str) or not _TYPE.match(type_):
        raise ValueError("expected a Pulumi AWS type token (aws:module/name:Name)")
    if not isinstance(entries, list) or not entries:
        raise ValueError("expected a non-empty list of rules")
    rules = []
    for n, entry in enumerate(entries, start=1):
        try:
            rules.append(_rule(entry))
        except ValueError as exc:
            raise ValueError(f"rule {n}: {exc}") from None
    return tuple(rules)


def load_fix_table(path: Path = FIXES_FILE) -> FixTable:
    """The fix table in `path`, validated: FixTableError naming the file and the rule."""
    doc = shipped_table(path, FixTableError, "fixes", Mapping, "mapping")
    if doc.get("version") != VERSION:
        raise FixTableError(f"{path}: version must be {VERSION}")
    table: dict[str, dict[str, tuple[Rule, ...]]] = {}
    for check_id, by_type in doc["fixes"].items():
        if not isinstance(by_type, Mapping) or not by_type:
            raise FixTableError(f"{path}: {check_id}: expected a mapping of resource types")
        for type_, entries in by_type.items():
            try:
                table.setdefault(check_id, {})[type_] = _rules(check_id, type_, entries)
            except ValueError as exc:
                raise FixTableError(f"{path}: {check_id} on {type_}: {exc}") from None
    return table


@functools.cache
def fix_table() -> FixTable:
    """The shipped table, read once."""
    return load_fix_table()


def fixable(table: FixTable | None = None) -> dict[str, frozenset[str]]:
    """Check id -> the resource types the table has an input-level fix for."""
    table = fix_table() if table is None else table
    return {check_id: frozenset(by_type) for check_id, by_type in table.items()}


# -- applying --------------------------------------------------------------------------------


class _Unseen(Exception):
    """A value a rule reads cannot be seen (secret, unknown, made up) or has a shape the table
    does not describe: the rule decides nothing."""


def _hidden(value: Any) -> bool:
    return is_unknown(value) or isinstance(value, (Secret, MadeUp, Unread))


def _get(scope: Any, path: Path_, *, deep: bool = True) -> Any:
    """The value at `path` (None when unset); `deep`: the value is compared, so nothing inside
    it may be hidden either (a block only looked into may hide its other fields)."""
    node = scope
    for part in path:
        if _hidden(node):
            raise _Unseen
        if node is None:
            return None
        if not isinstance(node, Mapping):
            raise _Unseen
        node = node.get(part)
    if is_special(node) if deep else _hidden(node):
        raise _Unseen
    return node


def _number(value: Any) -> int:
    """A number as the hardening transform reads one (`int()`): a non-number decides nothing."""
    if isinstance(value, bool):
        raise _Unseen
    try:
        return int(value)
    except (TypeError, ValueError, OverflowError):
        raise _Unseen from None


def _same(current: Any, expected: Any) -> bool:
    """Booleans and null only as themselves, numbers as numbers, the rest as it is."""
    if isinstance(expected, bool) or isinstance(current, bool) or None in (current, expected):
        return current is expected
    if isinstance(expected, (int, float)):
        try:
            return _number(current) == expected
        except _Unseen:
            return False
    return current == expected


def _one_of(current: Any, values: Sequence[Any]) -> bool:
    return any(_same(current, v) for v in values)


def _holds(scope: Any, condition: Condition) -> bool:
    return all(_one_of(_get(scope, p), values) for p, values in condition)


def _satisfied(rule: InputRule, current: Any) -> bool:
    if _one_of(current, rule.ok):
        return True
    if rule.kind == "equals":
        return _same(current, rule.value)
    if current is None:
        return False
    number = _number(current)
    return number >= rule.low and (rule.high is None or number <= rule.high)


def _input_changes(rule: InputRule, scope: Any, at: tuple[str | int, ...]) -> list[InputChange]:
    try:
        if rule.if_present is not None and _get(scope, rule.if_present, deep=False) is None:
            return []
        if not _holds(scope, rule.when):
            return []
        if any(_one_of(_get(scope, p), values) for p, values in rule.unless):
            return []
        current = _get(scope, rule.path)
        if _satisfied(rule, current):
            return []
    except _Unseen:
        return []
    return [InputChange((*at, *rule.path), rule.value, current, rule.reason)]


def _each_changes(rule: EachRule, props: Mapping[str, Any]) -> list[InputChange]:
    try:
        items = _get(props, rule.each, deep=False)
    except _Unseen:
        return []
    if not isinstance(items, (list, tuple)):
        return []
    changes: list[InputChange] = []
    for index, item in enumerate(items):
        if not isinstance(item, Mapping):
            continue  # hidden, or not a block: nothing to set inside it
        try:
            if not _holds(item, rule.where):
                continue
        except _Unseen:
            continue
        for inner in rule.rules:
            changes += _input_changes(inner, item, (*rule.each, index))
    return changes


def input_fix(
    check_id: str, type_: str, props: Mapping[str, Any], *, table: FixTable | None = None
) -> list[InputChange] | None:
    """The input changes that fix `check_id` on a resource of type `type_` with these props.

    None: the table knows no input-level fix for this check on this type. []: it knows one, but
    nothing in these inputs needs changing (the check fails on something else, e.g. a missing
    customer-managed key), so the fix needs another resource or a judgement.

    A rule never decides on a value it cannot see: when an input it reads (the one it would set,
    one its conditions look at, the block it goes into) is a secret, unknown until deploy, made
    up by the scanner's mocks or could not be read, that rule proposes nothing, and the others
    go on. A secret is not decided on even when its plaintext is known: the change would carry
    it as `before`, and the secret's expression in the program is for its author to change.
    """
    rules = (fix_table() if table is None else table).get(check_id, {}).get(type_)
    if rules is None:
        return None
    changes: list[InputChange] = []
    for rule in rules:
        if isinstance(rule, EachRule):
            changes += _each_changes(rule, props)
        else:
            changes += _input_changes(rule, props, ())
    return changes
