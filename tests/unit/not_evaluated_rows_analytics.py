"""NOT_EVALUATED table rows (tests/unit/test_not_evaluated_table.py) for the analytics and data
store checks: OpenSearch/Elasticsearch, Redshift, EMR, SageMaker, DMS, EFS, ElastiCache, S3 event
notifications, SSM documents, and the live-only DynamoDB quota and VPN tunnel status."""

from __future__ import annotations

import json

from tests.unit.not_evaluated_sources import ACCOUNT, LIVE, Res, Row

KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/0b1c2d3e-4f5a-6b7c-8d9e-0f1a2b3c4d5e"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/analytics"
LOG_GROUP = f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/aws/opensearch/search"
VPC_ID = "vpc-0a1b2c3d4e5f60718"
SUBNET_ID = "subnet-0a1b2c3d4e5f60718"
SG_ID = "sg-0a1b2c3d4e5f60718"
VPN_ID = "vpn-0a1b2c3d4e5f60718"
BUCKET = "records-bucket-1"

OPENSEARCH = "aws:opensearch/domain:Domain"
ELASTICSEARCH = "aws:elasticsearch/domain:Domain"
REDSHIFT = "aws:redshift/cluster:Cluster"
REDSHIFT_LOGGING = "aws:redshift/logging:Logging"
REDSHIFT_PARAMETERS = "aws:redshift/parameterGroup:ParameterGroup"
EMR = "aws:emr/cluster:Cluster"
EMR_SECURITY = "aws:emr/securityConfiguration:SecurityConfiguration"
KERBEROS = json.dumps({"AuthenticationConfiguration": {"KerberosConfiguration": {
    "Provider": "ClusterDedicatedKdc",
    "ClusterDedicatedKdcConfiguration": {"TicketLifetimeInHours": 24}}}})  # fmt: skip


def domain(token: str, **inputs) -> Res:
    """A passing domain: encrypted, in a VPC, logging, node-to-node encryption, HTTPS only."""
    version = {"engineVersion": "OpenSearch_2.11"} if token == OPENSEARCH else {
        "elasticsearchVersion": "7.10"}  # fmt: skip
    base = {
        "domainName": "search", **version,
        "encryptAtRest": {"enabled": True, "kmsKeyId": KEY},
        "nodeToNodeEncryption": {"enabled": True},
        "vpcOptions": {"subnetIds": [SUBNET_ID], "securityGroupIds": [SG_ID]},
        "logPublishingOptions": [{"logType": "AUDIT_LOGS", "cloudwatchLogGroupArn": LOG_GROUP,
                                  "enabled": True}],
        "domainEndpointOptions": {"enforceHttps": True,
                                  "tlsSecurityPolicy": "Policy-Min-TLS-1-2-PFS-2023-10"},
    }  # fmt: skip
    arn = f"arn:aws:es:us-east-1:{ACCOUNT}:domain/search"
    return Res(token, "search", {**base, **inputs}, id="search", arn=arn)


def warehouse(**inputs) -> Res:
    base = {
        "clusterIdentifier": "warehouse-1", "nodeType": "ra3.xlplus", "masterUsername": "admin",
        "manageMasterPassword": True, "encrypted": "true", "kmsKeyId": KEY,
        "publiclyAccessible": False, "allowVersionUpgrade": True,
        "automatedSnapshotRetentionPeriod": 35,
    }  # fmt: skip
    arn = f"arn:aws:redshift:us-east-1:{ACCOUNT}:cluster:warehouse-1"
    return Res(REDSHIFT, "warehouse", {**base, **inputs}, id="warehouse-1", arn=arn)


def emr(**inputs) -> Res:
    base = {
        "name": "analytics", "releaseLabel": "emr-7.1.0", "serviceRole": ROLE_ARN,
        "securityConfiguration": "kerberos",
        "kerberosAttributes": {"realm": "EC2.INTERNAL", "kdcAdminPassword": "kdc-Adm1n-pass"},
        "ec2Attributes": {"subnetId": SUBNET_ID, "instanceProfile": ROLE_ARN},
        "masterInstanceGroup": {"instanceType": "m5.xlarge"},
    }  # fmt: skip
    return Res(EMR, "analytics", {**base, **inputs}, id="j-0A1B2C3D4E5F6")


def notebook(**inputs) -> Res:
    base = {
        "name": "analysis", "instanceType": "ml.t3.medium", "roleArn": ROLE_ARN, "kmsKeyId": KEY,
        "directInternetAccess": "Disabled", "subnetId": SUBNET_ID, "securityGroups": [SG_ID],
    }  # fmt: skip
    return Res("aws:sagemaker/notebookInstance:NotebookInstance", "analysis",
               {**base, **inputs}, id="analysis")  # fmt: skip


PRIVATE_SUBNET = Res("aws:ec2/subnet:Subnet", "private-a", {"vpcId": VPC_ID,
    "cidrBlock": "10.0.1.0/24", "mapPublicIpOnLaunch": False}, id=SUBNET_ID)  # fmt: skip
TABLE = Res("aws:dynamodb/table:Table", "claims", {
    "name": "claims-1", "billingMode": "PROVISIONED", "hashKey": "id",
    "attributes": [{"name": "id", "type": "S"}], "readCapacity": 100, "writeCapacity": 50,
}, id="claims-1")  # fmt: skip
LIMITS = Res("aws:dynamodb/accountLimits:AccountLimits", "dynamodb-limits", {
    "account_max_read_capacity_units": 80000, "account_max_write_capacity_units": 80000,
    "table_max_read_capacity_units": 40000, "table_max_write_capacity_units": 40000,
}, id=f"{ACCOUNT}/us-east-1")  # fmt: skip
VPN = Res("aws:ec2/vpnConnection:VpnConnection", "clinic", {
    "customerGatewayId": "cgw-0a1b2c3d4e5f60718", "vpnGatewayId": "vgw-0a1b2c3d4e5f60718",
    "type": "ipsec.1", "staticRoutesOnly": True,
}, id=VPN_ID)  # fmt: skip
VPN_TUNNELS = Res("aws:ec2/vpnTunnelStatus:VpnTunnelStatus", "clinic-tunnels", {
    "vpn_connection_id": VPN_ID, "state": "available",
    "vgw_telemetries": [{"outside_ip_address": "203.0.113.10", "status": "UP"},
                        {"outside_ip_address": "203.0.113.11", "status": "UP"}],
}, id=f"{VPN_ID}/tunnels")  # fmt: skip

# A table: laid out by hand, one row per check, not by the formatter.
# fmt: off
ROWS: tuple[Row, ...] = (
    # -- OpenSearch and Elasticsearch -------------------------------------------------------------
    Row("opensearch_encrypted_at_rest", (domain(OPENSEARCH),),
        ("search", "encryptAtRest", "enabled")),
    Row("elasticsearch_encrypted_at_rest", (domain(ELASTICSEARCH),),
        ("search", "encryptAtRest", "enabled")),
    Row("opensearch_in_vpc_only", (domain(OPENSEARCH),), ("search", "vpcOptions", "subnetIds")),
    Row("elasticsearch_in_vpc_only", (domain(ELASTICSEARCH),),
        ("search", "vpcOptions", "subnetIds")),
    Row("opensearch_logs_to_cloudwatch", (domain(OPENSEARCH),), ("search", "logPublishingOptions")),
    Row("elasticsearch_logs_to_cloudwatch", (domain(ELASTICSEARCH),),
        ("search", "logPublishingOptions")),
    Row("opensearch_node_to_node_encryption", (domain(OPENSEARCH),),
        ("search", "nodeToNodeEncryption", "enabled")),
    Row("elasticsearch_node_to_node_encryption", (domain(ELASTICSEARCH),),
        ("search", "nodeToNodeEncryption", "enabled")),
    Row("opensearch_https_required", (domain(OPENSEARCH),),
        ("search", "domainEndpointOptions", "enforceHttps")),
    # -- Redshift ---------------------------------------------------------------------------------
    Row(
        "redshift_encrypted_and_logged",
        (warehouse(), Res(REDSHIFT_LOGGING, "warehouse-logs", {
            "clusterIdentifier": "warehouse-1", "logDestinationType": "cloudwatch",
            "logExports": ["connectionlog", "userlog", "useractivitylog"]}, id="warehouse-1")),
        ("warehouse-logs", "clusterIdentifier"),
    ),
    Row("redshift_cluster_not_public", (warehouse(),), ("warehouse", "publiclyAccessible")),
    Row(
        "redshift_require_tls",
        (warehouse(clusterParameterGroupName="warehouse-tls"),
         Res(REDSHIFT_PARAMETERS, "tls", {"name": "warehouse-tls", "family": "redshift-1.0",
             "parameters": [{"name": "require_ssl", "value": "true"}]}, id="warehouse-tls")),
        ("tls", "parameters"),
    ),
    Row("redshift_automated_snapshots", (warehouse(),),
        ("warehouse", "automatedSnapshotRetentionPeriod")),
    Row("redshift_maintenance_settings", (warehouse(),), ("warehouse", "allowVersionUpgrade")),
    # -- EMR and SageMaker ------------------------------------------------------------------------
    Row(
        "emr_kerberos_enabled",
        (emr(), Res(EMR_SECURITY, "kerberos", {"name": "kerberos", "configuration": KERBEROS},
                    id="kerberos")),
        ("kerberos", "configuration"),
    ),
    Row("emr_master_no_public_ip", (emr(), PRIVATE_SUBNET), ("private-a", "mapPublicIpOnLaunch")),
    Row(
        "sagemaker_endpoint_config_kms_key",
        (Res("aws:sagemaker/endpointConfiguration:EndpointConfiguration", "claims-model", {
            "name": "claims-model", "kmsKeyArn": KEY, "productionVariants": [{
                "variantName": "primary", "modelName": "claims", "initialInstanceCount": 1,
                "instanceType": "ml.m5.large"}]}, id="claims-model"),),
        ("claims-model", "kmsKeyArn"),
    ),
    Row("sagemaker_notebook_kms_key", (notebook(),), ("analysis", "kmsKeyId")),
    Row("sagemaker_notebook_no_direct_internet", (notebook(),),
        ("analysis", "directInternetAccess")),
    # -- DMS, EFS, ElastiCache --------------------------------------------------------------------
    Row(
        "dms_replication_not_public",
        (Res("aws:dms/replicationInstance:ReplicationInstance", "migrate", {
            "replicationInstanceId": "migrate-1", "replicationInstanceClass": "dms.t3.micro",
            "publiclyAccessible": False, "kmsKeyArn": KEY}, id="migrate-1"),),
        ("migrate", "publiclyAccessible"),
    ),
    Row(
        "efs_encrypted",
        (Res("aws:efs/fileSystem:FileSystem", "files", {"encrypted": True, "kmsKeyId": KEY},
             id="fs-0a1b2c3d"),),
        ("files", "encrypted"),
    ),
    Row(
        "elasticache_redis_automatic_backup",
        (Res("aws:elasticache/replicationGroup:ReplicationGroup", "sessions", {
            "replicationGroupId": "sessions-1", "description": "sessions", "engine": "redis",
            "nodeType": "cache.t4g.small", "numCacheClusters": 2, "snapshotRetentionLimit": 15},
            id="sessions-1"),),
        ("sessions", "snapshotRetentionLimit"),
    ),
    # -- S3 and Systems Manager -------------------------------------------------------------------
    Row(
        "ssm_document_not_public",
        (Res("aws:ssm/document:Document", "patch-runbook", {
            "name": "patch-runbook", "documentType": "Command", "documentFormat": "JSON",
            "content": json.dumps({"schemaVersion": "2.2", "mainSteps": []}),
            "permissions": {"type": "Share", "account_ids": "111122223333"}},
            id="patch-runbook"),),
        ("patch-runbook", "permissions", "account_ids"),
    ),
    # -- live-only account and connection facts ---------------------------------------------------
    Row("dynamodb_throughput_below_limit", (LIMITS, TABLE), ("dynamodb-limits",), kinds=(LIVE,)),
    Row("vpn_tunnels_up", (VPN, VPN_TUNNELS), ("clinic-tunnels", "vgw_telemetries"),
        kinds=(LIVE,)),
)
# fmt: on
