"""S3 bucket settings as pulumi_aws v7 splits them off a bucket: for each, the call that reads it,
the IAM action it needs, the companion resource it becomes (named by `bucket`, as a program
declares it) and how AWS's answer becomes the companion's properties."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from checks.sources.aws.services.datastores import shaped, snake, tag_map

BUCKET = "aws:s3/bucket:Bucket"
ENCRYPTION = (
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
)
VERSIONING = "aws:s3/bucketVersioning:BucketVersioning"
PUBLIC_ACCESS_BLOCK = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
POLICY = "aws:s3/bucketPolicy:BucketPolicy"
LOGGING = "aws:s3/bucketLogging:BucketLogging"
OWNERSHIP = "aws:s3/bucketOwnershipControls:BucketOwnershipControls"
ACL = "aws:s3/bucketAcl:BucketAcl"
LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"
OBJECT_LOCK = "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration"
REPLICATION = "aws:s3/bucketReplicationConfig:BucketReplicationConfig"
NOTIFICATION = "aws:s3/bucketNotification:BucketNotification"
ACCOUNT_PUBLIC_ACCESS_BLOCK = "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock"

Shape = Callable[[Mapping[str, Any]], dict[str, Any] | None]


@dataclass(frozen=True)
class Companion:
    """A setting pulumi_aws declares as a resource of its own beside the bucket."""

    type: str
    operation: str
    action: str
    shape: Shape  # AWS's answer -> the companion's properties; None: nothing is configured


def _encryption(answer: Mapping[str, Any]) -> dict[str, Any] | None:
    rules = (answer.get("ServerSideEncryptionConfiguration") or {}).get("Rules")
    return {"rules": shaped(rules)} if rules else None


def _versioning(answer: Mapping[str, Any]) -> dict[str, Any] | None:
    # A bucket never versioned answers with no Status: no BucketVersioning declares anything.
    if not answer.get("Status"):
        return None
    conf = {"status": answer["Status"]}
    if answer.get("MFADelete"):
        conf["mfa_delete"] = answer["MFADelete"]
    return {"versioning_configuration": conf}


def _public_access_block(answer: Mapping[str, Any]) -> dict[str, Any] | None:
    conf = answer.get("PublicAccessBlockConfiguration")
    return shaped(conf) if conf is not None else None


def _policy(answer: Mapping[str, Any]) -> dict[str, Any] | None:
    return {"policy": answer["Policy"]} if answer.get("Policy") else None


def _grantee(grantee: Mapping[str, Any]) -> dict[str, Any]:
    return shaped(grantee, {"URI": "uri", "ID": "id"})


def _logging(answer: Mapping[str, Any]) -> dict[str, Any] | None:
    enabled = answer.get("LoggingEnabled")
    if not enabled:
        return None
    props = shaped({k: v for k, v in enabled.items() if k != "TargetGrants"})
    grants = [
        {"grantee": _grantee(g.get("Grantee") or {}), "permission": g.get("Permission")}
        for g in enabled.get("TargetGrants") or ()
    ]
    return {**props, **({"target_grants": grants} if grants else {})}


def _ownership(answer: Mapping[str, Any]) -> dict[str, Any] | None:
    rules = (answer.get("OwnershipControls") or {}).get("Rules") or []
    return {"rule": {"object_ownership": rules[0]["ObjectOwnership"]}} if rules else None


def _filter(block: Any) -> Any:
    """A rule's filter: the SDK names its `And` block `and_` (a Python keyword otherwise) and
    gives the block's tags as a map."""
    if not isinstance(block, Mapping):
        return block
    out = shaped({k: v for k, v in block.items() if k != "And"})
    if "And" in block:
        both = dict(block["And"])
        tags = tag_map(both.pop("Tags", None))
        out["and_"] = {**shaped(both), **({"tags": tags} if tags else {})}
    return out


def _rules(rules: Any) -> list[dict[str, Any]]:
    shaped_rules = []
    for rule in rules or ():
        out = shaped({k: v for k, v in rule.items() if k != "Filter"})
        if "Filter" in rule:
            out["filter"] = _filter(rule["Filter"])
        shaped_rules.append(out)
    return shaped_rules


def _lifecycle(answer: Mapping[str, Any]) -> dict[str, Any] | None:
    if not answer.get("Rules"):
        return None
    props: dict[str, Any] = {"rules": _rules(answer["Rules"])}
    if answer.get("TransitionDefaultMinimumObjectSize"):
        props["transition_default_minimum_object_size"] = answer[
            "TransitionDefaultMinimumObjectSize"
        ]
    return props


def _replication(answer: Mapping[str, Any]) -> dict[str, Any] | None:
    conf = answer.get("ReplicationConfiguration") or {}
    if not conf.get("Rules"):
        return None
    return {"role": conf.get("Role"), "rules": _rules(conf["Rules"])}


# AWS's notification configurations: (its list, the provider's list, the destination's key).
_DESTINATIONS = (
    ("TopicConfigurations", "topics", "TopicArn"),
    ("QueueConfigurations", "queues", "QueueArn"),
    ("LambdaFunctionConfigurations", "lambda_functions", "LambdaFunctionArn"),
)


def _notification_target(entry: Mapping[str, Any], arn_key: str) -> dict[str, Any]:
    rules = ((entry.get("Filter") or {}).get("Key") or {}).get("FilterRules") or ()
    filters = {f"filter_{str(r.get('Name')).lower()}": r.get("Value") for r in rules}
    return {
        "id": entry.get("Id"),
        snake(arn_key): entry.get(arn_key),
        "events": entry.get("Events"),
        **{k: v for k, v in filters.items() if k in ("filter_prefix", "filter_suffix")},
    }


def _notification(answer: Mapping[str, Any]) -> dict[str, Any] | None:
    props: dict[str, Any] = {
        ours: [_notification_target(e, arn_key) for e in answer[theirs]]
        for theirs, ours, arn_key in _DESTINATIONS
        if answer.get(theirs)
    }
    if "EventBridgeConfiguration" in answer:
        props["eventbridge"] = True
    return props or None


def object_lock(answer: Mapping[str, Any] | None) -> tuple[bool, dict[str, Any] | None]:
    """Whether Object Lock is on for the bucket, and the BucketObjectLockConfiguration that
    declares its default retention (None without one)."""
    conf = (answer or {}).get("ObjectLockConfiguration") or {}
    enabled = conf.get("ObjectLockEnabled") == "Enabled"
    if not enabled or not conf.get("Rule"):
        return enabled, None
    return enabled, {"object_lock_enabled": "Enabled", "rule": shaped(conf["Rule"])}


def grants(answer: Mapping[str, Any]) -> list[dict[str, Any]]:
    """A bucket's ACL as the bucket's `grants`: one entry per grantee with its permissions."""
    by_grantee: dict[tuple[Any, ...], dict[str, Any]] = {}
    for grant in answer.get("Grants") or ():
        grantee = grant.get("Grantee") or {}
        key = (grantee.get("Type"), grantee.get("ID"), grantee.get("URI"))
        entry = by_grantee.setdefault(
            key,
            {k: v for k, v in (("type", key[0]), ("id", key[1]), ("uri", key[2])) if v is not None}
            | {"permissions": []},
        )
        entry["permissions"].append(grant.get("Permission"))
    for entry in by_grantee.values():
        entry["permissions"] = sorted(str(p) for p in entry["permissions"])
    return list(by_grantee.values())


COMPANIONS: tuple[Companion, ...] = (
    Companion(ENCRYPTION, "GetBucketEncryption", "s3:GetEncryptionConfiguration", _encryption),
    Companion(VERSIONING, "GetBucketVersioning", "s3:GetBucketVersioning", _versioning),
    Companion(
        PUBLIC_ACCESS_BLOCK,
        "GetPublicAccessBlock",
        "s3:GetBucketPublicAccessBlock",
        _public_access_block,
    ),
    Companion(POLICY, "GetBucketPolicy", "s3:GetBucketPolicy", _policy),
    Companion(LOGGING, "GetBucketLogging", "s3:GetBucketLogging", _logging),
    Companion(OWNERSHIP, "GetBucketOwnershipControls", "s3:GetBucketOwnershipControls", _ownership),
    Companion(
        LIFECYCLE, "GetBucketLifecycleConfiguration", "s3:GetLifecycleConfiguration", _lifecycle
    ),
    Companion(REPLICATION, "GetBucketReplication", "s3:GetReplicationConfiguration", _replication),
    Companion(
        NOTIFICATION,
        "GetBucketNotificationConfiguration",
        "s3:GetBucketNotification",
        _notification,
    ),
)
