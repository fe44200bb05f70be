"""Keys per data domain; MFA, roles and short sessions for people; least privilege for the app."""

from __future__ import annotations

import json
import sys

import pytest

from tests.program.stack import REPO, Stack, by_sid, listed, statements

sys.path.insert(0, str(REPO / "stacks"))
import auditor_permissions  # noqa: E402

KEY = "aws:kms/key:Key"
ROLE = "aws:iam/role:Role"
POLICY = "aws:iam/policy:Policy"
ROLE_ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
GROUP_ATTACHMENT = "aws:iam/groupPolicyAttachment:GroupPolicyAttachment"
DOMAINS = {"alerts", "audit", "backup", "database", "documents", "logs", "sessions", "volumes"}


def test_every_data_domain_has_its_own_rotated_key_with_a_month_to_undo_deletion(stack: Stack):
    keys = stack.of(KEY)
    assert {k.props["tags"]["key-domain"] for k in keys} == DOMAINS
    for key in keys:
        assert key.props["enable_key_rotation"] is True
        assert key.props["deletion_window_in_days"] == 30
        assert key.props["customer_master_key_spec"] == "SYMMETRIC_DEFAULT"


def test_key_policies_name_no_wildcard_principal_and_pin_services(stack: Stack):
    for key in stack.of(KEY):
        for statement in statements(key):
            principal = statement["Principal"]
            assert principal != "*" and "*" not in listed(principal.get("AWS", [])), key.name
            if "Service" in principal:
                assert statement.get("Condition"), f"{key.name}: {statement['Sid']} unpinned"


def test_each_store_is_encrypted_with_its_own_domain_key(stack: Stack):
    db = stack.one("aws:rds/instance:Instance", "billing-db")
    table = stack.one("aws:dynamodb/table:Table", "sessions")
    vault = stack.one("aws:backup/vault:Vault", "vault")
    topic = stack.one("aws:sns/topic:Topic", "security-alerts")
    assert stack.key_domain(db.props["kms_key_id"]) == "database"
    assert stack.key_domain(table.props["server_side_encryption"]["kms_key_arn"]) == "sessions"
    assert stack.key_domain(vault.props["kms_key_arn"]) == "backup"
    assert stack.key_domain(topic.props["kms_master_key_id"]) == "alerts"


def test_password_policy_is_strong(stack: Stack):
    (policy,) = stack.of("aws:iam/accountPasswordPolicy:AccountPasswordPolicy")
    assert policy.props["minimum_password_length"] >= 14
    assert policy.props["password_reuse_prevention"] >= 24
    assert 0 < policy.props["max_password_age"] <= 90
    for flag in ("lowercase", "uppercase", "numbers", "symbols"):
        key = f"require_{flag}" if flag in ("numbers", "symbols") else f"require_{flag}_characters"
        assert policy.props[key] is True


def test_every_group_denies_all_but_mfa_setup_without_mfa(stack: Stack):
    require_mfa = stack.one(POLICY, "require-mfa-policy")
    deny = by_sid(require_mfa)["DenyAllExceptMfaSetupWithoutMfa"]
    assert deny["Effect"] == "Deny" and "Action" not in deny
    assert "iam:EnableMFADevice" in deny["NotAction"] and "s3:GetObject" not in deny["NotAction"]
    assert deny["Condition"] == {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}
    groups = stack.of("aws:iam/group:Group")
    assert len(groups) == 2
    for group in groups:
        attached = {
            a.props["policy_arn"]
            for a in stack.of(GROUP_ATTACHMENT)
            if a.props["group"] == group.props["name"]
        }
        assert require_mfa.arn in attached, group.name


def _people_roles(stack: Stack) -> list:
    return [r for r in stack.of(ROLE) if r.name in ("auditor-role", "break-glass-role")]


def test_roles_people_assume_require_recent_mfa_and_end_sessions_within_an_hour(stack: Stack):
    for role in _people_roles(stack):
        assert role.props["max_session_duration"] == 3600
        for statement in statements(role, "assume_role_policy"):
            condition = statement["Condition"]
            assert condition["Bool"] == {"aws:MultiFactorAuthPresent": "true"}, role.name
            assert int(condition["NumericLessThan"]["aws:MultiFactorAuthAge"]) <= 3600


def test_service_roles_trust_one_service_for_this_account(stack: Stack):
    for role in stack.of(ROLE):
        if role in _people_roles(stack):
            continue
        (statement,) = statements(role, "assume_role_policy")
        assert list(statement["Principal"]) == ["Service"], role.name
        assert role.props["max_session_duration"] == 3600
        if role.name != "backup-role":  # AWS Backup does not send aws:SourceAccount
            assert statement["Condition"]["StringEquals"]["aws:SourceAccount"] == "123456789012"


def test_no_policy_is_inline(stack: Stack):
    for role in stack.of(ROLE):
        assert not role.props.get("inline_policies")
    assert not stack.of("aws:iam/rolePolicy:RolePolicy")
    assert not stack.of("aws:iam/groupPolicy:GroupPolicy")


def _attached_documents(stack: Stack, role_name: str) -> list[dict]:
    role = stack.one(ROLE, role_name)
    arns = [
        a.props["policy_arn"]
        for a in stack.of(ROLE_ATTACHMENT)
        if a.props["role"] == role.props["name"]
    ]
    return [json.loads(stack.ref(arn).props["policy"]) for arn in arns if ":aws:policy/" not in arn]


READS = ("List", "Describe", "Get", "BatchGet")


def test_auditor_role_holds_exactly_the_audit_actions_and_cannot_read_data(stack: Stack):
    documents = _attached_documents(stack, "auditor-role")
    allowed = sorted(
        a
        for d in documents
        for s in d["Statement"]
        if s["Effect"] == "Allow"
        for a in listed(s["Action"])
    )
    assert allowed == sorted(auditor_permissions.all_actions())
    # Reads only: List/Describe/Get/BatchGet, the credential report it generates, and API
    # Gateway's one read action (AWS names its reads by the HTTP verb).
    also = {"iam:GenerateCredentialReport", "apigateway:GET"}
    assert [a for a in allowed if not (a.split(":")[1].startswith(READS) or a in also)] == []
    denied = [
        a
        for d in documents
        for s in d["Statement"]
        if s["Effect"] == "Deny"
        for a in listed(s["Action"])
    ]
    assert {"s3:GetObject", "secretsmanager:GetSecretValue", "kms:Decrypt"} <= set(denied)
    for document in documents:
        assert len(json.dumps(document, separators=(",", ":"))) <= 6144  # managed policy limit


@pytest.mark.parametrize(
    "action",
    [
        "rds:DescribeDBInstances",
        "s3:GetBucketPolicy",
        "kms:GetKeyRotationStatus",
        "iam:GetAccountPasswordPolicy",
        "wafv2:GetWebACL",
        "securityhub:DescribeHub",
    ],
)
def test_auditor_permissions_cover_what_the_live_audit_reads(action: str):
    assert auditor_permissions.grants(action)
    assert auditor_permissions.grants(action.lower())


def test_auditor_permissions_report_what_a_collector_would_be_refused():
    assert auditor_permissions.missing(["s3:GetObject", "rds:DescribeDBInstances"]) == [
        "s3:GetObject"
    ]


def test_app_role_reaches_only_its_own_data_through_its_own_keys(stack: Stack):
    (document,) = _attached_documents(stack, "app-role")
    sids = {s["Sid"]: s for s in document["Statement"]}
    for statement in document["Statement"]:
        assert statement["Effect"] == "Allow"
        assert "*" not in listed(statement["Resource"]), statement["Sid"]
        assert not any(a.endswith(":*") for a in listed(statement["Action"]))
    documents_bucket = stack.one("aws:s3/bucket:Bucket", "billing-documents").props["bucket"]
    assert sids["ReadWriteBillingDocuments"]["Resource"] == (f"arn:aws:s3:::{documents_bucket}/*")
    assert stack.key_domain(sids["UseDocumentsKeyThroughS3"]["Resource"]) == "documents"
    assert stack.key_domain(sids["UseSessionsKeyThroughDynamoDb"]["Resource"]) == "sessions"
    assert sids["ConnectToDatabaseWithIamToken"]["Resource"].endswith("/billing_app")
    trust = statements(stack.one(ROLE, "app-role"), "assume_role_policy")[0]
    assert trust["Principal"] == {"Service": "ecs-tasks.amazonaws.com"}


def test_break_glass_role_is_alarmed(stack: Stack):
    role = stack.one(ROLE, "break-glass-role")
    assert role.props["tags"]["emergency-access"] == "break-glass"
    role_arn = f"arn:aws:iam::123456789012:role/hipaa-billing/{role.props['name']}"
    log_filter = stack.one(
        "aws:cloudwatch/logMetricFilter:LogMetricFilter", "break-glass-role-assumed-filter"
    )
    assert f'$.requestParameters.roleArn = "{role_arn}"' in log_filter.props["pattern"]
    attached = {
        a.props["policy_arn"]
        for a in stack.of(ROLE_ATTACHMENT)
        if a.props["role"] == role.props["name"]
    }
    assert not any(arn.endswith("/AdministratorAccess") for arn in attached)
