"""An encrypted Postgres instance whose password is a config secret, with alarm subscriptions."""

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
user = config.require("dbUser")
password = config.require_secret("dbPassword")
emails = config.get_object("alertEmails") or []

key = aws.kms.Key("billing-db", enable_key_rotation=True)
db = aws.rds.Instance(
    "billing",
    engine="postgres",
    engine_version="16.3",
    instance_class="db.m6g.large",
    allocated_storage=50,
    username=user,
    password=password,
    storage_encrypted=True,
    kms_key_id=key.arn,
    multi_az=True,
    deletion_protection=True,
    backup_retention_period=14,
    publicly_accessible=False,
    tags={"data-classification": "ePHI"},
)

secret = aws.secretsmanager.Secret("billing-db", kms_key_id=key.arn)
aws.secretsmanager.SecretVersion(
    "billing-db",
    secret_id=secret.id,
    secret_string=pulumi.Output.json_dumps({"username": user, "password": password}),
)

topic = aws.sns.Topic("db-alerts", kms_master_key_id="alias/aws/sns")
for i, email in enumerate(emails):
    aws.sns.TopicSubscription(f"db-alert-{i}", topic=topic.arn, protocol="email", endpoint=email)

aws.cloudwatch.MetricAlarm(
    "db-cpu",
    comparison_operator="GreaterThanThreshold",
    evaluation_periods=3,
    metric_name="CPUUtilization",
    namespace="AWS/RDS",
    period=300,
    statistic="Average",
    threshold=80,
    dimensions={"DBInstanceIdentifier": db.identifier},
    alarm_actions=[topic.arn],
)
pulumi.export("db_endpoint", db.endpoint)
