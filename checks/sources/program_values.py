"""What the program worker makes of the values a program hands the engine.

- A secret becomes a marker carrying its plaintext (the scanner judges on it, reports never
  show it), unless it is built from a placeholder of a value only the Pulumi CLI can decrypt.
- A resource object passed where an id is expected becomes the id it stands for.
- A value the program left unknown until deploy (a stack reference's output, a component's
  output) becomes an unknown marker: it never decides a check.

Runs inside the worker process (`checks.sources.program_worker`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from checks.model import is_secret_property
from checks.sources.pulumi_project import SECRET_PLACEHOLDER

SECRET_MARKER = {"__secret__": True}
UNKNOWN_MARKER = {"__unknown__": True}
# What an unknown input becomes on its way to the mocks (the engine's own marker would be read as
# "absent"): a value known only once deployed, as from a stack reference's outputs.
UNKNOWN_INPUT = "3f5c1a9e-safeguard-unknown-until-deploy"

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
        if any(SECRET_PLACEHOLDER in text for text in _strings(inner)) or is_unknown(inner):
            return SECRET_MARKER
        return {**SECRET_MARKER, "plaintext": inner}
    if value is rpc.UNKNOWN or (isinstance(value, str) and UNKNOWN_INPUT in value):
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


def is_unknown(value: Any) -> bool:
    """Whether a value holds an unknown input anywhere inside."""
    if value == UNKNOWN_MARKER:
        return True
    if isinstance(value, str):
        return UNKNOWN_INPUT in value
    if isinstance(value, Mapping):
        return any(is_unknown(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(is_unknown(v) for v in value)
    return False


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


_REFERENCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e"
_SIG_KEY = "4dabf18193072939515e22adb298388d"


def prepare_request(struct: Any) -> None:
    """Make, in place, a request's values what a provider would receive, before Pulumi's mock
    monitor reads them:
    - a resource reference (a resource object the program passed where an id is expected)
      becomes the id it stands for, or the URN of a component, as the engine sends it to a
      provider that does not take references. Left as a reference, the mock monitor would
      rehydrate the resource on its own thread, where it never resolves (a hang, or a race
      the program then seems to lose);
    - the engine's unknown marker becomes UNKNOWN_INPUT, which the mocks keep (they would read
      the engine's own as "absent")."""
    for value in list(struct.fields.values()):
        _prepare_value(value, unknowns=True)


def references_to_ids(struct: Any) -> None:
    """Only the first half of `prepare_request`: resource references become ids (the emulated
    deploy reads the engine's unknown marker itself)."""
    for value in list(struct.fields.values()):
        _prepare_value(value, unknowns=False)


def _prepare_value(value: Any, *, unknowns: bool) -> None:
    from pulumi.runtime import rpc

    kind = value.WhichOneof("kind")
    if kind == "string_value" and unknowns and value.string_value == rpc.UNKNOWN:
        value.string_value = UNKNOWN_INPUT
    elif kind == "struct_value":
        fields = value.struct_value.fields
        if _SIG_KEY in fields and fields[_SIG_KEY].string_value == _REFERENCE_SIG:
            ident = fields["id"].string_value if "id" in fields else ""
            urn = fields["urn"].string_value if "urn" in fields else ""
            value.string_value = ident or engine_urn(urn)
            return
        for item in list(fields.values()):
            _prepare_value(item, unknowns=unknowns)
    elif kind == "list_value":
        for item in value.list_value.values:
            _prepare_value(item, unknowns=unknowns)
