"""The change-audit function's stack exports (config `changeAuditStackExports` and
`changeAuditStackExportsKey`): the handler is told where they are, its role may read exactly
those objects (and decrypt them through S3 only), its data deny leaves out exactly those, and
nothing else changes."""

from __future__ import annotations

import json
import re
import sys

import pytest

from checks.errors import InputError
from checks.evaluate import evaluate
from checks.library import build_registry
from checks.registry import Status
from tests.program.stack import REPO, Stack, by_sid
from tests.program.test_change_audit_component import component_verdicts

sys.path.insert(0, str(REPO / "stacks"))
import auditor_permissions  # noqa: E402

FUNCTION = "aws:lambda/function:Function"
POLICY = "aws:iam/policy:Policy"
ROLE_ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
COMPONENT = "hipaa-safeguard:billing:ChangeAudit"
PROD_EXPORT = "s3://acme-pulumi-state/exports/prod.json"
DEV_EXPORT = "s3://acme-pulumi-state/exports/dev.json"
STATE_KEY = "arn:aws:kms:us-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
EXPORTS = {
    "changeAudit": "true",
    "changeAuditStackExports": json.dumps([PROD_EXPORT, DEV_EXPORT]),
    "changeAuditStackExportsKey": STATE_KEY,
}


@pytest.fixture(scope="module")
def with_exports() -> Stack:
    return Stack.load("dev", overrides=EXPORTS)


def test_the_function_is_told_where_the_exports_are(with_exports: Stack):
    variables = with_exports.one(FUNCTION, "change-audit").props["environment"]["variables"]
    assert sorted(variables) == ["SAFEGUARD_ALERT_TOPIC_ARN", "SAFEGUARD_STACK_STATE"]
    assert variables["SAFEGUARD_STACK_STATE"] == f"{PROD_EXPORT},{DEV_EXPORT}"


def test_the_role_may_read_exactly_the_exports_and_decrypt_them_through_s3(with_exports: Stack):
    policy = with_exports.one(POLICY, "change-audit-stack-exports-policy")
    assert by_sid(policy) == {
        "ReadTheStackExports": {
            "Sid": "ReadTheStackExports",
            "Effect": "Allow",
            "Action": "s3:GetObject",
            "Resource": [
                "arn:aws:s3:::acme-pulumi-state/exports/dev.json",
                "arn:aws:s3:::acme-pulumi-state/exports/prod.json",
            ],
        },
        "DecryptTheStackExports": {
            "Sid": "DecryptTheStackExports",
            "Effect": "Allow",
            "Action": "kms:Decrypt",
            "Resource": STATE_KEY,
            # The key's region: S3 asks KMS in the bucket's region, which is the key's.
            "Condition": {"StringEquals": {"kms:ViaService": "s3.us-west-2.amazonaws.com"}},
        },
    }
    (attached,) = [
        a for a in with_exports.of(ROLE_ATTACHMENT) if a.props["policy_arn"] == policy.arn
    ]
    assert attached.props["role"] == "hipaa-billing-dev-change-audit"


def test_the_data_deny_leaves_out_exactly_the_exports_and_their_key(with_exports: Stack):
    deny = by_sid(with_exports.one(POLICY, "change-audit-deny-data-policy"))
    assert deny == {
        "DenyDataAccess": {
            "Sid": "DenyDataAccess",
            "Effect": "Deny",
            "Action": sorted(auditor_permissions.DATA_ACCESS_DENIED),
            "NotResource": sorted([
                _alerts_key(with_exports),
                STATE_KEY,
                "arn:aws:s3:::acme-pulumi-state/exports/dev.json",
                "arn:aws:s3:::acme-pulumi-state/exports/prod.json",
            ]),
        }
    }  # fmt: skip
    assert "s3:GetObject" in deny["DenyDataAccess"]["Action"]
    assert "kms:Decrypt" in deny["DenyDataAccess"]["Action"]


def test_without_a_key_nothing_is_decrypted_and_only_the_objects_are_left_out():
    stack = Stack.load(
        "dev", overrides={"changeAudit": "true", "changeAuditStackExports": PROD_EXPORT}
    )
    exports = by_sid(stack.one(POLICY, "change-audit-stack-exports-policy"))
    assert list(exports) == ["ReadTheStackExports"]
    assert exports["ReadTheStackExports"]["Resource"] == (
        "arn:aws:s3:::acme-pulumi-state/exports/prod.json"
    )
    deny = by_sid(stack.one(POLICY, "change-audit-deny-data-policy"))["DenyDataAccess"]
    assert deny["NotResource"] == sorted(
        [_alerts_key(stack), "arn:aws:s3:::acme-pulumi-state/exports/prod.json"]
    )
    assert "Resource" not in deny
    variables = stack.one(FUNCTION, "change-audit").props["environment"]["variables"]
    assert variables["SAFEGUARD_STACK_STATE"] == PROD_EXPORT


def _alerts_key(stack: Stack) -> str:
    """The key the function's environment, the alerts topic and its dead letters use."""
    key = stack.one(FUNCTION, "change-audit").props["kms_key_arn"]
    assert key.startswith("arn:aws:kms:us-east-1:123456789012:key/")
    return key


def test_with_no_exports_the_deny_leaves_out_only_the_alerts_key_and_nothing_is_granted():
    """Publishing to the encrypted alerts topic and dead-letter queue needs kms:Decrypt on the
    alerts key (SNS and SQS ask it of the sender): the one key the deny leaves out."""
    audited = Stack.load("dev", overrides={"changeAudit": "true"})
    deny = by_sid(audited.one(POLICY, "change-audit-deny-data-policy"))
    assert deny == {
        "DenyDataAccess": {
            "Sid": "DenyDataAccess",
            "Effect": "Deny",
            "Action": sorted(auditor_permissions.DATA_ACCESS_DENIED),
            "NotResource": _alerts_key(audited),
        }
    }
    assert [p.name for p in audited.of(POLICY) if "stack-exports" in p.name] == []
    variables = audited.one(FUNCTION, "change-audit").props["environment"]["variables"]
    assert list(variables) == ["SAFEGUARD_ALERT_TOPIC_ARN"]


@pytest.mark.parametrize(
    ("overrides", "line"),
    [
        (
            {"changeAuditStackExports": "https://acme-pulumi-state/prod.json"},
            "config 'changeAuditStackExports': 'https://acme-pulumi-state/prod.json' "
            "is not s3://BUCKET/KEY",
        ),
        (
            {"changeAuditStackExports": "s3://acme-pulumi-state"},
            "config 'changeAuditStackExports': 's3://acme-pulumi-state' is not s3://BUCKET/KEY",
        ),
        (
            {"changeAuditStackExports": "s3://Acme_State/prod.json"},
            "config 'changeAuditStackExports': 's3://Acme_State/prod.json' is not s3://BUCKET/KEY",
        ),
        (
            {"changeAuditStackExports": "s3://acme-pulumi-state/exports/*"},
            "config 'changeAuditStackExports': 's3://acme-pulumi-state/exports/*' is a pattern "
            "(*, ? or ${...}): name one object",
        ),
        (
            {"changeAuditStackExports": "s3://acme-pulumi-state/${aws:username}.json"},
            "config 'changeAuditStackExports': 's3://acme-pulumi-state/${aws:username}.json' "
            "is a pattern (*, ? or ${...}): name one object",
        ),
        (
            {"changeAuditStackExports": json.dumps(["s3://acme-pulumi-state/a,b.json"])},
            "config 'changeAuditStackExports': 's3://acme-pulumi-state/a,b.json' has a comma, "
            "which the function's comma-separated list cannot carry",
        ),
        (
            {"changeAuditStackExports": "s3://acme-pulumi-state/exports/"},
            "config 'changeAuditStackExports': 's3://acme-pulumi-state/exports/' names a "
            "folder, not an object",
        ),
        (
            {"changeAuditStackExports": PROD_EXPORT, "changeAuditStackExportsKey": "*"},
            "config 'changeAuditStackExportsKey': '*' is not a KMS key ARN",
        ),
        (
            {
                "changeAuditStackExports": PROD_EXPORT,
                "changeAuditStackExportsKey": "arn:aws:kms:us-west-2:123456789012:alias/state",
            },
            "config 'changeAuditStackExportsKey': "
            "'arn:aws:kms:us-west-2:123456789012:alias/state' is not a KMS key ARN",
        ),
        (
            {"changeAuditStackExportsKey": STATE_KEY},
            "config 'changeAuditStackExportsKey': set without changeAuditStackExports",
        ),
    ],
)
def test_a_bad_export_setting_is_refused_in_one_line_naming_key_and_value(
    overrides: dict[str, str], line: str
):
    with pytest.raises(InputError) as refused:
        Stack.load("dev", overrides={"changeAudit": "true", **overrides})
    message = str(refused.value)
    assert "\n" not in message
    assert re.sub(r"^.*the program raised ConfigError: ", "", message) == line


def test_our_checks_find_nothing_open_on_the_component_with_exports(with_exports: Stack):
    open_, passed = component_verdicts(with_exports)
    assert open_ == []
    assert {
        ("iam_policy_no_kms_decrypt_all_keys", "change-audit-stack-exports-policy"),
        ("iam_policy_no_kms_decrypt_all_keys", "change-audit-deny-data-policy"),
        ("iam_policy_no_full_service_access", "change-audit-stack-exports-policy"),
        ("iam_policy_no_admin_access", "change-audit-deny-data-policy"),
        ("lambda_env_no_plaintext_secrets", "change-audit"),
    } <= passed


def test_prod_with_the_change_audit_and_exports_passes_every_check():
    stack = Stack.load("prod", overrides=EXPORTS)
    evaluation = evaluate(stack.inventory, build_registry())
    assert [
        (f.check.id, f.resource and f.resource.name, f.message)
        for f in evaluation.findings
        if f.status in (Status.FAIL, Status.NOT_EVALUATED)
    ] == []
    assert stack.one(POLICY, "change-audit-stack-exports-policy").props["name"] == (
        "hipaa-billing-prod-change-audit-stack-exports"
    )


def test_security_hub_turns_on_the_import_and_grants_only_the_default_product():
    stack = Stack.load("dev", overrides={"changeAudit": "true", "changeAuditSecurityHub": "true"})
    variables = stack.one(FUNCTION, "change-audit").props["environment"]["variables"]
    assert variables["SAFEGUARD_SECURITY_HUB"] == "true"
    run = by_sid(stack.one(POLICY, "change-audit-run-policy"))
    assert run["ImportFindings"] == {
        "Sid": "ImportFindings",
        "Effect": "Allow",
        "Action": "securityhub:BatchImportFindings",
        "Resource": "arn:aws:securityhub:us-east-1:123456789012:product/123456789012/default",
    }


def test_security_hub_is_off_by_default():
    stack = Stack.load("dev", overrides={"changeAudit": "true"})
    variables = stack.one(FUNCTION, "change-audit").props["environment"]["variables"]
    assert "SAFEGUARD_SECURITY_HUB" not in variables
    assert "ImportFindings" not in by_sid(stack.one(POLICY, "change-audit-run-policy"))
