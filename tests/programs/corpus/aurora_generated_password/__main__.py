"""Aurora PostgreSQL: generated password stored in Secrets Manager, N instances."""

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
count = config.get_int("instanceCount") or 2

password = aws.secretsmanager.get_random_password(
    password_length=32, exclude_punctuation=True, require_each_included_type=True
)
key = aws.kms.Key("aurora", enable_key_rotation=True)
secret = aws.secretsmanager.Secret("aurora-master", kms_key_id=key.id)
aws.secretsmanager.SecretVersion(
    "aurora-master", secret_id=secret.id, secret_string=pulumi.Output.secret(password.random_password)
)
cluster = aws.rds.Cluster(
    "claims",
    engine="aurora-postgresql",
    engine_version="16.2",
    master_username="claims",
    master_password=pulumi.Output.secret(password.random_password),
    storage_encrypted=True,
    kms_key_id=key.arn,
    backup_retention_period=14,
    deletion_protection=True,
    iam_database_authentication_enabled=True,
    enabled_cloudwatch_logs_exports=["postgresql"],
    copy_tags_to_snapshot=True,
)
for i in range(count):
    aws.rds.ClusterInstance(
        f"claims-{i}",
        cluster_identifier=cluster.id,
        instance_class="db.r6g.large",
        engine=cluster.engine,
        engine_version=cluster.engine_version,
        publicly_accessible=False,
        performance_insights_enabled=True,
        performance_insights_kms_key_id=key.arn,
    )
pulumi.export("endpoint", cluster.endpoint)
