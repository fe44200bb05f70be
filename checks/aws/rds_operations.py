"""RDS and Aurora in operation: IAM authentication, backup plans, Multi-AZ, logs and monitoring,
snapshots, and minor version upgrades (controls RDS-04, RDS-06, RDS-07, RDS-09, RDS-10, RDS-11)."""

from __future__ import annotations

from typing import Any

from checks.model import Inventory, Resource, Undecidable
from checks.registry import Check, Result, Severity, check, failed, not_applicable, passed
from checks.support.aurora import cluster_member
from checks.support.backup_selections import backup_selections
from checks.support.joins import referrers, resolve
from checks.support.props import flag, known
from checks.support.resource_types import RDS_CLUSTER, RDS_CLUSTER_INSTANCE, RDS_INSTANCE

CHECKS: list[Check] = []

SNAPSHOT = "aws:rds/snapshot:Snapshot"
CLUSTER_SNAPSHOT = "aws:rds/clusterSnapshot:ClusterSnapshot"
SNAPSHOT_COPY = "aws:rds/snapshotCopy:SnapshotCopy"
CLUSTER_SNAPSHOT_COPY = "aws:rds/clusterSnapshotCopy:ClusterSnapshotCopy"
SNAPSHOT_TYPES = (SNAPSHOT, CLUSTER_SNAPSHOT, SNAPSHOT_COPY, CLUSTER_SNAPSHOT_COPY)
# Engines whose users can sign in with IAM database authentication tokens.
IAM_AUTH_ENGINES = ("mysql", "postgres", "mariadb", "aurora")
# The snapshot property naming its source, and the types that source may be.
_SNAPSHOT_SOURCES = {
    SNAPSHOT: ("db_instance_identifier", (RDS_INSTANCE,)),
    CLUSTER_SNAPSHOT: ("db_cluster_identifier", (RDS_CLUSTER,)),
    SNAPSHOT_COPY: ("source_db_snapshot_identifier", (SNAPSHOT, SNAPSHOT_COPY)),
    CLUSTER_SNAPSHOT_COPY: (
        "source_db_cluster_snapshot_identifier",
        (CLUSTER_SNAPSHOT, CLUSTER_SNAPSHOT_COPY),
    ),
}
# The output in which a snapshot reports its own encryption (cluster snapshots name it as their
# clusters do).
_ENCRYPTION_REPORTED_IN = {
    SNAPSHOT: "encrypted",
    SNAPSHOT_COPY: "encrypted",
    CLUSTER_SNAPSHOT: "storage_encrypted",
    CLUSTER_SNAPSHOT_COPY: "storage_encrypted",
}


@check(
    into=CHECKS,
    id="rds_iam_authentication",
    control="RDS-04",
    title="RDS/Aurora accepts IAM database authentication",
    severity=Severity.MEDIUM,
    config_rule="rds-instance-iam-authentication-enabled",
    resource_types=(RDS_INSTANCE, RDS_CLUSTER),
    remediation=(
        "Set iam_database_authentication_enabled=True so people and services sign in with "
        "short-lived IAM tokens tied to their identity instead of shared database passwords."
    ),
    pulumi_fix='aws.rds.Instance("db", ..., iam_database_authentication_enabled=True)',
)
def rds_iam_authentication(res: Resource, inv: Inventory) -> Result:
    """Database sign-in is tied to a unique, centrally managed identity."""
    if member := cluster_member(res):
        return member
    engine = str(known(res, "engine", ""))
    if not engine.startswith(IAM_AUTH_ENGINES):
        return not_applicable(f"{engine} does not support IAM authentication", engine=engine)
    enabled = flag(known(res, "iam_database_authentication_enabled", False))
    evidence = {"iam_database_authentication_enabled": enabled, "engine": engine}
    if enabled:
        return passed("IAM database authentication is enabled", **evidence)
    return failed("IAM database authentication is off: only passwords sign in", **evidence)


@check(
    into=CHECKS,
    id="rds_in_backup_plan",
    control="RDS-06",
    title="RDS/Aurora database is selected by an AWS Backup plan",
    severity=Severity.MEDIUM,
    config_rule="rds-in-backup-plan",
    resource_types=(RDS_INSTANCE, RDS_CLUSTER),
    reads=("aws:backup/selection:Selection",),
    remediation=(
        "Select the database in an aws.backup.Selection of a plan (by ARN, or by a tag the "
        "database carries) so copies outlive the instance and its automated backups."
    ),
    pulumi_fix=(
        'aws.backup.Selection("phi", plan_id=plan.id, iam_role_arn=backup_role.arn,\n'
        "    resources=[db.arn])"
    ),
)
def rds_in_backup_plan(res: Resource, inv: Inventory) -> Result:
    """A retrievable copy of the database exists outside its own automated backups."""
    if member := cluster_member(res):
        return member
    selections = [s.name for s in backup_selections(res, inv)]
    if selections:
        return passed("an AWS Backup plan selects the database", backup_selections=selections)
    return failed("no AWS Backup selection covers the database", backup_selections=[])


def _aurora_members(cluster: Resource, inv: Inventory) -> list[str]:
    members = referrers(
        inv, cluster, (RDS_CLUSTER_INSTANCE, RDS_INSTANCE), "cluster_identifier", every=True
    )
    return sorted(m.name for m in members)


@check(
    into=CHECKS,
    id="rds_multi_az",
    control="RDS-07",
    title="RDS database survives the loss of an Availability Zone",
    severity=Severity.MEDIUM,
    config_rule="rds-multi-az-support",
    resource_types=(RDS_INSTANCE, RDS_CLUSTER),
    reads=("aws:rds/clusterInstance:ClusterInstance",),
    remediation=(
        "Set multi_az=True on instances; give an Aurora cluster at least two instances (a writer "
        "and a replica, placed in different zones) so it can fail over."
    ),
    pulumi_fix='aws.rds.Instance("db", ..., multi_az=True)',
)
def rds_multi_az(res: Resource, inv: Inventory) -> Result:
    """The billing database stays available when one zone fails (emergency mode operation)."""
    if member := cluster_member(res):
        return member
    if res.type == RDS_INSTANCE:
        multi = flag(known(res, "multi_az", False))
        verdict = passed if multi else failed
        return verdict(f"multi_az is {'on' if multi else 'off'}", multi_az=multi)
    if known(res, "db_cluster_instance_class") is not None:
        return passed("a Multi-AZ DB cluster spans three zones by design", multi_az=True)
    members = _aurora_members(res, inv)
    if len(members) >= 2:
        return passed(f"the cluster has {len(members)} instances to fail over", members=members)
    return failed(
        f"the cluster has {len(members)} instance(s): no failover target", members=members
    )


@check(
    into=CHECKS,
    id="rds_logs_exported",
    control="RDS-09",
    title="RDS/Aurora exports its database logs to CloudWatch Logs",
    severity=Severity.MEDIUM,
    config_rule="rds-logging-enabled",
    resource_types=(RDS_INSTANCE, RDS_CLUSTER),
    remediation=(
        "Set enabled_cloudwatch_logs_exports (e.g. ['postgresql', 'upgrade'], or ['audit', "
        "'error'] for MySQL) so connection and error logs are kept and reviewable."
    ),
    pulumi_fix='aws.rds.Instance("db", ..., enabled_cloudwatch_logs_exports=["postgresql"])',
)
def rds_logs_exported(res: Resource, inv: Inventory) -> Result:
    """Database activity is recorded where it can be examined (audit controls)."""
    if member := cluster_member(res):
        return member
    exports = list(known(res, "enabled_cloudwatch_logs_exports") or [])
    if exports:
        return passed(
            f"exports {', '.join(map(str, exports))}", enabled_cloudwatch_logs_exports=exports
        )
    return failed("no database log is exported", enabled_cloudwatch_logs_exports=[])


@check(
    into=CHECKS,
    id="rds_enhanced_monitoring",
    control="RDS-09",
    title="RDS/Aurora instance has Enhanced Monitoring",
    severity=Severity.LOW,
    config_rule="rds-enhanced-monitoring-enabled",
    resource_types=(RDS_INSTANCE, RDS_CLUSTER_INSTANCE),
    remediation=(
        "Set monitoring_interval (1-60 seconds) and a monitoring_role_arn trusted by "
        "monitoring.rds.amazonaws.com to collect OS-level metrics."
    ),
    pulumi_fix=(
        'aws.rds.Instance("db", ..., monitoring_interval=60,\n'
        "    monitoring_role_arn=monitoring_role.arn)"
    ),
)
def rds_enhanced_monitoring(res: Resource, inv: Inventory) -> Result:
    """Operating-system metrics of the database host are collected for incident review."""
    interval = int(known(res, "monitoring_interval", 0) or 0)
    if interval > 0:
        return passed(f"metrics every {interval}s", monitoring_interval=interval)
    return failed(
        "Enhanced Monitoring is off (monitoring_interval 0)", monitoring_interval=interval
    )


def _shared_with_everyone(res: Resource) -> bool:
    return any(str(a).lower() == "all" for a in known(res, "shared_accounts") or [])


@check(
    into=CHECKS,
    id="rds_snapshot_not_public",
    control="RDS-10",
    title="RDS snapshot is not shared with everyone",
    severity=Severity.CRITICAL,
    config_rule="rds-snapshots-public-prohibited",
    resource_types=SNAPSHOT_TYPES,
    remediation="Remove 'all' from shared_accounts; share only with named backup accounts.",
    pulumi_fix='aws.rds.Snapshot("db-snap", db_instance_identifier=db.identifier,\n'
    '    db_snapshot_identifier="db-snap", shared_accounts=["210987654321"])',
)
def rds_snapshot_not_public(res: Resource, inv: Inventory) -> Result:
    """A copy of the database cannot be restored by any AWS account in the world."""
    accounts = list(known(res, "shared_accounts") or [])
    if _shared_with_everyone(res):
        return failed("the snapshot is public (shared with 'all')", shared_accounts=accounts)
    return passed("the snapshot is not public", shared_accounts=accounts)


def _snapshot_encrypted(res: Resource, inv: Inventory, depth: int = 0) -> tuple[bool, str]:
    """Whether the snapshot is encrypted, and what decided it."""
    reported = _ENCRYPTION_REPORTED_IN[res.type]
    if res.is_set(reported):  # reported by the state and live sources
        return flag(known(res, reported)), res.name
    if res.type in (SNAPSHOT_COPY, CLUSTER_SNAPSHOT_COPY) and known(res, "kms_key_id"):
        return True, res.name
    key, types = _SNAPSHOT_SOURCES[res.type]
    source = resolve(inv, known(res, key), types, f"{key} of {res.name}")
    if source is None:
        raise Undecidable(f"the source of snapshot {res.name} is not in the inventory")
    if depth > 3:
        raise Undecidable(f"the chain of copies reaching snapshot {res.name} is too long to follow")
    if source.type in SNAPSHOT_TYPES:
        return _snapshot_encrypted(source, inv, depth + 1)
    return flag(known(source, "storage_encrypted", False)), source.name


@check(
    into=CHECKS,
    id="rds_snapshot_encrypted",
    control="RDS-10",
    title="RDS snapshot is encrypted",
    severity=Severity.HIGH,
    config_rule="rds-snapshot-encrypted",
    resource_types=SNAPSHOT_TYPES,
    remediation=(
        "Snapshot only encrypted databases; to encrypt an existing snapshot, copy it with "
        "kms_key_id set to a customer-managed key."
    ),
    pulumi_fix=(
        'aws.rds.SnapshotCopy("db-snap-encrypted",\n'
        "    source_db_snapshot_identifier=snap.db_snapshot_arn,\n"
        '    target_db_snapshot_identifier="db-snap-encrypted", kms_key_id=key.arn)'
    ),
)
def rds_snapshot_encrypted(res: Resource, inv: Inventory) -> Result:
    """Copies of ePHI at rest are encrypted like the database itself."""
    encrypted, decided_by = _snapshot_encrypted(res, inv)
    evidence: dict[str, Any] = {"encrypted": encrypted, "decided_by": decided_by}
    if encrypted:
        return passed("the snapshot is encrypted", **evidence)
    return failed(f"the snapshot is unencrypted (as is {decided_by})", **evidence)


@check(
    into=CHECKS,
    id="rds_auto_minor_version_upgrade",
    control="RDS-11",
    title="RDS/Aurora instance applies minor engine upgrades automatically",
    severity=Severity.LOW,
    config_rule="rds-automatic-minor-version-upgrade-enabled",
    resource_types=(RDS_INSTANCE, RDS_CLUSTER_INSTANCE),
    remediation=(
        "Leave auto_minor_version_upgrade at its default (True) so security patches land in "
        "the maintenance window."
    ),
    pulumi_fix='aws.rds.Instance("db", ..., auto_minor_version_upgrade=True)',
)
def rds_auto_minor_version_upgrade(res: Resource, inv: Inventory) -> Result:
    """Engine security fixes are applied without waiting for someone to remember."""
    enabled = flag(known(res, "auto_minor_version_upgrade", True))
    if enabled:
        return passed("minor version upgrades are automatic", auto_minor_version_upgrade=True)
    return failed("automatic minor version upgrade is off", auto_minor_version_upgrade=False)
