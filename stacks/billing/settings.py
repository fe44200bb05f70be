"""Stack configuration for the billing system: read once, validated, passed to every component.

Every key is documented in `Pulumi.yaml` and `stacks/README.md`. Unset keys fall back to the
strict value in production and to a cheaper, still compliant value elsewhere. A value that
would weaken a safeguard below the floor this module applies is refused with a `ConfigError`
naming the key, so nobody lowers a control by a typo.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import TypeVar

import pulumi

# The floors the hardening transform holds too (retention, password expiry, the TLS 1.2+
# listener policies) are stated once, in stacks/hardening_rules.py.
from hardening_rules import (
    MAX_PASSWORD_AGE_DAYS,
    MIN_BACKUP_RETENTION_DAYS,
    MIN_LOG_RETENTION_DAYS,
    TLS12_POLICIES,
)

# Stack names whose data must meet production retention and availability targets.
PRODUCTION_ENVIRONMENTS = frozenset({"prod", "production"})

# Retention values CloudWatch Logs accepts, in days.
CLOUDWATCH_RETENTION_DAYS = (
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731,
    1096, 1827, 2192, 2557, 2922, 3288, 3653,
)  # fmt: skip
# 45 CFR 164.316(b)(2)(i): documentation is retained six years; 2192 days covers leap years.
SIX_YEARS_DAYS = 2192
# The billing ALB's policy: TLS 1.2+ with the restricted cipher list (one of TLS12_POLICIES).
DEFAULT_TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-Res-2021-06"
PGAUDIT_CLASSES = frozenset(
    {"read", "write", "function", "role", "ddl", "misc", "misc_set", "all", "none"}
)
LOCK_MODES = ("compliance", "governance")
# S3 bucket naming rules (lower case, digits, dots, hyphens, 3-63 characters).
BUCKET_NAME = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
# A key ARN (never an alias, never a wildcard): the role's data deny is carved out for it.
KMS_KEY_ARN = re.compile(r"arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]+")

T = TypeVar("T")


class ConfigError(ValueError):
    """A configuration value is missing, malformed or below the safeguard's floor."""

    def __init__(self, key: str, problem: str) -> None:
        super().__init__(f"config '{key}': {problem}")
        self.key = key


@dataclass(frozen=True)
class Settings:
    """Values that differ between stacks, resolved from config and environment fallbacks."""

    project: str
    environment: str
    production: bool
    owner: str
    region: str
    # network
    vpc_cidr: str
    az_count: int
    nat_gateway_per_az: bool
    app_port: int
    # edge
    domain_name: str
    certificate_arn: str | None
    hosted_zone_id: str | None
    tls_policy: str
    http_redirect: bool
    waf_rate_limit: int
    # database
    db_name: str
    db_instance_class: str
    db_engine_version: str
    db_allocated_storage_gb: int
    backup_retention_days: int
    multi_az: bool
    db_monitoring_interval: int
    performance_insights_retention_days: int
    db_audit_log_classes: str
    # logs and evidence
    log_retention_days: int
    audit_log_retention_days: int
    object_lock_mode: str
    object_lock_years: int
    documents_noncurrent_version_days: int
    # backup
    daily_backup_retention_days: int
    monthly_backup_retention_days: int
    vault_lock_mode: str
    # identity and alerting
    alert_emails: tuple[str, ...]
    alert_webhook_url: pulumi.Output[str] | None
    auditor_principal_arns: tuple[str, ...]
    auditor_automation_principal_arns: tuple[str, ...]
    auditor_external_id: str | None
    password_max_age_days: int
    account_baseline: bool
    # change-triggered audit (off unless asked for)
    change_audit: bool = False
    change_audit_code_path: str = "build/handler"
    # s3://BUCKET/KEY stack exports the handler compares a change with, and their bucket's key.
    change_audit_stack_exports: tuple[str, ...] = ()
    change_audit_stack_exports_key: str | None = None
    change_audit_security_hub: bool = False

    @property
    def name_prefix(self) -> str:
        """Physical-name prefix, e.g. ``hipaa-billing-dev``."""
        return f"{self.project}-{self.environment}"


def _unless_set(value: T | None, fallback: T) -> T:
    """Config getters return None for unset keys; 0 and False are real choices."""
    return fallback if value is None else value


def _string_list(config: pulumi.Config, key: str) -> tuple[str, ...]:
    raw = config.get(key)
    if raw is None or raw == "":
        return ()
    try:
        value = json.loads(raw)
    except json.JSONDecodeError:
        value = [part.strip() for part in raw.split(",")]
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ConfigError(key, "expected a list of strings")
    return tuple(value)


def _at_least(key: str, value: int, floor: int, why: str) -> int:
    if value < floor:
        raise ConfigError(key, f"{value} is below the minimum of {floor} ({why})")
    return value


def _retention(key: str, value: int, floor: int, why: str) -> int:
    if value not in CLOUDWATCH_RETENTION_DAYS:
        raise ConfigError(key, f"{value} is not a CloudWatch Logs retention value")
    return _at_least(key, value, floor, why)


def _choice(key: str, value: str, allowed: tuple[str, ...] | frozenset[str]) -> str:
    if value not in allowed:
        raise ConfigError(key, f"{value!r} is not one of {', '.join(sorted(allowed))}")
    return value


def _production_requires(production: bool, key: str, ok: bool, requirement: str) -> None:
    if production and not ok:
        raise ConfigError(key, f"production stacks require {requirement}")


def _pgaudit_classes(value: str) -> str:
    classes = [c.strip().lstrip("-").lower() for c in value.split(",") if c.strip()]
    unknown = [c for c in classes if c not in PGAUDIT_CLASSES]
    if not classes or unknown:
        raise ConfigError("dbAuditLogClasses", f"unknown pgaudit class(es): {unknown or value!r}")
    if classes == ["none"]:
        raise ConfigError("dbAuditLogClasses", "'none' would switch the database audit trail off")
    return value


def _password_max_age(value: int | None) -> int:
    days = _unless_set(value, MAX_PASSWORD_AGE_DAYS)
    if not 1 <= days <= MAX_PASSWORD_AGE_DAYS:
        raise ConfigError(
            "passwordMaxAgeDays",
            f"{days} is outside 1-{MAX_PASSWORD_AGE_DAYS}: passwords must expire",
        )
    return days


def _export_problem(uri: str) -> str | None:
    """Why `uri` cannot be a stack export the function reads, or None when it can."""
    bucket, _, key = uri.removeprefix("s3://").partition("/")
    if not uri.startswith("s3://") or not BUCKET_NAME.fullmatch(bucket) or not key:
        return "is not s3://BUCKET/KEY"
    if any(mark in key for mark in ("*", "?", "${")):
        return "is a pattern (*, ? or ${...}): name one object"
    if "," in key:
        return "has a comma, which the function's comma-separated list cannot carry"
    if key.endswith("/"):
        return "names a folder, not an object"
    return None


def _stack_exports(config: pulumi.Config) -> tuple[tuple[str, ...], str | None]:
    """The exports the change-audit function may read: single objects, never a pattern, since
    each becomes a grant and an exception to the function's data deny."""
    uris = _string_list(config, "changeAuditStackExports")
    for uri in uris:
        problem = _export_problem(uri)
        if problem:
            raise ConfigError("changeAuditStackExports", f"{uri!r} {problem}")
    key_arn = config.get("changeAuditStackExportsKey") or None
    if key_arn is not None and not KMS_KEY_ARN.fullmatch(key_arn):
        raise ConfigError("changeAuditStackExportsKey", f"{key_arn!r} is not a KMS key ARN")
    if key_arn is not None and not uris:
        raise ConfigError("changeAuditStackExportsKey", "set without changeAuditStackExports")
    return uris, key_arn


def load() -> Settings:
    """Read the project's config keys (see Pulumi.yaml) with environment-aware fallbacks."""
    config = pulumi.Config()
    environment = config.get("environment") or pulumi.get_stack()
    prod = environment in PRODUCTION_ENVIRONMENTS

    az_count = _at_least(
        "azCount", _unless_set(config.get_int("azCount"), 2), 2, "the database needs two AZs"
    )
    backup_days = _unless_set(config.get_int("backupRetentionDays"), 35 if prod else 7)
    if backup_days > 35:
        raise ConfigError("backupRetentionDays", "RDS keeps automated backups 35 days at most")
    _at_least("backupRetentionDays", backup_days, MIN_BACKUP_RETENTION_DAYS, "contingency plan")
    _production_requires(prod, "backupRetentionDays", backup_days == 35, "35 days")
    multi_az = _unless_set(config.get_bool("multiAz"), prod)
    _production_requires(prod, "multiAz", multi_az, "a Multi-AZ database")

    log_days = _retention(
        "logRetentionDays",
        _unless_set(config.get_int("logRetentionDays"), SIX_YEARS_DAYS if prod else 365),
        MIN_LOG_RETENTION_DAYS,
        "one year of operational logs",
    )
    audit_days = _retention(
        "auditLogRetentionDays",
        _unless_set(config.get_int("auditLogRetentionDays"), SIX_YEARS_DAYS if prod else 365),
        MIN_LOG_RETENTION_DAYS,
        "one year of audit logs",
    )
    _production_requires(
        prod, "auditLogRetentionDays", audit_days >= SIX_YEARS_DAYS, "six years (2192 days)"
    )
    object_lock_mode = _choice(
        "objectLockMode",
        (config.get("objectLockMode") or ("compliance" if prod else "governance")).lower(),
        LOCK_MODES,
    )
    _production_requires(prod, "objectLockMode", object_lock_mode == "compliance", "compliance")
    object_lock_years = _at_least(
        "objectLockYears",
        _unless_set(config.get_int("objectLockYears"), 6),
        6,
        "45 CFR 164.316(b)(2)(i) keeps documentation six years",
    )
    vault_lock_mode = _choice(
        "vaultLockMode",
        (config.get("vaultLockMode") or ("compliance" if prod else "governance")).lower(),
        LOCK_MODES,
    )
    _production_requires(prod, "vaultLockMode", vault_lock_mode == "compliance", "compliance")
    daily_days = _at_least(
        "dailyBackupRetentionDays",
        _unless_set(config.get_int("dailyBackupRetentionDays"), 35),
        MIN_BACKUP_RETENTION_DAYS,
        "contingency plan",
    )
    monthly_days = _at_least(
        "monthlyBackupRetentionDays",
        _unless_set(config.get_int("monthlyBackupRetentionDays"), SIX_YEARS_DAYS if prod else 365),
        daily_days,
        "monthly recovery points outlive daily ones",
    )
    _production_requires(
        prod,
        "monthlyBackupRetentionDays",
        monthly_days >= SIX_YEARS_DAYS,
        "six years (2192 days)",
    )

    monitoring = _unless_set(config.get_int("dbMonitoringIntervalSeconds"), 60)
    _choice("dbMonitoringIntervalSeconds", str(monitoring), ("1", "5", "10", "15", "30", "60"))
    stack_exports, stack_exports_key = _stack_exports(config)
    pi_days = _unless_set(config.get_int("performanceInsightsRetentionDays"), 7)
    if pi_days != 7 and (pi_days % 31 or not 31 <= pi_days <= 731):
        raise ConfigError(
            "performanceInsightsRetentionDays", "use 7, or a multiple of 31 up to 731"
        )

    return Settings(
        project=pulumi.get_project(),
        environment=environment,
        production=prod,
        owner=config.get("owner") or "billing-platform",
        region=pulumi.Config("aws").require("region"),
        vpc_cidr=config.get("vpcCidr") or "10.40.0.0/16",
        az_count=az_count,
        nat_gateway_per_az=_unless_set(config.get_bool("natGatewayPerAz"), prod),
        app_port=_unless_set(config.get_int("appPort"), 8443),
        domain_name=config.require("domainName"),
        certificate_arn=config.get("certificateArn") or None,
        hosted_zone_id=config.get("hostedZoneId") or None,
        tls_policy=_choice(
            "tlsPolicy", config.get("tlsPolicy") or DEFAULT_TLS_POLICY, TLS12_POLICIES
        ),
        http_redirect=_unless_set(config.get_bool("httpRedirect"), True),
        waf_rate_limit=_at_least(
            "wafRateLimit", _unless_set(config.get_int("wafRateLimit"), 2000), 100, "WAF minimum"
        ),
        db_name=config.get("dbName") or "billing",
        db_instance_class=config.get("dbInstanceClass")
        or ("db.r6g.large" if prod else "db.t4g.medium"),
        db_engine_version=config.get("dbEngineVersion") or "16",
        db_allocated_storage_gb=_unless_set(config.get_int("dbAllocatedStorageGb"), 50),
        backup_retention_days=backup_days,
        multi_az=multi_az,
        db_monitoring_interval=monitoring,
        performance_insights_retention_days=pi_days,
        db_audit_log_classes=_pgaudit_classes(
            config.get("dbAuditLogClasses") or "read,write,ddl,role"
        ),
        log_retention_days=log_days,
        audit_log_retention_days=audit_days,
        object_lock_mode=object_lock_mode,
        object_lock_years=object_lock_years,
        documents_noncurrent_version_days=_at_least(
            "documentsNoncurrentVersionDays",
            _unless_set(
                config.get_int("documentsNoncurrentVersionDays"), SIX_YEARS_DAYS if prod else 365
            ),
            30,
            "overwritten documents stay recoverable for at least a month",
        ),
        daily_backup_retention_days=daily_days,
        monthly_backup_retention_days=monthly_days,
        vault_lock_mode=vault_lock_mode,
        alert_emails=_string_list(config, "alertEmails"),
        alert_webhook_url=config.get_secret("alertWebhookUrl"),
        auditor_principal_arns=_string_list(config, "auditorPrincipalArns"),
        auditor_automation_principal_arns=_string_list(config, "auditorAutomationPrincipalArns"),
        auditor_external_id=config.get("auditorExternalId") or None,
        password_max_age_days=_password_max_age(config.get_int("passwordMaxAgeDays")),
        account_baseline=_unless_set(config.get_bool("accountBaseline"), True),
        change_audit=_unless_set(config.get_bool("changeAudit"), False),
        change_audit_code_path=config.get("changeAuditCodePath") or "build/handler",
        change_audit_stack_exports=stack_exports,
        change_audit_stack_exports_key=stack_exports_key,
        change_audit_security_hub=_unless_set(config.get_bool("changeAuditSecurityHub"), False),
    )
