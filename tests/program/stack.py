"""The billing program as registered under mocks, indexed for tests that assert its properties."""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import cached_property
from pathlib import Path
from typing import Any

from checks.model import Inventory, Resource
from checks.sources.program import ProgramScan, scan_program

REPO = Path(__file__).resolve().parents[2]
KMS_KEY = "aws:kms/key:Key"
BUCKET = "aws:s3/bucket:Bucket"


class Stack:
    """What one stack of the program registers."""

    def __init__(self, scan: ProgramScan) -> None:
        self.scan = scan
        self.resources = scan.resources

    @classmethod
    def load(cls, stack: str, **kwargs: Any) -> Stack:
        return cls(scan_program(REPO, stack=stack, **kwargs))

    @cached_property
    def inventory(self) -> Inventory:
        return Inventory(self.resources)

    def of(self, type_: str) -> list[Resource]:
        return [r for r in self.resources if r.type == type_]

    def one(self, type_: str, name: str) -> Resource:
        found = [r for r in self.of(type_) if r.name == name]
        assert len(found) == 1, f"expected one {type_} named {name}, found {len(found)}"
        return found[0]

    def ref(self, value: Any) -> Resource:
        """The resource a property refers to (by id or ARN)."""
        found = self.inventory.get(value)
        assert found is not None, f"{value!r} names no resource of the program"
        return found

    def key_domain(self, key_ref: Any) -> str:
        """The data domain of the KMS key an ARN names."""
        key = self.ref(key_ref)
        assert key.type == KMS_KEY
        return key.props["tags"]["key-domain"]

    def companions(self, bucket_name: str, type_: str) -> list[Resource]:
        bucket = self.one(BUCKET, bucket_name)
        return [r for r in self.of(type_) if r.props.get("bucket") == bucket.id]

    def children(self, component_name: str) -> Iterator[Resource]:
        component = next(c for c in self.scan.components if c.name == component_name)
        return (r for r in self.resources if r.parent == component.urn)


def policy(resource: Resource, key: str = "policy") -> dict[str, Any]:
    return json.loads(resource.props[key])


def statements(resource: Resource, key: str = "policy") -> list[dict[str, Any]]:
    found = policy(resource, key)["Statement"]
    return [found] if isinstance(found, dict) else found


def listed(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else [value]


def by_sid(resource: Resource, key: str = "policy") -> dict[str, dict[str, Any]]:
    return {s.get("Sid"): s for s in statements(resource, key)}
