"""RDS and Aurora: encryption at rest with a customer key, no public endpoint, TLS required,
backups, and deletion protection (controls RDS-01, RDS-02, RDS-03, RDS-05, RDS-08)."""

from __future__ import annotations

import re
from typing import Any

from checks.model import Inventory, Resource, Undecidable
from checks.registry import Check, Result, Severity, check, failed, passed
from checks.support.aurora import cluster_member
from checks.support.joins import resolve
from checks.support.props import blocks, flag, known
from checks.support.resource_types import RDS_CLUSTER, RDS_CLUSTER_INSTANCE, RDS_INSTANCE
from checks.support.retention import MIN_BACKUP_RETENTION_DAYS

CHECKS: list[Check] = []

PARAMETER_GROUPS = (
    "aws:rds/parameterGroup:ParameterGroup",
    "aws:rds/clusterParameterGroup:ClusterParameterGroup",
)
# Engine prefix -> the parameter that makes the server refuse unencrypted connections.
TLS_PARAMETERS = (
    ("aurora-postgresql", "rds.force_ssl"),
    ("postgres", "rds.force_ssl"),
    ("sqlserver", "rds.force_ssl"),
    ("aurora", "require_secure_transport"),  # aurora-mysql and the legacy "aurora"
    ("mysql", "require_secure_transport"),
    ("mariadb", "require_secure_transport"),
)
TLS_ON_VALUES = frozenset({"1", "on", "true"})
# RDS for PostgreSQL 15 and later ship rds.force_ssl=1 in their default parameter groups.
POSTGRES_FORCE_SSL_DEFAULT_FROM = 15
# Aliases of the keys AWS manages for a service: encryption, but not under the customer's control.
_AWS_MANAGED_KEY_MARKER = "alias/aws/"


@check(
    into=CHECKS,
    id="rds_storage_encrypted_cmk",
    control="RDS-01",
    title="RDS/Aurora storage is encrypted with a customer-managed KMS key",
    severity=Severity.HIGH,
    citations=("164.312(a)(2)(iv)", "164.312(e)(2)(ii)"),
    config_rule="rds-storage-encrypted",
    resource_types=(RDS_INSTANCE, RDS_CLUSTER),
    remediation=(
        "Set storage_encrypted=True and kms_key_id to a customer-managed KMS key, so key use is "
        "logged, rotatable and revocable. Existing storage cannot be encrypted in place: restore "
        "an encrypted copy of a snapshot."
    ),
    pulumi_fix=(
        'key = aws.kms.Key("rds", enable_key_rotation=True)\n'
        'aws.rds.Instance("db", ..., storage_encrypted=True, kms_key_id=key.arn)'
    ),
)
def rds_storage_encrypted_cmk(res: Resource, inv: Inventory) -> Result:
    """Storage is encrypted at rest under a key the covered entity controls."""
    if member := cluster_member(res):
        return member
    encrypted = flag(known(res, "storage_encrypted", False))
    if not encrypted:  # whatever key is named, nothing is encrypted with it
        return failed(
            "storage is not encrypted at rest",
            storage_encrypted=False,
            kms_key_id=res.shown("kms_key_id"),
        )
    key = known(res, "kms_key_id")
    evidence = {"storage_encrypted": encrypted, "kms_key_id": key}
    if not key or _AWS_MANAGED_KEY_MARKER in str(key):
        return failed(
            "storage is encrypted with the AWS-managed key (aws/rds), not a CMK", **evidence
        )
    return passed("storage is encrypted with a customer-managed KMS key", **evidence)


@check(
    into=CHECKS,
    id="rds_instance_not_public",
    control="RDS-02",
    title="RDS instance is not publicly accessible",
    severity=Severity.HIGH,
    config_rule="rds-instance-public-access-check",
    resource_types=(RDS_INSTANCE, RDS_CLUSTER_INSTANCE),
    remediation=(
        "Set publicly_accessible=False and place the instance in private subnets; reach it "
        "through the application tier, a VPN or SSM port forwarding."
    ),
    pulumi_fix=(
        'aws.rds.Instance("db", ..., publicly_accessible=False,\n'
        "    db_subnet_group_name=private_subnets.name)"
    ),
)
def rds_instance_not_public(res: Resource, inv: Inventory) -> Result:
    """The database endpoint does not resolve to a public address."""
    public = flag(known(res, "publicly_accessible", False))
    if public:
        return failed("the instance has a public endpoint", publicly_accessible=public)
    return passed("the instance has no public endpoint", publicly_accessible=public)


@check(
    into=CHECKS,
    id="rds_backup_retention_7_days",
    control="RDS-05",
    title=f"RDS/Aurora automated backups are kept for at least {MIN_BACKUP_RETENTION_DAYS} days",
    severity=Severity.MEDIUM,
    citations=("164.308(a)(7)(i)", "164.308(a)(7)(ii)(A)", "164.308(a)(7)(ii)(B)"),
    config_rule="db-instance-backup-enabled",
    resource_types=(RDS_INSTANCE, RDS_CLUSTER),
    remediation=(
        f"Set backup_retention_period to at least {MIN_BACKUP_RETENTION_DAYS} days "
        "(35 where billing records are kept) so a retrievable exact copy of ePHI exists."
    ),
    pulumi_fix=(
        'aws.rds.Instance("db", ..., backup_retention_period=35,\n    backup_window="03:00-04:00")'
    ),
)
def rds_backup_retention_7_days(res: Resource, inv: Inventory) -> Result:
    """Automated backups exist and reach back far enough to restore from."""
    if member := cluster_member(res):
        return member
    days = known(res, "backup_retention_period")
    if days is None or int(days) < MIN_BACKUP_RETENTION_DAYS:
        reason = "not configured" if days is None else f"{days} day(s)"
        return failed(f"backup retention is {reason}", backup_retention_period=days)
    return passed(f"backups are kept for {days} days", backup_retention_period=days)


def _deletion_protection(res: Resource) -> Result:
    protected = flag(known(res, "deletion_protection", False))
    if protected:
        return passed("deletion protection is on", deletion_protection=protected)
    return failed("deletion protection is off", deletion_protection=protected)


_DELETION_FIX = (
    "Set deletion_protection=True; turning it off becomes a deliberate, reviewed change."
)


@check(
    into=CHECKS,
    id="rds_instance_deletion_protection",
    control="RDS-08",
    title="RDS instance has deletion protection",
    severity=Severity.MEDIUM,
    citations=("164.308(a)(7)(i)", "164.308(a)(7)(ii)(C)"),
    config_rule="rds-instance-deletion-protection-enabled",
    resource_types=(RDS_INSTANCE,),
    remediation=_DELETION_FIX,
    pulumi_fix='aws.rds.Instance("db", ..., deletion_protection=True)',
)
def rds_instance_deletion_protection(res: Resource, inv: Inventory) -> Result:
    """A stand-alone instance cannot be deleted by one mistaken call."""
    return cluster_member(res) or _deletion_protection(res)


@check(
    into=CHECKS,
    id="rds_cluster_deletion_protection",
    control="RDS-08",
    title="Aurora/RDS cluster has deletion protection",
    severity=Severity.MEDIUM,
    citations=("164.308(a)(7)(i)", "164.308(a)(7)(ii)(C)"),
    config_rule="rds-cluster-deletion-protection-enabled",
    resource_types=(RDS_CLUSTER,),
    remediation=_DELETION_FIX,
    pulumi_fix='aws.rds.Cluster("aurora", ..., deletion_protection=True)',
)
def rds_cluster_deletion_protection(res: Resource, inv: Inventory) -> Result:
    """A cluster cannot be deleted by one mistaken call."""
    return _deletion_protection(res)


def _tls_parameter(engine: str) -> str:
    for prefix, parameter in TLS_PARAMETERS:
        if engine.startswith(prefix):
            return parameter
    raise Undecidable(f"TLS for {engine or 'this engine'} is set in an option group, not read here")


def _major(version: Any) -> int | None:
    match = re.search(r"(\d+)", str(version)) if version else None
    return int(match.group(1)) if match else None


def _engine_default(engine: str, version: Any) -> str:
    """The TLS parameter's value when no parameter group sets it (None version = AWS's latest)."""
    if engine != "postgres":
        return "0"
    major = _major(version)
    return "1" if major is None or major >= POSTGRES_FORCE_SSL_DEFAULT_FROM else "0"


def _tls_setting(res: Resource, inv: Inventory, parameter: str) -> dict[str, Any]:
    """Where the TLS parameter's value comes from, and the value."""
    key = "db_cluster_parameter_group_name" if res.type == RDS_CLUSTER else "parameter_group_name"
    name = known(res, key)
    engine, version = str(known(res, "engine", "")), known(res, "engine_version")
    group = None
    if isinstance(name, str) and not name.startswith("default."):
        group = resolve(inv, name, PARAMETER_GROUPS, f"{key} of {res.name}")
        if group is None:
            raise Undecidable(f"the parameter group {name} of {res.name} is not in the inventory")
        version = known(group, "family", version)
    for param in blocks(known(group, "parameters")) if group else []:
        if str(param.get("name", "")).lower() == parameter:
            return {"parameter_group": name, "value": str(param.get("value")), "from": "group"}
    return {"parameter_group": name, "value": _engine_default(engine, version), "from": "default"}


@check(
    into=CHECKS,
    id="rds_tls_enforced",
    control="RDS-03",
    title="RDS/Aurora refuses client connections that are not encrypted with TLS",
    severity=Severity.HIGH,
    resource_types=(RDS_INSTANCE, RDS_CLUSTER),
    reads=PARAMETER_GROUPS,
    remediation=(
        "Attach a parameter group (a cluster parameter group for Aurora) that sets rds.force_ssl=1 "
        "(PostgreSQL, SQL Server) or require_secure_transport=1 (MySQL, MariaDB)."
    ),
    pulumi_fix=(
        'pg = aws.rds.ParameterGroup("tls", family="postgres16", parameters=[\n'
        '    {"name": "rds.force_ssl", "value": "1"}])\n'
        'aws.rds.Instance("db", ..., parameter_group_name=pg.name)'
    ),
)
def rds_tls_enforced(res: Resource, inv: Inventory) -> Result:
    """ePHI and credentials never cross the network to the database in clear text."""
    if member := cluster_member(res):
        return member
    parameter = _tls_parameter(str(known(res, "engine", "")))
    setting = _tls_setting(res, inv, parameter)
    evidence = {"parameter": parameter, **setting}
    where = "the engine default" if setting["from"] == "default" else "the parameter group"
    if setting["value"].strip().lower() in TLS_ON_VALUES:
        return passed(f"{parameter}={setting['value']} ({where}): TLS is required", **evidence)
    return failed(
        f"{parameter}={setting['value']} ({where}): plain connections are accepted", **evidence
    )
