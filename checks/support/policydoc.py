"""IAM policy documents (identity, key and bucket policies): the documents a resource declares,
parsing them, and the questions checks ask.

A document arrives as a JSON string or a dict (pulumi_aws `PolicyDocumentArgs` spells keys in
snake_case, JSON spells them in PascalCase; both are accepted). Statement elements that may be a
string or a list are always read as tuples.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from checks.model import Resource, Undecidable
from checks.support.globs import glob_match
from checks.support.props import blocks, known, known_value
from checks.support.resource_types import ROLE


@dataclass(frozen=True)
class Statement:
    index: int
    sid: str | None
    effect: str
    actions: tuple[str, ...] = ()
    not_actions: tuple[str, ...] = ()
    resources: tuple[str, ...] = ()
    not_resources: tuple[str, ...] = ()
    principal: Any = None  # "*" or a mapping of principal type -> tuple of ids
    condition: Mapping[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> str:
        """How a report names this statement: its Sid, else its position."""
        return self.sid or f"Statement[{self.index}]"

    def evidence(self) -> dict[str, Any]:
        """The statement as a report shows it: what decided a finding."""
        shown: dict[str, Any] = {
            "statement": self.label,
            "effect": self.effect,
            "action": list(self.actions),
            "resource": list(self.resources),
        }
        if self.not_actions:
            shown["not_action"] = list(self.not_actions)
        if self.not_resources:
            shown["not_resource"] = list(self.not_resources)
        if self.principal is not None:
            principal = self.principal
            shown["principal"] = (
                principal if principal == "*" else {k: list(v) for k, v in principal.items()}
            )
        return shown


def policy_documents(res: Resource) -> list[tuple[str, Any]]:
    """(name, document) of each policy the resource declares itself."""
    if res.type != ROLE:
        return [(res.name, known(res, "policy"))]
    inline = blocks(known(res, "inline_policies"))
    return [(str(p.get("name") or f"inline[{i}]"), p.get("policy")) for i, p in enumerate(inline)]


def _key(name: str) -> str:
    return name.replace("_", "").lower()


def _norm(mapping: Mapping[str, Any]) -> dict[str, Any]:
    return {_key(str(k)): v for k, v in mapping.items()}


def _strings(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, Sequence):
        return tuple(str(v) for v in value)
    raise Undecidable(f"the policy element {value!r} is neither a string nor a list")


def _principal(value: Any) -> Any:
    if value is None or value == "*":
        return value
    if isinstance(value, Mapping):
        return {_key(str(k)): _strings(v) for k, v in value.items()}
    raise Undecidable(f"the policy principal {value!r} is not '*' or a mapping")


def parse_policy(value: Any, what: str = "the policy") -> tuple[Statement, ...]:
    """The statements of a policy document; Undecidable if it is unknown, secret or malformed."""
    value = known_value(value, what)
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as exc:
            raise Undecidable(f"{what} is not valid JSON: {exc.msg}") from None
    if not isinstance(value, Mapping):
        raise Undecidable(f"{what} is not a policy document (a JSON object)")
    raw = _norm(value).get("statement", [])
    raw = [raw] if isinstance(raw, Mapping) else raw
    if not isinstance(raw, Sequence) or not all(isinstance(s, Mapping) for s in raw):
        raise Undecidable(f"{what} has a Statement that is not an object or a list of objects")
    return tuple(_statement(i, _norm(s)) for i, s in enumerate(raw))


def _statement(index: int, s: Mapping[str, Any]) -> Statement:
    return Statement(
        index=index,
        sid=s.get("sid"),
        effect=str(s.get("effect", "")).capitalize(),
        actions=_strings(s.get("action")),
        not_actions=_strings(s.get("notaction")),
        resources=_strings(s.get("resource")),
        not_resources=_strings(s.get("notresource")),
        principal=_principal(s.get("principal")),
        condition=s.get("condition") or {},
    )


def _is_any(values: tuple[str, ...], *wildcards: str) -> bool:
    return any(v.strip().lower() in wildcards for v in values)


def allows_star_on_star(statements: Sequence[Statement]) -> list[Statement]:
    """The statements that Allow every action ("*") on every resource ("*")."""
    return [
        s
        for s in statements
        if s.effect == "Allow" and _is_any(s.actions, "*", "*:*") and _is_any(s.resources, "*")
    ]


def _principal_is_anyone(principal: Any) -> bool:
    if principal == "*":
        return True
    return isinstance(principal, Mapping) and "*" in principal.get("aws", ())


def has_wildcard_principal(statements: Sequence[Statement]) -> list[Statement]:
    """The statements that Allow the "*" principal (anyone) with no Condition to narrow it."""
    return [
        s
        for s in statements
        if s.effect == "Allow" and _principal_is_anyone(s.principal) and not s.condition
    ]


def _requires_insecure_transport(condition: Mapping[str, Any]) -> bool:
    for operator, tests in condition.items():
        if str(operator).lower() not in ("bool", "boolifexists") or not isinstance(tests, Mapping):
            continue
        for key, expected in tests.items():
            values = expected if isinstance(expected, (list, tuple)) else [expected]
            if key.lower() == "aws:securetransport" and "false" in {str(v).lower() for v in values}:
                return True
    return False


def denies_insecure_transport(statements: Sequence[Statement], bucket_arn: str) -> bool:
    """True when a statement denies everyone every S3 action on the bucket and its objects
    for requests that are not made over TLS (aws:SecureTransport = false)."""
    targets = (bucket_arn, f"{bucket_arn}/*")
    return any(
        s.effect == "Deny"
        and _principal_is_anyone(s.principal)
        and _is_any(s.actions, "*", "s3:*")
        and _requires_insecure_transport(s.condition)
        and all(any(glob_match(t, r) for r in s.resources) for t in targets)
        for s in statements
    )


def _condition_tests(condition: Mapping[str, Any], operators: tuple[str, ...], key: str) -> list:
    """The values a condition tests `key` against under any of `operators` (lower case)."""
    found: list[str] = []
    for operator, tests in condition.items():
        if str(operator).lower() not in operators or not isinstance(tests, Mapping):
            continue
        for name, expected in tests.items():
            if str(name).lower() == key:
                values = expected if isinstance(expected, (list, tuple)) else [expected]
                found += [str(v).lower() for v in values]
    return found


_BOOL = ("bool", "boolifexists")
_MFA_PRESENT = "aws:multifactorauthpresent"


def denies_without_mfa(statements: Sequence[Statement]) -> list[Statement]:
    """Deny statements that apply when no MFA was used (aws:MultiFactorAuthPresent false)."""
    return [
        s
        for s in statements
        if s.effect == "Deny" and "false" in _condition_tests(s.condition, _BOOL, _MFA_PRESENT)
    ]


def requires_mfa(statement: Statement) -> bool:
    """True when an Allow holds only for MFA-authenticated sessions."""
    present = _condition_tests(statement.condition, ("bool",), _MFA_PRESENT)
    age = _condition_tests(
        statement.condition, ("numericlessthan", "numericlessthanequals"), "aws:multifactorauthage"
    )
    return "true" in present or bool(age)


def grants_nothing(statements: Sequence[Statement]) -> bool:
    """True for a guard-rail document: every statement is a Deny."""
    return all(s.effect == "Deny" for s in statements)
