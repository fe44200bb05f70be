"""Resources AWS and Pulumi split off another: an S3 bucket's settings, a security group's rules.

What each one names as its parent (and how a reference may name it), and what ingress a rule
resource grants. `Inventory` (in `checks.model`) joins them to their parents with these; a split-off
resource whose parent the inventory does not hold is judged on its own where a check can
(a rule that lets traffic in), and listed as uncovered otherwise.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol

from checks.values import UNKNOWN, MadeUp, Secret, decided, undecidable

BUCKET = "aws:s3/bucket:Bucket"

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
    "aws:s3/bucketNotification:BucketNotification": "notification",
}

SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
DEFAULT_SECURITY_GROUP = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"
# The groups rules attach to: a VPC's default group takes rules (and opens ports) like any other.
SECURITY_GROUPS = (SECURITY_GROUP, DEFAULT_SECURITY_GROUP)
LEGACY_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
EGRESS_RULE = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
# Rules declared as resources of their own, and the property naming their group. (pulumi_aws v7's
# `ec2.VpcSecurityGroupRulesExclusive` lists rule ids and grants nothing itself: not a rule.)
SECURITY_GROUP_RULES: Mapping[str, str] = {
    LEGACY_RULE: "security_group_id",
    INGRESS_RULE: "security_group_id",
    EGRESS_RULE: "security_group_id",
}
# The rule kinds that may let traffic in (a legacy rule says which way in its `type`).
INGRESS_RULE_TYPES = (LEGACY_RULE, INGRESS_RULE)

# Types that checks of other types read through their parents.
JOINED_TYPES: frozenset[str] = frozenset(BUCKET_COMPANIONS) | frozenset(SECURITY_GROUP_RULES)


class Split(NamedTuple):
    """How a split-off resource names its parent."""

    parents: tuple[str, ...]  # the parent's possible types
    ref_key: str  # the property holding the reference
    name_keys: tuple[str, ...]  # parent properties a reference may hold, besides its id and ARN


_TO_BUCKET = Split((BUCKET,), "bucket", ("bucket", "arn"))
_TO_GROUP = Split(SECURITY_GROUPS, "security_group_id", ("arn",))
SPLITS: Mapping[str, Split] = {
    **{token: _TO_BUCKET for token in BUCKET_COMPANIONS},
    **{token: _TO_GROUP for token in SECURITY_GROUP_RULES},
}

# A bucket's ARN names the bucket as well as its name does (`arn:aws:s3:::NAME`).
_S3_ARN = re.compile(r"^arn:aws[a-z-]*:s3:::([^/*]+)$")


class _Res(Protocol):
    type: str
    name: str
    props: Mapping[str, Any]
    id: str | None
    arn: str | None

    @property
    def address(self) -> str: ...

    def value(self, key: str, default: Any = None) -> Any: ...


def reference(value: Any) -> tuple[str | None, bool]:
    """A reference as the text to follow, and whether that text is the program's or the cloud's
    own (not made up by the mocks). (None, False) when it cannot be followed: unknown until
    deployment, an opaque secret, absent."""
    if isinstance(value, str) and value:
        return value, True
    if isinstance(value, Secret) and value.revealable and isinstance(value.plaintext, str):
        return value.plaintext, True
    if isinstance(value, MadeUp) and isinstance(value.value, str):
        return value.value, False
    return None, False


def identifiers(res: _Res, split: Split) -> set[str]:
    """Every text by which a split-off resource may name `res` as its parent."""
    found = {
        reference(v)[0] for v in (res.id, res.arn, *(res.props.get(k) for k in split.name_keys))
    }
    return {text for text in found if text}


def candidates(text: str) -> tuple[str, ...]:
    """The texts to look a reference up by: itself, and the bucket name inside an S3 ARN."""
    match = _S3_ARN.match(text)
    return (text, match.group(1)) if match else (text,)


def name_known(res: _Res, split: Split) -> bool:
    """Whether any identifier of a parent is known, so a reference that matches none of them is
    known not to name it. (A name the mocks made up counts: a program cannot write the random
    suffix of an auto-name into a literal reference.)"""
    return bool(identifiers(res, split))


def shown_reference(value: Any) -> str:
    """A reference for a message: its text when it is plain, else what kind of value it is."""
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, Secret):
        return "a secret"
    if isinstance(value, MadeUp):
        return "a value the scanner's mocks made up"
    return "a value not known yet" if value is UNKNOWN else "nothing"


# -- what a rule grants --------------------------------------------------------------------------


@dataclass(frozen=True)
class IngressRule:
    """One ingress permission of a security group, wherever it was declared."""

    from_port: Any
    to_port: Any
    protocol: Any
    cidr_ipv4: tuple[Any, ...]
    cidr_ipv6: tuple[Any, ...]
    declared_by: str  # address of the resource that declared it


def as_tuple(value: Any) -> tuple[Any, ...]:
    if value is None:
        return ()
    if isinstance(value, (list, tuple)):
        return tuple(value)
    return (value,)


def inline_ingress(block: Mapping[str, Any], declared_by: str, what: str) -> IngressRule:
    """An ingress block (a group's inline rule, or a legacy rule's own properties), each value
    read as a check may decide on it."""

    def read(key: str) -> Any:
        return decided(block.get(key), f"{key} of {what}")

    return IngressRule(
        from_port=read("from_port"),
        to_port=read("to_port"),
        protocol=read("protocol"),
        cidr_ipv4=as_tuple(read("cidr_blocks")),
        cidr_ipv6=as_tuple(read("ipv6_cidr_blocks")),
        declared_by=declared_by,
    )


def may_let_in(res: _Res) -> bool:
    """Whether a rule resource may grant ingress: an ingress rule, or a legacy rule not plainly
    marked egress (one whose direction is not known yet may be either)."""
    if res.type == INGRESS_RULE:
        return True
    return res.type == LEGACY_RULE and res.props.get("type") != "egress"


def rule_ingress(res: _Res) -> list[IngressRule]:
    """The ingress a rule resource grants: none for an egress rule. Undecidable when a value that
    decides it is not known yet, made up, or a secret whose plaintext was not given."""
    if res.type == INGRESS_RULE:
        return [
            IngressRule(
                from_port=res.value("from_port"),
                to_port=res.value("to_port"),
                protocol=res.value("ip_protocol"),
                cidr_ipv4=as_tuple(res.value("cidr_ipv4")),
                cidr_ipv6=as_tuple(res.value("cidr_ipv6")),
                declared_by=res.address,
            )
        ]
    if res.type != LEGACY_RULE:
        return []
    direction = res.value("type")
    if direction == "egress":
        return []
    if direction != "ingress":
        raise undecidable(f"the direction of the rule {res.name} is neither ingress nor egress")
    props = {k: res.value(k) for k in ("from_port", "to_port", "protocol", "cidr_blocks",
                                       "ipv6_cidr_blocks")}  # fmt: skip
    return [inline_ingress(props, res.address, res.name)]
