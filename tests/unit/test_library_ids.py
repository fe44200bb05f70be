"""The built-in library holds exactly these checks: adding, renaming or dropping one is a
deliberate change this list records (reports, waivers and CrossGuard policies name checks by id).

It replaces the `len(registry) >= 12` of `test_checks_registry.py`, which any library of twelve
checks or more satisfies."""

from __future__ import annotations

from checks.library import LIBRARY, build_registry

CHECK_IDS = [
    "alb_drop_invalid_headers", "alb_waf_attached", "backup_covers_data_stores",
    "backup_plan_frequency_retention", "backup_restore_testing", "backup_vault_cmk",
    "backup_vault_deletion_protected", "cloudtrail_bucket_private_and_logged",
    "cloudtrail_cloudwatch_logs", "cloudtrail_enabled_multi_region", "cloudtrail_kms_encrypted",
    "cloudtrail_log_file_validation", "cloudtrail_multi_region", "cloudwatch_alarm_has_action",
    "cloudwatch_security_event_alarms", "config_recorder_all_resources",
    "data_store_classification_tagged", "dynamodb_deletion_protection", "dynamodb_encrypted_cmk",
    "dynamodb_in_backup_plan", "dynamodb_pitr_enabled", "ebs_encryption_by_default",
    "ebs_volume_encrypted", "ebs_volume_in_backup_plan", "ec2_block_devices_encrypted",
    "ec2_imdsv2_required", "ec2_instance_no_public_ip", "ec2_instance_profile_attached",
    "ec2_user_data_no_secrets", "guardduty_enabled_all_regions", "iam_access_keys_rotated",
    "iam_break_glass_role", "iam_console_user_mfa_active", "iam_no_administrator_access_attached",
    "iam_password_policy_strong", "iam_policy_no_admin_access",
    "iam_policy_no_full_service_access", "iam_policy_no_kms_decrypt_all_keys",
    "iam_role_session_duration", "iam_root_mfa_enabled", "iam_root_no_access_keys",
    "iam_unused_credentials_disabled", "iam_user_mfa_enforced", "iam_user_no_direct_policies",
    "kms_key_enabled", "kms_key_policy_no_wildcard_principal", "kms_key_rotation_enabled",
    "lambda_env_encrypted_cmk", "lambda_env_no_plaintext_secrets", "lambda_function_url_auth",
    "lambda_in_vpc", "lambda_permission_not_public", "lambda_supported_runtime",
    "launch_template_no_public_ip", "lb_access_logs", "lb_deletion_protection", "lb_listener_tls",
    "log_group_kms_encrypted", "log_group_retention", "messaging_policy_not_public",
    "nacl_no_internet_admin_ingress", "private_subnet_no_igw_route",
    "rds_auto_minor_version_upgrade", "rds_backup_retention_7_days",
    "rds_cluster_deletion_protection", "rds_enhanced_monitoring", "rds_iam_authentication",
    "rds_in_backup_plan", "rds_instance_deletion_protection", "rds_instance_not_public",
    "rds_logs_exported", "rds_multi_az", "rds_snapshot_encrypted", "rds_snapshot_not_public",
    "rds_storage_encrypted_cmk", "rds_tls_enforced", "s3_account_public_access_block",
    "s3_audit_bucket_object_lock", "s3_bucket_access_logging", "s3_bucket_acls_disabled",
    "s3_bucket_data_events_logged", "s3_bucket_lifecycle_or_replication",
    "s3_bucket_policy_not_public", "s3_bucket_public_access_blocked", "s3_bucket_sse_kms",
    "s3_bucket_tls_only", "s3_bucket_versioning_enabled", "secret_encrypted_cmk",
    "secret_rotation_enabled", "securityhub_enabled", "sg_internet_ingress_authorized_ports",
    "sg_no_internet_admin_ports", "sg_no_internet_db_ports", "sns_topic_encrypted",
    "sqs_queue_encrypted", "ssm_parameter_secrets_secure", "subnet_no_auto_public_ip",
    "vpc_default_security_group_closed", "vpc_flow_logs_enabled", "waf_logging_enabled",
]  # fmt: skip


def test_the_library_holds_exactly_these_checks():
    registry = build_registry()
    assert len(registry) == 100
    assert sorted(c.id for c in registry) == CHECK_IDS


def test_each_check_is_defined_once_in_the_library_modules():
    ids = sorted(chk.id for module in LIBRARY for chk in module.CHECKS)
    assert ids == CHECK_IDS
