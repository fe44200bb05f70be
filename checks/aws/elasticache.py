"""ElastiCache: Redis and Valkey caches keep automatic backups (control ECH-01)."""

from __future__ import annotations

from checks.model import Inventory, Resource
from checks.registry import Check, Result, Severity, check, failed, not_applicable, passed
from checks.support.numbers import whole_number
from checks.support.props import known

CHECKS: list[Check] = []

CACHE_CLUSTER = "aws:elasticache/cluster:Cluster"
REPLICATION_GROUP = "aws:elasticache/replicationGroup:ReplicationGroup"
# AWS Config elasticache-redis-cluster-automatic-backup-check's default snapshotRetentionPeriod.
MIN_CACHE_SNAPSHOT_DAYS = 15
# Engines that take snapshots (memcached keeps nothing to back up).
SNAPSHOT_ENGINES = ("redis", "valkey")
# A replication group's engine when it names none (the provider's default).
DEFAULT_GROUP_ENGINE = "redis"


def _retention(res: Resource) -> int:
    # Unset: AWS's default SnapshotRetentionLimit, 0, which turns automatic backups off.
    days = known(res, "snapshot_retention_limit", 0)
    return whole_number(days, f"the snapshot retention of {res.name}")


@check(
    into=CHECKS,
    id="elasticache_redis_automatic_backup",
    control="ECH-01",
    title=f"ElastiCache Redis/Valkey keeps automatic backups for {MIN_CACHE_SNAPSHOT_DAYS} days",
    severity=Severity.MEDIUM,
    config_rule="elasticache-redis-cluster-automatic-backup-check",
    resource_types=(REPLICATION_GROUP, CACHE_CLUSTER),
    remediation=(
        f"Set snapshot_retention_limit to at least {MIN_CACHE_SNAPSHOT_DAYS} days (and a "
        "snapshot_window outside peak hours) on the replication group, or on a single-node "
        "cluster that belongs to none."
    ),
    pulumi_fix=(
        'aws.elasticache.ReplicationGroup("sessions", ..., snapshot_retention_limit=15,\n'
        '    snapshot_window="03:00-05:00")'
    ),
)
def elasticache_redis_automatic_backup(res: Resource, inv: Inventory) -> Result:
    """A cache that holds ePHI can be restored to a recent day (data backup plan)."""
    if res.type == CACHE_CLUSTER:
        group = known(res, "replication_group_id")
        if group:
            return not_applicable(f"a member of {group}: the group's backups are judged")
    default = DEFAULT_GROUP_ENGINE if res.type == REPLICATION_GROUP else None
    engine = str(known(res, "engine", default) or "").lower()
    if engine not in SNAPSHOT_ENGINES:
        return not_applicable(f"the {engine or 'unnamed'} engine keeps no backups", engine=engine)
    days = _retention(res)
    evidence = {"engine": engine, "snapshot_retention_limit": days}
    if days < MIN_CACHE_SNAPSHOT_DAYS:
        kept = "off" if days == 0 else f"kept for {days} day(s)"
        return failed(f"automatic backups are {kept}", **evidence)
    return passed(f"automatic backups are kept for {days} days", **evidence)
