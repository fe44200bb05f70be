"""S3 buckets, the companion resources pulumi_aws v7 splits a bucket's settings into (each
applied to its bucket), and the account-wide public access block.

The emulator validates server access logging more strictly than S3 (it wants the target
bucket's policy to grant the logging service exactly the logged prefix) and fails outright on a
target policy with a `"Principal": "*"` statement (moto 5.2). So `BucketLogging` is applied with
a minimal grant standing in for the target's policy for that one call, and the target's own
policy is put back at once: what the emulator holds in the end is exactly what was declared.
Bucket policies and logging are applied one at a time for that.

Only what the program declares is applied: S3's own defaults for new buckets (SSE-S3 since
January 2023, public access blocked and ACLs disabled since April 2023) are S3's, and the checks
know them (`checks/aws/s3*.py`); the emulator's answer for an unset setting is "not configured".
"""

from __future__ import annotations

import json
import threading
from typing import Any

import botocore.exceptions

from scripts.emulate.creators.base import (
    Made,
    Target,
    error_code,
    physical_name,
    tag_list,
    tags,
    without_none,
)
from scripts.emulate.inputs import Inputs

_POLICIES = threading.Lock()


def _owner(inputs: Inputs) -> dict[str, Any]:
    return without_none(ExpectedBucketOwner=inputs.get("expected_bucket_owner"))


def _encryption_rules(rules: Any) -> dict[str, Any]:
    out = []
    for rule in rules:
        by_default = rule.get("apply_server_side_encryption_by_default")
        entry: dict[str, Any] = without_none(BucketKeyEnabled=rule.get("bucket_key_enabled"))
        if by_default is not None:
            entry["ApplyServerSideEncryptionByDefault"] = without_none(
                SSEAlgorithm=by_default.require("sse_algorithm"),
                KMSMasterKeyID=by_default.get("kms_master_key_id"),
            )
        out.append(entry)
    return {"Rules": out}


def bucket(inputs: Inputs, target: Target, clients) -> Made:
    s3 = clients("s3")
    name = physical_name(inputs, target, "bucket", lower=True, max_length=63)
    args: dict[str, Any] = without_none(
        ObjectLockEnabledForBucket=inputs.get("object_lock_enabled"), ACL=inputs.get("acl")
    )
    if target.region != "us-east-1":
        args["CreateBucketConfiguration"] = {"LocationConstraint": target.region}
    s3.create_bucket(Bucket=name, **args)
    values = tags(inputs, target)
    if values:
        s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": tag_list(values)})
    # The inline settings v7 still accepts (deprecated in favour of the companions below).
    if "policy" in inputs:
        s3.put_bucket_policy(Bucket=name, Policy=inputs["policy"])
    versioning = inputs.get("versioning")
    if versioning is not None and "enabled" in versioning:
        status = "Enabled" if versioning["enabled"] else "Suspended"
        s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": status})
    encryption = inputs.get("server_side_encryption_configuration")
    if encryption is not None:
        s3.put_bucket_encryption(
            Bucket=name,
            ServerSideEncryptionConfiguration=_encryption_rules([encryption.require("rule")]),
        )
    inputs.provider_only("force_destroy")
    return name, {
        "bucket": name,
        "arn": f"arn:{target.partition}:s3:::{name}",
        "bucket_domain_name": f"{name}.s3.amazonaws.com",
        "bucket_regional_domain_name": f"{name}.s3.{target.region}.amazonaws.com",
        "region": target.region,
    }


def encryption(inputs: Inputs, target: Target, clients) -> Made:
    name = inputs.require("bucket")
    clients("s3").put_bucket_encryption(
        Bucket=name,
        ServerSideEncryptionConfiguration=_encryption_rules(inputs.require("rules")),
        **_owner(inputs),
    )
    return name, {}


def versioning(inputs: Inputs, target: Target, clients) -> Made:
    name = inputs.require("bucket")
    config = inputs.require("versioning_configuration")
    clients("s3").put_bucket_versioning(
        Bucket=name,
        VersioningConfiguration=without_none(
            Status=config.require("status"), MFADelete=config.get("mfa_delete")
        ),
        **without_none(MFA=inputs.get("mfa")),
        **_owner(inputs),
    )
    return name, {}


_BLOCKS = {
    "block_public_acls": "BlockPublicAcls",
    "ignore_public_acls": "IgnorePublicAcls",
    "block_public_policy": "BlockPublicPolicy",
    "restrict_public_buckets": "RestrictPublicBuckets",
}


def _block_config(inputs: Inputs) -> dict[str, bool]:
    # An unset flag is false, as the provider sends it.
    return {api: bool(inputs.get(key, False)) for key, api in _BLOCKS.items()}


def public_access_block(inputs: Inputs, target: Target, clients) -> Made:
    name = inputs.require("bucket")
    clients("s3").put_public_access_block(
        Bucket=name, PublicAccessBlockConfiguration=_block_config(inputs)
    )
    inputs.provider_only("skip_destroy")
    return name, {}


def account_public_access_block(inputs: Inputs, target: Target, clients) -> Made:
    account = inputs.get("account_id") or target.account
    clients("s3control").put_public_access_block(
        AccountId=account, PublicAccessBlockConfiguration=_block_config(inputs)
    )
    return account, {"account_id": account}


def policy(inputs: Inputs, target: Target, clients) -> Made:
    name = inputs.require("bucket")
    with _POLICIES:
        clients("s3").put_bucket_policy(Bucket=name, Policy=inputs.require("policy"))
    return name, {}


def _put_logging(s3, name: str, status: dict[str, Any], partition: str, owner) -> None:
    """PutBucketLogging past the emulator's check of the target's policy (see the module doc)."""
    log_bucket = status["LoggingEnabled"]["TargetBucket"]
    grant = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "logging.s3.amazonaws.com"},
                "Action": "s3:PutObject",
                "Resource": f"arn:{partition}:s3:::{log_bucket}/*",
            }
        ],
    }
    with _POLICIES:
        try:
            own = s3.get_bucket_policy(Bucket=log_bucket)["Policy"]
        except botocore.exceptions.ClientError as exc:
            if error_code(exc) != "NoSuchBucketPolicy":
                raise
            own = None
        s3.put_bucket_policy(Bucket=log_bucket, Policy=json.dumps(grant))
        try:
            s3.put_bucket_logging(Bucket=name, BucketLoggingStatus=status, **owner)
        finally:
            if own is None:
                s3.delete_bucket_policy(Bucket=log_bucket)
            else:
                s3.put_bucket_policy(Bucket=log_bucket, Policy=own)


def logging(inputs: Inputs, target: Target, clients) -> Made:
    name = inputs.require("bucket")
    enabled: dict[str, Any] = {
        "TargetBucket": inputs.require("target_bucket"),
        "TargetPrefix": inputs.get("target_prefix", ""),
    }
    key_format = inputs.get("target_object_key_format")
    if key_format is not None:
        partitioned = key_format.get("partitioned_prefix")
        if partitioned is not None:
            source = partitioned.get("partition_date_source")
            enabled["TargetObjectKeyFormat"] = {
                "PartitionedPrefix": without_none(PartitionDateSource=source)
            }
        elif "simple_prefix" in key_format:
            key_format.plain("simple_prefix")
            enabled["TargetObjectKeyFormat"] = {"SimplePrefix": {}}
    grants = [
        {
            "Grantee": without_none(
                Type=g["grantee"].require("type"),
                ID=g["grantee"].get("id"),
                URI=g["grantee"].get("uri"),
                EmailAddress=g["grantee"].get("email_address"),
            ),
            "Permission": g.require("permission"),
        }
        for g in inputs.get("target_grants") or []
    ]
    if grants:
        enabled["TargetGrants"] = grants
    status = {"LoggingEnabled": enabled}
    _put_logging(clients("s3"), name, status, target.partition, _owner(inputs))
    return name, {}


def ownership_controls(inputs: Inputs, target: Target, clients) -> Made:
    name = inputs.require("bucket")
    rule = inputs.require("rule")
    clients("s3").put_bucket_ownership_controls(
        Bucket=name,
        OwnershipControls={"Rules": [{"ObjectOwnership": rule.require("object_ownership")}]},
    )
    return name, {}


def _filter(spec: Inputs | None) -> dict[str, Any]:
    if spec is None:
        return {}
    out: dict[str, Any] = without_none(
        Prefix=spec.get("prefix"),
        ObjectSizeGreaterThan=spec.get("object_size_greater_than"),
        ObjectSizeLessThan=spec.get("object_size_less_than"),
    )
    tag = spec.get("tag")
    if tag is not None:
        out["Tag"] = {"Key": tag.require("key"), "Value": tag.require("value")}
    both = spec.get("and")
    if both is not None:
        out["And"] = without_none(
            Prefix=both.get("prefix"),
            Tags=tag_list(both.plain("tags")) if "tags" in both else None,
            ObjectSizeGreaterThan=both.get("object_size_greater_than"),
            ObjectSizeLessThan=both.get("object_size_less_than"),
        )
    return out


def _transition(item: Inputs, days: str, api_days: str) -> dict[str, Any]:
    return without_none(
        **{api_days: item.get(days)},
        Date=item.get("date"),
        StorageClass=item.require("storage_class"),
        NewerNoncurrentVersions=item.get("newer_noncurrent_versions"),
    )


def _lifecycle_rule(rule: Inputs) -> dict[str, Any]:
    out: dict[str, Any] = {"ID": rule.require("id"), "Status": rule.require("status")}
    if "filter" in rule or "prefix" not in rule:
        out["Filter"] = _filter(rule.get("filter"))
    else:
        out["Prefix"] = rule["prefix"]
    expiration = rule.get("expiration")
    if expiration is not None:
        out["Expiration"] = without_none(
            Days=expiration.get("days"),
            Date=expiration.get("date"),
            ExpiredObjectDeleteMarker=expiration.get("expired_object_delete_marker"),
        )
    out["Transitions"] = [_transition(t, "days", "Days") for t in rule.get("transitions") or []]
    out["NoncurrentVersionTransitions"] = [
        _transition(t, "noncurrent_days", "NoncurrentDays")
        for t in rule.get("noncurrent_version_transitions") or []
    ]
    noncurrent = rule.get("noncurrent_version_expiration")
    if noncurrent is not None:
        out["NoncurrentVersionExpiration"] = without_none(
            NoncurrentDays=noncurrent.get("noncurrent_days"),
            NewerNoncurrentVersions=noncurrent.get("newer_noncurrent_versions"),
        )
    abort = rule.get("abort_incomplete_multipart_upload")
    if abort is not None:
        out["AbortIncompleteMultipartUpload"] = {
            "DaysAfterInitiation": abort.require("days_after_initiation")
        }
    return {k: v for k, v in out.items() if v != []}


def lifecycle(inputs: Inputs, target: Target, clients) -> Made:
    name = inputs.require("bucket")
    clients("s3").put_bucket_lifecycle_configuration(
        Bucket=name,
        LifecycleConfiguration={"Rules": [_lifecycle_rule(r) for r in inputs.require("rules")]},
        **without_none(
            TransitionDefaultMinimumObjectSize=inputs.get("transition_default_minimum_object_size")
        ),
        **_owner(inputs),
    )
    return name, {}


def object_lock(inputs: Inputs, target: Target, clients) -> Made:
    name = inputs.require("bucket")
    config: dict[str, Any] = {"ObjectLockEnabled": inputs.get("object_lock_enabled", "Enabled")}
    rule = inputs.get("rule")
    if rule is not None:
        retention = rule.require("default_retention")
        config["Rule"] = {
            "DefaultRetention": without_none(
                Mode=retention.get("mode"), Days=retention.get("days"), Years=retention.get("years")
            )
        }
    clients("s3").put_object_lock_configuration(
        Bucket=name,
        ObjectLockConfiguration=config,
        **without_none(Token=inputs.get("token")),
        **_owner(inputs),
    )
    return name, {}


def acl(inputs: Inputs, target: Target, clients) -> Made:
    name = inputs.require("bucket")
    clients("s3").put_bucket_acl(Bucket=name, ACL=inputs.require("acl"), **_owner(inputs))
    return f"{name},{inputs['acl']}", {}


CREATORS = {
    "aws:s3/bucket:Bucket": bucket,
    "aws:s3/bucketV2:BucketV2": bucket,
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": (
        encryption
    ),
    "aws:s3/bucketVersioning:BucketVersioning": versioning,
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": public_access_block,
    "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock": account_public_access_block,
    "aws:s3/bucketPolicy:BucketPolicy": policy,
    "aws:s3/bucketLogging:BucketLogging": logging,
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": ownership_controls,
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": lifecycle,
    "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration": object_lock,
    "aws:s3/bucketAcl:BucketAcl": acl,
}
