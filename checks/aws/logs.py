"""CloudWatch Logs log groups: encrypted with KMS, kept long enough (controls CWL-01, CWL-02).

A log group with no retention (or 0) never expires: that satisfies any retention period.
"""

from __future__ import annotations

from checks.model import Inventory, Resource
from checks.registry import Check, Result, Severity, check, failed, passed
from checks.support.props import known
from checks.support.trails import trail_log_groups

CHECKS: list[Check] = []

LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
MIN_RETENTION_DAYS = 365
# HIPAA documentation is kept six years (164.316(b)(2)(i)); CloudTrail records are such evidence.
AUDIT_RETENTION_DAYS = 6 * 365


def _group_name(res: Resource) -> str:
    return str(known(res, "name", None) or res.id or res.name)


@check(
    into=CHECKS,
    id="log_group_kms_encrypted",
    control="CWL-01",
    title="CloudWatch log group is encrypted with a KMS key",
    severity=Severity.MEDIUM,
    config_rule="cloudwatch-log-group-encrypted",
    resource_types=(LOG_GROUP,),
    remediation=(
        "Set kms_key_id to a customer-managed key whose policy lets logs.<region>.amazonaws.com "
        "use it for this account's log groups."
    ),
    pulumi_fix='aws.cloudwatch.LogGroup("app", kms_key_id=key.arn, retention_in_days=2192)',
)
def log_group_kms_encrypted(res: Resource, inv: Inventory) -> Result:
    """Logs, which may carry ePHI, are encrypted under a key the entity controls."""
    key = known(res, "kms_key_id")
    if key:
        return passed("the log group is encrypted with a KMS key", kms_key_id=key)
    return failed("the log group uses CloudWatch's default encryption only", kms_key_id=None)


@check(
    into=CHECKS,
    id="log_group_retention",
    control="CWL-02",
    title="CloudWatch log group keeps logs long enough (6 years for CloudTrail logs)",
    severity=Severity.MEDIUM,
    config_rule="cw-loggroup-retention-period-check",
    resource_types=(LOG_GROUP,),
    reads=("aws:cloudtrail/trail:Trail",),
    remediation=(
        f"Set retention_in_days to at least {MIN_RETENTION_DAYS} (2192 for groups that receive "
        "CloudTrail), or leave it unset to keep logs indefinitely."
    ),
    pulumi_fix='aws.cloudwatch.LogGroup("app", kms_key_id=key.arn, retention_in_days=2192)',
)
def log_group_retention(res: Resource, inv: Inventory) -> Result:
    """Audit records survive long enough to investigate and to evidence compliance."""
    days = int(known(res, "retention_in_days", 0) or 0)
    trail = trail_log_groups(inv).get(_group_name(res))
    minimum = AUDIT_RETENTION_DAYS if trail else MIN_RETENTION_DAYS
    evidence = {"retention_in_days": days, "minimum_days": minimum, "receives_trail": trail}
    if days == 0:
        return passed("logs never expire (no retention set): kept indefinitely", **evidence)
    if days >= minimum:
        return passed(f"logs are kept {days} days", **evidence)
    return failed(f"logs are kept {days} days, less than {minimum}", **evidence)
