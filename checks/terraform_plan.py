"""The inventory as a Terraform plan JSON document, for checkov (`safeguard scan --with-checkov`).

checkov cannot read Pulumi, but it reads `terraform show -json` output, and the AWS provider
under pulumi_aws is Terraform's: the same resources, the same snake_case attributes. What differs
is spelled out in `checkov_types.yaml` beside this module: the type names, which do not convert
mechanically, and the repeated blocks Pulumi names in the plural.

Values nobody knows (unknown until deploy, made up by the mocks, unread) and secrets never reach
the document: they are left out and listed under `after_unknown` / `after_sensitive`, as
Terraform lists a value it will only know after apply, so checkov is never handed a value to pass
on. Where a value names another resource of the inventory (a bucket setting's `bucket`, a key's
ARN), the configuration section says so with a `references` expression, which is how checkov
links an S3 bucket to its split-off encryption, versioning and access-block resources.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from checks.model import Resource, physical_name_prop
from checks.splits import JOINED_TYPES
from checks.values import UNKNOWN as _UNKNOWN
from checks.values import MadeUp, Secret, Unread

TABLE = Path(__file__).with_name("checkov_types.yaml")
PROVIDER = "registry.terraform.io/hashicorp/aws"
# The Terraform release whose plan format the document follows (format_version 1.2).
TERRAFORM_VERSION = "1.9.8"


@dataclass(frozen=True)
class TypeTable:
    """Pulumi type tokens to Terraform types, and the block names that differ."""

    types: Mapping[str, str]
    blocks: Mapping[str, str]
    keep_plural: frozenset[str]

    def terraform_name(self, key: str, value: Any) -> str:
        """The Terraform name of a Pulumi property (nested or not) holding `value`."""
        if key in self.blocks:
            return self.blocks[key]
        repeated_blocks = isinstance(value, list) and any(isinstance(v, Mapping) for v in value)
        if key in self.keep_plural or not repeated_blocks:
            return key
        if key.endswith("ies"):
            return key[:-3] + "y"
        if key.endswith("s") and not key.endswith("ss"):
            return key[:-1]
        return key


@functools.cache
def load_table(path: Path = TABLE) -> TypeTable:
    data = yaml.safe_load(path.read_text())
    return TypeTable(
        types=dict(data["types"]),
        blocks=dict(data.get("blocks") or {}),
        keep_plural=frozenset(data.get("keep_plural") or ()),
    )


@dataclass(frozen=True)
class Plan:
    """The document, which plan address stands for which resource, and what was left out."""

    document: dict[str, Any]
    addresses: Mapping[str, Resource]  # "aws_s3_bucket.docs" -> the resource
    unmapped_types: tuple[str, ...]  # types with no Terraform equivalent in the table
    withheld: Mapping[str, tuple[str, ...]]  # plan address -> attributes left out (unknown...)

    def referenced(self, address: str) -> list[Resource]:
        """The resources the configuration says `address` names in its values."""
        for entry in self.document["configuration"]["root_module"]["resources"]:
            if entry["address"] == address:
                refs = (r for e in entry["expressions"].values() for r in e["references"])
                return [self.addresses[r] for r in dict.fromkeys(refs) if r in self.addresses]
        return []


def _hidden(value: Any) -> bool:
    return value is _UNKNOWN or isinstance(value, (MadeUp, Unread, Secret))


def _convert(value: Any, table: TypeTable) -> tuple[Any, Any]:
    """(the value as Terraform writes it, its after_unknown marks) with special values left out."""
    if isinstance(value, Mapping):
        out, marks = {}, {}
        for key, item in value.items():
            name = table.terraform_name(str(key), item)
            if _hidden(item):
                marks[name] = True
                continue
            out[name], mark = _convert(item, table)
            if mark:
                marks[name] = mark
        return out, marks
    if isinstance(value, (list, tuple)):
        items = [_convert(v, table) for v in value if not _hidden(v)]
        marks = [m for _, m in items]
        hidden = any(_hidden(v) for v in value)
        return [v for v, _ in items], (marks if any(marks) or hidden else [])
    return value, {}


def _left_out(marks: Any, prefix: str = "") -> list[str]:
    """The dotted paths of the attributes `marks` says were left out."""
    if marks is True:
        return [prefix]
    paths: list[str] = []
    if isinstance(marks, Mapping):
        for key, mark in marks.items():
            paths.extend(_left_out(mark, f"{prefix}.{key}" if prefix else key))
    elif isinstance(marks, list):
        for mark in marks:
            paths.extend(_left_out(mark, prefix))
        if not paths:  # a list one of whose items was left out
            paths.append(prefix)
    return paths


_NAME = re.compile(r"[^A-Za-z0-9_-]")


def _names(resources: Iterable[tuple[str, Resource]]) -> dict[str, Resource]:
    """A unique Terraform address per resource, from its logical name."""
    taken: dict[str, Resource] = {}
    for tf_type, res in resources:
        base = _NAME.sub("_", res.name) or "resource"
        if not (base[0].isalpha() or base[0] == "_"):
            base = "r_" + base
        name, n = base, 1
        while f"{tf_type}.{name}" in taken:
            n += 1
            name = f"{base}_{n}"
        taken[f"{tf_type}.{name}"] = res
    return taken


def _identities(res: Resource) -> list[tuple[str, str]]:
    """The texts another resource may name `res` by, with the attribute each one is."""
    found = [(res.arn, "arn"), (res.id, "id")]
    physical = res.props.get(physical_name_prop(res.type))
    found.append((physical, "id" if res.type.startswith("aws:s3/") else "name"))
    return [(text, attr) for text, attr in found if isinstance(text, str) and text]


def _index(addresses: Mapping[str, Resource]) -> dict[str, tuple[str, str]]:
    """Text -> (plan address, attribute): resources split off another come last, so a
    bucket setting whose id is the bucket's name never stands for the bucket."""
    index: dict[str, tuple[str, str]] = {}
    ordered = sorted(addresses.items(), key=lambda kv: kv[1].type in JOINED_TYPES)
    for address, res in ordered:
        for text, attr in _identities(res):
            index.setdefault(text, (address, attr))
    return index


def _references(
    address: str, values: Mapping[str, Any], index: Mapping[str, tuple[str, str]]
) -> dict[str, Any]:
    """The configuration expressions of the top-level values that name another resource."""
    expressions: dict[str, Any] = {}
    for key, value in values.items():
        texts = value if isinstance(value, list) else [value]
        refs: list[str] = []
        for text in texts:
            target = index.get(text) if isinstance(text, str) else None
            if target and target[0] != address:
                refs.extend([f"{target[0]}.{target[1]}", target[0]])
        if refs:
            expressions[key] = {"references": list(dict.fromkeys(refs))}
    return expressions


def to_plan(resources: Iterable[Resource], table: TypeTable | None = None) -> Plan:
    """The Terraform plan JSON document of `resources` (every one as a resource to create)."""
    table = table or load_table()
    mapped: list[tuple[str, Resource]] = []
    unmapped: set[str] = set()
    for res in resources:
        tf_type = table.types.get(res.type)
        if tf_type is None:
            if res.type.startswith("aws:"):
                unmapped.add(res.type)
            continue
        mapped.append((tf_type, res))
    addresses = _names(mapped)
    index = _index(addresses)
    planned, changes, configured = [], [], []
    withheld: dict[str, tuple[str, ...]] = {}
    for address, res in addresses.items():
        tf_type, name = address.split(".", 1)
        values, marks = _convert(res.props, table)
        sensitive = {k: True for k, v in res.props.items() if isinstance(v, Secret)}
        if marks:
            withheld[address] = tuple(sorted(_left_out(marks)))
        common = {"address": address, "mode": "managed", "type": tf_type, "name": name}
        planned.append(
            {
                **common,
                "provider_name": PROVIDER,
                "schema_version": 0,
                "values": values,
                "sensitive_values": {},
            }
        )
        changes.append(
            {
                **common,
                "provider_name": PROVIDER,
                "change": {
                    "actions": ["create"],
                    "before": None,
                    "after": values,
                    "after_unknown": marks,
                    "before_sensitive": False,
                    "after_sensitive": sensitive,
                },
            }
        )
        configured.append(
            {
                **common,
                "provider_config_key": "aws",
                "expressions": _references(address, values, index),
                "schema_version": 0,
            }
        )
    document = {
        "format_version": "1.2",
        "terraform_version": TERRAFORM_VERSION,
        "planned_values": {"root_module": {"resources": planned}},
        "resource_changes": changes,
        "configuration": {
            "provider_config": {"aws": {"name": "aws", "full_name": PROVIDER}},
            "root_module": {"resources": configured},
        },
    }
    return Plan(document, addresses, tuple(sorted(unmapped)), withheld)
