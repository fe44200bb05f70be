"""Whether an S3 bucket is closed to the public: its bucket-level public access block and its
ACLs. The S3 check (S3-02) and the CloudTrail bucket check (LOG-03) judge by this one predicate."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from checks.model import Inventory, Resource
from checks.support.aws_defaults import S3_NEW_BUCKET_LOCKDOWN, created_now
from checks.support.buckets import companions
from checks.support.evidence import one
from checks.support.props import blocks, flag, known

PUBLIC_ACCESS_BLOCK_FLAGS = (
    "block_public_acls",
    "block_public_policy",
    "ignore_public_acls",
    "restrict_public_buckets",
)
PUBLIC_CANNED_ACLS = frozenset({"public-read", "public-read-write", "authenticated-read"})
PUBLIC_GRANTEES = frozenset(
    {
        "http://acs.amazonaws.com/groups/global/AllUsers",
        "http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
    }
)


@dataclass(frozen=True)
class PublicAccess:
    """The judgement: whether public access is blocked, the reason, and what decided it."""

    blocked: bool
    reason: str
    evidence: Mapping[str, Any]


def public_acl(res: Resource, inv: Inventory) -> list[str]:
    """The canned ACLs and grantee groups that open the bucket to anyone."""
    acl_resources = [res, *companions(res, inv, "acl")]
    canned = [known(r, "acl") for r in acl_resources]
    grantees = list(blocks(known(res, "grants")))
    for r in acl_resources[1:]:
        for policy in blocks(known(r, "access_control_policy")):
            grantees += [
                g for grant in blocks(policy.get("grants")) for g in blocks(grant.get("grantee"))
            ]
    public = [a for a in canned if a in PUBLIC_CANNED_ACLS]
    return public + [g["uri"] for g in grantees if g.get("uri") in PUBLIC_GRANTEES]


def bucket_public_access(res: Resource, inv: Inventory) -> PublicAccess:
    """Blocked when no ACL is public and a public access block turns all four settings on."""
    pabs = companions(res, inv, "public_access_block")
    flags = {f: any(flag(known(p, f, False)) for p in pabs) for f in PUBLIC_ACCESS_BLOCK_FLAGS}
    evidence = {**flags, "public_acl": one(public_acl(res, inv))}
    if evidence["public_acl"]:
        reason = f"the bucket ACL grants public access ({evidence['public_acl']})"
        return PublicAccess(False, reason, evidence)
    if not pabs and created_now(res, "public access block", S3_NEW_BUCKET_LOCKDOWN):
        evidence = {**dict.fromkeys(PUBLIC_ACCESS_BLOCK_FLAGS, True), "public_acl": None}
        evidence["by_default"] = f"S3 default for buckets created since {S3_NEW_BUCKET_LOCKDOWN}"
        return PublicAccess(
            True, "all four settings are on by S3's default for new buckets", evidence
        )
    if not pabs:
        return PublicAccess(False, "no bucket-level public access block is declared", evidence)
    if off := [f for f, on in flags.items() if not on]:
        return PublicAccess(False, f"the public access block leaves {', '.join(off)} off", evidence)
    return PublicAccess(True, "all four public access block settings are on", evidence)
