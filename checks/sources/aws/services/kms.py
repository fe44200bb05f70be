"""Live collectors: KMS customer-managed keys and their aliases. Configuration only: never
Encrypt, Decrypt or GenerateDataKey.

A key is typed as the provider types it: `Key` for key material KMS made (or a custom key
store holds), `ExternalKey` for imported key material, `ReplicaKey` for a multi-Region replica.
AWS-managed keys (`aws/s3`, ...) are not resources a program declares, and are left out. A key
whose settings cannot be read (its key policy may shut the auditor out) is left out and its type
marked as partly seen, so its checks say so instead of passing.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from checks.model import Resource
from checks.sources.aws.collect import CollectionError, Collector, Context

KEY = "aws:kms/key:Key"
EXTERNAL_KEY = "aws:kms/externalKey:ExternalKey"
REPLICA_KEY = "aws:kms/replicaKey:ReplicaKey"
ALIAS = "aws:kms/alias:Alias"
KEY_TYPES = (KEY, EXTERNAL_KEY, REPLICA_KEY)
# Aliases AWS reserves for its managed keys.
AWS_ALIAS_PREFIX = "alias/aws/"
# Automatic rotation exists only for symmetric encryption keys whose material KMS generated.
ROTATABLE_SPEC = "SYMMETRIC_DEFAULT"
# While a key awaits deletion AWS does not rotate it: its rotation status is false.
DELETING_STATES = frozenset({"PendingDeletion", "PendingReplicaDeletion"})


def _iso(value: Any) -> str | None:
    return value.isoformat() if hasattr(value, "isoformat") else value


def _type_of(meta: Mapping[str, Any]) -> str:
    if meta.get("Origin") == "EXTERNAL":
        return EXTERNAL_KEY
    region_kind = (meta.get("MultiRegionConfiguration") or {}).get("MultiRegionKeyType")
    return REPLICA_KEY if region_kind == "REPLICA" else KEY


def _tags(ctx: Context, kms: Any, key_id: str) -> dict[str, str]:
    return {
        t["TagKey"]: t.get("TagValue", "")
        for t in ctx.pages(kms, "ListResourceTags", "Tags", KeyId=key_id)
    }


def _rotation(ctx: Context, kms: Any, meta: Mapping[str, Any]) -> dict[str, Any]:
    """`enable_key_rotation` (and the period, when AWS says it) as the provider records it."""
    spec = meta.get("KeySpec") or meta.get("CustomerMasterKeySpec")
    if spec != ROTATABLE_SPEC or meta.get("Origin") != "AWS_KMS":
        return {"enable_key_rotation": False}  # AWS cannot rotate this key automatically
    if meta.get("KeyState") in DELETING_STATES:
        return {"enable_key_rotation": False}
    status = ctx.call(kms, "GetKeyRotationStatus", KeyId=meta["KeyId"])
    found = {"enable_key_rotation": bool(status["KeyRotationEnabled"])}
    if status.get("RotationPeriodInDays"):
        found["rotation_period_in_days"] = status["RotationPeriodInDays"]
    return found


def _key(
    ctx: Context, kms: Any, key_id: str, meta: Mapping[str, Any] | None = None
) -> Resource | None:
    meta = meta or ctx.call(kms, "DescribeKey", KeyId=key_id)["KeyMetadata"]
    if meta.get("KeyManager") != "CUSTOMER":
        return None
    type_ = _type_of(meta)
    spec = meta.get("KeySpec") or meta.get("CustomerMasterKeySpec")
    props: dict[str, Any] = {
        "key_id": meta["KeyId"],
        "arn": meta["Arn"],
        "description": meta.get("Description", ""),
        "multi_region": bool(meta.get("MultiRegion", False)),
        "policy": ctx.call(kms, "GetKeyPolicy", KeyId=key_id, PolicyName="default")["Policy"],
        "tags": _tags(ctx, kms, key_id),
        # Not an input of the provider's Key: the live state, so a finding can say a disabled
        # key is in fact scheduled for deletion (PendingDeletion).
        "key_state": meta.get("KeyState"),
    }
    if type_ == KEY:
        props.update(
            customer_master_key_spec=spec,
            is_enabled=bool(meta.get("Enabled")),
            **_rotation(ctx, kms, meta),
        )
        if meta.get("CustomKeyStoreId"):
            props["custom_key_store_id"] = meta["CustomKeyStoreId"]
    elif type_ == EXTERNAL_KEY:
        props.update(
            enabled=bool(meta.get("Enabled")),
            expiration_model=meta.get("ExpirationModel"),
            valid_to=_iso(meta.get("ValidTo")),
        )
    else:
        primary = meta["MultiRegionConfiguration"].get("PrimaryKey") or {}
        props.update(
            enabled=bool(meta.get("Enabled")),
            primary_key_arn=primary.get("Arn"),
            key_spec=spec,
            key_rotation_enabled=_rotation(ctx, kms, meta)["enable_key_rotation"],
        )
    if meta.get("KeyUsage"):
        props["key_usage"] = meta["KeyUsage"]
    if meta.get("DeletionDate"):
        props["deletion_date"] = _iso(meta["DeletionDate"])
    return ctx.resource(type_, meta["KeyId"], props, id=meta["KeyId"], arn=meta["Arn"])


def _wanted_keys(ctx: Context, kms: Any) -> Iterator[dict[str, Any]]:
    """Every key of the region, or only the changed ones (described once here: a key id no key
    has is read as gone)."""
    wanted = ctx.narrowed(KEY, KEY_TYPES)
    if wanted is None:
        yield from ctx.pages(kms, "ListKeys", "Keys")
        return
    for ids in wanted:
        found = ctx.lookup(kms, "DescribeKey", KeyId=ids[0])
        if found is not None:
            yield {"KeyId": ids[0], "KeyMetadata": found["KeyMetadata"]}


def collect_keys(ctx: Context) -> Iterator[Resource]:
    kms = ctx.client()
    for entry in _wanted_keys(ctx, kms):
        try:
            found = _key(ctx, kms, entry["KeyId"], entry.get("KeyMetadata"))
        except CollectionError as exc:
            ctx.hide(KEY_TYPES, f"the key {entry.get('KeyArn') or entry['KeyId']}: {exc}")
            continue
        if found is not None:
            yield found


def collect_aliases(ctx: Context) -> Iterator[Resource]:
    for alias in ctx.pages(ctx.client(), "ListAliases", "Aliases"):
        name = alias["AliasName"]
        target = alias.get("TargetKeyId")
        if name.startswith(AWS_ALIAS_PREFIX) or not target:
            continue
        key_arn = f"arn:{ctx.partition}:kms:{ctx.region}:{ctx.account_id}:key/{target}"
        props = {"name": name, "arn": alias["AliasArn"], "target_key_id": target,
                 "target_key_arn": key_arn}  # fmt: skip
        yield ctx.resource(ALIAS, name, props, id=name, arn=alias["AliasArn"])


COLLECTORS: list[Collector] = [
    Collector(
        "kms",
        KEY_TYPES,
        (
            "kms:ListKeys",
            "kms:DescribeKey",
            "kms:GetKeyPolicy",
            "kms:GetKeyRotationStatus",
            "kms:ListResourceTags",
        ),
        collect_keys,
    ),
    Collector("kms", (ALIAS,), ("kms:ListAliases",), collect_aliases),
]
