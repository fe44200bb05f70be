"""claims-processor's analytics: a search domain over claims (and the Elasticsearch one it is
leaving), the Redshift warehouse, an EMR cluster for batch reconciliation, a SageMaker notebook
and model endpoint, the DMS instance that migrates the old claims database, an EFS share for
scanned documents, a Redis cache, an event-announcing bucket and a shared runbook. Imported by
`__main__.py`."""

import json

import pulumi
import pulumi_aws as aws
from foundation import app_sg, ephi, internal, key, prefix, private, tags

subnet_ids = [s.id for s in private]
TLS_POLICY = "Policy-Min-TLS-1-2-PFS-2023-10"


def service_role(name: str, service: str) -> aws.iam.Role:
    return aws.iam.Role(
        name,
        name=f"{prefix}-{name}",
        assume_role_policy=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": service},
                        "Action": "sts:AssumeRole",
                    }
                ],
            }
        ),
        tags=tags,
    )


# -- search ------------------------------------------------------------------------------------

search_logs = aws.cloudwatch.LogGroup(
    "search-audit",
    name=f"/{prefix}/search-audit",
    retention_in_days=2192,
    kms_key_id=key.arn,
    tags=internal,
)


def domain_settings() -> dict:
    return {
        "encrypt_at_rest": {"enabled": True, "kms_key_id": key.arn},
        "node_to_node_encryption": {"enabled": True},
        "vpc_options": {"subnet_ids": [private[0].id], "security_group_ids": [app_sg.id]},
        "log_publishing_options": [
            {"log_type": "AUDIT_LOGS", "cloudwatch_log_group_arn": search_logs.arn}
        ],
        "domain_endpoint_options": {"enforce_https": True, "tls_security_policy": TLS_POLICY},
        "tags": ephi,
    }


aws.opensearch.Domain(
    "claims-search",
    domain_name=f"{prefix}-search",
    engine_version="OpenSearch_2.11",
    **domain_settings(),
)
aws.elasticsearch.Domain(
    "claims-search-legacy",
    domain_name=f"{prefix}-legacy",
    elasticsearch_version="7.10",
    **domain_settings(),
)

# -- warehouse ---------------------------------------------------------------------------------

warehouse_params = aws.redshift.ParameterGroup(
    "warehouse",
    name=f"{prefix}-warehouse",
    family="redshift-1.0",
    parameters=[
        {"name": "require_ssl", "value": "true"},
        {"name": "enable_user_activity_logging", "value": "true"},
    ],
    tags=tags,
)
warehouse_subnets = aws.redshift.SubnetGroup(
    "warehouse", name=f"{prefix}-warehouse", subnet_ids=subnet_ids, tags=tags
)
warehouse = aws.redshift.Cluster(
    "warehouse",
    cluster_identifier=f"{prefix}-warehouse",
    node_type="ra3.xlplus",
    master_username="warehouse_admin",
    manage_master_password=True,
    encrypted="true",
    kms_key_id=key.arn,
    publicly_accessible=False,
    allow_version_upgrade=True,
    automated_snapshot_retention_period=35,
    cluster_parameter_group_name=warehouse_params.name,
    cluster_subnet_group_name=warehouse_subnets.name,
    vpc_security_group_ids=[app_sg.id],
    tags=ephi,
)
aws.redshift.Logging(
    "warehouse",
    cluster_identifier=warehouse.cluster_identifier,
    log_destination_type="cloudwatch",
    log_exports=["connectionlog", "userlog", "useractivitylog"],
)

# -- batch reconciliation on EMR ---------------------------------------------------------------

kerberos = aws.emr.SecurityConfiguration(
    "kerberos",
    name=f"{prefix}-kerberos",
    configuration=json.dumps(
        {
            "AuthenticationConfiguration": {
                "KerberosConfiguration": {
                    "Provider": "ClusterDedicatedKdc",
                    "ClusterDedicatedKdcConfiguration": {"TicketLifetimeInHours": 24},
                }
            }
        }
    ),
)
emr_profile = aws.iam.InstanceProfile(
    "emr-nodes", name=f"{prefix}-emr-nodes", role=service_role("emr-nodes", "ec2.amazonaws.com")
)
aws.emr.Cluster(
    "reconciliation",
    name=f"{prefix}-reconciliation",
    release_label="emr-7.1.0",
    applications=["Spark"],
    service_role=service_role("emr-service", "elasticmapreduce.amazonaws.com").arn,
    security_configuration=kerberos.name,
    kerberos_attributes={
        "realm": "EC2.INTERNAL",
        "kdc_admin_password": pulumi.Output.secret("kdc-admin-from-the-vault"),
    },
    ec2_attributes={"subnet_id": private[0].id, "instance_profile": emr_profile.arn},
    master_instance_group={"instance_type": "m5.xlarge"},
    core_instance_group={"instance_type": "m5.xlarge", "instance_count": 2},
    tags=ephi,
)

# -- models on SageMaker -----------------------------------------------------------------------

sagemaker_role = service_role("sagemaker", "sagemaker.amazonaws.com")
aws.sagemaker.NotebookInstance(
    "analysis",
    name=f"{prefix}-analysis",
    instance_type="ml.t3.medium",
    role_arn=sagemaker_role.arn,
    kms_key_id=key.arn,
    direct_internet_access="Disabled",
    subnet_id=private[0].id,
    security_groups=[app_sg.id],
    root_access="Disabled",
    tags=ephi,
)
model = aws.sagemaker.Model(
    "claims-triage",
    name=f"{prefix}-triage",
    execution_role_arn=sagemaker_role.arn,
    primary_container={"image": "111122223333.dkr.ecr.us-east-1.amazonaws.com/triage:2.0.1"},
    vpc_config={"subnets": subnet_ids, "security_group_ids": [app_sg.id]},
    tags=tags,
)
aws.sagemaker.EndpointConfiguration(
    "claims-triage",
    name=f"{prefix}-triage",
    kms_key_arn=key.arn,
    production_variants=[
        {
            "variant_name": "primary",
            "model_name": model.name,
            "initial_instance_count": 1,
            "instance_type": "ml.m5.large",
        }
    ],
    tags=tags,
)

# -- the migration, the document share, the cache ----------------------------------------------

migration_subnets = aws.dms.ReplicationSubnetGroup(
    "migration",
    replication_subnet_group_id=f"{prefix}-migration",
    replication_subnet_group_description="private subnets of the claims migration",
    subnet_ids=subnet_ids,
    tags=tags,
)
aws.dms.ReplicationInstance(
    "migration",
    replication_instance_id=f"{prefix}-migration",
    replication_instance_class="dms.t3.medium",
    publicly_accessible=False,
    kms_key_arn=key.arn,
    replication_subnet_group_id=migration_subnets.replication_subnet_group_id,
    vpc_security_group_ids=[app_sg.id],
    tags=tags,
)
scans = aws.efs.FileSystem(
    "scans",
    creation_token=f"{prefix}-scans",
    encrypted=True,
    kms_key_id=key.arn,
    tags=ephi,
)
cache_subnets = aws.elasticache.SubnetGroup(
    "sessions", name=f"{prefix}-sessions", subnet_ids=subnet_ids, tags=tags
)
aws.elasticache.ReplicationGroup(
    "sessions",
    replication_group_id=f"{prefix}-sessions",
    description="claims portal sessions",
    engine="redis",
    node_type="cache.t4g.small",
    num_cache_clusters=2,
    automatic_failover_enabled=True,
    at_rest_encryption_enabled=True,
    kms_key_id=key.arn,
    transit_encryption_enabled=True,
    snapshot_retention_limit=15,
    snapshot_window="03:00-05:00",
    subnet_group_name=cache_subnets.name,
    security_group_ids=[app_sg.id],
    tags=ephi,
)

# -- an inbox bucket that announces what arrives, and the runbook the partner may run ----------

inbox = aws.s3.Bucket("inbox", bucket=f"{prefix}-inbox", tags=ephi)
aws.s3.BucketNotification("inbox", bucket=inbox.id, eventbridge=True)
aws.ssm.Document(
    "reprocess",
    name=f"{prefix}-reprocess",
    document_type="Command",
    document_format="JSON",
    content=json.dumps(
        {
            "schemaVersion": "2.2",
            "description": "Re-run claim reconciliation on a worker",
            "mainSteps": [
                {
                    "action": "aws:runShellScript",
                    "name": "reconcile",
                    "inputs": {"runCommand": ["/opt/claims/bin/reconcile --since yesterday"]},
                }
            ],
        }
    ),
    permissions={"type": "Share", "account_ids": "111122223333"},
    tags=tags,
)
