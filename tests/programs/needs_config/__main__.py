"""Fails on required config: Pulumi.dev.yaml sets environment but not dbName."""

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
environment = config.get("environment") or pulumi.get_stack()
db_name = config.require("dbName")

aws.ssm.Parameter(
    "db-name",
    name=f"/billing/{environment}/db-name",
    type="String",
    value=db_name,
)
