"""The live audit's guarantees, on the billing system deployed in the emulator with ePHI in it:

- least privilege: the deployed auditor role, under IAM enforced by moto, is refused nothing
  the audit asks and sees exactly what the emulator's admin sees; the same role is refused the
  data and anything it is not granted;
- failures are data: with one service denied, that service's checks are NOT_EVALUATED with the
  reason, every other finding is unchanged, and `safeguard audit` exits 3;
- ePHI-blind: no secret value, parameter value, object body, item or log event reaches any
  artifact of `safeguard audit --format all` or its output, and every call is a configuration
  read the role is granted, never a read of the data.

The prod stack is deployed once per module (per test process); these tests never use the `aws`
fixture, which would empty the account.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

import botocore.exceptions
import pytest

from checks.evaluate import Evaluation
from checks.registry import Status
from checks.sources.aws.collectors import all_collectors
from checks.sources.aws.emulator import EMULATED_ACCOUNT
from tests.emulator.audit_trace import (
    DATA_READS,
    Call,
    artifact_texts,
    trace_calls,
    types_needing,
    types_of,
)
from tests.emulator.billing_account import (
    AUDITOR_ROLE,
    DENIED,
    GRANTED,
    LOG_STREAM,
    OBJECT_KEY,
    PARAMETER,
    Billing,
    admin_env,
    audit,
    audit_command,
    command_env,
    deploy_billing,
    outcomes,
    recorded_outcomes,
    without_bucket_policy,
)
from tests.emulator.gap_effects import hidden_checks
from tests.emulator.iam_enforcement import (
    Enforcement,
    RoleSession,
    assume,
    enforced,
    matches,
    policy_actions,
)

# Needs no permission in AWS (and moto answers it whatever the policies say).
UNCONDITIONAL = frozenset({"sts:GetCallerIdentity"})
# Operations moto 5.2 does not route at all: it answers 404 before authorizing anything.
UNROUTED = frozenset(
    {
        "backup:GetBackupVaultAccessPolicy",
        "backup:GetBackupVaultNotifications",
        "backup:ListRestoreTestingPlans",
        "securityhub:GetEnabledStandards",
    }
)
# A gate that blocks on every failure but only on unknowns of critical checks: the emulator's
# own gaps (Backup selections and restore testing, WAF associations) hide checks of high
# severity at most, so a run exits 0 unless something else could not be seen.
GATE = """name: unknown-criticals
description: Block on every failure, and on unknowns of critical checks only.
fail_on: low
not_evaluated_blocks: mandatory
mandatory_from: critical
"""


@pytest.fixture(scope="module")
def billing(emulator) -> Billing:
    deployed = deploy_billing(emulator)
    print(f"\nbilling system deployed and seeded in {deployed.seconds:.1f} s")
    return deployed


@dataclass(frozen=True)
class Runs:
    """The whole audit read with the emulator's admin credentials, then as the auditor role
    under IAM enforcement, with its calls traced on both sides."""

    admin: Evaluation
    auditor: Evaluation
    calls: list[Call]
    seen: Enforcement
    session: RoleSession


@pytest.fixture(scope="module")
def runs(billing, emulator) -> Runs:
    with pytest.MonkeyPatch.context() as env:
        admin_env(env)
        admin = audit(billing.endpoint)
        session = assume(billing.client("sts"), billing.auditor_arn)
        with enforced(emulator, env) as seen:
            for key, value in session.env.items():
                env.setenv(key, value)
            calls = trace_calls(env)
            auditor = audit(billing.endpoint)
    return Runs(admin, auditor, calls, seen, session)


def test_the_deployed_auditor_role_holds_exactly_the_auditor_permissions(billing):
    allowed, denied = policy_actions(billing.client("iam"), AUDITOR_ROLE)
    assert allowed == GRANTED
    assert denied == DENIED


def test_the_seeded_ephi_is_in_the_account(billing):
    """The markers are really there: an audit that could read data would find them."""
    (bucket,) = billing.report.find("aws:s3/bucket:Bucket", "billing-documents")
    s3 = billing.client("s3")
    with without_bucket_policy(s3, bucket.id):
        body = s3.get_object(Bucket=bucket.id, Key=OBJECT_KEY)["Body"].read().decode()
    value = billing.client("ssm").get_parameter(Name=PARAMETER, WithDecryption=True)
    assert (body, value["Parameter"]["Value"]) == (
        billing.markers["object"],
        billing.markers["parameter"],
    )
    assert set(billing.markers) == {"secret", "parameter", "object", "item", "log event"}


FRESH_TRAIL = ("cloudtrail_cloudwatch_logs", "a newly started trail may not have delivered yet")


def test_the_auditor_role_sees_everything_under_iam_enforcement(runs):
    assert runs.seen.actions(allowed=False) == set()
    assert {principal for principal, _, _ in runs.seen.decisions} == {
        f"arn:aws:sts::{EMULATED_ACCOUNT}:assumed-role/{AUDITOR_ROLE}/least-privilege-audit"
    }
    assert runs.seen.actions() - GRANTED == UNCONDITIONAL
    # Not one verdict differs from the admin's, and what neither could see is the emulator's.
    assert outcomes(runs.auditor) == outcomes(runs.admin)
    statuses = Counter(f.status for f in runs.auditor.findings)
    # + 2: ssm_patch_compliant and ssm_association_compliant, as the emulator does not answer
    # DescribeInstanceInformation (Systems Manager's managed nodes are a gap).
    # (The account-wide backup check that was one of the six is now per file system, and the
    # billing system has none.)
    # + 1: cloudtrail_cloudwatch_logs, as moto never reports a CloudWatch Logs delivery and the
    # trail started logging minutes ago (a first delivery may still be due).
    assert (statuses[Status.FAIL], statuses[Status.NOT_EVALUATED]) == (0, 5 + 2 + 1)
    for finding in runs.auditor.findings:
        if finding.status is Status.NOT_EVALUATED and finding.check.id == FRESH_TRAIL[0]:
            assert FRESH_TRAIL[1] in finding.message, finding.message
        elif finding.status is Status.NOT_EVALUATED:
            assert "the endpoint does not implement" in finding.message, finding.message
        assert "denied" not in finding.message.lower(), finding.message


def test_moto_authorized_every_call_of_every_service(runs):
    """Enforcement covered the whole audit: each action called reached moto's authorization,
    but for the operations moto does not route at all."""
    called = {call.action for call in runs.calls}
    assert called - runs.seen.actions() == UNROUTED
    assert {a.split(":")[0] for a in called} == {a.split(":")[0] for a in GRANTED}


def test_every_call_is_a_granted_configuration_read_and_none_reads_data(runs):
    assert len(runs.calls) > 150
    declared = {action for c in all_collectors() for action in c.actions}
    for call in runs.calls:
        assert call.reads_configuration, call
        assert matches(call.action, GRANTED) and call.action in declared, call
        assert call.action not in DATA_READS, call
        assert not call.params.get("WithDecryption"), call
    assert not runs.seen.actions() & DATA_READS


def _refused(attempt: Any) -> int:
    """The HTTP status of the refusal (moto answers JSON services' refusals in XML, which
    their clients cannot read: the status is what every client sees)."""
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        attempt()
    return int(raised.value.response["ResponseMetadata"]["HTTPStatusCode"])


def test_the_auditor_role_is_refused_the_data_and_whatever_it_is_not_granted(
    billing, runs, emulator, monkeypatch
):
    role = {k.lower(): v for k, v in runs.session.env.items()}
    s3, ddb, logs = (billing.client(s, **role) for s in ("s3", "dynamodb", "logs"))
    (bucket,) = billing.report.find("aws:s3/bucket:Bucket", "billing-documents")
    (table,) = billing.report.find("aws:dynamodb/table:Table")
    group = billing.report.find("aws:cloudwatch/logGroup:LogGroup")[0].id
    db = billing.client("rds").describe_db_instances()["DBInstances"][0]
    attempts = {
        "s3:GetObject": lambda: s3.get_object(Bucket=bucket.id, Key=OBJECT_KEY),
        "dynamodb:Scan": lambda: ddb.scan(TableName=table.id),
        "dynamodb:GetItem": lambda: ddb.get_item(
            TableName=table.id, Key={"session_id": {"S": "s-0001"}}
        ),
        "secretsmanager:GetSecretValue": lambda: billing.client(
            "secretsmanager", **role
        ).get_secret_value(SecretId=db["MasterUserSecret"]["SecretArn"]),
        "ssm:GetParameter": lambda: billing.client("ssm", **role).get_parameter(
            Name=PARAMETER, WithDecryption=True
        ),
        "logs:GetLogEvents": lambda: logs.get_log_events(
            logGroupName=group, logStreamName=LOG_STREAM
        ),
        "logs:FilterLogEvents": lambda: logs.filter_log_events(logGroupName=group),
        # Neither granted nor denied outright: refused all the same.
        "s3:PutObject": lambda: s3.put_object(Bucket=bucket.id, Key="x", Body=b"x"),
        "iam:ListGroups": lambda: billing.client("iam", **role).list_groups(),
        "ec2:DescribeKeyPairs": lambda: billing.client("ec2", **role).describe_key_pairs(),
    }
    # (The bucket's policy is lifted: moto would refuse every object request for it.)
    with (
        without_bucket_policy(billing.client("s3"), bucket.id),
        enforced(emulator, monkeypatch) as seen,
    ):
        codes = {action: _refused(attempt) for action, attempt in attempts.items()}
        assert len(s3.list_buckets()["Buckets"]) == 3  # a granted read goes through
    assert codes == {action: 403 for action in attempts}
    # ... each refused by IAM, as the action AWS would name.
    assert seen.actions(allowed=False) == set(attempts)
    assert seen.actions(allowed=True) == {"s3:ListAllMyBuckets"}


@pytest.mark.parametrize("service", ["rds", "iam", "s3", "kms", "elasticloadbalancing"])
def test_a_denied_service_hides_its_checks_and_nothing_else(
    service, billing, runs, emulator, monkeypatch
):
    admin_env(monkeypatch)
    with enforced(emulator, monkeypatch) as seen:
        for key, value in runs.session.env.items():
            monkeypatch.setenv(key, value)
        seen.refuse(f"{service}:*")
        denied = audit(billing.endpoint)
    refused = {t: why for t, why in denied.inventory.gaps.items() if "denied" in why}
    assert types_of(service) <= set(refused) <= types_needing(service)
    for why in refused.values():
        assert re.search(r"access denied to \w+ \((AccessDenied|HTTP 403)\)", why), why
    # Every finding that changed is NOT_EVALUATED and says why; every check of the service's
    # types that judged something is among them.
    changed = hidden_checks(runs.auditor, denied, "access denied to ")
    direct = {f.check.id for f in runs.auditor.findings
              if set(f.check.resource_types) & types_of(service)}  # fmt: skip
    assert direct and direct <= changed
    # Every other finding is the same, resource by resource.
    assert {o for o in outcomes(denied) if o[0] not in changed} == {
        o for o in outcomes(runs.auditor) if o[0] not in changed
    }
    assert denied.count(Status.FAIL) == 0


def test_the_audit_command_exits_3_when_a_service_is_denied(
    billing, runs, emulator, monkeypatch, tmp_path
):
    gate = tmp_path / "gate.yaml"
    gate.write_text(GATE)
    env, options = command_env(runs.session.env), ("--format", "json", "--profile", str(gate), "-q")
    with enforced(emulator, monkeypatch) as seen:
        whole = audit_command(tmp_path / "whole", env, billing.endpoint, *options)
        seen.refuse("rds:*")
        denied = audit_command(tmp_path / "denied", env, billing.endpoint, *options)
    assert (whole.returncode, denied.returncode) == (0, 3), whole.stderr + denied.stderr
    before, after = (
        json.loads((tmp_path / run / "safeguard-scan.json").read_text())
        for run in ("whole", "denied")
    )
    was, now = recorded_outcomes(before), recorded_outcomes(after)
    assert was == outcomes(runs.auditor)
    changed = {o[0] for o in was ^ now}
    assert {o[0] for o in was if o[0].startswith("rds_")} <= changed
    assert {o for o in was if o[0] not in changed} == {o for o in now if o[0] not in changed}
    assert {o[2] for o in now - was} == {Status.NOT_EVALUATED}
    for finding in after["findings"]:
        if finding["check_id"] in changed and finding["status"] == "NOT_EVALUATED":
            assert re.search(r"access denied to Describe\w+ \(AccessDenied\)", finding["message"])
    gaps = {t for g in after["source"]["not_collected"] if "denied" in g["reason"]
            for t in g["types"]}  # fmt: skip
    assert gaps == types_needing("rds")
    assert Counter(f["status"] for f in after["findings"])["FAIL"] == 0


def test_no_ephi_reaches_any_artifact_or_output(billing, runs, emulator, monkeypatch, tmp_path):
    out = tmp_path / "out"
    with enforced(emulator, monkeypatch) as seen:
        env = command_env(runs.session.env)
        proc = audit_command(out, env, billing.endpoint, "--format", "all")
    texts = artifact_texts(out)
    assert len(texts) == 9  # eight formats and the manifest
    # Each is read as its reader sees it (the PDF through its text): the account's report.
    assert "aws:123456789012" in texts["safeguard-report.pdf"]
    assert "123456789012" in texts["safeguard-scan.json"]
    outputs = {"stdout": proc.stdout, "stderr": proc.stderr, **texts}
    for where, marker in billing.markers.items():
        for name, text in outputs.items():
            assert marker not in text, f"the {where} marker is in {name}"
        for path in out.iterdir():
            assert marker.encode() not in path.read_bytes(), f"the {where} marker is in {path}"
    assert proc.returncode == 3, proc.stderr  # nothing failed; the emulator's gaps remain
    # What the command asked the emulator: granted configuration reads only, none refused.
    assert seen.actions(allowed=False) == set()
    assert seen.actions() - GRANTED == UNCONDITIONAL
    assert not seen.actions() & DATA_READS
    assert seen.actions() == runs.seen.actions()
