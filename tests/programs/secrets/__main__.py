"""Secrets flowing into resources: one kept secret, one leaked through a plain read."""

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
environment = config.get("environment") or pulumi.get_stack()
db_password = config.require_secret("dbPassword")
# Read with require(), not require_secret(): the value is not marked secret in the program.
api_token = config.require("apiToken")

db = aws.rds.Instance(
    "billing-db",
    identifier=f"billing-{environment}",
    engine="postgres",
    engine_version="16",
    instance_class="db.t4g.medium",
    allocated_storage=20,
    storage_type="gp3",
    storage_encrypted=True,
    db_name="billing",
    username="billing_admin",
    password=db_password,
    publicly_accessible=False,
    backup_retention_period=7,
    deletion_protection=True,
    skip_final_snapshot=False,
    final_snapshot_identifier=f"billing-{environment}-final",
    tags={"data-classification": "ePHI", "environment": environment},
)

aws.ssm.Parameter(
    "payments-api-token",
    name=f"/billing/{environment}/payments-api-token",
    type="String",
    value=api_token,
    tags={"environment": environment, "api-token": api_token},
)

pulumi.export("db_endpoint", db.endpoint)
