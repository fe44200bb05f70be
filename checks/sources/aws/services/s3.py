"""S3: every bucket of the account (listed once, each read in its own region) with the settings
pulumi_aws v7 splits off it into companion resources, and the account's public access block
(S3 Control).

Reads configuration only: never an object, its key or its body.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
from collections.abc import Iterator, Mapping
from typing import Any

from checks.model import Resource
from checks.sources.aws.collect import CollectionError, Collector, Context, partition_of
from checks.sources.aws.services.datastores import shaped, tag_map
from checks.sources.aws.services.s3_settings import (
    ACCOUNT_PUBLIC_ACCESS_BLOCK,
    ACL,
    BUCKET,
    COMPANIONS,
    OBJECT_LOCK,
    grants,
    object_lock,
)

# Buckets read at once (each bucket is a dozen calls, most of an audit's S3 time).
_WORKERS = 8
# GetBucketLocation answers no constraint for us-east-1, and "EU" for the oldest eu-west-1 buckets.
_LEGACY_LOCATIONS = {"": "us-east-1", "EU": "eu-west-1"}
# The bucket's inline (deprecated) settings, which a live bucket carries in its companions
# instead: absent means not set, even on a bucket some of whose settings could not be read.
_INLINE = frozenset(
    {
        "acceleration_status",
        "acl",
        "arn",
        "bucket",
        "bucket_region",
        "cors_rules",
        "force_destroy",
        "grants",
        "lifecycle_rules",
        "logging",
        "object_lock_configuration",
        "object_lock_enabled",
        "policy",
        "region",
        "replication_configuration",
        "request_payer",
        "server_side_encryption_configuration",
        "tags",
        "versioning",
        "website",
    }
)


class _Gone(Exception):
    """The bucket was deleted while it was being read."""


def _read(
    ctx: Context, client: Any, operation: str, hides: tuple[str, ...], name: str
) -> tuple[Mapping[str, Any] | None, str | None]:
    """One setting of one bucket: (AWS's answer, or None when it is not configured; None), or
    (None, why) when it could not be read, recorded as a partial gap naming the bucket."""
    try:
        return ctx.setting(client, operation, Bucket=name), None
    except CollectionError as exc:
        if "NoSuchBucket" in str(exc):
            raise _Gone from None
        ctx.hide(hides, f"{exc} (bucket {name})")
        return None, str(exc)


def _region(ctx: Context, home: Any, entry: Mapping[str, Any]) -> str | None:
    if entry.get("BucketRegion"):
        return str(entry["BucketRegion"])
    answer, why = _read(ctx, home, "GetBucketLocation", (BUCKET,), entry["Name"])
    if why:
        return None
    where = str((answer or {}).get("LocationConstraint") or "")
    return _LEGACY_LOCATIONS.get(where, where)


def _unread(ctx: Context, token: str, name: str, region: str | None, why: str) -> Resource:
    """A companion whose content could not be read: the bucket's checks of it cannot decide,
    and say why (the companion is named with the reason)."""
    res = ctx.resource(token, f"{name} ({why})", {"bucket": name}, id=name, region=region)
    return dataclasses.replace(res, region=region, recorded=frozenset({"bucket"}))


def _companion(ctx: Context, token: str, name: str, region: str | None, settings: dict) -> Resource:
    props = {"bucket": name, **settings}
    return dataclasses.replace(
        ctx.resource(token, name, props, id=name, region=region), region=region
    )


def _bucket(ctx: Context, home: Any, entry: Mapping[str, Any]) -> list[Resource]:
    """The bucket and its companions (empty when it is gone)."""
    name = str(entry["Name"])
    try:
        region = _region(ctx, home, entry)
        client = ctx.account.client("s3", region) if region else home
        found: list[Resource] = []
        props: dict[str, Any] = {"bucket": name}
        unread: set[str] = set()
        for comp in COMPANIONS:
            answer, why = _read(ctx, client, comp.operation, (comp.type,), name)
            if why:
                found.append(_unread(ctx, comp.type, name, region, why))
            elif answer is not None and (settings := comp.shape(answer)) is not None:
                found.append(_companion(ctx, comp.type, name, region, settings))
        answer, why = _read(ctx, client, "GetBucketAcl", (ACL,), name)
        if why:
            found.append(_unread(ctx, ACL, name, region, why))
        else:
            props["grants"] = grants(answer or {})
        answer, why = _read(ctx, client, "GetObjectLockConfiguration", (OBJECT_LOCK,), name)
        if why:
            unread |= {"object_lock_enabled", "object_lock_configuration"}
        else:
            props["object_lock_enabled"], lock = object_lock(answer)
            if lock is not None:
                found.append(_companion(ctx, OBJECT_LOCK, name, region, lock))
        answer, why = _read(ctx, client, "GetBucketTagging", (BUCKET,), name)
        if why:
            unread.add("tags")
        else:
            props["tags"] = tag_map((answer or {}).get("TagSet"))
    except _Gone:
        return []
    if region:
        props["region"] = props["bucket_region"] = region
    arn = f"arn:{partition_of(region or ctx.region)}:s3:::{name}"
    bucket = dataclasses.replace(
        ctx.resource(BUCKET, name, props, id=name, arn=arn, region=region), region=region
    )
    if unread:
        recorded = (set(props) | _INLINE) - unread
        bucket = dataclasses.replace(bucket, recorded=frozenset(recorded))
    return [bucket, *found]


def _one_bucket(
    ctx: Context, home: Any, entry: Mapping[str, Any]
) -> tuple[list[Resource], Context]:
    """Read one bucket with a context of its own (its calls and gaps are merged afterwards)."""
    own = Context(ctx.account, ctx.region, ctx.service)
    return _bucket(own, home, entry), own


def _named(ids: tuple[str, ...]) -> str:
    """A wanted bucket's name, from its name or its ARN (arn:PARTITION:s3:::NAME)."""
    return next((i for i in ids if not i.startswith("arn:")), ids[0].rpartition(":")[2])


def _buckets(ctx: Context) -> Iterator[Resource]:
    home = ctx.client()
    # Narrowed, the bucket list is partial; each bucket read still has all its companions, so
    # only "which buckets are there" is a gap (a check enumerating buckets cannot decide).
    wanted = ctx.narrowed(BUCKET, (BUCKET,))
    if wanted is None:
        listed = list(ctx.pages(home, "ListBuckets", "Buckets"))
    else:  # only the changed buckets: a name no bucket has is read as gone
        listed = [{"Name": name} for name in dict.fromkeys(_named(ids) for ids in wanted if ids)]
    with concurrent.futures.ThreadPoolExecutor(max_workers=_WORKERS) as pool:
        for found, own in pool.map(lambda entry: _one_bucket(ctx, home, entry), listed):
            ctx.calls += own.calls
            ctx.hidden.extend(own.hidden)
            yield from found


def _account_public_access_block(ctx: Context) -> Iterator[Resource]:
    answer = ctx.setting(ctx.client(), "GetPublicAccessBlock", AccountId=ctx.account_id)
    if answer is None:  # none configured: only each bucket's own block applies
        return
    settings = shaped(answer.get("PublicAccessBlockConfiguration") or {})
    yield ctx.resource(
        ACCOUNT_PUBLIC_ACCESS_BLOCK,
        ctx.account_id,
        {"account_id": ctx.account_id, **settings},
        id=ctx.account_id,
    )


COLLECTORS: list[Collector] = [
    Collector(
        "s3",
        (BUCKET, *(c.type for c in COMPANIONS), ACL, OBJECT_LOCK),
        (
            "s3:ListAllMyBuckets",
            "s3:GetBucketLocation",
            *(c.action for c in COMPANIONS),
            "s3:GetBucketAcl",
            "s3:GetBucketObjectLockConfiguration",
            "s3:GetBucketTagging",
        ),
        _buckets,
        regional=False,
    ),
    Collector(
        "s3control",
        (ACCOUNT_PUBLIC_ACCESS_BLOCK,),
        ("s3:GetAccountPublicAccessBlock",),
        _account_public_access_block,
        regional=False,
    ),
]
