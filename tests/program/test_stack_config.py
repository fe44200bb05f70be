"""The stacks as a whole: prod passes the check library, dev differs only where waived, config
cannot weaken a safeguard by accident, and secrets never surface."""

from __future__ import annotations

import fnmatch
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from checks.errors import InputError
from checks.evaluate import evaluate
from checks.library import build_registry
from checks.model import SECRET
from checks.registry import Status
from tests.program.stack import REPO, Stack, by_sid

WAIVERS = REPO / "policies" / "waivers" / "dev.yaml"
SAFEGUARD = Path(sys.executable).with_name("safeguard")
WEBHOOK = "https://events.example-pager.invalid/integration/c0ffee-S3CR3T-t0ken/enqueue"


def _open_findings(stack: Stack) -> list:
    evaluation = evaluate(stack.inventory, build_registry())
    return [f for f in evaluation.findings if f.status in (Status.FAIL, Status.NOT_EVALUATED)]


def test_prod_passes_every_check_of_the_library(prod: Stack):
    assert [
        (f.check.id, f.resource and f.resource.name, f.message) for f in _open_findings(prod)
    ] == []


def _covers(waiver: dict, check_id: str, urn: str | None) -> bool:
    if waiver["check"] != check_id or urn is None:
        return False
    if "resource_pattern" in waiver:
        return fnmatch.fnmatchcase(urn, waiver["resource_pattern"])
    return urn in waiver["resources"]


def test_dev_differs_from_prod_only_where_a_waiver_says_why(dev: Stack):
    waivers = yaml.safe_load(WAIVERS.read_text())["waivers"]
    open_findings = _open_findings(dev)
    assert all(f.status is Status.FAIL for f in open_findings)
    unwaived = [
        (f.check.id, f.resource.urn)
        for f in open_findings
        if not any(_covers(w, f.check.id, f.resource.urn) for w in waivers)
    ]
    assert unwaived == []
    stale = [
        w["id"]
        for w in waivers
        if not any(_covers(w, f.check.id, f.resource.urn) for f in open_findings)
    ]
    assert stale == [], "a waiver that covers no failing finding should be removed"
    for waiver in waivers:
        assert waiver["type"] in ("risk_acceptance", "false_positive", "compensating_control")
        assert waiver["approved"] < waiver["expires"]
        assert len(waiver["justification"]) > 40 and waiver["approver"]


@pytest.mark.parametrize(
    ("stack", "override", "message"),
    [
        ("prod", {"multiAz": "false"}, "multiAz"),
        ("prod", {"backupRetentionDays": "14"}, "backupRetentionDays"),
        ("prod", {"auditLogRetentionDays": "365"}, "auditLogRetentionDays"),
        ("prod", {"vaultLockMode": "governance"}, "vaultLockMode"),
        ("prod", {"objectLockMode": "governance"}, "objectLockMode"),
        ("dev", {"tlsPolicy": "ELBSecurityPolicy-2016-08"}, "tlsPolicy"),
        ("dev", {"backupRetentionDays": "1"}, "backupRetentionDays"),
        ("dev", {"logRetentionDays": "30"}, "logRetentionDays"),
        ("dev", {"objectLockYears": "1"}, "objectLockYears"),
        ("dev", {"dbAuditLogClasses": "none"}, "dbAuditLogClasses"),
        ("dev", {"azCount": "1"}, "azCount"),
    ],
)
def test_config_below_the_floor_is_refused_with_the_key_named(
    stack: str, override: dict[str, str], message: str
):
    with pytest.raises(InputError, match=re.escape(f"config '{message}'")):
        Stack.load(stack, overrides=override)


def test_organisation_managed_accounts_leave_account_singletons_alone():
    stack = Stack.load("dev", overrides={"accountBaseline": "false"})
    for singleton in (
        "aws:guardduty/detector:Detector",
        "aws:securityhub/account:Account",
        "aws:cfg/recorder:Recorder",
        "aws:iam/accountPasswordPolicy:AccountPasswordPolicy",
        "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock",
        "aws:ebs/encryptionByDefault:EncryptionByDefault",
    ):
        assert stack.of(singleton) == [], singleton
    assert stack.of("aws:rds/instance:Instance")


def test_a_secret_webhook_reaches_its_subscription_but_no_scan_output(tmp_path: Path):
    proc = subprocess.run(
        [
            str(SAFEGUARD),
            "scan",
            str(REPO),
            "--stack",
            "prod",
            "--out",
            str(tmp_path),
            "--secret",
            f"alertWebhookUrl={WEBHOOK}",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    outputs = [proc.stdout, proc.stderr] + [p.read_text() for p in tmp_path.iterdir()]
    assert not any("S3CR3T" in text for text in outputs)
    report = json.loads((tmp_path / "safeguard-scan.json").read_text())
    assert report["inventory"]["by_type"]["aws:sns/topicSubscription:TopicSubscription"] == 1


def test_the_webhook_subscription_is_https_and_its_endpoint_stays_secret():
    stack = Stack.load("prod", secret_overrides={"alertWebhookUrl": WEBHOOK})
    (subscription,) = stack.of("aws:sns/topicSubscription:TopicSubscription")
    assert subscription.props["protocol"] == "https"
    # Secret, and judged on the plaintext the user gave; no representation of it shows that.
    assert subscription.props["endpoint"] == SECRET
    assert subscription.value("endpoint") == WEBHOOK
    assert "S3CR3T" not in repr([dict(r.props) for r in stack.resources])


def _declared_keys() -> dict[str, dict]:
    return yaml.safe_load((REPO / "Pulumi.yaml").read_text())["config"]


def test_every_config_key_is_documented_and_every_stack_states_its_choices():
    readme = (REPO / "stacks" / "README.md").read_text()
    declared = _declared_keys()
    for key in [*declared, "alertWebhookUrl"]:
        assert f"`{key}`" in readme, f"{key} is not documented in stacks/README.md"
    required = {k for k, v in declared.items() if "default" not in v}
    for stack in ("dev", "prod"):
        config = yaml.safe_load((REPO / f"Pulumi.{stack}.yaml").read_text())["config"]
        keys = {k.split(":", 1)[1] for k in config if k.startswith("hipaa-billing:")}
        assert required <= keys, f"Pulumi.{stack}.yaml misses {sorted(required - keys)}"
        assert keys <= set(declared), f"Pulumi.{stack}.yaml sets undeclared keys"


def test_optional_knobs_build_what_they_promise():
    stack = Stack.load(
        "dev",
        overrides={
            "hostedZoneId": "Z0123456789ABCDEFGHIJ",
            "alertEmails": '["security@practice.example", "oncall@practice.example"]',
            "auditorAutomationPrincipalArns": '["arn:aws:iam::123456789012:role/ci-audit"]',
            "auditorExternalId": "audit-2026",
            "httpRedirect": "false",
        },
    )
    records = {r.name: r for r in stack.of("aws:route53/record:Record")}
    assert set(records) == {"alb-alias", "certificate-validation"}
    validation = stack.one(
        "aws:acm/certificateValidation:CertificateValidation", "certificate-validation"
    )
    assert validation.props["validation_record_fqdns"]
    emails = stack.of("aws:sns/topicSubscription:TopicSubscription")
    assert sorted(s.props["endpoint"] for s in emails) == [
        "oncall@practice.example",
        "security@practice.example",
    ]
    trust = by_sid(stack.one("aws:iam/role:Role", "auditor-role"), "assume_role_policy")
    assert trust["AuditAutomation"]["Condition"] == {
        "StringEquals": {"sts:ExternalId": "audit-2026"}
    }
    assert "Condition" in trust["AuditorsWithMfa"]
    assert [r.name for r in stack.of("aws:lb/listener:Listener")] == ["https"]
    ingress = stack.of("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
    assert not [r for r in ingress if r.props.get("from_port") == 80]
    public_acl = stack.one("aws:ec2/networkAcl:NetworkAcl", "public-network-acl")
    assert not [e for e in public_acl.props["ingress"] if e["from_port"] == 80]


def test_an_existing_certificate_is_served_instead_of_a_new_one():
    arn = "arn:aws:acm:us-east-1:123456789012:certificate/0f0e0d0c-0b0a-0908-0706-050403020100"
    stack = Stack.load("dev", overrides={"certificateArn": arn})
    assert stack.of("aws:acm/certificate:Certificate") == []
    assert stack.one("aws:lb/listener:Listener", "https").props["certificate_arn"] == arn
