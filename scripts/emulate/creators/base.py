"""What every creator shares: who the resource is, how it is named and tagged, and how a
creator says that the emulator cannot make it.

A creator is `(inputs, target, clients) -> (id, outputs)`:
- `inputs`: the resource's declared inputs in the Python SDK's snake_case names (`Inputs`),
  references already resolved to ids, secrets unwrapped;
- `target`: the resource's identity and place (`Target`);
- `clients`: the boto3 client factory of the emulator (`clients("ec2")`).
It returns the provider's id for the resource and its outputs, snake_case too (`arn`, `key_id`,
`default_route_table_id`, ...): what the program reads back. It calls AWS (the emulator) for
real, and fails with the AWS error when AWS refuses: it never makes up an id. What the emulator
cannot make raises `NotEmulated` with the reason, before anything is created.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from scripts.emulate.inputs import Inputs

Made = tuple[str, dict[str, Any]]
Creator = Callable[..., Made]


class NotEmulated(Exception):
    """The emulator cannot make this resource; the message says why."""


@dataclass(frozen=True)
class Target:
    """The resource being created: its type, logical name, URN and where it goes."""

    token: str
    name: str
    urn: str
    region: str
    account: str
    partition: str = "aws"
    default_tags: Mapping[str, str] = field(default_factory=dict)
    # What the deploy should tell about this resource (something emulated only in part).
    notes: list[str] = field(default_factory=list)

    def autoname(self, given: Any = None, *, lower: bool = False, max_length: int = 0) -> str:
        """The physical name: the declared one, else Pulumi's auto-name (the logical name
        and a 7-character suffix, here derived from the URN so a run is reproducible)."""
        if isinstance(given, str) and given:
            return given
        suffix = hashlib.sha256(self.urn.encode()).hexdigest()[:7]
        base = self.name.lower() if lower else self.name
        if max_length:
            base = base[: max_length - len(suffix) - 1]
        return f"{base}-{suffix}"

    def arn(self, service: str, resource: str, *, regional: bool = True) -> str:
        region = self.region if regional else ""
        return f"arn:{self.partition}:{service}:{region}:{self.account}:{resource}"


def physical_name(inputs: Inputs, target: Target, key: str = "name", **how: Any) -> str:
    """The name a resource is created under: `key`, else `<key>_prefix` plus a suffix, else
    an auto-name."""
    prefix = inputs.get(f"{key}_prefix")
    if key not in inputs and isinstance(prefix, str):
        return prefix + hashlib.sha256(target.urn.encode()).hexdigest()[:26]
    return target.autoname(inputs.get(key), **how)


def tags(inputs: Inputs, target: Target) -> dict[str, str]:
    """The tags AWS gets: the provider's default tags under the resource's own (`tags_all`)."""
    return {**target.default_tags, **(inputs.plain("tags") or {})}


def tag_list(values: Mapping[str, str], key: str = "Key", value: str = "Value") -> list[dict]:
    return [{key: k, value: v} for k, v in values.items()]


def tag_spec(resource_type: str, values: Mapping[str, str]) -> list[dict[str, Any]]:
    """EC2's TagSpecifications for one resource type (none when there are no tags)."""
    if not values:
        return []
    return [{"ResourceType": resource_type, "Tags": tag_list(values)}]


def without_none(**values: Any) -> dict[str, Any]:
    """Keyword arguments for a boto3 call, leaving out what the program did not declare."""
    return {k: v for k, v in values.items() if v is not None}


def error_code(exc: BaseException) -> str:
    response = getattr(exc, "response", None)
    if isinstance(response, Mapping):
        return str(response.get("Error", {}).get("Code", ""))
    return ""
