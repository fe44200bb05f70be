"""S3 buckets: SSE-KMS by default, versioning, no public access, TLS-only policy
(controls S3-01 to S3-04).

A bucket that receives S3 server access logs or load balancer access logs may only use SSE-S3:
those log deliveries do not support SSE-KMS, so SSE-S3 is the right setting there.

pulumi_aws v7 splits bucket settings into companion resources (found through
`Inventory.bucket_companions`); the deprecated inline properties of `aws.s3.Bucket` are honoured
too, the companion winning where both are declared, since it is what the provider manages last.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from checks.model import Inventory, Resource
from checks.registry import Check, Result, Severity, check, failed, passed
from checks.support.buckets import bucket_arn, companions, log_deliveries
from checks.support.evidence import one
from checks.support.policydoc import denies_insecure_transport, parse_policy
from checks.support.props import blocks, flag, known
from checks.support.public_access import bucket_public_access
from checks.support.resource_types import BUCKET

CHECKS: list[Check] = []

KMS_ALGORITHMS = frozenset({"aws:kms", "aws:kms:dsse"})


def _encryption_defaults(res: Resource, inv: Inventory) -> list[Mapping[str, Any]]:
    configs = companions(res, inv, "encryption")
    if configs:
        rules = [rule for c in configs for rule in blocks(known(c, "rules"))]
    else:
        inline = blocks(known(res, "server_side_encryption_configuration"))
        rules = [r for c in inline for r in blocks(c.get("rule")) + blocks(c.get("rules"))]
    return [d for r in rules for d in blocks(r.get("apply_server_side_encryption_by_default"))]


def _versioning_status(res: Resource, inv: Inventory) -> tuple[Any, str | None]:
    """The versioning status ('Enabled', 'Suspended', ...) and the resource that declared it."""
    for comp in companions(res, inv, "versioning"):
        for conf in blocks(known(comp, "versioning_configuration")):
            return conf.get("status"), comp.address
    for conf in blocks(known(res, "versioning")):
        return ("Enabled" if flag(conf.get("enabled")) else "Suspended"), res.address
    return None, None


@check(
    into=CHECKS,
    id="s3_bucket_sse_kms",
    control="S3-01",
    title="S3 bucket default encryption is SSE-KMS",
    severity=Severity.HIGH,
    citations=("164.312(a)(2)(iv)", "164.312(c)(2)", "164.312(e)(2)(ii)"),
    config_rule="s3-default-encryption-kms",
    resource_types=(BUCKET,),
    reads=(
        "aws:alb/loadBalancer:LoadBalancer",
        "aws:elb/loadBalancer:LoadBalancer",
        "aws:lb/loadBalancer:LoadBalancer",
        "aws:s3/bucketLogging:BucketLogging",
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    ),
    remediation=(
        "Declare an aws.s3.BucketServerSideEncryptionConfiguration with sse_algorithm 'aws:kms' "
        "and a customer-managed key; enable the bucket key to cut KMS request costs."
    ),
    pulumi_fix=(
        'aws.s3.BucketServerSideEncryptionConfiguration("phi-sse", bucket=bucket.id, rules=[{\n'
        '    "apply_server_side_encryption_by_default": {\n'
        '        "sse_algorithm": "aws:kms", "kms_master_key_id": key.arn},\n'
        '    "bucket_key_enabled": True}])'
    ),
)
def s3_bucket_sse_kms(res: Resource, inv: Inventory) -> Result:
    """New objects are encrypted under KMS, so every decryption is authorised and logged."""
    defaults = _encryption_defaults(res, inv)
    algorithms = [d.get("sse_algorithm") for d in defaults]
    evidence = {
        "sse_algorithm": one(algorithms),
        "kms_master_key_id": one([d.get("kms_master_key_id") for d in defaults]),
    }
    if all(a == "AES256" for a in algorithms) and (sources := log_deliveries(res, inv)):
        return passed(
            "a log destination: SSE-S3 is the encryption its log deliveries support",
            **evidence,
            log_delivery=sources,
        )
    if not algorithms:
        return failed(
            "no default encryption is declared: S3 applies SSE-S3 (AES256) only", **evidence
        )
    if not all(a in KMS_ALGORITHMS for a in algorithms):
        return failed(f"default encryption is {one(algorithms)}, not SSE-KMS", **evidence)
    return passed("default encryption is SSE-KMS", **evidence)


@check(
    into=CHECKS,
    id="s3_bucket_versioning_enabled",
    control="S3-04",
    title="S3 bucket versioning is enabled",
    severity=Severity.MEDIUM,
    config_rule="s3-bucket-versioning-enabled",
    resource_types=(BUCKET,),
    reads=("aws:s3/bucketVersioning:BucketVersioning",),
    remediation=(
        "Declare an aws.s3.BucketVersioning with status 'Enabled' so overwritten or deleted "
        "objects can be recovered; add Object Lock on audit and evidence buckets."
    ),
    pulumi_fix=(
        'aws.s3.BucketVersioning("phi-versioning", bucket=bucket.id,\n'
        '    versioning_configuration={"status": "Enabled"})'
    ),
)
def s3_bucket_versioning_enabled(res: Resource, inv: Inventory) -> Result:
    """Every object version is kept, so ePHI can be restored after a bad write or delete."""
    status, declared_by = _versioning_status(res, inv)
    evidence = {"versioning_status": status, "declared_by": declared_by}
    if status == "Enabled":
        return passed("versioning is enabled", **evidence)
    return failed(f"versioning is {'not configured' if status is None else status}", **evidence)


@check(
    into=CHECKS,
    id="s3_bucket_public_access_blocked",
    control="S3-02",
    title="S3 bucket blocks public access and grants no public ACL",
    severity=Severity.CRITICAL,
    config_rule="s3-bucket-public-read-prohibited",
    resource_types=(BUCKET,),
    reads=(
        "aws:s3/bucketAcl:BucketAcl",
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    ),
    remediation=(
        "Declare an aws.s3.BucketPublicAccessBlock with all four flags true, and remove public "
        "canned ACLs and grants (prefer BucketOwnershipControls 'BucketOwnerEnforced')."
    ),
    pulumi_fix=(
        'aws.s3.BucketPublicAccessBlock("phi-pab", bucket=bucket.id,\n'
        "    block_public_acls=True, block_public_policy=True,\n"
        "    ignore_public_acls=True, restrict_public_buckets=True)"
    ),
)
def s3_bucket_public_access_blocked(res: Resource, inv: Inventory) -> Result:
    """Neither an ACL nor a policy can expose the bucket to the internet."""
    access = bucket_public_access(res, inv)
    if access.blocked:
        return passed(access.reason, **access.evidence)
    return failed(access.reason, **access.evidence)


@check(
    into=CHECKS,
    id="s3_bucket_tls_only",
    control="S3-03",
    title="S3 bucket policy denies requests not made over TLS",
    severity=Severity.HIGH,
    config_rule="s3-bucket-ssl-requests-only",
    resource_types=(BUCKET,),
    reads=("aws:s3/bucketPolicy:BucketPolicy",),
    remediation=(
        "Attach a bucket policy with a Deny for Principal '*', Action 's3:*' on the bucket and "
        "bucket/* when aws:SecureTransport is false."
    ),
    pulumi_fix=(
        'aws.s3.BucketPolicy("phi-tls", bucket=bucket.id, policy=bucket.arn.apply(\n'
        '    lambda arn: json.dumps({"Version": "2012-10-17", "Statement": [{\n'
        '        "Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*",\n'
        '        "Action": "s3:*", "Resource": [arn, f"{arn}/*"],\n'
        '        "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]})))'
    ),
)
def s3_bucket_tls_only(res: Resource, inv: Inventory) -> Result:
    """ePHI in transit to and from the bucket is always encrypted."""
    documents = [(p.address, known(p, "policy")) for p in companions(res, inv, "policy")]
    if res.get("policy") is not None:
        documents.append((res.address, known(res, "policy")))
    evidence: dict[str, Any] = {"bucket_policy": one([a for a, _ in documents])}
    if not documents:
        return failed(
            "no bucket policy is declared, so plain-HTTP requests are allowed", **evidence
        )
    arn = bucket_arn(res)
    what = f"the bucket policy of {res.name}"
    evidence["denies_insecure_transport"] = any(
        denies_insecure_transport(parse_policy(doc, what), arn) for _, doc in documents
    )
    if not evidence["denies_insecure_transport"]:
        return failed("the bucket policy does not deny aws:SecureTransport=false", **evidence)
    return passed("the bucket policy denies requests not made over TLS", **evidence)
