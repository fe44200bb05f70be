"""The analytics and data store collectors, live against the emulator: OpenSearch/Elasticsearch
domains, Redshift clusters with their parameter groups and audit logging, EMR clusters with
their security configurations, SageMaker notebooks and endpoint configurations, DMS replication
instances, ElastiCache clusters and replication groups, SSM documents, VPN tunnels, DynamoDB
quotas and S3 event notifications: collected in the shape a program gives, judged by their
checks, and never carrying a secret AWS answered with (a VPN pre-shared key, a KDC password).

What the emulator cannot do, and so what these tests cannot show: it does not change a Redshift
parameter group (ModifyClusterParameterGroup answers 500) and answers every parameter as its
engine default; it reports no tunnel telemetry for a VPN connection; it does not list EMR
security configurations (the collector reads them by name), nor answer PubliclyAccessible for a
DMS instance (the collector leaves it unset: AWS's default, public, applies).
"""

from __future__ import annotations

import json

from checks.registry import Registry, Status
from checks.sources.aws.services import (
    dms,
    dynamodb,
    dynamodb_limits,
    ec2_network,
    elasticache_clusters,
    emr,
    opensearch,
    redshift,
    s3,
    sagemaker,
    ssm_documents,
    vpn,
)
from tests.emulator.live_audit import (
    audit,
    by_id,
    collect,
    deny,
    findings,
    program_resources,
    record_calls,
    shape_differences,
    verdicts,
)

ACCOUNT = "123456789012"
GROUP = f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/aws/opensearch/search"
KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/0b1c2d3e-4f5a-6b7c-8d9e-0f1a2b3c4d5e"
KDC_PASSWORD = "kdc-8c2e77-never-read"
KERBEROS = {"AuthenticationConfiguration": {"KerberosConfiguration": {
    "Provider": "ClusterDedicatedKdc",
    "ClusterDedicatedKdcConfiguration": {"TicketLifetimeInHours": 24}}}}  # fmt: skip
# The pre-shared key the emulator writes into every VPN connection's gateway configuration.
EMULATED_PSK = "Iw2IAN9XUsQeYUrkMGP3kP59ugFDkfHg"


def _domains(aws) -> None:
    client = aws.client("opensearch")
    client.create_domain(
        DomainName="search", EngineVersion="OpenSearch_2.11",
        EncryptionAtRestOptions={"Enabled": True}, NodeToNodeEncryptionOptions={"Enabled": True},
        DomainEndpointOptions={"EnforceHTTPS": True,
                               "TLSSecurityPolicy": "Policy-Min-TLS-1-2-2019-07"},
        LogPublishingOptions={"AUDIT_LOGS": {"CloudWatchLogsLogGroupArn": GROUP,
                                             "Enabled": True}},
    )  # fmt: skip
    client.create_domain(DomainName="legacy", EngineVersion="Elasticsearch_7.10")


def test_domains_are_typed_by_engine_and_judged(aws):
    _domains(aws)
    collected = collect(aws, opensearch.COLLECTORS)
    assert collected.gaps == {}
    search, legacy = by_id(collected, "search"), by_id(collected, "legacy")
    assert (search.type, legacy.type) == (opensearch.OPENSEARCH_DOMAIN,
                                          opensearch.ELASTICSEARCH_DOMAIN)  # fmt: skip
    assert search.props == {
        "domain_name": "search", "arn": f"arn:aws:es:us-east-1:{ACCOUNT}:domain/search",
        "engine_version": "OpenSearch_2.11", "encrypt_at_rest": {"enabled": True},
        "node_to_node_encryption": {"enabled": True},
        "log_publishing_options": [{"log_type": "AUDIT_LOGS", "cloudwatch_log_group_arn": GROUP,
                                    "enabled": True}],
        "domain_endpoint_options": {"enforce_https": True,
                                    "tls_security_policy": "Policy-Min-TLS-1-2-2019-07"},
    } | {k: v for k, v in search.props.items() if k == "domain_id"}  # fmt: skip
    assert legacy.props["elasticsearch_version"] == "7.10"
    evaluation = audit(aws, opensearch.COLLECTORS)
    assert verdicts(evaluation, "opensearch_encrypted_at_rest") == {"search": Status.PASS}
    assert verdicts(evaluation, "elasticsearch_encrypted_at_rest") == {"legacy": Status.FAIL}
    assert verdicts(evaluation, "opensearch_logs_to_cloudwatch") == {"search": Status.PASS}
    assert verdicts(evaluation, "elasticsearch_logs_to_cloudwatch") == {"legacy": Status.FAIL}
    assert verdicts(evaluation, "opensearch_node_to_node_encryption") == {"search": Status.PASS}
    assert verdicts(evaluation, "opensearch_in_vpc_only") == {"search": Status.FAIL}
    assert verdicts(evaluation, "opensearch_https_required") == {
        "search": Status.PASS, "legacy": Status.FAIL}  # fmt: skip


def _warehouse(aws) -> None:
    client = aws.client("redshift")
    client.create_cluster_parameter_group(
        ParameterGroupName="warehouse-params", ParameterGroupFamily="redshift-1.0",
        Description="warehouse")  # fmt: skip
    client.create_cluster(
        ClusterIdentifier="warehouse", NodeType="ra3.xlplus", MasterUsername="admin",
        MasterUserPassword="Passw0rd-never-read", ClusterParameterGroupName="warehouse-params",
        Encrypted=True, PubliclyAccessible=False)  # fmt: skip
    client.enable_logging(ClusterIdentifier="warehouse", BucketName="audit-logs",
                          LogDestinationType="s3")  # fmt: skip


def test_redshift_cluster_settings_parameters_and_logging(aws, monkeypatch):
    _warehouse(aws)
    collected = collect(aws, redshift.COLLECTORS)
    assert collected.gaps == {}
    # The cluster and its aws.redshift.Logging share an id, as the provider gives them.
    (cluster,) = [r for r in collected.resources if r.type == redshift.CLUSTER]
    assert {k: cluster.props[k] for k in ("encrypted", "publicly_accessible",
            "allow_version_upgrade", "automated_snapshot_retention_period",
            "cluster_parameter_group_name")} == {
        "encrypted": "true", "publicly_accessible": False, "allow_version_upgrade": True,
        "automated_snapshot_retention_period": 1,
        "cluster_parameter_group_name": "warehouse-params"}  # fmt: skip
    assert "Passw0rd-never-read" not in repr(collected.resources)
    # Only the group the cluster uses is read, not AWS's default groups of the region.
    groups = [r.name for r in collected.resources if r.type == redshift.PARAMETER_GROUP]
    assert groups == ["warehouse-params"]
    logging = [r for r in collected.resources if r.type == redshift.LOGGING]
    assert [(r.name, r.props) for r in logging] == [("warehouse", {
        "cluster_identifier": "warehouse", "log_destination_type": "s3",
        "bucket_name": "audit-logs"})]  # fmt: skip
    evaluation = audit(aws, redshift.COLLECTORS)
    assert verdicts(evaluation, "redshift_encrypted_and_logged") == {"warehouse": Status.PASS}
    assert verdicts(evaluation, "redshift_cluster_not_public") == {"warehouse": Status.PASS}
    # The emulator answers require_ssl=false for every group: plain connections are accepted.
    assert verdicts(evaluation, "redshift_require_tls") == {"warehouse": Status.FAIL}
    assert verdicts(evaluation, "redshift_automated_snapshots") == {"warehouse": Status.FAIL}
    assert verdicts(evaluation, "redshift_maintenance_settings") == {"warehouse": Status.PASS}

    deny(monkeypatch, "redshift", "DescribeLoggingStatus")
    (denied,) = findings(audit(aws, redshift.COLLECTORS), "redshift_encrypted_and_logged")
    assert denied.status is Status.NOT_EVALUATED
    assert "DescribeLoggingStatus" in denied.message


def _emr(aws) -> tuple[str, str]:
    """A Kerberos cluster in a private subnet: its id, and the subnet's."""
    ec2 = aws.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.30.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.30.1.0/24")["Subnet"]["SubnetId"]
    client = aws.client("emr")
    client.create_security_configuration(
        Name="kerberos", SecurityConfiguration=json.dumps(KERBEROS))  # fmt: skip
    cluster = client.run_job_flow(
        Name="analytics", ReleaseLabel="emr-6.10.0", SecurityConfiguration="kerberos",
        KerberosAttributes={"Realm": "EC2.INTERNAL", "KdcAdminPassword": KDC_PASSWORD},
        Instances={"MasterInstanceType": "m5.xlarge", "SlaveInstanceType": "m5.xlarge",
                   "InstanceCount": 1, "KeepJobFlowAliveWhenNoSteps": True,
                   "Ec2SubnetId": subnet},
        JobFlowRole="EMR_EC2_DefaultRole", ServiceRole="EMR_DefaultRole",
    )["JobFlowId"]  # fmt: skip
    return cluster, subnet


def test_emr_kerberos_and_subnet_with_no_password_kept(aws):
    cluster, subnet = _emr(aws)
    collected = collect(aws, emr.COLLECTORS)
    assert collected.gaps == {}
    assert KDC_PASSWORD not in repr(collected.resources)
    found = by_id(collected, cluster)
    assert (found.props["security_configuration"], found.props["kerberos_attributes"],
            found.props["ec2_attributes"]["subnet_id"]) == (
        "kerberos", {"realm": "EC2.INTERNAL"}, subnet)  # fmt: skip
    evaluation = audit(aws, [*emr.COLLECTORS, *ec2_network.COLLECTORS])
    assert verdicts(evaluation, "emr_kerberos_enabled") == {cluster: Status.PASS}
    assert verdicts(evaluation, "emr_master_no_public_ip") == {cluster: Status.PASS}


def _sagemaker(aws) -> None:
    client = aws.client("sagemaker")
    role = f"arn:aws:iam::{ACCOUNT}:role/sagemaker"
    client.create_notebook_instance(NotebookInstanceName="analysis", InstanceType="ml.t3.medium",
                                    RoleArn=role, DirectInternetAccess="Enabled")  # fmt: skip
    client.create_model(ModelName="claims", ExecutionRoleArn=role, PrimaryContainer={
        "Image": f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/claims:1"})  # fmt: skip
    variant = {"VariantName": "primary", "ModelName": "claims", "InitialInstanceCount": 1,
               "InstanceType": "ml.m5.large"}  # fmt: skip
    client.create_endpoint_config(EndpointConfigName="claims-model", KmsKeyId=KEY,
                                  ProductionVariants=[variant])  # fmt: skip


def test_sagemaker_notebooks_and_endpoint_configurations(aws):
    _sagemaker(aws)
    collected = collect(aws, sagemaker.COLLECTORS)
    assert collected.gaps == {}
    assert by_id(collected, "claims-model").props == {
        "name": "claims-model", "kms_key_arn": KEY,
        "production_variants": [{"variant_name": "primary", "model_name": "claims",
                                 "instance_type": "ml.m5.large", "initial_instance_count": 1}],
    }  # fmt: skip
    evaluation = audit(aws, sagemaker.COLLECTORS)
    assert verdicts(evaluation, "sagemaker_endpoint_config_kms_key") == {
        "claims-model": Status.PASS}  # fmt: skip
    assert verdicts(evaluation, "sagemaker_notebook_kms_key") == {"analysis": Status.FAIL}
    assert verdicts(evaluation, "sagemaker_notebook_no_direct_internet") == {
        "analysis": Status.FAIL}  # fmt: skip


def _migration_cache_and_runbook(aws) -> None:
    aws.client("dms").create_replication_instance(
        ReplicationInstanceIdentifier="migrate", ReplicationInstanceClass="dms.t3.micro"
    )
    cache = aws.client("elasticache")
    cache.create_cache_cluster(CacheClusterId="cache", Engine="redis",
        CacheNodeType="cache.t4g.small", NumCacheNodes=1, SnapshotRetentionLimit=3)  # fmt: skip
    cache.create_replication_group(ReplicationGroupId="sessions", ReplicationGroupDescription="s",
        Engine="redis", CacheNodeType="cache.t4g.small", NumCacheClusters=2,
        SnapshotRetentionLimit=15)  # fmt: skip
    ssm = aws.client("ssm")
    content = {"schemaVersion": "2.2", "description": "patch", "mainSteps": [{
        "action": "aws:runShellScript", "name": "run",
        "inputs": {"runCommand": ["echo content-never-read"]}}]}  # fmt: skip
    ssm.create_document(Name="patch-runbook", Content=json.dumps(content),
                        DocumentType="Command", DocumentFormat="JSON")  # fmt: skip
    ssm.modify_document_permission(Name="patch-runbook", PermissionType="Share",
                                   AccountIdsToAdd=["all"])  # fmt: skip


def test_dms_elasticache_and_ssm_documents(aws, monkeypatch):
    _migration_cache_and_runbook(aws)
    calls = record_calls(monkeypatch)
    collectors = [*dms.COLLECTORS, *elasticache_clusters.COLLECTORS, *ssm_documents.COLLECTORS]
    evaluation = audit(aws, collectors)
    assert not any(c.endswith(":GetDocument") for c in calls)
    assert "content-never-read" not in repr([f.resource for f in evaluation.findings])
    # The emulator does not answer PubliclyAccessible: AWS's default (public) applies.
    assert verdicts(evaluation, "dms_replication_not_public") == {"migrate": Status.FAIL}
    assert verdicts(evaluation, "elasticache_redis_automatic_backup") == {
        "cache": Status.FAIL, "sessions": Status.PASS}  # fmt: skip
    (document,) = findings(evaluation, "ssm_document_not_public")
    assert (document.status, dict(document.evidence)) == (Status.FAIL, {"shared_with": ["all"]})


def test_vpn_tunnels_are_judged_live_and_the_pre_shared_key_is_never_kept(aws):
    ec2 = aws.client("ec2")
    gateway = ec2.create_customer_gateway(Type="ipsec.1", PublicIp="203.0.113.5", BgpAsn=65000)
    vgw = ec2.create_vpn_gateway(Type="ipsec.1")["VpnGateway"]["VpnGatewayId"]
    ident = ec2.create_vpn_connection(
        Type="ipsec.1", CustomerGatewayId=gateway["CustomerGateway"]["CustomerGatewayId"],
        VpnGatewayId=vgw)["VpnConnection"]["VpnConnectionId"]  # fmt: skip
    collected = collect(aws, vpn.COLLECTORS)
    assert collected.gaps == {}
    assert EMULATED_PSK not in repr(collected.resources)
    status = [r for r in collected.resources if r.type == vpn.VPN_TUNNEL_STATUS]
    assert [(r.name, r.props["state"]) for r in status] == [(ident, "available")]
    # The emulator reports no tunnel telemetry: no tunnel is seen up.
    (found,) = findings(audit(aws, vpn.COLLECTORS), "vpn_tunnels_up")
    assert (found.status, found.resource.id, dict(found.evidence)) == (
        Status.FAIL, ident, {"tunnels": {}})  # fmt: skip


def test_dynamodb_throughput_is_weighed_against_the_account_quota(aws):
    aws.client("dynamodb").create_table(
        TableName="claims", KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        ProvisionedThroughput={"ReadCapacityUnits": 17000, "WriteCapacityUnits": 100})  # fmt: skip
    evaluation = audit(aws, [*dynamodb.COLLECTORS, *dynamodb_limits.COLLECTORS])
    (found,) = findings(evaluation, "dynamodb_throughput_below_limit")
    # The emulator's quota: 20,000 units each way; 17,000 is 85% of it.
    assert (found.status, dict(found.evidence)) == (Status.FAIL, {
        "read_capacity": 17000, "account_max_read_capacity_units": 20000,
        "write_capacity": 100, "account_max_write_capacity_units": 20000})  # fmt: skip


def _buckets(aws) -> None:
    """An inbox bucket that announces new objects to a topic, and a quiet one."""
    s3_client = aws.client("s3")
    topic = aws.client("sns").create_topic(Name="records-events")["TopicArn"]
    for name in ("records-bucket-1", "quiet-bucket-1"):
        s3_client.create_bucket(Bucket=name)
    s3_client.put_bucket_notification_configuration(
        Bucket="records-bucket-1",
        NotificationConfiguration={"TopicConfigurations": [
            {"TopicArn": topic, "Events": ["s3:ObjectCreated:*"]}]})  # fmt: skip


def test_s3_event_notifications_are_read_as_a_companion(aws):
    from checks.aws.s3_events import CHECKS as S3_EVENTS  # written, not yet in the library

    _buckets(aws)
    evaluation = audit(aws, s3.COLLECTORS, registry=Registry(S3_EVENTS))
    assert verdicts(evaluation, "s3_event_notifications_enabled") == {
        "records-bucket-1": Status.PASS, "quiet-bucket-1": Status.FAIL}  # fmt: skip


SHAPED = (*opensearch.COLLECTORS, *redshift.COLLECTORS, *emr.COLLECTORS, *sagemaker.COLLECTORS,
          *dms.COLLECTORS, *elasticache_clusters.COLLECTORS, *ssm_documents.COLLECTORS,
          *s3.COLLECTORS)  # fmt: skip


def test_collected_settings_have_the_kinds_a_program_declares(aws):
    """Each type collected here is compared with the same type in `tests/guarantee_program`:
    a setting both hold is of the same kind (text, flag, number, block, list) at every level.
    (What the emulator was not asked to set, or the collector never reads — tags, a document's
    content — is absent, not different.)"""
    _domains(aws)
    _warehouse(aws)
    _emr(aws)
    _sagemaker(aws)
    _migration_cache_and_runbook(aws)
    _buckets(aws)
    collected = collect(aws, SHAPED)
    live = {r.type: r for r in reversed(collected.resources)}
    mine = {t for c in SHAPED for t in c.types} - {"aws:s3/bucket:Bucket"}
    compared = {}
    for res in program_resources():
        if res.type in mine & set(live) and res.type not in compared:
            differences = shape_differences(res.props, live[res.type].props)
            compared[res.type] = [d for d in differences if not d.endswith(": missing")]
    assert compared == {token: [] for token in compared}
    assert set(compared) >= {opensearch.OPENSEARCH_DOMAIN, opensearch.ELASTICSEARCH_DOMAIN,
                             redshift.CLUSTER, redshift.LOGGING, redshift.PARAMETER_GROUP,
                             emr.CLUSTER, emr.SECURITY_CONFIGURATION, sagemaker.NOTEBOOK_INSTANCE,
                             sagemaker.ENDPOINT_CONFIGURATION, dms.REPLICATION_INSTANCE,
                             elasticache_clusters.REPLICATION_GROUP, ssm_documents.DOCUMENT,
                             "aws:s3/bucketNotification:BucketNotification"}  # fmt: skip
