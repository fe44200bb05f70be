"""The billing PostgreSQL database: private, encrypted with its own key, TLS-only, audited,
monitored, backed up, patched, and protected from deletion."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from billing import COMPONENT_PREFIX
from billing.context import StackContext
from billing.service_roles import service_role
from billing.tagging import EPHI, INTERNAL

LOG_EXPORTS = ("postgresql", "upgrade")
MASTER_USERNAME = "billing_admin"
# Database user the application connects as, with an IAM token instead of a password.
APP_DB_USER = "billing_app"
EVENT_CATEGORIES = (
    "availability",
    "configuration change",
    "deletion",
    "failover",
    "failure",
    "low storage",
    "maintenance",
    "recovery",
)


@dataclass(frozen=True)
class DatabaseArgs:
    """Knobs of the database."""

    subnet_ids: Sequence[pulumi.Input[str]]
    security_group_ids: Sequence[pulumi.Input[str]]
    # Key for storage, snapshots, Performance Insights and the master-user secret.
    kms_key_arn: pulumi.Input[str]
    # Key for the exported log groups.
    logs_kms_key_arn: pulumi.Input[str]
    # Topic that receives availability, failure and maintenance events.
    alerts_topic_arn: pulumi.Input[str]
    instance_class: str = "db.r6g.large"
    # PostgreSQL major (or major.minor) version; the parameter-group family follows it.
    engine_version: str = "16"
    db_name: str = "billing"
    port: int = 5432
    # Initial gp3 storage (GiB); autoscaling may grow it to four times this.
    allocated_storage_gb: int = 50
    # Synchronous standby in a second zone.
    multi_az: bool = True
    # Days of automated backups and point-in-time restore (7-35).
    backup_retention_days: int = 35
    # Days the exported PostgreSQL logs (which carry the pgaudit trail) are kept.
    log_retention_days: int = 2192
    # Enhanced Monitoring granularity in seconds (1, 5, 10, 15, 30, 60).
    monitoring_interval: int = 60
    # Performance Insights retention (7, or a multiple of 31 up to 731).
    performance_insights_retention_days: int = 7
    # pgaudit statement classes logged for every session (who read or changed billing data).
    audit_log_classes: str = "read,write,ddl,role"


class Database(pulumi.ComponentResource):
    """One RDS PostgreSQL instance with its parameter group, log groups and monitoring role."""

    def __init__(
        self,
        name: str,
        ctx: StackContext,
        args: DatabaseArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(f"{COMPONENT_PREFIX}:Database", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        identifier = ctx.name("postgres")
        family = f"postgres{args.engine_version.split('.')[0]}"
        subnet_group = aws.rds.SubnetGroup(
            "db-subnets",
            name=ctx.name("db"),
            description="Private data-tier subnets for the billing database",
            subnet_ids=list(args.subnet_ids),
            tags=ctx.tags(INTERNAL),
            opts=child,
        )
        parameter_group = aws.rds.ParameterGroup(
            "postgres-parameters",
            name=ctx.name(family),
            family=family,
            description="Billing PostgreSQL: TLS required, sessions and statements audited",
            parameters=[
                _param("rds.force_ssl", "1"),
                _param("ssl_min_protocol_version", "TLSv1.2"),
                _param("password_encryption", "scram-sha-256"),
                _param("log_connections", "1"),
                _param("log_disconnections", "1"),
                _param("shared_preload_libraries", "pg_stat_statements,pgaudit", reboot=True),
                _param("pgaudit.log", args.audit_log_classes),
                _param("pgaudit.log_parameter", "0"),
                _param("pgaudit.role", "rds_pgaudit"),
            ],
            tags=ctx.tags(INTERNAL),
            opts=child,
        )
        # Declared before the instance so RDS writes into encrypted groups with a retention
        # period, instead of creating unencrypted ones that never expire.
        log_groups = [
            aws.cloudwatch.LogGroup(
                f"db-logs-{export}",
                name=f"/aws/rds/instance/{identifier}/{export}",
                kms_key_id=args.logs_kms_key_arn,
                retention_in_days=args.log_retention_days,
                tags=ctx.tags(EPHI),
                opts=child,
            )
            for export in LOG_EXPORTS
        ]
        monitoring_role = service_role(
            self,
            ctx,
            "rds-monitoring",
            "monitoring.rds.amazonaws.com",
            "Lets RDS Enhanced Monitoring publish OS metrics",
            aws_managed_policies=["service-role/AmazonRDSEnhancedMonitoringRole"],
        )
        self.instance = aws.rds.Instance(
            "billing-db",
            identifier=identifier,
            engine="postgres",
            engine_version=args.engine_version,
            instance_class=args.instance_class,
            db_name=args.db_name,
            port=args.port,
            allocated_storage=args.allocated_storage_gb,
            max_allocated_storage=args.allocated_storage_gb * 4,
            storage_type="gp3",
            storage_encrypted=True,
            kms_key_id=args.kms_key_arn,
            username=MASTER_USERNAME,
            manage_master_user_password=True,
            master_user_secret_kms_key_id=args.kms_key_arn,
            iam_database_authentication_enabled=True,
            db_subnet_group_name=subnet_group.name,
            vpc_security_group_ids=list(args.security_group_ids),
            parameter_group_name=parameter_group.name,
            ca_cert_identifier="rds-ca-rsa2048-g1",
            network_type="IPV4",
            publicly_accessible=False,
            multi_az=args.multi_az,
            backup_retention_period=args.backup_retention_days,
            backup_window="03:00-04:00",
            maintenance_window="sun:04:30-sun:05:30",
            copy_tags_to_snapshot=True,
            delete_automated_backups=False,
            skip_final_snapshot=False,
            final_snapshot_identifier=f"{identifier}-final",
            deletion_protection=True,
            auto_minor_version_upgrade=True,
            allow_major_version_upgrade=False,
            enabled_cloudwatch_logs_exports=list(LOG_EXPORTS),
            monitoring_interval=args.monitoring_interval,
            monitoring_role_arn=monitoring_role.arn,
            performance_insights_enabled=True,
            performance_insights_kms_key_id=args.kms_key_arn,
            performance_insights_retention_period=args.performance_insights_retention_days,
            tags=ctx.tags(EPHI, identifier, backup=True),
            opts=pulumi.ResourceOptions(parent=self, depends_on=log_groups),
        )
        aws.rds.EventSubscription(
            "db-events",
            name=ctx.name("db-events"),
            sns_topic=args.alerts_topic_arn,
            source_type="db-instance",
            source_ids=[identifier],
            event_categories=list(EVENT_CATEGORIES),
            enabled=True,
            tags=ctx.tags(INTERNAL),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.instance]),
        )
        self.identifier = identifier
        self.register_outputs(
            {"endpoint": self.instance.endpoint, "resource_id": self.instance.resource_id}
        )

    def connect_arn(self, ctx: StackContext, db_user: str = APP_DB_USER) -> pulumi.Output[str]:
        """The resource an IAM policy grants `rds-db:connect` on, for one database user."""
        return self.instance.resource_id.apply(
            lambda rid: ctx.account.arn("rds-db", f"dbuser:{rid}/{db_user}")
        )


def _param(name: str, value: str, *, reboot: bool = False) -> aws.rds.ParameterGroupParameterArgs:
    return aws.rds.ParameterGroupParameterArgs(
        name=name, value=value, apply_method="pending-reboot" if reboot else "immediate"
    )
