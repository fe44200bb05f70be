"""Redshift clusters: encrypted and audit-logged, not public, TLS required, automated snapshots
kept, and version upgrades allowed (controls RSH-01 to RSH-05).

pulumi_aws v7 declares a cluster's audit logging as a resource of its own (`aws.redshift.Logging`,
naming the cluster by `cluster_identifier`) and TLS in the cluster's parameter group
(`aws.redshift.ParameterGroup`, parameter `require_ssl`).
"""

from __future__ import annotations

from typing import Any

from checks.model import Inventory, Resource, Undecidable
from checks.registry import Check, Result, Severity, check, failed, passed
from checks.support.joins import referrers, resolve
from checks.support.numbers import whole_number
from checks.support.props import blocks, flag, known
from checks.support.retention import MIN_BACKUP_RETENTION_DAYS

CHECKS: list[Check] = []

CLUSTER = "aws:redshift/cluster:Cluster"
PARAMETER_GROUP = "aws:redshift/parameterGroup:ParameterGroup"
LOGGING = "aws:redshift/logging:Logging"
# The provider's defaults for what a program leaves unset: encrypted "true" (a string in v7),
# publicly_accessible false, allow_version_upgrade true, automated snapshots kept 1 day.
DEFAULT_ENCRYPTED = "true"
DEFAULT_SNAPSHOT_RETENTION_DAYS = 1
# AWS Config redshift-cluster-maintenancesettings-check's default automatedSnapshotRetentionPeriod.
MIN_MAINTENANCE_SNAPSHOT_DAYS = 1
# AWS's own parameter groups are named "default.<family>"; the cluster gets one when it names
# none. AWS documents that a cluster accepts connections with or without SSL unless its group
# sets require_ssl=true, and the default groups cannot be changed.
DEFAULT_GROUP_PREFIX = "default."
DEFAULT_REQUIRE_SSL = "false"


def _snapshot_days(res: Resource) -> int:
    days = known(res, "automated_snapshot_retention_period", DEFAULT_SNAPSHOT_RETENTION_DAYS)
    return whole_number(days, f"the snapshot retention of {res.name}")


@check(
    into=CHECKS,
    id="redshift_encrypted_and_logged",
    control="RSH-01",
    title="Redshift cluster is encrypted at rest and writes audit logs",
    severity=Severity.HIGH,
    config_rule="redshift-cluster-configuration-check",
    resource_types=(CLUSTER,),
    reads=(LOGGING,),
    remediation=(
        "Leave encrypted at its default (true) with kms_key_id naming a customer-managed key, and "
        "declare an aws.redshift.Logging for the cluster (to CloudWatch Logs or an S3 bucket) "
        "exporting the connection, user and user-activity logs."
    ),
    pulumi_fix=(
        'cluster = aws.redshift.Cluster("warehouse", ..., encrypted="true", kms_key_id=key.arn)\n'
        'aws.redshift.Logging("warehouse", cluster_identifier=cluster.cluster_identifier,\n'
        '    log_destination_type="cloudwatch",\n'
        '    log_exports=["connectionlog", "userlog", "useractivitylog"])'
    ),
)
def redshift_encrypted_and_logged(res: Resource, inv: Inventory) -> Result:
    """The warehouse's data is encrypted at rest, and who connects and what they run is logged."""
    encrypted = flag(known(res, "encrypted", DEFAULT_ENCRYPTED))
    logging = [r.name for r in referrers(inv, res, (LOGGING,), "cluster_identifier")]
    evidence = {"encrypted": encrypted, "audit_logging": logging}
    missing = [what for what, ok in (("encrypted", encrypted), ("audit-logged", logging)) if not ok]
    if missing:
        return failed(f"the cluster is not {' nor '.join(missing)}", **evidence)
    return passed("the cluster is encrypted and audit-logged", **evidence)


@check(
    into=CHECKS,
    id="redshift_cluster_not_public",
    control="RSH-02",
    title="Redshift cluster is not publicly accessible",
    severity=Severity.HIGH,
    config_rule="redshift-cluster-public-access-check",
    resource_types=(CLUSTER,),
    remediation=(
        "Set publicly_accessible=False (the default) and place the cluster in a subnet group of "
        "private subnets; reach it through the application tier or a VPN."
    ),
    pulumi_fix='aws.redshift.Cluster("warehouse", ..., publicly_accessible=False)',
)
def redshift_cluster_not_public(res: Resource, inv: Inventory) -> Result:
    """The cluster's endpoint does not resolve to a public address."""
    public = flag(known(res, "publicly_accessible", False))
    if public:
        return failed("the cluster has a public endpoint", publicly_accessible=True)
    return passed("the cluster has no public endpoint", publicly_accessible=False)


def _require_ssl(res: Resource, inv: Inventory) -> dict[str, Any]:
    """The cluster's parameter group and the require_ssl value it gives."""
    name = known(res, "cluster_parameter_group_name")
    group = None
    if isinstance(name, str) and name:
        group = resolve(
            inv, name, (PARAMETER_GROUP,), f"cluster_parameter_group_name of {res.name}"
        )
        if group is None and not name.startswith(DEFAULT_GROUP_PREFIX):
            raise Undecidable(f"the parameter group {name} of {res.name} is not in the inventory")
    for param in blocks(known(group, "parameters")) if group else []:
        if str(param.get("name", "")).lower() == "require_ssl":
            return {"parameter_group": name, "require_ssl": str(param.get("value")).lower()}
    return {"parameter_group": name, "require_ssl": DEFAULT_REQUIRE_SSL}


@check(
    into=CHECKS,
    id="redshift_require_tls",
    control="RSH-03",
    title="Redshift cluster refuses client connections without TLS",
    severity=Severity.HIGH,
    config_rule="redshift-require-tls-ssl",
    resource_types=(CLUSTER,),
    reads=(PARAMETER_GROUP,),
    remediation=(
        "Give the cluster a parameter group of its own that sets require_ssl=true (AWS's default "
        "groups cannot be changed), then reboot the cluster to apply it."
    ),
    pulumi_fix=(
        'params = aws.redshift.ParameterGroup("tls", family="redshift-1.0", parameters=[\n'
        '    {"name": "require_ssl", "value": "true"}])\n'
        'aws.redshift.Cluster("warehouse", ..., cluster_parameter_group_name=params.name)'
    ),
)
def redshift_require_tls(res: Resource, inv: Inventory) -> Result:
    """Queries, results and credentials never cross the network to the warehouse in clear text."""
    setting = _require_ssl(res, inv)
    if setting["require_ssl"] == "true":
        return passed("require_ssl=true: connections without TLS are refused", **setting)
    return failed(
        f"require_ssl={setting['require_ssl']}: plain connections are accepted", **setting
    )


@check(
    into=CHECKS,
    id="redshift_automated_snapshots",
    control="RSH-04",
    title=f"Redshift automated snapshots are kept for at least {MIN_BACKUP_RETENTION_DAYS} days",
    severity=Severity.MEDIUM,
    config_rule="redshift-backup-enabled",
    resource_types=(CLUSTER,),
    remediation=(
        f"Set automated_snapshot_retention_period to at least {MIN_BACKUP_RETENTION_DAYS} days "
        "(up to 35); the provider's default keeps snapshots for one day only."
    ),
    pulumi_fix='aws.redshift.Cluster("warehouse", ..., automated_snapshot_retention_period=35)',
)
def redshift_automated_snapshots(res: Resource, inv: Inventory) -> Result:
    """A retrievable exact copy of the warehouse reaches back far enough to restore from."""
    days = _snapshot_days(res)
    if days < MIN_BACKUP_RETENTION_DAYS:
        kept = "off" if days == 0 else f"kept for {days} day(s)"
        return failed(f"automated snapshots are {kept}", automated_snapshot_retention_period=days)
    return passed(
        f"automated snapshots are kept for {days} days", automated_snapshot_retention_period=days
    )


@check(
    into=CHECKS,
    id="redshift_maintenance_settings",
    control="RSH-05",
    title="Redshift cluster takes version upgrades and keeps automated snapshots",
    severity=Severity.MEDIUM,
    config_rule="redshift-cluster-maintenancesettings-check",
    resource_types=(CLUSTER,),
    remediation=(
        "Leave allow_version_upgrade at its default (true) so engine fixes are applied in the "
        "maintenance window, and keep automated snapshots on (retention of 1 day or more)."
    ),
    pulumi_fix=(
        'aws.redshift.Cluster("warehouse", ..., allow_version_upgrade=True,\n'
        '    preferred_maintenance_window="sun:05:00-sun:05:30")'
    ),
)
def redshift_maintenance_settings(res: Resource, inv: Inventory) -> Result:
    """Security fixes reach the engine, and there is a snapshot to return to if one misbehaves."""
    upgrades = flag(known(res, "allow_version_upgrade", True))
    days = _snapshot_days(res)
    evidence = {"allow_version_upgrade": upgrades, "automated_snapshot_retention_period": days}
    problems = [] if upgrades else ["version upgrades are not allowed"]
    if days < MIN_MAINTENANCE_SNAPSHOT_DAYS:
        problems.append("automated snapshots are off")
    if problems:
        return failed("; ".join(problems), **evidence)
    return passed("version upgrades are allowed and automated snapshots are on", **evidence)
