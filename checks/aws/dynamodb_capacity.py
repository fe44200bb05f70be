"""DynamoDB: the provisioned throughput of a region's tables stays below the account's quota
(control DDB-04).

The quota is an account fact only the live account holds (DescribeLimits, collected as one
`aws:dynamodb/accountLimits:AccountLimits` per region by
`checks/sources/aws/services/dynamodb_limits.py`): no Pulumi program, preview or state file
declares it, and one stack's tables are not the account's, so on those sources this check says
nothing (account facts are judged where the account is).
"""

from __future__ import annotations

from dataclasses import replace

from checks.model import Inventory, Resource
from checks.registry import Check, Result, Severity, check, failed, passed
from checks.support.numbers import whole_number
from checks.support.props import blocks, known
from checks.support.resource_types import DYNAMODB_TABLE

CHECKS: list[Check] = []

ACCOUNT_LIMITS = "aws:dynamodb/accountLimits:AccountLimits"
# AWS Config dynamodb-throughput-limit-check's defaults: accountRCUThresholdPercentage and
# accountWCUThresholdPercentage, 80.
THRESHOLD_PERCENT = 80
# A table's billing mode when it names none (the provider's default): provisioned capacity.
DEFAULT_BILLING_MODE = "PROVISIONED"
_UNITS = (("read_capacity", "account_max_read_capacity_units"),
          ("write_capacity", "account_max_write_capacity_units"))  # fmt: skip


def _provisioned(table: Resource, units: str) -> int:
    """The capacity units of `units` the table (with its global secondary indexes) reserves."""
    if str(known(table, "billing_mode", DEFAULT_BILLING_MODE)).upper() != DEFAULT_BILLING_MODE:
        return 0  # on-demand: nothing is provisioned
    total = whole_number(known(table, units, 0), f"{units} of {table.name}")
    for index in blocks(known(table, "global_secondary_indexes")):
        total += whole_number(index.get(units) or 0, f"{units} of an index of {table.name}")
    return total


def _judge(limits: Resource, inv: Inventory) -> Result:
    tables = [t for t in inv.by_type(DYNAMODB_TABLE) if t.region == limits.region]
    evidence: dict[str, int] = {}
    over = []
    for units, quota_key in _UNITS:
        used = sum(_provisioned(t, units) for t in tables)
        quota = whole_number(known(limits, quota_key), f"{quota_key} of {limits.name}")
        evidence |= {units: used, quota_key: quota}
        if used * 100 > quota * THRESHOLD_PERCENT:
            over.append(units.replace("_", " "))
    if over:
        return failed(
            f"provisioned {' and '.join(over)} exceed {THRESHOLD_PERCENT}% of the account quota",
            **evidence,
        )
    return passed(f"provisioned throughput is within {THRESHOLD_PERCENT}% of the quota", **evidence)


@check(
    into=CHECKS,
    id="dynamodb_throughput_below_limit",
    control="DDB-04",
    title=f"DynamoDB provisioned throughput stays below {THRESHOLD_PERCENT}% of the account quota",
    severity=Severity.LOW,
    config_rule="dynamodb-throughput-limit-check",
    scope="account",
    reads=(ACCOUNT_LIMITS, DYNAMODB_TABLE),
    remediation=(
        "Move spiky tables to on-demand capacity (billing_mode='PAY_PER_REQUEST'), lower "
        "over-provisioned capacity, or ask AWS (Service Quotas) to raise the account's "
        "read/write capacity quota before tables cannot scale."
    ),
    pulumi_fix='aws.dynamodb.Table("claims", ..., billing_mode="PAY_PER_REQUEST")',
)
def dynamodb_throughput_below_limit(inv: Inventory) -> list[Result]:
    """Tables can still scale when load grows (availability), one result per region audited."""
    return [replace(_judge(limits, inv), resource=limits) for limits in inv.by_type(ACCOUNT_LIMITS)]
