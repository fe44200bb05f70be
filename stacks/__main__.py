"""hipaa-billing: the billing system on AWS, composed from secure-by-default components.

Configuration is read once (billing.settings, keys documented in stacks/README.md); each
component gets only the knobs it exposes. Order follows dependencies: keys first, then what
they protect, then what watches it.
"""

import pulumi
from billing import settings as stack_settings
from billing.account import AccountGuardrails, AccountGuardrailsArgs
from billing.alarms import SecurityAlarms, SecurityAlarmsArgs
from billing.alerting import Alerting, AlertingArgs
from billing.audit_logging import AuditTrail, AuditTrailArgs
from billing.backup import Backup, BackupArgs
from billing.change_audit import ChangeAudit, ChangeAuditArgs
from billing.context import AccountContext, StackContext
from billing.database import Database, DatabaseArgs
from billing.detection import Detection, DetectionArgs
from billing.edge import Edge, EdgeArgs
from billing.identity import AppAccess, Identity, IdentityArgs
from billing.keys import Keys, KeysArgs
from billing.network import Network, NetworkArgs
from billing.sessions import SessionStore, SessionStoreArgs
from billing.storage import Storage, StorageArgs

settings = stack_settings.load()
backup_plan = f"{settings.name_prefix}-ephi"
ctx = StackContext(
    name_prefix=settings.name_prefix,
    account=AccountContext.lookup(settings.region),
    base_tags={
        "environment": settings.environment,
        "owner": settings.owner,
        "project": settings.project,
    },
    backup_plan=backup_plan,
    iam_path=f"/{settings.project}/",
)
trail_name = ctx.name("trail")

keys = Keys("keys", ctx, KeysArgs(trail_name=trail_name))
alerting = Alerting(
    "alerting",
    ctx,
    AlertingArgs(
        kms_key_arn=keys.arn("alerts"),
        emails=settings.alert_emails,
        webhook_url=settings.alert_webhook_url,
    ),
)
topic_arn = alerting.topic.arn

network = Network(
    "network",
    ctx,
    NetworkArgs(
        flow_log_kms_key_arn=keys.arn("logs"),
        cidr=settings.vpc_cidr,
        az_count=settings.az_count,
        nat_gateway_per_az=settings.nat_gateway_per_az,
        app_port=settings.app_port,
        http_redirect=settings.http_redirect,
        flow_log_retention_days=settings.log_retention_days,
    ),
)
storage = Storage(
    "storage",
    ctx,
    StorageArgs(
        documents_kms_key_arn=keys.arn("documents"),
        audit_kms_key_arn=keys.arn("audit"),
        trail_name=trail_name,
        object_lock_mode=settings.object_lock_mode,
        object_lock_years=settings.object_lock_years,
        documents_noncurrent_version_days=settings.documents_noncurrent_version_days,
        access_log_retention_days=settings.log_retention_days,
    ),
)
database = Database(
    "database",
    ctx,
    DatabaseArgs(
        subnet_ids=network.subnet_ids("data"),
        security_group_ids=[network.db_security_group.id],
        kms_key_arn=keys.arn("database"),
        logs_kms_key_arn=keys.arn("logs"),
        alerts_topic_arn=topic_arn,
        instance_class=settings.db_instance_class,
        engine_version=settings.db_engine_version,
        db_name=settings.db_name,
        allocated_storage_gb=settings.db_allocated_storage_gb,
        multi_az=settings.multi_az,
        backup_retention_days=settings.backup_retention_days,
        log_retention_days=settings.log_retention_days,
        monitoring_interval=settings.db_monitoring_interval,
        performance_insights_retention_days=settings.performance_insights_retention_days,
        audit_log_classes=settings.db_audit_log_classes,
    ),
)
sessions = SessionStore("sessions", ctx, SessionStoreArgs(kms_key_arn=keys.arn("sessions")))

identity = Identity(
    "identity",
    ctx,
    IdentityArgs(
        app=AppAccess(
            documents_bucket_arn=storage.documents.arn,
            documents_key_arn=keys.arn("documents"),
            sessions_table_arn=ctx.account.arn("dynamodb", f"table/{ctx.name('sessions')}"),
            sessions_key_arn=keys.arn("sessions"),
            db_connect_arn=database.connect_arn(ctx),
        ),
        auditor_principal_arns=settings.auditor_principal_arns,
        auditor_automation_principal_arns=settings.auditor_automation_principal_arns,
        auditor_external_id=settings.auditor_external_id,
        manage_password_policy=settings.account_baseline,
        password_max_age_days=settings.password_max_age_days,
    ),
)
trail = AuditTrail(
    "audit-trail",
    ctx,
    AuditTrailArgs(
        trail_name=trail_name,
        bucket_name=storage.audit_evidence.bucket.bucket,
        kms_key_arn=keys.arn("audit"),
        logs_kms_key_arn=keys.arn("logs"),
        data_event_bucket_arns=[storage.documents.arn],
        log_retention_days=settings.audit_log_retention_days,
    ),
)
edge = Edge(
    "edge",
    ctx,
    EdgeArgs(
        vpc_id=network.vpc.id,
        public_subnet_ids=network.subnet_ids("public"),
        security_group_id=network.alb_security_group.id,
        log_bucket=storage.access_logs.bucket.bucket,
        logs_kms_key_arn=keys.arn("logs"),
        domain_name=settings.domain_name,
        certificate_arn=settings.certificate_arn,
        hosted_zone_id=settings.hosted_zone_id,
        tls_policy=settings.tls_policy,
        app_port=settings.app_port,
        http_redirect=settings.http_redirect,
        waf_rate_limit=settings.waf_rate_limit,
        log_retention_days=settings.log_retention_days,
    ),
)
SecurityAlarms(
    "security-alarms",
    ctx,
    SecurityAlarmsArgs(
        trail_log_group_name=trail.log_group.name,
        alerts_topic_arn=topic_arn,
        break_glass_role_arn=identity.break_glass_role_arn,
    ),
)
if settings.account_baseline:
    Detection(
        "detection",
        ctx,
        DetectionArgs(
            alerts_topic_arn=topic_arn,
            evidence_bucket=storage.audit_evidence.bucket_name,
            evidence_kms_key_arn=keys.arn("audit"),
        ),
    )
    AccountGuardrails("account", ctx, AccountGuardrailsArgs(ebs_kms_key_arn=keys.arn("volumes")))
Backup(
    "backup",
    ctx,
    BackupArgs(
        kms_key_arn=keys.arn("backup"),
        alerts_topic_arn=topic_arn,
        plan_name=backup_plan,
        daily_retention_days=settings.daily_backup_retention_days,
        monthly_retention_days=settings.monthly_backup_retention_days,
        vault_lock_mode=settings.vault_lock_mode,
    ),
)
if settings.change_audit:
    ChangeAudit(
        "change-audit",
        ctx,
        ChangeAuditArgs(
            alerts_topic_arn=topic_arn,
            alerts_kms_key_arn=keys.arn("alerts"),
            logs_kms_key_arn=keys.arn("logs"),
            code_path=settings.change_audit_code_path,
            log_retention_days=settings.log_retention_days,
            stack_exports=settings.change_audit_stack_exports,
            stack_exports_key_arn=settings.change_audit_stack_exports_key,
            security_hub=settings.change_audit_security_hub,
        ),
    )

pulumi.export("environment", settings.environment)
pulumi.export("vpc_id", network.vpc.id)
pulumi.export("load_balancer_dns_name", edge.load_balancer.dns_name)
pulumi.export("db_endpoint", database.instance.endpoint)
pulumi.export("documents_bucket", storage.documents.bucket_name)
pulumi.export("audit_evidence_bucket", storage.audit_evidence.bucket_name)
pulumi.export("sessions_table", sessions.table.name)
pulumi.export("alerts_topic_arn", topic_arn)
pulumi.export("auditor_role_arn", identity.auditor_role.arn)
pulumi.export("break_glass_role_arn", identity.break_glass_role.arn)
