"""The inventory model: every source of truth is turned into these values.

A `Resource` is keyed by its Pulumi type token and carries `props` named as the pulumi_aws
Python SDK names them (snake_case), whatever source produced it. What a value can be (declared,
real, secret, unknown, made up) and how a check reads one is `checks.values`; a check reads a
property through `Resource.value`, never through `props` directly.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from checks.splits import (  # noqa: F401 - the joins' vocabulary, for the model's users
    BUCKET_COMPANIONS,
    JOINED_TYPES,
    SECURITY_GROUP,
    SECURITY_GROUP_RULES,
    SPLITS,
    IngressRule,
    candidates,
    identifiers,
    inline_ingress,
    may_let_in,
    name_known,
    reference,
    rule_ingress,
    shown_reference,
)
from checks.values import (  # noqa: F401 - the model's value kinds, for the model's users
    SECRET,
    SECRET_NAME,
    UNKNOWN,
    MadeUp,
    Secret,
    Undecidable,
    contains_unknown,
    decided,
    is_secret_property,
    is_special,
    is_unknown,
    note_read,
    plain,
    sounds_secret,
    undecidable,
)

T = TypeVar("T")


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


# The region of a resource whose provider names one that cannot be read (secret or unknown).
HIDDEN_REGION = "(hidden region)"


@dataclass(frozen=True)
class Resource:
    """One cloud resource as a check sees it."""

    type: str
    name: str
    props: Mapping[str, Any] = field(default_factory=dict)
    urn: str | None = None
    id: str | None = None
    arn: str | None = None
    # None: the source names no region (a program's one default region); HIDDEN_REGION: it names
    # one that cannot be read (a secret or unknown provider region).
    region: str | None = None
    account: str | None = None
    source: str = "unknown"
    parent: str | None = None
    # When the object was created, where the source records it (a state file, a preview's
    # existing objects): what decides whether a dated AWS default holds (aws_defaults.py).
    created: str | None = None
    # Where a program declared it ({"file": path relative to the project, "line": n}), if known.
    position: Mapping[str, Any] | None = None
    # The properties the source recorded, when a property it does not record is unknown (a
    # state or preview file: a real one records every property). None for a program, whose
    # absent inputs take the provider's documented defaults.
    recorded: frozenset[str] | None = None

    def value(self, key: str, default: Any = None) -> Any:
        """The property `key` as a check may use it: the accessor every check reads through.

        Absent: `default` where the source's absence means the provider's default, else
        Undecidable. Present: the value with any secret's plaintext in place, or Undecidable
        when it is (or holds) an unknown, a made-up value or an opaque secret.
        """
        note_read(self.address, key)
        if key in self.props:
            value = self.props[key]
            return decided(value, f"{key} of {self.name}") if self.has_special else value
        if self.recorded is not None and key not in self.recorded:
            raise undecidable(f"{key} of {self.name} is not recorded in the {self.source} file")
        return default

    get = value

    def raw(self, key: str) -> Any:
        """The property as recorded, kinds and all, for a check that decides on what kind of
        value it is (a secret in a Lambda's environment is a plaintext secret in its
        configuration, whatever it holds). Such a check handles UNKNOWN, `MadeUp` and
        `Secret` itself; the read is logged like any other."""
        note_read(self.address, key)
        if key not in self.props and self.recorded is not None and key not in self.recorded:
            raise undecidable(f"{key} of {self.name} is not recorded in the {self.source} file")
        return self.props.get(key)

    def shown(self, key: str) -> Any:
        """The property as evidence shows it, whatever it is (reports render an unknown, a
        secret or a made-up value by its kind): for evidence only, never to decide."""
        return self.props.get(key)

    def is_set(self, key: str) -> bool:
        """Whether the property holds anything but null, even a value not known yet (a
        decision on presence, which an unknown or a secret still is)."""
        note_read(self.address, key, presence=True)
        if key not in self.props and self.recorded is not None and key not in self.recorded:
            raise undecidable(f"{key} of {self.name} is not recorded in the {self.source} file")
        return self.props.get(key) is not None

    @functools.cached_property
    def has_special(self) -> bool:
        """Whether any property holds an unknown, secret or made-up value (computed once)."""
        return is_special(self.props)

    @property
    def address(self) -> str:
        """A stable, human-readable key: the URN when there is one, else the ARN (a live
        resource), else type and name (with its account and region when known)."""
        if self.urn or self.arn:
            return self.urn or str(self.arn)
        where = "/".join(x for x in (self.account, self.region) if x)
        return f"{self.type}::{where + '/' if where else ''}{self.name}"

    @property
    def tags(self) -> Mapping[str, Any]:
        """The tags as recorded, for describing the resource (never to decide a check: a check
        reads `value("tags")`)."""
        tags = self.props.get("tags")
        return tags if isinstance(tags, Mapping) else {}


# What a read log notes for a resource a check listed (by type): it examined it, if only its
# existence.
LISTED = "(listed)"


# The property that names a resource in the cloud, where it is not `name`.
PHYSICAL_NAME_PROPS: Mapping[str, str] = {
    "aws:s3/bucket:Bucket": "bucket",
    "aws:rds/instance:Instance": "identifier",
    "aws:rds/cluster:Cluster": "cluster_identifier",
}


def physical_name_prop(token: str) -> str:
    return PHYSICAL_NAME_PROPS.get(token, "name")


def secret_identity(res: Resource) -> list[str]:
    """The id and ARN of a resource whose physical name is secret (or built from a secret
    prefix): they spell the secret out, so every output must withhold them."""
    prop = physical_name_prop(res.type)
    if not any(isinstance(res.props.get(p), Secret) for p in (prop, f"{prop}_prefix")):
        return []
    return [v for v in (res.id, res.arn) if isinstance(v, str) and v]


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


class Inventory:
    """Resources indexed by type and id, with joins for resources AWS and Pulumi split apart."""

    def __init__(
        self, resources: Iterable[Resource], gaps: Mapping[str, str] | None = None
    ) -> None:
        self._resources: tuple[Resource, ...] = tuple(resources)
        # Types a source could not (fully) collect, and why: asking for one is undecidable.
        self.gaps: Mapping[str, str] = dict(gaps or {})
        self._by_type: dict[str, list[Resource]] = {}
        self._by_id: dict[str, list[Resource]] = {}
        for res in self._resources:
            self._by_type.setdefault(res.type, []).append(res)
            for ident in {res.id, res.arn, res.name if res.id is None else None}:
                if isinstance(ident, str) and ident:
                    self._by_id.setdefault(ident, []).append(res)
        self._memo: dict[Hashable, Any] = {}

    def __iter__(self) -> Iterator[Resource]:
        return iter(self._resources)

    def __len__(self) -> int:
        return len(self._resources)

    @property
    def types(self) -> list[str]:
        return sorted(self._by_type)

    def by_type(self, *types: str) -> list[Resource]:
        """The resources of `types`, for a check: each one counts as examined by it."""
        found = self.of_type(*types)
        for res in found:
            note_read(res.address, LISTED)
        return found

    def of_type(self, *types: str) -> list[Resource]:
        """The resources of `types`, for a join building its index: none counts as examined
        until the join reaches it. Undecidable for a type the source could not collect."""
        self._refuse_gaps(types)
        found: list[Resource] = []
        for token in types:
            found.extend(self._by_type.get(token, ()))
        return found

    def holds_any(self, *types: str) -> bool:
        """Whether a resource of `types` exists: one held settles it even when the source could
        not collect them all; none held is undecidable for a type it could not collect."""
        if any(self._by_type.get(token) for token in types):
            return True
        self._refuse_gaps(types)
        return False

    def get(self, ref: Any, type_: str | None = None) -> Resource | None:
        """The resource whose id or ARN is `ref`, optionally of one type (Undecidable when none
        is found and the source could not collect that type)."""
        if not isinstance(ref, str):
            return None
        for res in self._by_id.get(ref, ()):
            if type_ is None or res.type == type_:
                return res
        if type_ is not None:
            self._refuse_gaps((type_,))
        return None

    def require(self, types: Iterable[str]) -> None:
        """Undecidable when the source could not collect one of `types`: for a join that reads
        them through an index, where finding none would otherwise read as "there are none"."""
        self._refuse_gaps(types)

    def _refuse_gaps(self, types: Iterable[str]) -> None:
        for token in types:
            if token in self.gaps:
                raise undecidable(f"{token} could not be collected: {self.gaps[token]}")

    def memo(self, key: Hashable, build: Callable[[], T]) -> T:
        """A value derived from this inventory (an index for a join), built once."""
        if key not in self._memo:
            self._memo[key] = build()
        return self._memo[key]

    # -- joins ---------------------------------------------------------------------------
    # A resource split off another (a bucket's setting, a group's rule) names its parent by id,
    # ARN or physical name. One index of the parents per kind of split, built once.

    def _parents(self, token: str) -> dict[str, Resource]:
        split = SPLITS[token]

        def build() -> dict[str, Resource]:
            index: dict[str, Resource] = {}
            for parent_type in split.parents:
                for res in self._by_type.get(parent_type, ()):
                    for text in identifiers(res, split):
                        index.setdefault(text, res)
            return index

        return self.memo(("model.parents", split), build)

    def _follow(self, res: Resource) -> tuple[Resource | None, bool]:
        """The parent `res` names, and whether that could be told: (None, True) when it names
        one the inventory does not hold; (None, False) when what it names is not known."""
        text, own = reference(res.props.get(SPLITS[res.type].ref_key))
        if text is None:
            return None, False
        index = self._parents(res.type)
        for candidate in candidates(text):
            if candidate in index:
                return index[candidate], True
        return None, own  # a made-up reference that names nothing may name anything

    def _children(self, kinds: Iterable[str]) -> tuple[dict[str, list[Resource]], list, list]:
        """Split-off resources of `kinds` by their parent's address, those whose parent cannot be
        told, and those that name a parent the inventory does not hold."""
        kinds = tuple(kinds)

        def build() -> tuple[dict[str, list[Resource]], list, list]:
            joined: dict[str, list[Resource]] = {}
            pending: list[Resource] = []
            elsewhere: list[Resource] = []
            for res in (r for token in kinds for r in self._by_type.get(token, ())):
                parent, told = self._follow(res)
                if parent is not None:
                    joined.setdefault(parent.address, []).append(res)
                else:
                    (elsewhere if told else pending).append(res)
            return joined, pending, elsewhere

        return self.memo(("model.children", kinds), build)

    def judged_as(self, res: Resource) -> str:
        """How checks see a resource split off another: "parent" when its parent's checks read
        it (the parent is here, or may be: what it names is not known yet), "alone" when the
        checks of its own type judge it (a rule that may let traffic in, into a group not known
        to be here), "none" when nothing does (listed as uncovered)."""
        parent, told = self._follow(res)
        if parent is not None:
            return "parent"
        if may_let_in(res):
            return "alone"
        parents_here = any(self._by_type.get(t) for t in SPLITS[res.type].parents)
        return "parent" if not told and parents_here else "none"

    def parent_of(self, res: Resource) -> Resource | None:
        """The resource `res` was split off, when the inventory holds it; None when it names one
        the inventory does not hold. Undecidable when what it names is not known."""
        parent, told = self._follow(res)
        if parent is None and not told:
            ref = res.props.get(SPLITS[res.type].ref_key)
            raise undecidable(
                f"{res.name} names its {SPLITS[res.type].ref_key} by {shown_reference(ref)}, so "
                "whether it belongs to a resource of this inventory cannot be told"
            )
        return parent

    def split_from(self, res: Resource) -> list[Resource]:
        """The resources split off `res` that name it (a bucket's settings, a group's rules):
        where an input-level fix of a check judged on `res` may have to be made."""
        joined, _, _ = self._children(tuple(SPLITS))
        return list(joined.get(res.address, ()))

    def bucket_companions(self, bucket: Resource) -> Mapping[str, list[Resource]]:
        """The split-off resources of one bucket, by role ('encryption', 'policy', ...).

        Undecidable while a setting names a bucket not known yet, or names one this inventory
        does not hold while this bucket's own name is not known (it may be this one)."""
        joined, pending, elsewhere = self._children(BUCKET_COMPANIONS)
        if pending:
            raise undecidable("an S3 bucket configuration resource names a bucket not known yet")
        if elsewhere and not name_known(bucket, SPLITS[elsewhere[0].type]):
            raise undecidable(
                f"{elsewhere[0].name} names the bucket "
                f"{shown_reference(elsewhere[0].props.get('bucket'))}, which may be {bucket.name}: "
                "its name is not known yet"
            )
        roles: dict[str, list[Resource]] = {}
        for res in joined.get(bucket.address, ()):
            roles.setdefault(BUCKET_COMPANIONS[res.type], []).append(res)
        return roles

    def security_group_rule_resources(self, group: Resource) -> list[Resource]:
        """Rule resources declared apart from the group they belong to. (A rule that names a
        group by an id the inventory does not hold belongs to another group: an id, unlike a
        bucket's name, cannot be chosen before the group exists.)"""
        self.require(SECURITY_GROUP_RULES)
        joined, pending, _ = self._children(SECURITY_GROUP_RULES)
        if pending:
            raise undecidable("a security group rule names a group not known yet")
        return joined.get(group.address, [])

    def ingress_rules(self, group: Resource) -> list[IngressRule]:
        """Every ingress permission of a group: inline blocks and separate rule resources."""
        if contains_unknown(group.props.get("ingress")):
            raise undecidable(f"the ingress rules of {group.name} are not known yet")
        inline = group.value("ingress")
        rules = [
            inline_ingress(block, group.address, f"an ingress rule of {group.name}")
            for block in (inline if isinstance(inline, list) else [])
            if isinstance(block, Mapping)
        ]
        for res in self.security_group_rule_resources(group):
            rules.extend(rule_ingress(res))
        return rules
