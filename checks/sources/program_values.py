"""What the program worker makes of the values a program hands the engine.

- A secret becomes a marker carrying its plaintext (the scanner judges on it, reports never
  show it), unless it is built from a placeholder of a value only the Pulumi CLI can decrypt.
- A resource object passed where an id is expected becomes the id it stands for.
- A string the mocks made up (a data source's answer, an output nobody declared) becomes a
  made-up marker wherever a program uses it: it never decides a check.

Runs inside the worker process (`checks.sources.program_worker`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from checks.model import is_secret_property
from checks.sources.pulumi_project import SECRET_PLACEHOLDER

SECRET_MARKER = {"__secret__": True}
UNKNOWN_MARKER = {"__unknown__": True}

_ROOT_PREFIX = "pulumi:pulumi:Stack$"


def engine_urn(urn: str) -> str:
    """The URN the real engine would give: it leaves the root stack out of qualified types."""
    parts = urn.split("::", 3)
    if len(parts) == 4 and parts[2].startswith(_ROOT_PREFIX):
        parts[2] = parts[2][len(_ROOT_PREFIX) :]
    return "::".join(parts)


def is_secret(value: Any) -> bool:
    from pulumi.runtime import rpc

    return rpc.is_rpc_secret(value)


def seal(value: Any) -> Any:
    """Make an input JSON-safe: a secret becomes a marker that carries its plaintext (the
    scanner judges on it and never shows it), unless the plaintext is a placeholder for a
    value only the Pulumi CLI can decrypt; a resource passed where an id is expected becomes
    the id it stands for."""
    import pulumi
    from pulumi.runtime import rpc

    if is_secret(value):
        inner = seal(rpc.unwrap_rpc_secret(value))
        if any(SECRET_PLACEHOLDER in text for text in _strings(inner)):
            return SECRET_MARKER
        return {**SECRET_MARKER, "plaintext": inner}
    if value is rpc.UNKNOWN:
        return UNKNOWN_MARKER
    if isinstance(value, Mapping):
        return {str(k): seal(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [seal(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, pulumi.Resource):
        return reference(value)
    return {"__object__": type(value).__name__}


def _resolved(output: Any) -> Any:
    """The value of an Output the program run has resolved (UNKNOWN when it has not)."""
    from pulumi.runtime import rpc

    data = getattr(output, "_data", None)
    if data is None or not data.done() or data.cancelled() or data.exception() is not None:
        return rpc.UNKNOWN
    state = data.result()
    return state.value if state.is_known else rpc.UNKNOWN


def reference(resource: Any) -> Any:
    """What a resource object passed as an input stands for: a custom resource's id (as the
    engine sends it), a component's URN."""
    import pulumi
    from pulumi.runtime import rpc

    ident = _resolved(resource.id) if isinstance(resource, pulumi.CustomResource) else None
    if isinstance(ident, str) and ident and ident != rpc.UNKNOWN:
        return ident
    urn = _resolved(resource.urn)
    return engine_urn(urn) if isinstance(urn, str) and urn != rpc.UNKNOWN else UNKNOWN_MARKER


def _strings(value: Any):
    """Every string inside a JSON-like value."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _strings(item)


def redact(value: Any, plaintexts: tuple[str, ...], key: str = "") -> Any:
    """Mark as secret what carries a secret's plaintext or is sensitive by its name. The mark
    keeps the plaintext when the user supplied it (or the program declared it): a check judges
    on it, no report shows it."""
    if isinstance(value, dict):
        if value.get("__secret__") is True:
            return value
        return {k: redact(v, plaintexts, k) for k, v in value.items()}
    if isinstance(value, list):
        return [redact(v, plaintexts, key) for v in value]
    if isinstance(value, str):
        if SECRET_PLACEHOLDER in value:
            return SECRET_MARKER
        if any(p in value for p in plaintexts) or (is_secret_property(key) and value):
            return {**SECRET_MARKER, "plaintext": value}
    return value


_REFERENCE_SUFFIXES = ("id", "ids", "arn", "arns")


def _keyed_strings(value: Any, key: str = ""):
    """Every string inside a JSON-like value, with the key it sits under."""
    if isinstance(value, str):
        yield key, value
    elif isinstance(value, Mapping):
        for k, item in value.items():
            yield from _keyed_strings(item, str(k))
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _keyed_strings(item, key)


class MadeUp:
    """The strings the mocks made up (data source results, outputs nobody declared), so an
    input built from one is marked as such: it never decides a check."""

    # Shorter made-up strings are too common to trace inside other strings.
    TRACEABLE = 6

    def __init__(self) -> None:
        self.exact: set[str] = set()
        self.traced: set[str] = set()  # from data sources: traced inside derived strings too
        self.identities: set[str] = set()  # ids, ARNs, names: references, not made-up values

    def add(self, made: Any, declared: Any, *, trace: bool, references: bool = False) -> None:
        """Remember the strings of `made` the program did not give itself (`declared`). With
        `references`, ids and ARNs are left out: a resource's invented ids name things that
        will exist (a VPC's default route table), unlike a data source's, which name whatever
        the mocks guessed."""
        given = set(_strings(declared))
        for key, text in _keyed_strings(made):
            if references and key.lower().endswith(_REFERENCE_SUFFIXES):
                continue
            if text not in given and len(text) >= self.TRACEABLE:
                self.exact.add(text)
                if trace:
                    self.traced.add(text)

    def freeze(self, frame: set[str]) -> None:
        self.exact -= self.identities | frame
        self.traced -= self.identities | frame

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


_REFERENCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e"
_SIG_KEY = "4dabf18193072939515e22adb298388d"


def references_to_ids(struct: Any) -> None:
    """Replace, in place, every resource reference of a request (a resource object the program
    passed where an id is expected) by the id it stands for, or the URN of a component, as the
    engine would when the provider does not take references. Left as references, the mock
    monitor would rehydrate them on its own thread, where they never resolve."""
    for value in list(struct.fields.values()):
        _value_references_to_ids(value)


def _value_references_to_ids(value: Any) -> None:
    kind = value.WhichOneof("kind")
    if kind == "struct_value":
        fields = value.struct_value.fields
        if _SIG_KEY in fields and fields[_SIG_KEY].string_value == _REFERENCE_SIG:
            ident = fields["id"].string_value if "id" in fields else ""
            urn = fields["urn"].string_value if "urn" in fields else ""
            value.string_value = ident or engine_urn(urn)
            return
        for item in list(fields.values()):
            _value_references_to_ids(item)
    elif kind == "list_value":
        for item in value.list_value.values:
            _value_references_to_ids(item)
