"""The billing PostgreSQL database: private, encrypted with the CMK, TLS-only, backed up,
and protected from deletion."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws
from encryption import Encryption
from network import POSTGRES_PORT, Network
from settings import Settings
from tagging import EPHI, INTERNAL, tags

LOG_EXPORTS = ("postgresql", "upgrade")
MASTER_USERNAME = "billing_admin"


def _parameter_group(settings: Settings) -> aws.rds.ParameterGroup:
    family = settings.db_parameter_group_family
    return aws.rds.ParameterGroup(
        "postgres-parameters",
        name=f"{settings.name_prefix}-{family}",
        family=family,
        description="Billing PostgreSQL: TLS required, connections logged",
        parameters=[
            aws.rds.ParameterGroupParameterArgs(name="rds.force_ssl", value="1"),
            aws.rds.ParameterGroupParameterArgs(name="log_connections", value="1"),
            aws.rds.ParameterGroupParameterArgs(name="log_disconnections", value="1"),
        ],
        tags=tags(settings, INTERNAL),
    )


def _log_groups(
    settings: Settings, identifier: str, encryption: Encryption
) -> list[aws.cloudwatch.LogGroup]:
    """Declared before the instance so RDS writes into encrypted groups with a retention
    period, instead of creating unencrypted ones that never expire."""
    return [
        aws.cloudwatch.LogGroup(
            f"db-logs-{export}",
            name=f"/aws/rds/instance/{identifier}/{export}",
            kms_key_id=encryption.key.arn,
            retention_in_days=settings.log_retention_days,
            tags=tags(settings, EPHI),
        )
        for export in LOG_EXPORTS
    ]


def create_database(
    settings: Settings, network: Network, encryption: Encryption
) -> aws.rds.Instance:
    identifier = f"{settings.name_prefix}-postgres"
    subnet_group = aws.rds.SubnetGroup(
        "db-subnets",
        name=f"{settings.name_prefix}-db",
        description="Private subnets for the billing database",
        subnet_ids=[subnet.id for subnet in network.private_subnets],
        tags=tags(settings, INTERNAL),
    )
    parameter_group = _parameter_group(settings)
    log_groups = _log_groups(settings, identifier, encryption)
    key_arn = encryption.key.arn

    return aws.rds.Instance(
        "billing-db",
        identifier=identifier,
        engine="postgres",
        engine_version=settings.db_engine_version,
        instance_class=settings.db_instance_class,
        db_name=settings.db_name,
        port=POSTGRES_PORT,
        allocated_storage=settings.db_allocated_storage_gb,
        max_allocated_storage=settings.db_allocated_storage_gb * 4,
        storage_type="gp3",
        storage_encrypted=True,
        kms_key_id=key_arn,
        username=MASTER_USERNAME,
        manage_master_user_password=True,
        master_user_secret_kms_key_id=key_arn,
        iam_database_authentication_enabled=True,
        db_subnet_group_name=subnet_group.name,
        vpc_security_group_ids=[network.db_security_group.id],
        parameter_group_name=parameter_group.name,
        publicly_accessible=False,
        multi_az=settings.multi_az,
        backup_retention_period=settings.backup_retention_days,
        backup_window="03:00-04:00",
        maintenance_window="sun:04:30-sun:05:30",
        copy_tags_to_snapshot=True,
        delete_automated_backups=False,
        skip_final_snapshot=False,
        final_snapshot_identifier=f"{identifier}-final",
        deletion_protection=True,
        auto_minor_version_upgrade=True,
        enabled_cloudwatch_logs_exports=list(LOG_EXPORTS),
        performance_insights_enabled=True,
        performance_insights_kms_key_id=key_arn,
        performance_insights_retention_period=7,
        tags=tags(settings, EPHI, identifier),
        opts=pulumi.ResourceOptions(depends_on=log_groups),
    )
