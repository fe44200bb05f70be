"""What the scanner's mocks made up while a program ran, and where each value came from.

The mocks invent what no program declares: a data source's answer, an output nobody set. Such a
value never decides a check (`mark` turns it into a made-up marker wherever the program used it),
and when the program stops on one (decodes a token, indexes a map), the failure is the scanner's
emulation, not the program: `origin_of` names the value's origin for that one-line message.

Runs inside the worker process (`checks.sources.program_worker`).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterator, Mapping
from typing import Any

from checks.sources.pulumi_schema import camel_to_snake

_REFERENCE_SUFFIXES = ("id", "ids", "arn", "arns")
# How far `origin_of` looks inside a value, and how many items it reads at most.
_DEPTH = 4
_ITEMS = 500


def _strings(value: Any) -> Iterator[str]:
    """Every string inside a JSON-like value."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _strings(item)


def _keyed_strings(value: Any, key: str = "") -> Iterator[tuple[str, str]]:
    """Every string inside a JSON-like value, with the key it sits under."""
    if isinstance(value, str):
        yield key, value
    elif isinstance(value, Mapping):
        for k, item in value.items():
            yield from _keyed_strings(item, str(k))
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _keyed_strings(item, key)


def _decoded_parts(text: str) -> list[str]:
    """What a made-up base64 token decodes to, and its `user:password` halves: a program that
    decodes one derives made-up values from it too."""
    if len(text) < 8 or len(text) % 4:
        return []
    try:
        plain = base64.b64decode(text, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return []
    return [plain, *plain.split(":")] if plain.isprintable() else []


def _is_result(value: Any) -> bool:
    """Whether `value` is a data source's result object (a Pulumi output type, not a dict)."""
    from pulumi import _types

    return _types.is_output_type(type(value)) and hasattr(value, "__dict__")


def invoke_name(token: str) -> str:
    """`aws:ecr/getAuthorizationToken:getAuthorizationToken` → aws.ecr.get_authorization_token."""
    parts = token.split(":")
    if len(parts) != 3:
        return token
    module = parts[1].split("/")[0]
    path = parts[0] if module in ("index", "") else f"{parts[0]}.{module}"
    return f"{path}.{camel_to_snake(parts[2])}"


class MadeUp:
    """The strings the mocks made up (data source results, outputs nobody declared), so an
    input built from one is marked as such: it never decides a check."""

    # Shorter made-up strings are too common to trace inside other strings.
    TRACEABLE = 6

    def __init__(self) -> None:
        self.exact: set[str] = set()
        self.traced: set[str] = set()  # from data sources: traced inside derived strings too
        self.identities: set[str] = set()  # ids, ARNs, names: references, not made-up values
        # Where each made-up value came from (identities too: they are made up all the same).
        self.origins: dict[str, str] = {}
        self.containers: list[tuple[Any, str]] = []

    def add(
        self,
        made: Mapping[str, Any],
        declared: Mapping[str, Any],
        *,
        trace: bool,
        origin: str,
        references: bool = False,
    ) -> None:
        """Remember the values of `made` the program did not give itself (`declared`). With
        `references`, ids and ARNs are left out: a resource's invented ids name things that
        will exist (a VPC's default route table), unlike a data source's, which name whatever
        the mocks guessed. `origin` says whose answer `made` is, for an error message."""
        given = set(_strings(declared))
        for name, value in made.items():
            where = f"`{camel_to_snake(name)}` of {origin}"
            if name not in declared and isinstance(value, (dict, list)):
                self.containers.append((value, where))
            for key, text in _keyed_strings(value, name):
                if text in given or len(text) < self.TRACEABLE:
                    continue
                for part in (text, *_decoded_parts(text)):
                    self.origins.setdefault(part, where)
                if references and key.lower().endswith(_REFERENCE_SUFFIXES):
                    continue
                self.exact.add(text)
                if trace:
                    self.traced.add(text)
                    self.traced.update(p for p in _decoded_parts(text) if len(p) >= self.TRACEABLE)

    def identify(self, names: dict[str, object], declared: Mapping[str, Any], origin: str) -> None:
        """Remember a resource's invented id, name and ARN (`names`: what → value): references
        to what will exist, not made-up values, though a program that fails on one fails on
        the scanner's invention."""
        given = set(_strings(declared))
        for what, value in names.items():
            if isinstance(value, str):
                self.identities.add(value)
                if value not in given:
                    self.origins.setdefault(value, f"the {what} of {origin}")

    def freeze(self, frame: set[str]) -> None:
        self.exact -= self.identities | frame
        self.traced -= self.identities | frame
        for text in frame:
            self.origins.pop(text, None)

    def mark(self, value: Any) -> Any:
        if isinstance(value, dict):
            if value.get("__secret__") is True:
                return value
            return {k: self.mark(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.mark(v) for v in value]
        if isinstance(value, str) and (value in self.exact or any(t in value for t in self.traced)):
            return {"__made_up__": value}
        return value

    def origin_of(self, value: Any, *, empty: bool = False) -> str | None:
        """Where the made-up value inside `value` came from, or None when it holds none. An
        empty map or list counts only with `empty` (the program indexed into it)."""
        budget = [_ITEMS]
        return self._origin(value, empty, 0, budget)

    def _origin(self, value: Any, empty: bool, depth: int, budget: list[int]) -> str | None:
        budget[0] -= 1
        if budget[0] < 0 or depth > _DEPTH:
            return None
        if isinstance(value, str):
            found = self.origins.get(value)
            if found is None and len(value) >= self.TRACEABLE:
                found = next((self.origins[t] for t in self.traced if t in value), None)
            return found
        if isinstance(value, (dict, list, tuple)):
            if value or empty:
                same = next((where for made, where in self.containers if made == value), None)
                if same is not None:
                    return same
            items = value.values() if isinstance(value, dict) else value
        elif _is_result(value):
            items = vars(value).values()  # a data source's result object
        else:
            return None
        for item in items:
            found = self._origin(item, False, depth + 1, budget)
            if found is not None:
                return found
        return None
