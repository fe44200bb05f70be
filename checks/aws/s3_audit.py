"""S3 audit and recovery: Object Lock on audit buckets, access logging, object-level CloudTrail
events, and lifecycle or replication (controls S3-04, S3-05, S3-06).

S3-05 and S3-06 ask this of ePHI buckets: a bucket classified as something else is not
applicable; an unclassified bucket may hold ePHI, so it is held to the bar.
"""

from __future__ import annotations

from checks.model import Inventory, Resource
from checks.registry import Check, Result, Severity, check, failed, not_applicable, passed
from checks.support.buckets import (
    bucket_arn,
    companions,
    log_deliveries,
    logging_targets,
    s3_access_log_sources,
)
from checks.support.classification import classification, may_hold_ephi
from checks.support.evidence import one
from checks.support.joins import referrers
from checks.support.props import blocks, flag, known
from checks.support.resource_types import BUCKET, TRAIL
from checks.support.trails import trail_logs_s3_objects

CHECKS: list[Check] = []

CONFIG_DELIVERY_CHANNEL = "aws:cfg/deliveryChannel:DeliveryChannel"


def _not_ephi(res: Resource) -> Result | None:
    if may_hold_ephi(res):
        return None
    return not_applicable(f"classified as {classification(res)}, not ePHI")


def audit_destinations(res: Resource, inv: Inventory) -> list[str]:
    """The trails and AWS Config channels that deliver audit records into `res`."""
    found = referrers(inv, res, (TRAIL, CONFIG_DELIVERY_CHANNEL), "s3_bucket_name", every=True)
    return sorted(r.name for r in found)


def _object_lock(res: Resource, inv: Inventory) -> bool:
    inline = [
        str(c.get("object_lock_enabled")) == "Enabled"
        for c in blocks(known(res, "object_lock_configuration"))
    ]
    return (
        flag(known(res, "object_lock_enabled", False))
        or any(inline)
        or bool(companions(res, inv, "object_lock"))
    )


@check(
    into=CHECKS,
    id="s3_audit_bucket_object_lock",
    control="S3-04",
    title="S3 bucket that receives audit logs has Object Lock",
    severity=Severity.MEDIUM,
    config_rule="s3-bucket-default-lock-enabled",
    resource_types=(BUCKET,),
    reads=(
        "aws:cfg/deliveryChannel:DeliveryChannel",
        "aws:cloudtrail/trail:Trail",
    ),
    remediation=(
        "Create audit buckets with object_lock_enabled=True and a default retention "
        "(aws.s3.BucketObjectLockConfiguration, COMPLIANCE mode for six years) so logs cannot "
        "be deleted or overwritten."
    ),
    pulumi_fix=(
        'audit = aws.s3.Bucket("audit", object_lock_enabled=True)\n'
        'aws.s3.BucketObjectLockConfiguration("audit-lock", bucket=audit.id, rule={\n'
        '    "default_retention": {"mode": "COMPLIANCE", "years": 6}})'
    ),
)
def s3_audit_bucket_object_lock(res: Resource, inv: Inventory) -> Result:
    """Audit records are write-once: kept intact for the retention period."""
    sources = audit_destinations(res, inv)
    if not sources:
        return not_applicable("no trail or AWS Config channel delivers into this bucket")
    locked = _object_lock(res, inv)
    evidence = {"object_lock": locked, "audit_sources": sources}
    if locked:
        return passed("the audit bucket has Object Lock", **evidence)
    return failed("the audit bucket has no Object Lock: its logs can be deleted", **evidence)


@check(
    into=CHECKS,
    id="s3_bucket_access_logging",
    control="S3-05",
    title="S3 bucket has server access logging",
    severity=Severity.MEDIUM,
    config_rule="s3-bucket-logging-enabled",
    resource_types=(BUCKET,),
    reads=("aws:s3/bucketLogging:BucketLogging",),
    remediation=(
        "Declare an aws.s3.BucketLogging that sends access logs to a dedicated log bucket "
        "(itself exempt: it does not log into yet another bucket)."
    ),
    pulumi_fix=(
        'aws.s3.BucketLogging("phi-logging", bucket=bucket.id,\n'
        '    target_bucket=log_bucket.id, target_prefix="phi/")'
    ),
)
def s3_bucket_access_logging(res: Resource, inv: Inventory) -> Result:
    """Every request to the bucket is recorded: who read or wrote which object, and when."""
    if exempt := _not_ephi(res):
        return exempt
    targets = logging_targets(res, inv)
    if targets:
        return passed(f"access logs go to {one(targets)}", target_bucket=one(targets))
    if sources := s3_access_log_sources(res, inv):
        return not_applicable("the bucket is itself an access-log destination", log_sources=sources)
    return failed("server access logging is off", target_bucket=None)


@check(
    into=CHECKS,
    id="s3_bucket_data_events_logged",
    control="S3-05",
    title="CloudTrail records object-level (data) events for the S3 bucket",
    severity=Severity.MEDIUM,
    config_rule="cloudtrail-s3-dataevents-enabled",
    resource_types=(BUCKET,),
    reads=(
        "aws:alb/loadBalancer:LoadBalancer",
        "aws:cfg/deliveryChannel:DeliveryChannel",
        "aws:cloudtrail/trail:Trail",
        "aws:elb/loadBalancer:LoadBalancer",
        "aws:lb/loadBalancer:LoadBalancer",
        "aws:s3/bucketLogging:BucketLogging",
    ),
    remediation=(
        "Add an event selector (or advanced event selector) for AWS::S3::Object data events on "
        "the bucket, or on all buckets, to a logging trail."
    ),
    pulumi_fix=(
        'aws.cloudtrail.Trail("audit", ..., advanced_event_selectors=[{\n'
        '    "name": "S3 objects", "field_selectors": [\n'
        '        {"field": "eventCategory", "equals": ["Data"]},\n'
        '        {"field": "resources.type", "equals": ["AWS::S3::Object"]}]}])'
    ),
)
def s3_bucket_data_events_logged(res: Resource, inv: Inventory) -> Result:
    """Reads and writes of ePHI objects are attributable to an identity in the audit trail."""
    if exempt := _not_ephi(res):
        return exempt
    if destinations := log_deliveries(res, inv) + audit_destinations(res, inv):
        return not_applicable(
            "a log destination: its own data events would only log logs", log_sources=destinations
        )
    arn = bucket_arn(res)
    trails = sorted(t.name for t in inv.by_type(TRAIL) if trail_logs_s3_objects(t, arn))
    if trails:
        return passed("object-level events are recorded", trails=trails)
    return failed("no logging trail records the bucket's object-level events", trails=[])


def _enabled_rules(resources: list[Resource], key: str) -> int:
    return sum(
        1
        for r in resources
        for rule in blocks(known(r, key))
        if str(rule.get("status", "Enabled")) == "Enabled" and flag(rule.get("enabled", True))
    )


@check(
    into=CHECKS,
    id="s3_bucket_lifecycle_or_replication",
    control="S3-06",
    title="S3 bucket has a lifecycle policy or replication",
    severity=Severity.LOW,
    config_rule="s3-version-lifecycle-policy-check",
    resource_types=(BUCKET,),
    reads=(
        "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
        "aws:s3/bucketReplicationConfig:BucketReplicationConfig",
    ),
    remediation=(
        "Declare an aws.s3.BucketLifecycleConfiguration (e.g. expire noncurrent versions after "
        "the retention period) or an aws.s3.BucketReplicationConfig to another region."
    ),
    pulumi_fix=(
        'aws.s3.BucketLifecycleConfiguration("phi-lifecycle", bucket=bucket.id, rules=[{\n'
        '    "id": "noncurrent", "status": "Enabled", "filter": {},\n'
        '    "noncurrent_version_expiration": {"noncurrent_days": 2190}}])'
    ),
)
def s3_bucket_lifecycle_or_replication(res: Resource, inv: Inventory) -> Result:
    """Object versions are managed deliberately: kept, moved or copied, not piled up or lost."""
    if exempt := _not_ephi(res):
        return exempt
    lifecycle = _enabled_rules(companions(res, inv, "lifecycle"), "rules") + _enabled_rules(
        [res], "lifecycle_rules"
    )
    replication = _enabled_rules(companions(res, inv, "replication"), "rules")
    replication += sum(
        len(blocks(c.get("rules"))) for c in blocks(known(res, "replication_configuration"))
    )
    evidence = {"lifecycle_rules": lifecycle, "replication_rules": replication}
    if lifecycle or replication:
        return passed("the bucket has enabled lifecycle or replication rules", **evidence)
    return failed("no lifecycle or replication rule is declared", **evidence)
