"""The built-in check library: its modules of checks, one per AWS service, in the order the
registry loads them.

The order is the order checks are registered in, which reports may follow: append new modules
rather than sort them.
"""

from __future__ import annotations

from collections.abc import Iterable
from types import ModuleType

from checks.aws import (
    alarms,
    backup,
    cloudtrail,
    cloudtrail_delivery,
    detection,
    dynamodb,
    ec2,
    elb,
    governance,
    iam,
    iam_account,
    iam_roles,
    iam_users,
    kms,
    lambda_,
    logs,
    messaging,
    nacl,
    network,
    rds,
    rds_operations,
    s3,
    s3_access,
    s3_audit,
    secrets,
    vpc,
    waf,
)
from checks.registry import Registry

LIBRARY: tuple[ModuleType, ...] = (
    rds,
    rds_operations,
    s3,
    s3_access,
    s3_audit,
    network,
    vpc,
    nacl,
    ec2,
    kms,
    iam,
    iam_users,
    iam_roles,
    cloudtrail,
    cloudtrail_delivery,
    logs,
    alarms,
    backup,
    elb,
    waf,
    detection,
    secrets,
    dynamodb,
    lambda_,
    messaging,
    governance,
    iam_account,
)


def build_registry(modules: Iterable[ModuleType] = LIBRARY) -> Registry:
    """The registry of the built-in check library (or of the given modules of checks)."""
    return Registry(chk for module in modules for chk in module.CHECKS)
