"""Building the CrossGuard pack: which checks become resource policies (they judge one resource
from its own properties) and which run in the stack policies (they join resources, or judge the
account), at which enforcement level. The split is spelt out here, check by check, not read back
from the pack's own `reads_inventory`: a check that starts reading its inventory moves to the
stack policies, and this list says so."""

from __future__ import annotations

import pytest
from pulumi_policy import EnforcementLevel, ResourceValidationPolicy, StackValidationPolicy

from checks.library import build_registry
from checks.registry import Severity, passed
from policies.crossguard.pack import build_policies, needs_stack, reads_inventory
from policies.profiles import load_profile

RESOURCE_POLICIES = [
    "acm_certificate_not_expiring",
    "alb_drop_invalid_headers",
    "apigateway_domain_tls12",
    "apigateway_method_authorized",
    "apigateway_stage_client_certificate",
    "backup_plan_frequency_retention", "backup_vault_cmk",
    "cloudfront_origin_https",
    "cloudfront_origin_tls12",
    "cloudfront_viewer_https",
    "cloudfront_viewer_tls12",
    "cloudtrail_cloudwatch_logs", "cloudtrail_kms_encrypted", "cloudtrail_log_file_validation",
    "cloudtrail_multi_region", "cloudwatch_alarm_has_action", "codebuild_env_no_plaintext_aws_keys",
    "codebuild_source_url_no_credentials", "data_store_classification_tagged",
    "dms_replication_not_public",
    "dynamodb_deletion_protection", "dynamodb_encrypted_cmk", "dynamodb_pitr_enabled",
    "ec2_instance_profile_attached", "ec2_stopped_instance", "ec2_user_data_no_secrets",
    "ecr_repository_policy_not_public", "ecr_tag_immutability", "ecs_containers_readonly_root",
    "ecs_host_network_not_root", "ecs_service_no_public_ip", "ecs_task_definition_logging",
    "efs_encrypted",
    "eks_control_plane_logging", "eks_endpoint_not_public", "eks_secrets_encrypted",
    "elasticache_redis_automatic_backup",
    "elasticsearch_encrypted_at_rest",
    "elasticsearch_in_vpc_only",
    "elasticsearch_logs_to_cloudwatch",
    "elasticsearch_node_to_node_encryption",
    "elb_classic_acm_certificate",
    "elb_classic_cross_zone",
    "iam_policy_no_admin_access", "iam_policy_no_full_service_access",
    "iam_policy_no_kms_decrypt_all_keys",
    "iam_role_session_duration",
    "kinesis_stream_encrypted",
    "kms_key_enabled", "kms_key_policy_no_wildcard_principal",
    "kms_key_rotation_enabled", "lambda_env_encrypted_cmk", "lambda_env_no_plaintext_secrets",
    "lambda_function_url_auth", "lambda_in_vpc", "lambda_permission_not_public",
    "lambda_supported_runtime", "launch_template_no_public_ip", "lb_access_logs",
    "lb_deletion_protection", "log_group_kms_encrypted",
    "opensearch_encrypted_at_rest",
    "opensearch_https_required",
    "opensearch_in_vpc_only",
    "opensearch_logs_to_cloudwatch",
    "opensearch_node_to_node_encryption",
    "rds_auto_minor_version_upgrade",
    "rds_backup_retention_7_days", "rds_cluster_deletion_protection", "rds_enhanced_monitoring",
    "rds_iam_authentication", "rds_instance_deletion_protection", "rds_instance_not_public",
    "rds_logs_exported", "rds_snapshot_not_public", "rds_storage_encrypted_cmk",
    "redshift_automated_snapshots",
    "redshift_cluster_not_public",
    "redshift_maintenance_settings",
    "sagemaker_endpoint_config_kms_key",
    "sagemaker_notebook_kms_key",
    "sagemaker_notebook_no_direct_internet",
    "secret_encrypted_cmk", "sns_topic_encrypted", "sqs_queue_encrypted",
    "ssm_association_compliant",
    "ssm_document_not_public",
    "ssm_parameter_secrets_secure", "ssm_patch_compliant",
    "subnet_no_auto_public_ip",
]  # fmt: skip
# Checks of the stack policies, by the level they run at under the default profile (mandatory
# from medium severity): the low-severity ones are advisory.
STACK_ADVISORY = [
    "autoscaling_group_elb_healthcheck", "backup_restore_testing",
    "dynamodb_throughput_below_limit",
    "iam_no_inline_policies",
    "iam_user_no_direct_policies",
    "s3_bucket_lifecycle_or_replication",
    "waf_logging_enabled",
]  # fmt: skip
STACK_MANDATORY = [
    "alb_http_to_https_redirect",
    "alb_waf_attached",
    "apigateway_stage_logging",
    "apigateway_stage_waf",
    "apigatewayv2_route_authorized",
    "backup_vault_deletion_protected",
    "beanstalk_managed_updates", "cloudtrail_bucket_private_and_logged",
    "cloudtrail_enabled_multi_region",
    "cloudwatch_security_event_alarms", "config_recorder_all_resources",
    "dynamodb_in_backup_plan", "ebs_encryption_by_default", "ebs_volume_encrypted",
    "ebs_volume_in_backup_plan", "ec2_block_devices_encrypted", "ec2_imdsv2_required",
    "ec2_instance_in_backup_plan", "ec2_instance_in_vpc", "ec2_instance_managed_by_ssm",
    "ec2_instance_no_public_ip", "ecr_image_scanning_enabled", "efs_in_backup_plan",
    "elb_classic_tls_policy",
    "elbv2_listener_acm_certificate",
    "emr_kerberos_enabled",
    "emr_master_no_public_ip",
    "firehose_delivery_stream_encrypted",
    "guardduty_enabled_all_regions", "iam_access_keys_rotated",
    "iam_break_glass_role", "iam_console_user_mfa_active", "iam_group_mfa_enforced",
    "iam_no_administrator_access_attached", "iam_no_full_access_managed_policy_attached",
    "iam_password_policy_strong", "iam_root_hardware_mfa", "iam_root_mfa_enabled",
    "iam_root_no_access_keys", "iam_unused_credentials_disabled",
    "iam_user_mfa_enforced", "lb_listener_tls", "log_group_retention",
    "messaging_policy_not_public", "nacl_no_internet_admin_ingress",
    "private_subnet_no_igw_route", "rds_in_backup_plan", "rds_multi_az",
    "rds_snapshot_encrypted", "rds_tls_enforced",
    "redshift_encrypted_and_logged",
    "redshift_require_tls",
    "s3_account_public_access_block",
    "s3_audit_bucket_object_lock", "s3_bucket_access_logging", "s3_bucket_acls_disabled",
    "s3_bucket_data_events_logged", "s3_bucket_policy_not_public",
    "s3_bucket_public_access_blocked", "s3_bucket_sse_kms", "s3_bucket_tls_only",
    "s3_bucket_versioning_enabled", "secret_rotation_enabled", "securityhub_enabled",
    "sg_internet_ingress_authorized_ports", "sg_no_internet_admin_ports",
    "sg_no_internet_db_ports", "vpc_default_security_group_closed", "vpc_flow_logs_enabled",
    "vpn_tunnels_up",
]  # fmt: skip


@pytest.fixture(scope="module")
def policies():
    return build_policies()


def _stack_checks(policy: StackValidationPolicy) -> list[str]:
    """The check ids a stack policy's description lists, in its order."""
    return policy.description.split(": ", 1)[1].split(", ")


def test_each_self_contained_resource_check_is_a_resource_policy(policies):
    registry = build_registry()
    resource_policies = [p for p in policies if isinstance(p, ResourceValidationPolicy)]
    assert sorted(p.name for p in resource_policies) == RESOURCE_POLICIES
    # By default, enforcement follows the default profile's threshold (medium).
    assert load_profile("default").mandatory_from is Severity.MEDIUM
    levels = {p.name: p.enforcement_level for p in resource_policies}
    assert sorted(n for n, lvl in levels.items() if lvl is EnforcementLevel.ADVISORY) == [
        "alb_drop_invalid_headers", "cloudwatch_alarm_has_action",
        "data_store_classification_tagged", "ec2_instance_profile_attached",
        "ec2_stopped_instance", "ecr_tag_immutability",
        "elb_classic_cross_zone",
        "iam_role_session_duration",
        "lambda_env_encrypted_cmk", "lambda_supported_runtime",
        "lb_deletion_protection",
        "rds_auto_minor_version_upgrade", "rds_enhanced_monitoring", "ssm_association_compliant",
    ]  # fmt: skip
    for policy in resource_policies:
        chk = registry.get(policy.name)
        assert policy.description == chk.title
        assert chk.remediation in policy.remediation_steps


def test_checks_that_need_the_stack_run_in_one_stack_policy_per_level(policies):
    by_name = {p.name: p for p in policies if isinstance(p, StackValidationPolicy)}
    assert sorted(by_name) == ["hipaa_stack_advisory", "hipaa_stack_mandatory"]
    assert by_name["hipaa_stack_mandatory"].enforcement_level is EnforcementLevel.MANDATORY
    assert by_name["hipaa_stack_advisory"].enforcement_level is EnforcementLevel.ADVISORY
    assert _stack_checks(by_name["hipaa_stack_mandatory"]) == STACK_MANDATORY
    assert _stack_checks(by_name["hipaa_stack_advisory"]) == STACK_ADVISORY
    # Every check is in exactly one place.
    every = [*RESOURCE_POLICIES, *STACK_MANDATORY, *STACK_ADVISORY]
    assert sorted(every) == sorted(c.id for c in build_registry())
    assert sorted(c.id for c in build_registry() if needs_stack(c)) == sorted(
        STACK_MANDATORY + STACK_ADVISORY
    )
    # medium: mandatory under the default profile's threshold, advisory under a high one
    high = {p.name: p for p in build_policies(mandatory_from=Severity.HIGH)}
    assert "s3_bucket_versioning_enabled" in _stack_checks(high["hipaa_stack_advisory"])
    assert "s3_bucket_versioning_enabled" not in _stack_checks(high["hipaa_stack_mandatory"])


def test_enforcement_threshold_is_an_argument():
    strict = build_policies(mandatory_from=Severity.LOW)
    assert {p.enforcement_level for p in strict} == {EnforcementLevel.MANDATORY}
    lenient = build_policies(mandatory_from=Severity.CRITICAL)
    rds = next(p for p in lenient if p.name == "rds_storage_encrypted_cmk")
    assert rds.enforcement_level is EnforcementLevel.ADVISORY


def test_reads_inventory_looks_at_the_check_body():
    def alone(res, inv):
        return passed("ok")

    def joined(res, inv):
        return passed(str(len(inv)))

    def captured(res, inv):
        return passed(str([r for r in inv]))

    assert not reads_inventory(alone)
    assert reads_inventory(joined)
    assert reads_inventory(captured)
    assert reads_inventory(lambda *args: None)
