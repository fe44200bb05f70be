"""RDS: DB instances, parameter groups, subnet groups and event subscriptions.

A master password (a Pulumi secret) is passed to the emulator and nowhere else: the deploy
scrubs every secret's plaintext from its report and progress.
"""

from __future__ import annotations

from typing import Any

from scripts.emulate.creators.base import (
    Made,
    Target,
    physical_name,
    tag_list,
    tags,
    without_none,
)
from scripts.emulate.inputs import Inputs

DEFAULT_DESCRIPTION = "Managed by Pulumi"
# How often RDS rotates a master user secret it manages (AWS's default).
MANAGED_SECRET_ROTATION_DAYS = 7
# RDS takes at most this many parameters per ModifyDBParameterGroup call.
_PARAMETER_BATCH = 20

_INSTANCE = {
    "engine": "Engine",
    "engine_version": "EngineVersion",
    "instance_class": "DBInstanceClass",
    "db_name": "DBName",
    "port": "Port",
    "allocated_storage": "AllocatedStorage",
    "max_allocated_storage": "MaxAllocatedStorage",
    "storage_type": "StorageType",
    "storage_throughput": "StorageThroughput",
    "iops": "Iops",
    "storage_encrypted": "StorageEncrypted",
    "kms_key_id": "KmsKeyId",
    "username": "MasterUsername",
    "password": "MasterUserPassword",
    "manage_master_user_password": "ManageMasterUserPassword",
    "master_user_secret_kms_key_id": "MasterUserSecretKmsKeyId",
    "iam_database_authentication_enabled": "EnableIAMDatabaseAuthentication",
    "db_subnet_group_name": "DBSubnetGroupName",
    "parameter_group_name": "DBParameterGroupName",
    "option_group_name": "OptionGroupName",
    "ca_cert_identifier": "CACertificateIdentifier",
    "network_type": "NetworkType",
    "publicly_accessible": "PubliclyAccessible",
    "multi_az": "MultiAZ",
    "availability_zone": "AvailabilityZone",
    "backup_retention_period": "BackupRetentionPeriod",
    "backup_window": "PreferredBackupWindow",
    "maintenance_window": "PreferredMaintenanceWindow",
    "copy_tags_to_snapshot": "CopyTagsToSnapshot",
    "deletion_protection": "DeletionProtection",
    "auto_minor_version_upgrade": "AutoMinorVersionUpgrade",
    "monitoring_interval": "MonitoringInterval",
    "monitoring_role_arn": "MonitoringRoleArn",
    "performance_insights_enabled": "EnablePerformanceInsights",
    "performance_insights_kms_key_id": "PerformanceInsightsKMSKeyId",
    "performance_insights_retention_period": "PerformanceInsightsRetentionPeriod",
    "license_model": "LicenseModel",
    "character_set_name": "CharacterSetName",
    "timezone": "Timezone",
    "dedicated_log_volume": "DedicatedLogVolume",
    "database_insights_mode": "DatabaseInsightsMode",
}
_INSTANCE_LISTS = {
    "vpc_security_group_ids": "VpcSecurityGroupIds",
    "enabled_cloudwatch_logs_exports": "EnableCloudwatchLogsExports",
}
# What DescribeDBInstances calls a CreateDBInstance parameter, where the names differ.
_DESCRIBED_AS = {
    "EnableIAMDatabaseAuthentication": "IAMDatabaseAuthenticationEnabled",
    "EnablePerformanceInsights": "PerformanceInsightsEnabled",
    "EnableCloudwatchLogsExports": "EnabledCloudwatchLogsExports",
    "Port": "DbInstancePort",
    "VpcSecurityGroupIds": "VpcSecurityGroups",
    "DBParameterGroupName": "DBParameterGroups",
    "DBSubnetGroupName": "DBSubnetGroup",
    "ManageMasterUserPassword": "MasterUserSecret",
    "MasterUserSecretKmsKeyId": "MasterUserSecret",
    "MasterUserPassword": None,  # never described
}
DROPPED = "the emulator (moto) accepts it but does not keep it"
# What the provider does with these happens on update or delete, never at creation.
_PROVIDER_ONLY = (
    "skip_final_snapshot",
    "final_snapshot_identifier",
    "delete_automated_backups",
    "allow_major_version_upgrade",
    "apply_immediately",
    "blue_green_update",
)


def instance(inputs: Inputs, target: Target, clients) -> Made:
    rds = clients("rds")
    identifier = physical_name(inputs, target, "identifier", lower=True, max_length=63)
    args: dict[str, Any] = {api: inputs[key] for key, api in _INSTANCE.items() if key in inputs}
    args.update({api: inputs.plain(key) for key, api in _INSTANCE_LISTS.items() if key in inputs})
    rds.create_db_instance(
        DBInstanceIdentifier=identifier, **args, Tags=tag_list(tags(inputs, target))
    )
    made = rds.describe_db_instances(DBInstanceIdentifier=identifier)["DBInstances"][0]
    for key, api in {**_INSTANCE, **_INSTANCE_LISTS}.items():
        described = _DESCRIBED_AS.get(api, api)
        if described is not None and made.get(described) in (None, [], {}):
            inputs.unapplied(key, DROPPED)
    inputs.provider_only(*_PROVIDER_ONLY)
    endpoint = made.get("Endpoint") or {}
    secret = made.get("MasterUserSecret") or {}
    if secret.get("SecretArn"):
        _rotate_like_rds(clients, secret["SecretArn"], target)
    return identifier, {
        "arn": made["DBInstanceArn"],
        "identifier": identifier,
        "resource_id": made["DbiResourceId"],
        "address": endpoint.get("Address"),
        "port": endpoint.get("Port", args.get("Port")),
        "endpoint": f"{endpoint['Address']}:{endpoint['Port']}" if endpoint else None,
        "hosted_zone_id": endpoint.get("HostedZoneId"),
        "status": made.get("DBInstanceStatus"),
        "master_user_secrets": [
            without_none(
                secret_arn=secret.get("SecretArn"),
                kms_key_id=secret.get("KmsKeyId"),
                secret_status=secret.get("SecretStatus"),
            )
        ]
        if secret
        else [],
    }


def _rotate_like_rds(clients, secret_arn: str, target: Target) -> None:
    """RDS rotates the master user secret it manages every 7 days; the emulator makes the
    secret but not its rotation, so the deploy schedules it (no Lambda: RDS rotates these)."""
    clients("secretsmanager").rotate_secret(
        SecretId=secret_arn,
        RotationRules={"AutomaticallyAfterDays": MANAGED_SECRET_ROTATION_DAYS},
        RotateImmediately=False,
    )
    target.notes.append(
        f"{target.name}: the master user secret's rotation (every {MANAGED_SECRET_ROTATION_DAYS} "
        "days, as RDS schedules it) was set by the deploy: the emulator does not manage it"
    )


def parameter_group(inputs: Inputs, target: Target, clients) -> Made:
    rds = clients("rds")
    name = physical_name(inputs, target, lower=True, max_length=255)
    made = rds.create_db_parameter_group(
        DBParameterGroupName=name,
        DBParameterGroupFamily=inputs.require("family"),
        Description=inputs.get("description") or DEFAULT_DESCRIPTION,
        Tags=tag_list(tags(inputs, target)),
    )["DBParameterGroup"]
    parameters = [
        without_none(
            ParameterName=p.require("name"),
            ParameterValue=str(p.require("value")),
            ApplyMethod=p.get("apply_method", "immediate"),
        )
        for p in inputs.get("parameters") or []
    ]
    for start in range(0, len(parameters), _PARAMETER_BATCH):
        rds.modify_db_parameter_group(
            DBParameterGroupName=name, Parameters=parameters[start : start + _PARAMETER_BATCH]
        )
    return name, {"arn": made["DBParameterGroupArn"], "name": name}


def subnet_group(inputs: Inputs, target: Target, clients) -> Made:
    name = physical_name(inputs, target, lower=True, max_length=255)
    made = clients("rds").create_db_subnet_group(
        DBSubnetGroupName=name,
        DBSubnetGroupDescription=inputs.get("description") or DEFAULT_DESCRIPTION,
        SubnetIds=inputs.plain("subnet_ids", []),
        Tags=tag_list(tags(inputs, target)),
    )["DBSubnetGroup"]
    return name, {
        "arn": made["DBSubnetGroupArn"],
        "name": name,
        "vpc_id": made.get("VpcId"),
    }


def event_subscription(inputs: Inputs, target: Target, clients) -> Made:
    name = physical_name(inputs, target, max_length=255)
    made = clients("rds").create_event_subscription(
        SubscriptionName=name,
        SnsTopicArn=inputs.require("sns_topic"),
        **without_none(
            SourceType=inputs.get("source_type"),
            SourceIds=inputs.plain("source_ids"),
            EventCategories=inputs.plain("event_categories"),
            Enabled=inputs.get("enabled"),
        ),
        Tags=tag_list(tags(inputs, target)),
    )["EventSubscription"]
    return name, {
        "arn": made.get("EventSubscriptionArn"),
        "customer_aws_id": made.get("CustomerAwsId"),
    }


CREATORS = {
    "aws:rds/instance:Instance": instance,
    "aws:rds/parameterGroup:ParameterGroup": parameter_group,
    "aws:rds/subnetGroup:SubnetGroup": subnet_group,
    "aws:rds/eventSubscription:EventSubscription": event_subscription,
}
