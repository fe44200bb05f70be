"""boto3's shapes turned into pulumi_aws's: snake_case keys, tags as a dict, "true" as True.

The AWS APIs name a nested setting in PascalCase (`VisibilityConfig.CloudWatchMetricsEnabled`);
pulumi_aws names the same input in snake_case (`visibility_config.cloudwatch_metrics_enabled`),
with a few names of its own, which a collector passes as `renames` (keyed by the AWS name).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from typing import Any

_WORD_BREAK = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def snake(name: str) -> str:
    """`IPSetReferenceStatement` -> `ip_set_reference_statement`, `KMSKeyArn` -> `kms_key_arn`."""
    return _WORD_BREAK.sub("_", name).lower()


def snake_keys(
    value: Any, renames: Mapping[str, str] | None = None, verbatim: Collection[str] = ()
) -> Any:
    """`value` with every mapping key in snake_case (or renamed), blobs as text, recursively.

    The values under the keys in `verbatim` are maps keyed by the user (dimensions, extra
    parameters): they are kept as they are."""
    renames = renames or {}
    if isinstance(value, Mapping):
        return {
            renames.get(k, snake(k)): v if k in verbatim else snake_keys(v, renames, verbatim)
            for k, v in value.items()
        }
    if isinstance(value, (list, tuple)):
        return [snake_keys(v, renames, verbatim) for v in value]
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("utf-8", "replace")
    return value


def tag_dict(
    tags: Iterable[Mapping[str, Any]] | Mapping[str, Any] | None,
    key: str = "Key",
    value: str = "Value",
) -> dict[str, Any]:
    """Tags as pulumi_aws holds them (a dict), from a list of {Key, Value} or a dict already."""
    if tags is None:
        return {}
    if isinstance(tags, Mapping):
        return dict(tags)
    return {t[key]: t.get(value) for t in tags if key in t}


def true(value: Any) -> bool:
    """An AWS boolean, which some APIs give as the text "true"/"false"."""
    if isinstance(value, str):
        return value.strip().lower() == "true"
    return value is True


def present(props: Mapping[str, Any]) -> dict[str, Any]:
    """The properties AWS answered with a value: an absent setting is left out, as a program that
    does not declare it leaves it out (a check then applies the provider's default)."""
    return {k: v for k, v in props.items() if v is not None}


def arn_tail(arn: str, sep: str = ":") -> str:
    """The last part of an ARN (a topic's or a queue's name)."""
    return arn.rsplit(sep, 1)[-1]
