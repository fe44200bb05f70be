"""RDS answers as pulumi_aws v7 names them: DB instances (`rds.Instance`, or `rds.ClusterInstance`
for a cluster's member), clusters, snapshots, parameter groups, subnet groups and event
subscriptions. Keys are given through `ManagedKeys.name`, so an AWS-managed key reads as one."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from checks.sources.aws.services.datastores import present, tag_map

Key = Callable[[Any], Any]  # a KMS key reference as the checks should see it

# Engines DescribeDB* also answer for that are other services' resources (Neptune, DocumentDB).
OTHER_SERVICES_ENGINES = ("neptune", "docdb")


def _secret(db: Mapping[str, Any], key: Key) -> dict[str, Any]:
    """Whether RDS manages the master password in Secrets Manager (its ARN; never its value)."""
    secret = db.get("MasterUserSecret") or {}
    if not secret:
        return {"manage_master_user_password": False}
    return {
        "manage_master_user_password": True,
        "master_user_secret_kms_key_id": key(secret.get("KmsKeyId")),
        "master_user_secrets": [
            present(
                {
                    "secret_arn": secret.get("SecretArn"),
                    "secret_status": secret.get("SecretStatus"),
                    "kms_key_id": key(secret.get("KmsKeyId")),
                }
            )
        ],
    }


def _common(db: Mapping[str, Any], key: Key) -> dict[str, Any]:
    """What an instance and a cluster member both say of themselves."""
    endpoint = db.get("Endpoint") or {}
    return {
        "identifier": db["DBInstanceIdentifier"],
        "instance_class": db.get("DBInstanceClass"),
        "engine": db.get("Engine"),
        "engine_version": db.get("EngineVersion"),
        "availability_zone": db.get("AvailabilityZone"),
        "publicly_accessible": bool(db.get("PubliclyAccessible")),
        "monitoring_interval": db.get("MonitoringInterval", 0),
        "monitoring_role_arn": db.get("MonitoringRoleArn"),
        "auto_minor_version_upgrade": db.get("AutoMinorVersionUpgrade"),
        "ca_cert_identifier": db.get("CACertificateIdentifier"),
        "copy_tags_to_snapshot": db.get("CopyTagsToSnapshot"),
        "performance_insights_enabled": db.get("PerformanceInsightsEnabled"),
        "performance_insights_kms_key_id": key(db.get("PerformanceInsightsKMSKeyId")),
        "performance_insights_retention_period": db.get("PerformanceInsightsRetentionPeriod"),
        "db_subnet_group_name": (db.get("DBSubnetGroup") or {}).get("DBSubnetGroupName"),
        "storage_encrypted": bool(db.get("StorageEncrypted")),
        "kms_key_id": key(db.get("KmsKeyId")),
        "port": endpoint.get("Port") or db.get("DbInstancePort") or None,
        "network_type": db.get("NetworkType"),
        "tags": tag_map(db.get("TagList")),
    }


def instance(db: Mapping[str, Any], key: Key) -> dict[str, Any]:
    """An `aws:rds/instance:Instance`'s properties."""
    groups = db.get("DBParameterGroups") or [{}]
    options = db.get("OptionGroupMemberships") or [{}]
    endpoint = db.get("Endpoint") or {}
    return present(
        {
            **_common(db, key),
            **_secret(db, key),
            "address": endpoint.get("Address"),
            "endpoint": f"{endpoint['Address']}:{endpoint['Port']}"
            if endpoint.get("Address") and endpoint.get("Port")
            else None,
            "resource_id": db.get("DbiResourceId"),
            "allocated_storage": db.get("AllocatedStorage"),
            "max_allocated_storage": db.get("MaxAllocatedStorage"),
            "storage_type": db.get("StorageType"),
            "iops": db.get("Iops"),
            "storage_throughput": db.get("StorageThroughput"),
            "multi_az": bool(db.get("MultiAZ")),
            "backup_retention_period": db.get("BackupRetentionPeriod"),
            "backup_window": db.get("PreferredBackupWindow"),
            "maintenance_window": db.get("PreferredMaintenanceWindow"),
            "deletion_protection": bool(db.get("DeletionProtection")),
            "iam_database_authentication_enabled": bool(db.get("IAMDatabaseAuthenticationEnabled")),
            "enabled_cloudwatch_logs_exports": list(db.get("EnabledCloudwatchLogsExports") or []),
            "parameter_group_name": groups[0].get("DBParameterGroupName"),
            "option_group_name": options[0].get("OptionGroupName"),
            "vpc_security_group_ids": [
                g["VpcSecurityGroupId"] for g in db.get("VpcSecurityGroups") or ()
            ],
            "db_name": db.get("DBName"),
            "username": db.get("MasterUsername"),
            "replicate_source_db": db.get("ReadReplicaSourceDBInstanceIdentifier"),
            "license_model": db.get("LicenseModel"),
        }
    )


def cluster_instance(db: Mapping[str, Any], key: Key) -> dict[str, Any]:
    """An `aws:rds/clusterInstance:ClusterInstance`'s properties (a cluster's member)."""
    groups = db.get("DBParameterGroups") or [{}]
    return present(
        {
            **_common(db, key),
            "endpoint": (db.get("Endpoint") or {}).get("Address"),
            "cluster_identifier": db["DBClusterIdentifier"],
            "dbi_resource_id": db.get("DbiResourceId"),
            "promotion_tier": db.get("PromotionTier"),
            "db_parameter_group_name": groups[0].get("DBParameterGroupName"),
        }
    )


def cluster(db: Mapping[str, Any], key: Key) -> dict[str, Any]:
    """An `aws:rds/cluster:Cluster`'s properties."""
    scaling = db.get("ServerlessV2ScalingConfiguration") or {}
    return present(
        {
            "cluster_identifier": db["DBClusterIdentifier"],
            "cluster_resource_id": db.get("DbClusterResourceId"),
            "engine": db.get("Engine"),
            "engine_version": db.get("EngineVersion"),
            "engine_mode": db.get("EngineMode"),
            "database_name": db.get("DatabaseName"),
            "master_username": db.get("MasterUsername"),
            "port": db.get("Port"),
            "storage_encrypted": bool(db.get("StorageEncrypted")),
            "kms_key_id": key(db.get("KmsKeyId")),
            "storage_type": db.get("StorageType"),
            "allocated_storage": db.get("AllocatedStorage")
            if db.get("DBClusterInstanceClass")
            else None,
            "iops": db.get("Iops"),
            "db_cluster_instance_class": db.get("DBClusterInstanceClass"),
            "backup_retention_period": db.get("BackupRetentionPeriod"),
            "preferred_backup_window": db.get("PreferredBackupWindow"),
            "preferred_maintenance_window": db.get("PreferredMaintenanceWindow"),
            "deletion_protection": bool(db.get("DeletionProtection")),
            "iam_database_authentication_enabled": bool(db.get("IAMDatabaseAuthenticationEnabled")),
            "enabled_cloudwatch_logs_exports": list(db.get("EnabledCloudwatchLogsExports") or []),
            "db_cluster_parameter_group_name": db.get("DBClusterParameterGroup"),
            "db_subnet_group_name": db.get("DBSubnetGroup"),
            "vpc_security_group_ids": [
                g["VpcSecurityGroupId"] for g in db.get("VpcSecurityGroups") or ()
            ],
            "availability_zones": list(db.get("AvailabilityZones") or []),
            "cluster_members": [
                m["DBInstanceIdentifier"] for m in db.get("DBClusterMembers") or ()
            ],
            "copy_tags_to_snapshot": db.get("CopyTagsToSnapshot"),
            "backtrack_window": db.get("BacktrackWindow"),
            "replication_source_identifier": db.get("ReplicationSourceIdentifier"),
            "network_type": db.get("NetworkType"),
            "publicly_accessible": db.get("PubliclyAccessible"),
            "monitoring_interval": db.get("MonitoringInterval"),
            "monitoring_role_arn": db.get("MonitoringRoleArn"),
            "performance_insights_enabled": db.get("PerformanceInsightsEnabled"),
            "performance_insights_kms_key_id": key(db.get("PerformanceInsightsKMSKeyId")),
            "serverlessv2_scaling_configuration": present(
                {
                    "min_capacity": scaling.get("MinCapacity"),
                    "max_capacity": scaling.get("MaxCapacity"),
                }
            )
            or None,
            "endpoint": db.get("Endpoint"),
            "reader_endpoint": db.get("ReaderEndpoint"),
            "tags": tag_map(db.get("TagList")),
            **_secret(db, key),
        }
    )


def snapshot(snap: Mapping[str, Any], key: Key) -> dict[str, Any]:
    """An `aws:rds/snapshot:Snapshot`'s properties (without `shared_accounts`)."""
    return present(
        {
            "db_snapshot_identifier": snap["DBSnapshotIdentifier"],
            "db_instance_identifier": snap.get("DBInstanceIdentifier"),
            "db_snapshot_arn": snap.get("DBSnapshotArn"),
            "encrypted": bool(snap.get("Encrypted")),
            "kms_key_id": key(snap.get("KmsKeyId")),
            "engine": snap.get("Engine"),
            "engine_version": snap.get("EngineVersion"),
            "snapshot_type": snap.get("SnapshotType"),
            "allocated_storage": snap.get("AllocatedStorage"),
            "storage_type": snap.get("StorageType"),
            "availability_zone": snap.get("AvailabilityZone"),
            "port": snap.get("Port"),
            "vpc_id": snap.get("VpcId"),
            "status": snap.get("Status"),
            "source_db_snapshot_identifier": snap.get("SourceDBSnapshotIdentifier"),
            "source_region": snap.get("SourceRegion"),
            "tags": tag_map(snap.get("TagList")),
        }
    )


def cluster_snapshot(snap: Mapping[str, Any], key: Key) -> dict[str, Any]:
    """An `aws:rds/clusterSnapshot:ClusterSnapshot`'s properties (without `shared_accounts`)."""
    return present(
        {
            "db_cluster_snapshot_identifier": snap["DBClusterSnapshotIdentifier"],
            "db_cluster_identifier": snap.get("DBClusterIdentifier"),
            "db_cluster_snapshot_arn": snap.get("DBClusterSnapshotArn"),
            "storage_encrypted": bool(snap.get("StorageEncrypted")),
            "kms_key_id": key(snap.get("KmsKeyId")),
            "engine": snap.get("Engine"),
            "engine_version": snap.get("EngineVersion"),
            "snapshot_type": snap.get("SnapshotType"),
            "allocated_storage": snap.get("AllocatedStorage"),
            "availability_zones": list(snap.get("AvailabilityZones") or []),
            "port": snap.get("Port"),
            "vpc_id": snap.get("VpcId"),
            "status": snap.get("Status"),
            "source_db_cluster_snapshot_arn": snap.get("SourceDBClusterSnapshotArn"),
            "tags": tag_map(snap.get("TagList")),
        }
    )


def shared_accounts(answer: Mapping[str, Any], result_key: str, attributes_key: str) -> list[str]:
    """The accounts allowed to restore a snapshot ("all": anyone), from its `restore` attribute."""
    result = answer.get(result_key) or {}
    return sorted(
        str(v)
        for attribute in result.get(attributes_key) or ()
        if attribute.get("AttributeName") == "restore"
        for v in attribute.get("AttributeValues") or ()
    )


def parameter(param: Mapping[str, Any]) -> dict[str, Any]:
    return present(
        {
            "name": param.get("ParameterName"),
            "value": param.get("ParameterValue"),
            "apply_method": param.get("ApplyMethod"),
        }
    )


def subnet_group(group: Mapping[str, Any], tags: Mapping[str, str] | None) -> dict[str, Any]:
    return present(
        {
            "name": group["DBSubnetGroupName"],
            "description": group.get("DBSubnetGroupDescription"),
            "subnet_ids": [s["SubnetIdentifier"] for s in group.get("Subnets") or ()],
            "vpc_id": group.get("VpcId"),
            "supported_network_types": group.get("SupportedNetworkTypes"),
            "tags": tags,
        }
    )


def event_subscription(sub: Mapping[str, Any], tags: Mapping[str, str] | None) -> dict[str, Any]:
    return present(
        {
            "name": sub["CustSubscriptionId"],
            "sns_topic": sub.get("SnsTopicArn"),
            "source_type": sub.get("SourceType"),
            "source_ids": list(sub.get("SourceIdsList") or []),
            "event_categories": list(sub.get("EventCategoriesList") or []),
            "enabled": bool(sub.get("Enabled")),
            "tags": tags,
        }
    )
