"""Data stores: the database, the buckets, the session table, and their backups."""

from __future__ import annotations

import pytest

from tests.program.stack import Stack, by_sid, listed, statements

DB = "aws:rds/instance:Instance"
BUCKET = "aws:s3/bucket:Bucket"
TABLE = "aws:dynamodb/table:Table"
BUCKETS = ("access-logs", "audit-evidence", "billing-documents")


def _db(stack: Stack):
    return stack.one(DB, "billing-db")


def test_database_is_private_encrypted_and_protected(stack: Stack):
    db = _db(stack).props
    assert db["publicly_accessible"] is False
    assert db["storage_encrypted"] is True
    assert stack.key_domain(db["kms_key_id"]) == "database"
    assert stack.key_domain(db["performance_insights_kms_key_id"]) == "database"
    assert db["performance_insights_enabled"] is True
    assert db["manage_master_user_password"] is True and "password" not in db
    assert stack.key_domain(db["master_user_secret_kms_key_id"]) == "database"
    assert db["deletion_protection"] is True and db["skip_final_snapshot"] is False
    assert db["iam_database_authentication_enabled"] is True
    assert db["auto_minor_version_upgrade"] is True
    assert db["copy_tags_to_snapshot"] is True
    assert set(db["enabled_cloudwatch_logs_exports"]) == {"postgresql", "upgrade"}
    assert db["monitoring_interval"] == 60 and db["monitoring_role_arn"]


def test_database_lives_only_in_the_data_subnets(stack: Stack):
    group = stack.one("aws:rds/subnetGroup:SubnetGroup", "db-subnets")
    assert group.props["name"] == _db(stack).props["db_subnet_group_name"]
    tiers = {stack.ref(s).props["tags"]["tier"] for s in group.props["subnet_ids"]}
    assert tiers == {"data"}
    (sg,) = _db(stack).props["vpc_security_group_ids"]
    assert stack.ref(sg).name == "db-security-group"


def test_database_requires_tls_and_audits_sessions(stack: Stack):
    group = stack.one("aws:rds/parameterGroup:ParameterGroup", "postgres-parameters")
    assert group.props["name"] == _db(stack).props["parameter_group_name"]
    params = {p["name"]: p["value"] for p in group.props["parameters"]}
    assert params["rds.force_ssl"] == "1"
    assert params["ssl_min_protocol_version"] == "TLSv1.2"
    assert "pgaudit" in params["shared_preload_libraries"]
    assert set(params["pgaudit.log"].split(",")) >= {"read", "write", "ddl", "role"}


def test_database_log_groups_exist_before_it_encrypted_and_retained(stack: Stack):
    identifier = _db(stack).props["identifier"]
    for export in ("postgresql", "upgrade"):
        group = stack.one("aws:cloudwatch/logGroup:LogGroup", f"db-logs-{export}")
        assert group.props["name"] == f"/aws/rds/instance/{identifier}/{export}"
        assert stack.key_domain(group.props["kms_key_id"]) == "logs"
        assert group.props["retention_in_days"] >= 365


def test_production_database_is_multi_az_with_35_days_of_backups(dev: Stack, prod: Stack):
    assert _db(prod).props["multi_az"] is True
    assert _db(prod).props["backup_retention_period"] == 35
    assert _db(dev).props["multi_az"] is False
    assert _db(dev).props["backup_retention_period"] == 7


@pytest.mark.parametrize("bucket", BUCKETS)
def test_every_bucket_is_private_versioned_owner_enforced_and_tls_only(stack: Stack, bucket: str):
    (block,) = stack.companions(bucket, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")
    for flag in (
        "block_public_acls",
        "block_public_policy",
        "ignore_public_acls",
        "restrict_public_buckets",
    ):
        assert block.props[flag] is True
    (versioning,) = stack.companions(bucket, "aws:s3/bucketVersioning:BucketVersioning")
    assert versioning.props["versioning_configuration"]["status"] == "Enabled"
    (ownership,) = stack.companions(
        bucket, "aws:s3/bucketOwnershipControls:BucketOwnershipControls"
    )
    assert ownership.props["rule"]["object_ownership"] == "BucketOwnerEnforced"
    (policy,) = stack.companions(bucket, "aws:s3/bucketPolicy:BucketPolicy")
    sids = by_sid(policy)
    assert sids["DenyInsecureTransport"]["Effect"] == "Deny"
    assert sids["DenyInsecureTransport"]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert sids["DenyOutdatedTls"]["Condition"] == {"NumericLessThan": {"s3:TlsVersion": "1.2"}}
    for statement in statements(policy):
        if statement["Effect"] == "Allow":  # only named AWS services and accounts
            assert statement["Principal"] != "*"
            assert set(statement["Principal"]) <= {"Service", "AWS"}
            assert "*" not in listed(statement["Principal"].get("AWS", []))
    (lifecycle,) = stack.companions(
        bucket, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"
    )
    assert any(r.get("abort_incomplete_multipart_upload") for r in lifecycle.props["rules"])


def _encryption(stack: Stack, bucket: str) -> dict:
    (config,) = stack.companions(
        bucket,
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    )
    return config.props["rules"][0]["apply_server_side_encryption_by_default"]


def test_ephi_buckets_use_their_domain_keys_and_the_log_bucket_what_log_delivery_supports(
    stack: Stack,
):
    assert _encryption(stack, "billing-documents")["sse_algorithm"] == "aws:kms"
    assert stack.key_domain(_encryption(stack, "billing-documents")["kms_master_key_id"]) == (
        "documents"
    )
    assert stack.key_domain(_encryption(stack, "audit-evidence")["kms_master_key_id"]) == "audit"
    # ALB access-log delivery accepts only SSE-S3.
    assert _encryption(stack, "access-logs") == {"sse_algorithm": "AES256"}


def test_ephi_buckets_log_access_to_the_log_bucket(stack: Stack):
    logs = stack.one(BUCKET, "access-logs").props["bucket"]
    for bucket in ("billing-documents", "audit-evidence"):
        (logging,) = stack.companions(bucket, "aws:s3/bucketLogging:BucketLogging")
        assert logging.props["target_bucket"] == logs
        assert logging.props["target_prefix"].startswith("s3-access/")


def test_audit_evidence_is_locked_for_six_years(dev: Stack, prod: Stack):
    for stack, mode in ((prod, "COMPLIANCE"), (dev, "GOVERNANCE")):
        assert stack.one(BUCKET, "audit-evidence").props["object_lock_enabled"] is True
        (lock,) = stack.companions(
            "audit-evidence", "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration"
        )
        retention = lock.props["rule"]["default_retention"]
        assert retention == {"mode": mode, "years": 6}


def test_session_table_is_encrypted_recoverable_and_protected(stack: Stack):
    table = stack.one(TABLE, "sessions").props
    assert table["server_side_encryption"]["enabled"] is True
    assert table["point_in_time_recovery"]["enabled"] is True
    assert table["deletion_protection_enabled"] is True
    assert table["billing_mode"] == "PAY_PER_REQUEST"


def test_backup_vault_is_locked_in_compliance_mode_in_prod_only(dev: Stack, prod: Stack):
    lock = "aws:backup/vaultLockConfiguration:VaultLockConfiguration"
    assert prod.one(lock, "vault-lock").props["changeable_for_days"] == 3
    assert "changeable_for_days" not in dev.one(lock, "vault-lock").props
    assert prod.one(lock, "vault-lock").props["max_retention_days"] == 2192


def test_backup_plan_has_daily_and_monthly_rules_with_retention_per_environment(
    dev: Stack, prod: Stack
):
    for stack, monthly in ((prod, 2192), (dev, 365)):
        plan = stack.one("aws:backup/plan:Plan", "plan")
        rules = {r["rule_name"]: r for r in plan.props["rules"]}
        assert rules["daily"]["schedule"] == "cron(0 5 ? * * *)"
        assert rules["daily"]["lifecycle"]["delete_after"] == 35
        assert rules["monthly"]["schedule"] == "cron(0 6 1 * ? *)"
        assert rules["monthly"]["lifecycle"]["delete_after"] == monthly


def test_backup_selection_covers_every_data_store_by_tag(stack: Stack):
    (selection,) = stack.of("aws:backup/selection:Selection")
    (tag,) = selection.props["selection_tags"]
    stores = [
        _db(stack),
        stack.one(TABLE, "sessions"),
        stack.one(BUCKET, "billing-documents"),
        stack.one(BUCKET, "audit-evidence"),
    ]
    for store in stores:
        assert store.props["tags"][tag["key"]] == tag["value"], store.name
    assert {
        s.props["protected_resource_type"]
        for s in stack.of("aws:backup/restoreTestingSelection:RestoreTestingSelection")
    } == {"RDS", "DynamoDB"}


def test_every_data_store_is_classified(stack: Stack):
    for store in (_db(stack), stack.one(TABLE, "sessions"), *stack.of(BUCKET)):
        assert store.props["tags"]["data-classification"] in ("ePHI", "internal")
        assert store.props["tags"]["criticality"]
