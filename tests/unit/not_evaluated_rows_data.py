"""NOT_EVALUATED table rows, part one: where ePHI rests (RDS, S3, DynamoDB, EBS, backups, keys,
secrets). Each row is a passing stack, written as the engine writes inputs, and the property
that decides the check."""

from __future__ import annotations

import json

from tests.unit.not_evaluated_sources import ACCOUNT, LIVE, Res, Row

KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/0b1c2d3e-4f5a-6b7c-8d9e-0f1a2b3c4d5e"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/backup"
DB_ARN = f"arn:aws:rds:us-east-1:{ACCOUNT}:db:billing-db-1"
EFS_ARN = f"arn:aws:elasticfilesystem:us-east-1:{ACCOUNT}:file-system/fs-0a1b2c3d"
TABLE_ARN = f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/claims-1"
VOLUME_ARN = f"arn:aws:ec2:us-east-1:{ACCOUNT}:volume/vol-0a1b2c3d4e5f60718"
SECRET_ARN = f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:billing/db-AbCdEf"
FUNCTION_ARN = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:rotate-db"
BUCKET = "records-bucket-1"
EPHI = {"data-classification": "ePHI"}

DB = "aws:rds/instance:Instance"
CLUSTER = "aws:rds/cluster:Cluster"
SNAPSHOT = "aws:rds/snapshot:Snapshot"
PARAMETER_GROUP = "aws:rds/parameterGroup:ParameterGroup"
SELECTION = "aws:backup/selection:Selection"
VAULT = "aws:backup/vault:Vault"
S3 = "aws:s3/bucket:Bucket"
TABLE = "aws:dynamodb/table:Table"
VOLUME = "aws:ebs/volume:Volume"
INSTANCE = "aws:ec2/instance:Instance"
KMS_KEY = "aws:kms/key:Key"
SECRET = "aws:secretsmanager/secret:Secret"

TLS_ONLY = json.dumps({
    "Version": "2012-10-17",
    "Statement": [{
        "Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
        "Resource": [f"arn:aws:s3:::{BUCKET}", f"arn:aws:s3:::{BUCKET}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }],
})  # fmt: skip
KEY_POLICY = json.dumps({
    "Version": "2012-10-17",
    "Statement": [{
        "Sid": "AccountAdmin", "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "kms:*", "Resource": "*",
    }],
})  # fmt: skip


def db(**inputs) -> Res:
    base = {
        "identifier": "billing-db-1", "engine": "postgres", "engineVersion": "16.3",
        "instanceClass": "db.t4g.micro", "allocatedStorage": 20, "username": "app",
        "manageMasterUserPassword": True, "tags": EPHI,
    }  # fmt: skip
    return Res(DB, "db", {**base, **inputs}, id="billing-db-1", arn=DB_ARN)


def selection(*arns: str) -> Res:
    inputs = {
        "name": "phi",
        "planId": "plan-0a1b2c3d",
        "iamRoleArn": ROLE_ARN,
        "resources": [*arns],
    }
    return Res(SELECTION, "phi-selection", inputs, id="selection-0a1b2c3d")


def bucket(**inputs) -> Res:
    base = {"bucket": BUCKET, "tags": EPHI}
    return Res(S3, "records", {**base, **inputs}, id=BUCKET, arn=f"arn:aws:s3:::{BUCKET}")


def companion(kind: str, name: str, **inputs) -> Res:
    """A resource pulumi_aws splits off the bucket (`aws:s3/<kind>:<Kind>`)."""
    token = f"aws:s3/{kind}:{kind[0].upper()}{kind[1:]}"
    return Res(token, name, {"bucket": BUCKET, **inputs}, id=BUCKET)


def table(**inputs) -> Res:
    base = {
        "name": "claims-1", "hashKey": "id", "billingMode": "PAY_PER_REQUEST",
        "attributes": [{"name": "id", "type": "S"}], "tags": EPHI,
    }  # fmt: skip
    return Res(TABLE, "claims", {**base, **inputs}, id="claims-1", arn=TABLE_ARN)


def volume(**inputs) -> Res:
    base = {"availabilityZone": "us-east-1a", "size": 20, "encrypted": True, "tags": EPHI}
    return Res(VOLUME, "data", {**base, **inputs}, id="vol-0a1b2c3d4e5f60718", arn=VOLUME_ARN)


def instance(**inputs) -> Res:
    base = {
        "ami": "ami-0abcdef1234567890",
        "instanceType": "t3.micro",
        "subnetId": "subnet-0a1b2c3d",
    }
    return Res(INSTANCE, "app", {**base, **inputs}, id="i-0a1b2c3d4e5f60718")


def key(**inputs) -> Res:
    return Res(KMS_KEY, "phi-key", {"description": "ePHI", **inputs}, id="0b1c2d3e", arn=KEY)


def plan() -> Res:
    return Res(
        "aws:backup/plan:Plan", "phi-plan", {"name": "phi", "rules": [PLAN_RULE]}, id="plan-1"
    )


SNAPSHOT_INPUTS = {
    "dbInstanceIdentifier": "billing-db-1",
    "dbSnapshotIdentifier": "billing-db-snap-1",
    "sharedAccounts": ["210987654321"],
}
VAULT_INPUTS = {"name": "phi-vault", "kmsKeyArn": KEY, "tags": EPHI}
PLAN_RULE = {
    "ruleName": "daily", "targetVaultName": "phi-vault", "schedule": "cron(0 5 ? * * *)",
    "lifecycle": {"deleteAfter": 35},
}  # fmt: skip
CLUSTER_INPUTS = {
    "clusterIdentifier": "billing-aurora-1", "engine": "aurora-postgresql",
    "masterUsername": "app", "manageMasterUserPassword": True, "deletionProtection": True,
}  # fmt: skip

# A table: laid out by hand, one row per check, not by the formatter.
# fmt: off
ROWS: tuple[Row, ...] = (
    # -- RDS and Aurora ------------------------------------------------------------------------
    Row("rds_storage_encrypted_cmk", (db(storageEncrypted=True, kmsKeyId=KEY),),
        ("db", "kmsKeyId")),
    Row("rds_instance_not_public", (db(publiclyAccessible=False),), ("db", "publiclyAccessible")),
    Row("rds_backup_retention_7_days", (db(backupRetentionPeriod=7),),
        ("db", "backupRetentionPeriod")),
    Row("rds_instance_deletion_protection", (db(deletionProtection=True),),
        ("db", "deletionProtection")),
    Row(
        "rds_cluster_deletion_protection",
        (Res(CLUSTER, "aurora", CLUSTER_INPUTS, id="billing-aurora-1"),),
        ("aurora", "deletionProtection"),
    ),
    Row(
        "rds_tls_enforced",
        (
            db(parameterGroupName="billing-tls"),
            Res(PARAMETER_GROUP, "tls", {"name": "billing-tls", "family": "postgres16",
                "parameters": [{"name": "rds.force_ssl", "value": "1"}]}, id="billing-tls"),
        ),
        ("tls", "parameters"),
    ),
    Row(
        "rds_iam_authentication",
        (db(iamDatabaseAuthenticationEnabled=True),),
        ("db", "iamDatabaseAuthenticationEnabled"),
    ),
    Row("rds_in_backup_plan", (db(), selection(DB_ARN)), ("phi-selection", "resources")),
    Row("rds_multi_az", (db(multiAz=True),), ("db", "multiAz")),
    Row(
        "rds_logs_exported",
        (db(enabledCloudwatchLogsExports=["postgresql", "upgrade"]),),
        ("db", "enabledCloudwatchLogsExports"),
    ),
    Row(
        "rds_enhanced_monitoring",
        (db(monitoringInterval=60, monitoringRoleArn=ROLE_ARN),),
        ("db", "monitoringInterval"),
    ),
    Row(
        "rds_snapshot_not_public",
        (Res(SNAPSHOT, "snap", SNAPSHOT_INPUTS, id="billing-db-snap-1"), db(storageEncrypted=True)),
        ("snap", "sharedAccounts"),
    ),
    Row(
        "rds_snapshot_encrypted",
        (Res(SNAPSHOT, "snap", SNAPSHOT_INPUTS, id="billing-db-snap-1"), db(storageEncrypted=True)),
        ("db", "storageEncrypted"),
    ),
    Row(
        "rds_auto_minor_version_upgrade",
        (db(autoMinorVersionUpgrade=True),),
        ("db", "autoMinorVersionUpgrade"),
    ),
    # -- S3 ------------------------------------------------------------------------------------
    Row(
        "s3_bucket_sse_kms",
        (bucket(), companion("bucketServerSideEncryptionConfiguration", "records-sse", rules=[{
            "applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms",
                                                   "kmsMasterKeyId": KEY},
            "bucketKeyEnabled": True}])),
        ("records-sse", "rules"),
    ),
    Row(
        "s3_bucket_versioning_enabled",
        (bucket(), companion("bucketVersioning", "records-versioning",
                             versioningConfiguration={"status": "Enabled"})),
        ("records-versioning", "versioningConfiguration"),
    ),
    Row(
        "s3_bucket_public_access_blocked",
        (bucket(), companion("bucketPublicAccessBlock", "records-pab", blockPublicAcls=True,
            blockPublicPolicy=True, ignorePublicAcls=True, restrictPublicBuckets=True)),
        ("records-pab", "blockPublicAcls"),
    ),
    Row(
        "s3_bucket_tls_only",
        (bucket(), companion("bucketPolicy", "records-policy", policy=TLS_ONLY)),
        ("records-policy", "policy"),
    ),
    Row(
        "s3_bucket_acls_disabled",
        (bucket(), companion("bucketOwnershipControls", "records-ownership",
                             rule={"objectOwnership": "BucketOwnerEnforced"})),
        ("records-ownership", "rule"),
    ),
    Row(
        "s3_bucket_policy_not_public",
        (bucket(), companion("bucketPolicy", "records-policy", policy=TLS_ONLY)),
        ("records-policy", "policy"),
    ),
    Row(
        "s3_account_public_access_block",
        (bucket(), Res("aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock", "account-pab", {
            "blockPublicAcls": True, "blockPublicPolicy": True, "ignorePublicAcls": True,
            "restrictPublicBuckets": True}, id=ACCOUNT)),
        ("account-pab", "blockPublicPolicy"),
    ),
    Row(
        "s3_audit_bucket_object_lock",
        (bucket(objectLockEnabled=True), Res("aws:cloudtrail/trail:Trail", "audit",
            {"name": "audit", "s3BucketName": BUCKET}, id="audit")),
        ("records", "objectLockEnabled"),
    ),
    Row(
        "s3_bucket_access_logging",
        (bucket(), companion("bucketLogging", "records-logging",
                             targetBucket="access-logs-bucket-1", targetPrefix="records/")),
        ("records-logging", "targetBucket"),
    ),
    Row(
        "s3_bucket_data_events_logged",
        (bucket(), Res("aws:cloudtrail/trail:Trail", "audit", {
            "name": "audit", "s3BucketName": "trail-bucket-1", "eventSelectors": [{
                "readWriteType": "All", "includeManagementEvents": True,
                "dataResources": [{"type": "AWS::S3::Object",
                                   "values": [f"arn:aws:s3:::{BUCKET}/"]}]}]}, id="audit")),
        ("audit", "eventSelectors"),
    ),
    Row(
        "s3_bucket_lifecycle_or_replication",
        (bucket(), companion("bucketLifecycleConfiguration", "records-lifecycle", rules=[{
            "id": "expire-noncurrent", "status": "Enabled",
            "noncurrentVersionExpiration": {"noncurrentDays": 2555}}])),
        ("records-lifecycle", "rules"),
    ),
    Row("data_store_classification_tagged", (bucket(),), ("records", "tags")),
    # -- DynamoDB ------------------------------------------------------------------------------
    Row(
        "dynamodb_pitr_enabled",
        (table(pointInTimeRecovery={"enabled": True}),),
        ("claims", "pointInTimeRecovery"),
    ),
    Row(
        "dynamodb_encrypted_cmk",
        (table(serverSideEncryption={"enabled": True, "kmsKeyArn": KEY}),),
        ("claims", "serverSideEncryption", "kmsKeyArn"),
    ),
    Row("dynamodb_in_backup_plan", (table(), selection(TABLE_ARN)), ("phi-selection", "resources")),
    Row(
        "dynamodb_deletion_protection",
        (table(deletionProtectionEnabled=True),),
        ("claims", "deletionProtectionEnabled"),
    ),
    # -- AWS Backup ----------------------------------------------------------------------------
    Row(
        "backup_plan_frequency_retention",
        (plan(),),
        ("phi-plan", "rules"),
    ),
    Row("backup_vault_cmk", (Res(VAULT, "phi-vault", VAULT_INPUTS, id="phi-vault"),),
        ("phi-vault", "kmsKeyArn")),
    Row(
        "backup_vault_deletion_protected",
        (Res(VAULT, "phi-vault", VAULT_INPUTS, id="phi-vault"),
         Res("aws:backup/vaultLockConfiguration:VaultLockConfiguration", "phi-vault-lock", {
             "backupVaultName": "phi-vault", "minRetentionDays": 35, "maxRetentionDays": 2555,
             "changeableForDays": 3}, id="phi-vault")),
        ("phi-vault-lock", "backupVaultName"),
    ),
    Row("efs_in_backup_plan",
        (Res("aws:efs/fileSystem:FileSystem", "files", {"encrypted": True, "tags": EPHI},
             id="fs-0a1b2c3d", arn=EFS_ARN), selection(EFS_ARN)),
        ("phi-selection", "resources")),
    Row(
        "backup_restore_testing",
        (plan(),
         Res("aws:backup/restoreTestingPlan:RestoreTestingPlan", "monthly", {
             "name": "monthly", "scheduleExpression": "cron(0 6 1 * ? *)",
             "recoveryPointSelection": {"algorithm": "LATEST_WITHIN_WINDOW",
                 "includeVaults": ["*"], "recoveryPointTypes": ["SNAPSHOT"]}}, id="monthly"),
         Res("aws:backup/restoreTestingSelection:RestoreTestingSelection", "monthly-rds", {
             "name": "rds", "restoreTestingPlanName": "monthly", "protectedResourceType": "RDS",
             "iamRoleArn": ROLE_ARN, "protectedResourceArns": ["*"]}, id="monthly-rds")),
        ("monthly",),
        kinds=(LIVE,),
        note="only whether restore testing plans exist decides: a program or file always says",
    ),
    # -- EC2 and EBS ---------------------------------------------------------------------------
    Row("ebs_volume_encrypted", (volume(),), ("data", "encrypted")),
    Row(
        "ec2_block_devices_encrypted",
        (instance(rootBlockDevice={"encrypted": True, "volumeSize": 20}),),
        ("app", "rootBlockDevice"),
    ),
    Row(
        "ebs_encryption_by_default",
        (volume(), Res("aws:ebs/encryptionByDefault:EncryptionByDefault", "ebs-default",
                       {"enabled": True}, id="ebs-default")),
        ("ebs-default", "enabled"),
    ),
    Row(
        "ec2_imdsv2_required",
        (instance(metadataOptions={"httpTokens": "required", "httpEndpoint": "enabled"}),),
        ("app", "metadataOptions"),
    ),
    Row(
        "ec2_instance_profile_attached",
        (instance(iamInstanceProfile="app-profile"),),
        ("app", "iamInstanceProfile"),
    ),
    Row("ebs_volume_in_backup_plan", (volume(), selection(VOLUME_ARN)),
        ("phi-selection", "resources")),
    # -- KMS -----------------------------------------------------------------------------------
    Row("kms_key_rotation_enabled", (key(enableKeyRotation=True),),
        ("phi-key", "enableKeyRotation")),
    Row(
        "kms_key_policy_no_wildcard_principal",
        (key(policy=KEY_POLICY),),
        ("phi-key", "policy"),
    ),
    Row("kms_key_enabled", (key(isEnabled=True),), ("phi-key", "isEnabled")),
    # -- Secrets Manager -----------------------------------------------------------------------
    Row(
        "secret_encrypted_cmk",
        (Res(SECRET, "db-secret", {"name": "billing/db", "kmsKeyId": KEY}, arn=SECRET_ARN),),
        ("db-secret", "kmsKeyId"),
    ),
    Row(
        "secret_rotation_enabled",
        (Res(SECRET, "db-secret", {"name": "billing/db", "kmsKeyId": KEY}, arn=SECRET_ARN),
         Res("aws:secretsmanager/secretRotation:SecretRotation", "db-rotation", {
             "secretId": SECRET_ARN, "rotationLambdaArn": FUNCTION_ARN,
             "rotationRules": {"automaticallyAfterDays": 30}}, id=SECRET_ARN)),
        ("db-rotation", "rotationRules"),
    ),
    Row(
        "ssm_parameter_secrets_secure",
        (Res("aws:ssm/parameter:Parameter", "db-password", {
            "name": "/billing/db/password", "type": "SecureString", "keyId": KEY},
            id="/billing/db/password"),),
        ("db-password", "type"),
    ),
    Row(
        "ec2_user_data_no_secrets",
        (instance(userData="#!/bin/bash\nyum install -y nginx\n"),),
        ("app", "userData"),
    ),
)
# fmt: on
