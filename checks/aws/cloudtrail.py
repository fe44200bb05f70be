"""CloudTrail: every region recorded, log files tamper-evident, logs under a customer key
(controls LOG-01, LOG-02, LOG-03)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from checks.aws.props import blocks, flag, known
from checks.model import Inventory, Resource
from checks.registry import Check, Result, Severity, check, failed, passed

CHECKS: list[Check] = []

TRAIL = "aws:cloudtrail/trail:Trail"


@check(
    into=CHECKS,
    id="cloudtrail_multi_region",
    control="LOG-01",
    title="CloudTrail trail records every region",
    severity=Severity.HIGH,
    citations=("164.308(a)(3)(ii)(A)", "164.312(b)"),
    config_rule="multi-region-cloudtrail-enabled",
    resource_types=(TRAIL,),
    remediation=(
        "Set is_multi_region_trail=True so activity in regions nobody watches is still recorded "
        "(include_global_service_events stays on for IAM)."
    ),
    pulumi_fix='aws.cloudtrail.Trail("audit", ..., is_multi_region_trail=True)',
)
def cloudtrail_multi_region(res: Resource, inv: Inventory) -> Result:
    """API activity in every region is recorded, not only in the trail's home region."""
    multi = flag(known(res, "is_multi_region_trail", False))
    if multi:
        return passed("the trail records all regions", is_multi_region_trail=multi)
    return failed("the trail records only its home region", is_multi_region_trail=multi)


@check(
    into=CHECKS,
    id="cloudtrail_log_file_validation",
    control="LOG-02",
    title="CloudTrail log file validation is on",
    severity=Severity.MEDIUM,
    citations=("164.312(c)(1)", "164.312(c)(2)"),
    config_rule="cloud-trail-log-file-validation-enabled",
    resource_types=(TRAIL,),
    remediation=(
        "Set enable_log_file_validation=True so digest files prove the logs were not altered "
        "or deleted after delivery."
    ),
    pulumi_fix='aws.cloudtrail.Trail("audit", ..., enable_log_file_validation=True)',
)
def cloudtrail_log_file_validation(res: Resource, inv: Inventory) -> Result:
    """Audit logs are tamper-evident."""
    validated = flag(known(res, "enable_log_file_validation", False))
    if validated:
        return passed("log file validation is on", enable_log_file_validation=validated)
    return failed("log file validation is off", enable_log_file_validation=validated)


@check(
    into=CHECKS,
    id="cloudtrail_kms_encrypted",
    control="LOG-03",
    title="CloudTrail logs are encrypted with a KMS key",
    severity=Severity.MEDIUM,
    citations=("164.312(a)(2)(iv)", "164.312(e)(2)(ii)"),
    config_rule="cloud-trail-encryption-enabled",
    resource_types=(TRAIL,),
    remediation=(
        "Set kms_key_id to a customer-managed key whose policy lets cloudtrail.amazonaws.com "
        "encrypt; readers of the logs then also need kms:Decrypt."
    ),
    pulumi_fix='aws.cloudtrail.Trail("audit", ..., kms_key_id=trail_key.arn)',
)
def cloudtrail_kms_encrypted(res: Resource, inv: Inventory) -> Result:
    """Audit logs, which may reveal ePHI access patterns, are encrypted under a customer key."""
    key = known(res, "kms_key_id")
    if key:
        return passed("the trail's logs are encrypted with a KMS key", kms_key_id=key)
    return failed("the trail's logs use S3-managed encryption only (SSE-S3)", kms_key_id=key)


# -- data events ------------------------------------------------------------------------------

S3_OBJECT = "AWS::S3::Object"
# Classic data resource values that mean "objects of every bucket" (any partition).
_ALL_BUCKETS = re.compile(r"^arn:[\w-]+:s3(:::)?/?$")


def _classic_covers(selector: Mapping[str, Any], bucket_arn: str) -> bool:
    values = [
        str(v)
        for resource in blocks(selector.get("data_resources"))
        if resource.get("type") == S3_OBJECT
        for v in resource.get("values") or []
    ]
    return any(_ALL_BUCKETS.match(v) or v.rstrip("/") == bucket_arn for v in values)


def _advanced_covers(selector: Mapping[str, Any], bucket_arn: str) -> bool:
    fields = {str(f.get("field")): f for f in blocks(selector.get("field_selectors"))}
    category, kind = fields.get("eventCategory", {}), fields.get("resources.type", {})
    if "Data" not in (category.get("equals") or []) or S3_OBJECT not in (kind.get("equals") or []):
        return False
    arn_field, objects = fields.get("resources.ARN"), f"{bucket_arn}/"
    if arn_field is None:
        return True
    if any(objects.startswith(str(p)) for p in arn_field.get("not_starts_withs") or []):
        return False
    includes = arn_field.get("starts_withs") or []
    return not includes or any(objects.startswith(str(p)) for p in includes)


def trail_logs_s3_objects(trail: Resource, bucket_arn: str) -> bool:
    """True when a logging trail records S3 object-level (data) events for the whole bucket."""
    if not flag(known(trail, "enable_logging", True)):
        return False
    classic = blocks(known(trail, "event_selectors"))
    advanced = blocks(known(trail, "advanced_event_selectors"))
    return any(_classic_covers(s, bucket_arn) for s in classic) or any(
        _advanced_covers(s, bucket_arn) for s in advanced
    )
