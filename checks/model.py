"""The inventory model: every source of truth is turned into these values.

A `Resource` is keyed by its Pulumi type token and carries `props` named as the pulumi_aws
Python SDK names them (snake_case), whatever source produced it. Values a source could not
know are `UNKNOWN`; values that are secret are `Secret` and never carry their plaintext.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

T = TypeVar("T")


class _Unknown:
    """A value the source could not know (a preview's computed value, say)."""

    _instance: _Unknown | None = None

    def __new__(cls) -> _Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"

    def __bool__(self) -> bool:
        raise TypeError("an unknown value has no truth value; check for UNKNOWN first")


UNKNOWN = _Unknown()


class Undecidable(Exception):
    """Raised by a check (or a join it uses) when the data it needs is missing or unknown.

    The evaluator turns it into a NOT_EVALUATED finding with this message as the reason.
    """


@dataclass(frozen=True)
class Secret:
    """A value that is secret. Only whether it was set is kept, never the plaintext."""

    def __repr__(self) -> str:
        return "[secret]"


SECRET = Secret()


# Names that say their value is a secret: provider properties (`password`, `secretString`),
# environment variables (`DB_PASSWORD`), keys of a check's evidence.
SECRET_NAME = re.compile(
    r"passw(or)?d|passwd|pwd|secret|token|api_?key|private_?key|access_?key|credential", re.I
)


def sounds_secret(name: str) -> bool:
    """Whether a name says its value is a secret."""
    return bool(SECRET_NAME.search(name))


# Parts of provider property names that hold a credential. Narrower than SECRET_NAME on
# purpose: a source withholds these values outright, and `http_tokens` or `secret_arn` are
# configuration a check must see.
SECRET_PROPERTY_PARTS = (
    "password",
    "secret_string",
    "secret_binary",
    "private_key",
    "auth_token",
    "secret_access_key",
    "client_secret",
)


def is_secret_property(name: str) -> bool:
    """Whether a provider property (by its name as the source gives it) holds a credential."""
    return any(part in name for part in SECRET_PROPERTY_PARTS)


def is_unknown(value: Any) -> bool:
    return value is UNKNOWN


_SCALARS = (str, int, float, bool, type(None))


def plain(value: Any) -> Any:
    """A model value as plain JSON data: secrets stay hidden, unknowns say so."""
    if isinstance(value, Secret):
        return "[secret]"
    if value is UNKNOWN:
        return "(unknown until deployed)"
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [plain(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def contains_unknown(value: Any) -> bool:
    """True when the value or anything nested in it is unknown."""
    if value is UNKNOWN:
        return True
    if type(value) in _SCALARS:  # the common case, without an ABC instance check
        return False
    if isinstance(value, Mapping):
        return any(contains_unknown(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(contains_unknown(v) for v in value)
    return False


# Pulumi renamed some AWS types between major versions; state and preview files written by
# older programs still carry the old tokens. The inventory speaks the pulumi_aws v7 names.
_TYPE_ALIASES = {
    "aws:s3/bucketV2:BucketV2": "aws:s3/bucket:Bucket",
}
_V2_SUFFIX = re.compile(r"^(aws:s3/bucket\w+?)V2:(Bucket\w+?)V2$")


def canonical_type(token: str) -> str:
    """Map an aliased AWS type token to the one pulumi_aws v7 uses."""
    if token in _TYPE_ALIASES:
        return _TYPE_ALIASES[token]
    match = _V2_SUFFIX.match(token)
    if match:
        return f"{match.group(1)}:{match.group(2)}"
    return token


@dataclass(frozen=True)
class Resource:
    """One cloud resource as a check sees it."""

    type: str
    name: str
    props: Mapping[str, Any] = field(default_factory=dict)
    urn: str | None = None
    id: str | None = None
    arn: str | None = None
    region: str | None = None
    account: str | None = None
    source: str = "unknown"
    parent: str | None = None
    # Where a program declared it ({"file": path relative to the project, "line": n}), if known.
    position: Mapping[str, Any] | None = None

    def get(self, key: str, default: Any = None) -> Any:
        return self.props.get(key, default)

    @functools.cached_property
    def has_unknown(self) -> bool:
        """Whether any property holds a value the source could not know (computed once)."""
        return contains_unknown(self.props)

    @property
    def address(self) -> str:
        """A stable, human-readable key: the URN when there is one, else type and name."""
        return self.urn or f"{self.type}::{self.name}"

    @property
    def tags(self) -> Mapping[str, Any]:
        tags = self.props.get("tags")
        return tags if isinstance(tags, Mapping) else {}


# The tag that says what data a resource holds, and the values of it that mean ePHI.
CLASSIFICATION_TAG = "data-classification"
EPHI_CLASSES = frozenset({"ephi", "phi"})


def data_classification(resource: Resource) -> str | None:
    """The resource's data-classification tag when it is known text, else None."""
    value = resource.tags.get(CLASSIFICATION_TAG)
    return value if isinstance(value, str) else None


WITHHELD = "[withheld: may carry ePHI]"

# Resources whose identity or content is data, not configuration: an object's key and body, a
# table item, a log stream's name. Their values may embed patient identifiers, so sources keep
# only what a check may need (where they live) and withhold the rest.
EPHI_BEARING: Mapping[str, frozenset[str]] = {
    "aws:s3/bucketObject:BucketObject": frozenset(
        {"bucket", "kms_key_id", "server_side_encryption"}
    ),
    "aws:s3/bucketObjectv2:BucketObjectv2": frozenset(
        {"bucket", "kms_key_id", "server_side_encryption"}
    ),
    "aws:s3/objectCopy:ObjectCopy": frozenset({"bucket", "kms_key_id", "server_side_encryption"}),
    "aws:dynamodb/tableItem:TableItem": frozenset({"table_name"}),
    "aws:cloudwatch/logStream:LogStream": frozenset({"log_group_name"}),
}


def withhold_ephi(resource: Resource) -> Resource:
    """The resource with any value that may carry ePHI withheld (object keys, items, bodies)."""
    keep = EPHI_BEARING.get(resource.type)
    if keep is None:
        return resource
    props = {k: (v if k in keep else WITHHELD) for k, v in resource.props.items()}
    return dataclasses.replace(
        resource,
        props=props,
        id=WITHHELD if resource.id else None,
        arn=WITHHELD if resource.arn else None,
    )


def _bucket_ref(resource: Resource) -> Any:
    return resource.props.get("bucket")


# Resources that Pulumi/Terraform split off an S3 bucket, by the role they play.
BUCKET_COMPANIONS: Mapping[str, str] = {
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": (
        "encryption"
    ),
    "aws:s3/bucketVersioning:BucketVersioning": "versioning",
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": "public_access_block",
    "aws:s3/bucketPolicy:BucketPolicy": "policy",
    "aws:s3/bucketLogging:BucketLogging": "logging",
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": "ownership_controls",
    "aws:s3/bucketAcl:BucketAcl": "acl",
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": "lifecycle",
    "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration": "object_lock",
    "aws:s3/bucketReplicationConfig:BucketReplicationConfig": "replication",
}

SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
# Rules declared as resources of their own, and the property naming their group.
SECURITY_GROUP_RULES: Mapping[str, str] = {
    "aws:ec2/securityGroupRule:SecurityGroupRule": "security_group_id",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": "security_group_id",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": "security_group_id",
}


# Types that checks of other types read through the joins above.
JOINED_TYPES: frozenset[str] = frozenset(BUCKET_COMPANIONS) | frozenset(SECURITY_GROUP_RULES)


@dataclass(frozen=True)
class IngressRule:
    """One ingress permission of a security group, wherever it was declared."""

    from_port: Any
    to_port: Any
    protocol: Any
    cidr_ipv4: tuple[Any, ...]
    cidr_ipv6: tuple[Any, ...]
    declared_by: str  # address of the resource that declared it


class Inventory:
    """Resources indexed by type and id, with joins for resources AWS and Pulumi split apart."""

    def __init__(self, resources: Iterable[Resource]) -> None:
        self._resources: tuple[Resource, ...] = tuple(resources)
        self._by_type: dict[str, list[Resource]] = {}
        self._by_id: dict[str, list[Resource]] = {}
        for res in self._resources:
            self._by_type.setdefault(res.type, []).append(res)
            for ident in {res.id, res.arn, res.name if res.id is None else None}:
                if isinstance(ident, str) and ident:
                    self._by_id.setdefault(ident, []).append(res)
        self._companions: dict[str, dict[str, list[Resource]]] | None = None
        self._sg_rules: dict[str, list[Resource]] | None = None
        self._memo: dict[Hashable, Any] = {}

    def __iter__(self) -> Iterator[Resource]:
        return iter(self._resources)

    def __len__(self) -> int:
        return len(self._resources)

    @property
    def types(self) -> list[str]:
        return sorted(self._by_type)

    def by_type(self, *types: str) -> list[Resource]:
        found: list[Resource] = []
        for token in types:
            found.extend(self._by_type.get(token, ()))
        return found

    def get(self, ref: Any, type_: str | None = None) -> Resource | None:
        """The resource whose id or ARN is `ref`, optionally of one type."""
        if not isinstance(ref, str):
            return None
        for res in self._by_id.get(ref, ()):
            if type_ is None or res.type == type_:
                return res
        return None

    def memo(self, key: Hashable, build: Callable[[], T]) -> T:
        """A value derived from this inventory (an index for a join), built once."""
        if key not in self._memo:
            self._memo[key] = build()
        return self._memo[key]

    # -- joins ---------------------------------------------------------------------------

    def bucket_companions(self, bucket: Resource) -> Mapping[str, list[Resource]]:
        """The split-off resources of one bucket, by role ('encryption', 'policy', ...)."""
        if self._companions is None:
            self._companions = {}
            for token, role in BUCKET_COMPANIONS.items():
                for res in self._by_type.get(token, ()):
                    ref = _bucket_ref(res)
                    target = self.get(ref, "aws:s3/bucket:Bucket") if isinstance(ref, str) else None
                    key = target.address if target else f"unresolved:{ref!r}"
                    self._companions.setdefault(key, {}).setdefault(role, []).append(res)
        if f"unresolved:{UNKNOWN!r}" in self._companions:
            raise Undecidable("an S3 bucket configuration resource names a bucket not known yet")
        return self._companions.get(bucket.address, {})

    def security_group_rule_resources(self, group: Resource) -> list[Resource]:
        """Rule resources declared apart from the group they belong to."""
        if self._sg_rules is None:
            self._sg_rules = {}
            for token, ref_key in SECURITY_GROUP_RULES.items():
                for res in self._by_type.get(token, ()):
                    target = self.get(res.props.get(ref_key), SECURITY_GROUP)
                    key = target.address if target else f"unresolved:{res.props.get(ref_key)!r}"
                    self._sg_rules.setdefault(key, []).append(res)
        if f"unresolved:{UNKNOWN!r}" in self._sg_rules:
            raise Undecidable("a security group rule names a group not known yet")
        return self._sg_rules.get(group.address, [])

    def ingress_rules(self, group: Resource) -> list[IngressRule]:
        """Every ingress permission of a group: inline blocks and separate rule resources."""
        rules: list[IngressRule] = []
        inline = group.props.get("ingress")
        if contains_unknown(inline):
            raise Undecidable(f"the ingress rules of {group.name} are not known yet")
        if isinstance(inline, list):
            for block in inline:
                if isinstance(block, Mapping):
                    rules.append(_inline_ingress(block, group.address))
        for res in self.security_group_rule_resources(group):
            if contains_unknown(dict(res.props)):
                raise Undecidable(f"the rule {res.name} of {group.name} is not fully known yet")
            if res.type == "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule":
                rules.append(
                    IngressRule(
                        from_port=res.props.get("from_port"),
                        to_port=res.props.get("to_port"),
                        protocol=res.props.get("ip_protocol"),
                        cidr_ipv4=_as_tuple(res.props.get("cidr_ipv4")),
                        cidr_ipv6=_as_tuple(res.props.get("cidr_ipv6")),
                        declared_by=res.address,
                    )
                )
            elif (
                res.type == "aws:ec2/securityGroupRule:SecurityGroupRule"
                and res.props.get("type") == "ingress"
            ):
                rules.append(_inline_ingress(res.props, res.address))
        return rules


def _as_tuple(value: Any) -> tuple[Any, ...]:
    if value is None:
        return ()
    if isinstance(value, (list, tuple)):
        return tuple(value)
    return (value,)


def _inline_ingress(block: Mapping[str, Any], declared_by: str) -> IngressRule:
    return IngressRule(
        from_port=block.get("from_port"),
        to_port=block.get("to_port"),
        protocol=block.get("protocol"),
        cidr_ipv4=_as_tuple(block.get("cidr_blocks")),
        cidr_ipv6=_as_tuple(block.get("ipv6_cidr_blocks")),
        declared_by=declared_by,
    )
