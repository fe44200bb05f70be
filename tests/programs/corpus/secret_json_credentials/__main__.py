"""A warehouse database whose credentials live in an existing Secrets Manager secret."""

import json

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
secret = aws.secretsmanager.get_secret_version(secret_id=config.require("secretName"))
credentials = json.loads(secret.secret_string)

aws.redshift.Cluster(
    "warehouse",
    cluster_identifier="warehouse",
    node_type="ra3.xlplus",
    master_username=credentials["username"],
    master_password=credentials["password"],
    encrypted=True,
    publicly_accessible=False,
)
