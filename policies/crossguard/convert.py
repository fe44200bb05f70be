"""What CrossGuard hands a policy, turned into the `Resource` every check reads.

The policy SDK gives properties as engine maps (camelCase names) wrapped in proxies that raise
on unknown values, with one sentinel string per kind of unknown (string, number, object...).
Secrets arrive already unwrapped: the engine sends their values to the analyzer, so here a
secret is just its value (it is never written anywhere by this pack).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pulumi_policy.proxy import (
    UNKNOWN_ARCHIVE_VALUE,
    UNKNOWN_ARRAY_VALUE,
    UNKNOWN_ASSET_VALUE,
    UNKNOWN_BOOLEAN_VALUE,
    UNKNOWN_NUMBER_VALUE,
    UNKNOWN_OBJECT_VALUE,
    UNKNOWN_STRING_VALUE,
)

from checks.model import Resource, canonical_type
from checks.sources.engine_values import (
    Decoding,
    account_of,
    decode_map,
    parse_arn,
    resource_props,
    text,
    without_unset,
)

POLICY_VALUES = Decoding(
    unknowns=frozenset(
        {
            UNKNOWN_BOOLEAN_VALUE,
            UNKNOWN_NUMBER_VALUE,
            UNKNOWN_STRING_VALUE,
            UNKNOWN_ARRAY_VALUE,
            UNKNOWN_ASSET_VALUE,
            UNKNOWN_ARCHIVE_VALUE,
            UNKNOWN_OBJECT_VALUE,
        }
    )
)
SOURCE = "crossguard"


def _target(proxy: Any) -> Any:
    """The raw container behind a policy SDK proxy (reading through it raises on unknowns)."""
    try:
        return proxy["__target"]
    except (KeyError, IndexError, TypeError):
        return proxy


def plain(value: Any) -> Any:
    """Plain dicts and lists from the SDK's proxies, unknown sentinels left in place."""
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in dict(_target(value)).items()}
    if isinstance(value, Sequence) and not isinstance(value, (str, bytes)):
        return [plain(v) for v in list(_target(value))]
    return value


def to_resource(
    resource_type: str,
    props: Mapping[str, Any],
    urn: str,
    name: str,
    provider_props: Mapping[str, Any] | None = None,
    *,
    outputs: bool = False,
) -> Resource:
    """A `Resource` from a policy's view of one resource.

    `outputs` says the props are the resource's outputs (stack policies) rather than its inputs
    (resource policies): outputs also give the id and ARN, and their empty strings mean "unset".
    """
    decoded = decode_map(plain(props), POLICY_VALUES)
    if outputs:
        decoded = without_unset(decoded)
    provider = decode_map(plain(provider_props or {}), POLICY_VALUES)
    arn = text(decoded.get("arn")) if outputs else None
    parsed = parse_arn(arn)
    region = (
        text(decoded.get("region"))
        or (text(parsed.region) if parsed else None)
        or text(provider.get("region"))
    )
    return Resource(
        type=canonical_type(resource_type),
        name=name,
        props=resource_props(resource_type, decoded),
        urn=urn,
        id=text(decoded.get("id")) if outputs else None,
        arn=arn if parsed else None,
        region=region,
        account=account_of(parsed),
        source=SOURCE,
    )
