"""The change-audit component (stacks/billing/change_audit.py): off by default; when on, an
EventBridge rule on exactly the calls the handler reads, a Lambda running the handler with the
auditor's read-only role, findings to the alerts topic, and nothing our own checks would fail."""

from __future__ import annotations

import json
import sys

import pytest

from checks.evaluate import evaluate
from checks.library import build_registry
from checks.registry import Status
from checks.sources.aws.events import audited_names, audited_sources
from scripts.handler.entry import TOPIC_VARIABLE
from scripts.handler.security_hub import SECURITY_HUB_VARIABLE
from scripts.handler.stack import STATE_VARIABLE
from tests.program.stack import REPO, Stack, by_sid, listed, statements

sys.path.insert(0, str(REPO / "stacks"))
import auditor_permissions  # noqa: E402
from billing import change_audit  # noqa: E402

FUNCTION = "aws:lambda/function:Function"
RULE = "aws:cloudwatch/eventRule:EventRule"
TARGET = "aws:cloudwatch/eventTarget:EventTarget"
PERMISSION = "aws:lambda/permission:Permission"
QUEUE = "aws:sqs/queue:Queue"
QUEUE_POLICY = "aws:sqs/queuePolicy:QueuePolicy"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
ROLE = "aws:iam/role:Role"
ROLE_ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
TOPIC = "aws:sns/topic:Topic"
COMPONENT = "hipaa-safeguard:billing:ChangeAudit"
RULE_ARN = "arn:aws:events:us-east-1:123456789012:rule/hipaa-billing-dev-change-audit"


@pytest.fixture(scope="module")
def audited() -> Stack:
    return Stack.load("dev", overrides={"changeAudit": "true"})


def _allowed(stack: Stack, role_name: str) -> list[dict]:
    """The Allow statements of the customer-managed policies attached to a role."""
    role = stack.one(ROLE, role_name)
    arns = [
        a.props["policy_arn"]
        for a in stack.of(ROLE_ATTACHMENT)
        if a.props["role"] == role.props["name"]
    ]
    return [s for arn in arns for s in statements(stack.ref(arn)) if s["Effect"] == "Allow"]


def test_the_stacks_deploy_no_change_audit_unless_asked(stack: Stack):
    assert [c.name for c in stack.scan.components if c.type == COMPONENT] == []
    assert stack.of(FUNCTION) == []
    assert stack.of(QUEUE) == []


def test_the_flag_builds_the_component_with_its_resources(audited: Stack):
    (component,) = [c for c in audited.scan.components if c.type == COMPONENT]
    assert component.name == "change-audit"
    assert sorted((r.type, r.name) for r in audited.children("change-audit")) == sorted(
        [
            (RULE, "change-audit"),
            (TARGET, "change-audit-target"),
            (LOG_GROUP, "change-audit-logs"),
            ("aws:iam/policy:Policy", "change-audit-deny-data-policy"),
            ("aws:iam/policy:Policy", "change-audit-read-1-policy"),
            ("aws:iam/policy:Policy", "change-audit-run-policy"),
            (ROLE, "change-audit-role"),
            (ROLE_ATTACHMENT, "change-audit-deny-data-policy"),
            (ROLE_ATTACHMENT, "change-audit-read-1-policy"),
            (ROLE_ATTACHMENT, "change-audit-run-policy"),
            (FUNCTION, "change-audit"),
            (PERMISSION, "change-audit-invoke"),
            (QUEUE, "change-audit-dlq"),
            (QUEUE_POLICY, "change-audit-dlq-policy"),
        ]
    )


def test_the_component_lists_exactly_the_calls_the_handler_reads():
    assert list(change_audit.AUDITED_SOURCES) == audited_sources()
    assert list(change_audit.AUDITED_NAMES) == audited_names()
    assert change_audit.TOPIC_VARIABLE == TOPIC_VARIABLE
    assert change_audit.STATE_VARIABLE == STATE_VARIABLE
    assert change_audit.SECURITY_HUB_VARIABLE == SECURITY_HUB_VARIABLE


def test_the_rule_matches_successful_audited_calls_on_the_default_bus(audited: Stack):
    rule = audited.one(RULE, "change-audit")
    assert rule.props["event_bus_name"] == "default"
    assert rule.props["state"] == "ENABLED"
    assert json.loads(rule.props["event_pattern"]) == {
        "detail-type": ["AWS API Call via CloudTrail"],
        "detail": {
            "eventSource": audited_sources(),
            "eventName": audited_names(),
            "errorCode": [{"exists": False}],
        },
    }


def test_the_function_runs_the_handler_and_names_the_alerts_topic(audited: Stack):
    function = audited.one(FUNCTION, "change-audit")
    assert function.props["runtime"] == "python3.11"
    assert function.props["handler"] == "scripts.handler.entry.handle"
    assert function.props["code"] == {"__object__": "FileArchive"}
    variables = function.props["environment"]["variables"]
    assert list(variables) == ["SAFEGUARD_ALERT_TOPIC_ARN"]
    assert variables["SAFEGUARD_ALERT_TOPIC_ARN"] == audited.one(TOPIC, "security-alerts").arn
    assert audited.key_domain(function.props["kms_key_arn"]) == "alerts"
    assert function.props["tracing_config"] == {"mode": "Active"}
    dead_letters = audited.one(QUEUE, "change-audit-dlq").arn
    assert function.props["dead_letter_config"]["target_arn"] == dead_letters
    assert function.props["role"] == audited.one(ROLE, "change-audit-role").arn


def test_only_the_rule_may_invoke_the_function(audited: Stack):
    permission = audited.one(PERMISSION, "change-audit-invoke")
    assert permission.props["principal"] == "events.amazonaws.com"
    assert permission.props["action"] == "lambda:InvokeFunction"
    assert permission.props["source_account"] == "123456789012"
    assert permission.props["source_arn"] == audited.one(RULE, "change-audit").arn
    assert permission.props["function"] == "hipaa-billing-dev-change-audit"
    target = audited.one(TARGET, "change-audit-target")
    assert target.props["rule"] == "hipaa-billing-dev-change-audit"
    assert target.props["arn"] == audited.one(FUNCTION, "change-audit").arn
    assert target.props["dead_letter_config"]["arn"] == audited.one(QUEUE, "change-audit-dlq").arn
    assert target.props["retry_policy"]["maximum_event_age_in_seconds"] == 3600


def test_the_role_publishes_to_the_alerts_topic_with_its_key(audited: Stack):
    allowed = _allowed(audited, "change-audit-role")
    publish = [s for s in allowed if "sns:Publish" in listed(s["Action"])]
    assert len(publish) == 1
    assert publish[0]["Resource"] == audited.one(TOPIC, "security-alerts").arn
    envelope = [s for s in allowed if "kms:GenerateDataKey*" in listed(s["Action"])]
    assert [sorted(listed(s["Action"])) for s in envelope] == [
        ["kms:Decrypt", "kms:GenerateDataKey*"]
    ]
    assert audited.key_domain(envelope[0]["Resource"]) == "alerts"


def test_the_role_reads_what_the_auditor_reads_and_never_the_data(audited: Stack):
    allowed = _allowed(audited, "change-audit-role")
    reads = sorted(a for s in allowed if s["Sid"] == "AuditReadOnly" for a in listed(s["Action"]))
    assert reads == list(auditor_permissions.all_actions())
    deny = by_sid(audited.one("aws:iam/policy:Policy", "change-audit-deny-data-policy"))
    assert deny["DenyDataAccess"]["Effect"] == "Deny"
    assert sorted(listed(deny["DenyDataAccess"]["Action"])) == sorted(
        auditor_permissions.DATA_ACCESS_DENIED
    )
    trust = json.loads(audited.one(ROLE, "change-audit-role").props["assume_role_policy"])
    (only,) = trust["Statement"]
    assert only["Principal"] == {"Service": "lambda.amazonaws.com"}
    assert only["Condition"] == {"StringEquals": {"aws:SourceAccount": "123456789012"}}


def test_dead_letters_are_encrypted_and_only_the_rule_may_send_them(audited: Stack):
    queue = audited.one(QUEUE, "change-audit-dlq")
    assert audited.key_domain(queue.props["kms_master_key_id"]) == "alerts"
    assert queue.props["message_retention_seconds"] == 1209600
    sids = by_sid(audited.one(QUEUE_POLICY, "change-audit-dlq-policy"))
    assert sids["UndeliveredEventsFromTheRule"]["Principal"] == {"Service": "events.amazonaws.com"}
    assert sids["UndeliveredEventsFromTheRule"]["Condition"] == {
        "ArnEquals": {"aws:SourceArn": RULE_ARN}
    }
    assert sids["DenyInsecureTransport"]["Effect"] == "Deny"


def test_the_log_group_is_encrypted_and_kept_as_the_stack_says(audited: Stack):
    logs = audited.one(LOG_GROUP, "change-audit-logs")
    assert logs.props["name"] == "/aws/lambda/hipaa-billing-dev-change-audit"
    assert logs.props["retention_in_days"] == 365
    assert audited.key_domain(logs.props["kms_key_id"]) == "logs"
    function = audited.one(FUNCTION, "change-audit")
    assert function.props["logging_config"]["log_group"] == logs.props["name"]


def component_verdicts(stack: Stack) -> tuple[list[tuple[str, str, str]], set[tuple[str, str]]]:
    """Our checks on the component's resources: the open findings (FAIL, NOT_EVALUATED or
    WAIVED, with their messages) and the (check, resource) pairs that pass."""
    findings = [
        f
        for f in evaluate(stack.inventory, build_registry()).findings
        if f.resource is not None and f.resource.urn and COMPONENT in f.resource.urn
    ]
    open_ = [
        (f.check.id, f.resource.name, f.message)
        for f in findings
        if f.status in (Status.FAIL, Status.NOT_EVALUATED, Status.WAIVED)
    ]
    passed = {(f.check.id, f.resource.name) for f in findings if f.status is Status.PASS}
    return open_, passed


def test_our_checks_find_nothing_open_on_the_component(audited: Stack):
    open_, passed = component_verdicts(audited)
    assert open_ == []
    assert {
        ("lambda_permission_not_public", "change-audit-invoke"),
        ("lambda_env_encrypted_cmk", "change-audit"),
        ("lambda_env_no_plaintext_secrets", "change-audit"),
        ("lambda_supported_runtime", "change-audit"),
        ("sqs_queue_encrypted", "change-audit-dlq"),
        ("messaging_policy_not_public", "change-audit-dlq"),
        ("log_group_kms_encrypted", "change-audit-logs"),
        ("log_group_retention", "change-audit-logs"),
        ("iam_no_inline_policies", "change-audit-role"),
    } <= passed


def test_a_relative_archive_path_is_read_from_the_repository_root():
    assert change_audit.archive_path("build/handler") == str(REPO / "build" / "handler")
    assert change_audit.archive_path("/opt/handler") == "/opt/handler"
