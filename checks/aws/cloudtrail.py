"""CloudTrail: every region recorded, log files tamper-evident, logs under a customer key
(controls LOG-01, LOG-02, LOG-03)."""

from __future__ import annotations

from checks.model import Inventory, Resource
from checks.registry import Check, Result, Severity, check, failed, passed
from checks.support.props import flag, known
from checks.support.resource_types import TRAIL

CHECKS: list[Check] = []


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
