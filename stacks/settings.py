"""Stack configuration for the billing system, read once and passed to every module."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

import pulumi

# Stack names whose data must meet production retention and availability targets.
PRODUCTION_ENVIRONMENTS = frozenset({"prod", "production"})

T = TypeVar("T")


@dataclass(frozen=True)
class Settings:
    """Values that differ between stacks, resolved from config and environment fallbacks."""

    project: str
    environment: str
    owner: str
    region: str
    vpc_cidr: str
    db_name: str
    db_instance_class: str
    db_engine_version: str
    db_allocated_storage_gb: int
    backup_retention_days: int
    multi_az: bool
    log_retention_days: int

    @property
    def name_prefix(self) -> str:
        """Physical-name prefix, e.g. ``hipaa-billing-dev``."""
        return f"{self.project}-{self.environment}"

    @property
    def db_parameter_group_family(self) -> str:
        return f"postgres{self.db_engine_version.split('.')[0]}"


def _unless_set(value: T | None, fallback: T) -> T:
    """Config getters return None for unset keys; 0 and False are real choices."""
    return fallback if value is None else value


def load() -> Settings:
    """Read the project's config keys (see Pulumi.yaml) with environment-aware fallbacks."""
    config = pulumi.Config()
    environment = config.get("environment") or pulumi.get_stack()
    production = environment in PRODUCTION_ENVIRONMENTS
    return Settings(
        project=pulumi.get_project(),
        environment=environment,
        owner=config.get("owner") or "billing-platform",
        region=pulumi.Config("aws").require("region"),
        vpc_cidr=config.get("vpcCidr") or "10.40.0.0/16",
        db_name=config.get("dbName") or "billing",
        db_instance_class=config.get("dbInstanceClass")
        or ("db.r6g.large" if production else "db.t4g.medium"),
        db_engine_version=config.get("dbEngineVersion") or "16",
        db_allocated_storage_gb=_unless_set(config.get_int("dbAllocatedStorageGb"), 50),
        backup_retention_days=_unless_set(
            config.get_int("backupRetentionDays"), 35 if production else 7
        ),
        multi_az=_unless_set(config.get_bool("multiAz"), production),
        log_retention_days=_unless_set(
            config.get_int("logRetentionDays"), 2192 if production else 365
        ),
    )
