"""The Secrets Manager collector against the emulator: secrets' metadata collects with the props
the program scan gives (never the value), rotation is split off as the provider splits it, the
console changes fail the right check naming the secret, and a denied call hides only what it
read."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import botocore.client
import botocore.exceptions
from moto.secretsmanager.models import secretsmanager_backends

from checks.evaluate import Evaluation, evaluate
from checks.library import build_registry
from checks.model import Inventory
from checks.registry import Status
from checks.sources.aws.collect import Collector
from checks.sources.aws.emulator import EMULATED_ACCOUNT
from checks.sources.aws.services import kms as kms_collectors
from checks.sources.aws.services import secretsmanager as secret_collectors
from checks.sources.aws.services.secretsmanager import SECRET, SECRET_ROTATION
from checks.sources.aws.session import AwsOptions
from checks.sources.aws.source import AwsSource
from checks.sources.base import Collected
from checks.sources.program import scan_program
from checks.sources.registry import SourceRequest

REPO = Path(__file__).resolve().parents[2]
SECRET_CHECKS = {"secret_rotation_enabled", "secret_encrypted_cmk"}
VALUE = "hunter2-not-for-any-report"
# Props a program gives that a secret's configuration does not hold: the recovery window is an
# input of the provider's delete.
NOT_READ_BACK = {"recovery_window_in_days"}


def audit(aws, *others: Collector) -> tuple[Collected, Evaluation]:
    source = AwsSource([*secret_collectors.COLLECTORS, *others])
    collected = source.collect(SourceRequest(extra={"aws": AwsOptions(endpoint_url=aws.endpoint)}))
    inventory = Inventory(collected.resources, gaps=collected.gaps)
    return collected, evaluate(inventory, build_registry())


def statuses(evaluation: Evaluation, check_id: str) -> dict[str | None, Status]:
    return {(f.resource.name if f.resource else None): f.status
            for f in evaluation.findings if f.check.id == check_id}  # fmt: skip


def deny(monkeypatch, operation: str, when: Callable[[dict], bool] = lambda params: True):
    original = botocore.client.BaseClient._make_api_call

    def call(self, name, params):
        if name == operation and when(params):
            error = {"Error": {"Code": "AccessDeniedException", "Message": "not authorized"}}
            raise botocore.exceptions.ClientError(error, name)
        return original(self, name, params)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", call)


def rotate(client, name: str, days: int) -> None:
    # The emulator invokes a rotation Lambda it cannot run; without one it records the schedule.
    client.rotate_secret(SecretId=name, RotationRules={"AutomaticallyAfterDays": days},
                         RotateImmediately=False)  # fmt: skip


def secure_secret(aws, name: str = "billing/db") -> str:
    key = aws.client("kms").create_key(Description="secrets")["KeyMetadata"]["Arn"]
    client = aws.client("secretsmanager")
    client.create_secret(Name=name, SecretString=VALUE, KmsKeyId=key,
                         Tags=[{"Key": "data-classification", "Value": "ePHI"}])  # fmt: skip
    rotate(client, name, 30)
    return key


def test_a_secret_collects_back_as_the_program_declared_it(aws):
    scan = scan_program(REPO / "tests/guarantee_program", "dev")
    [declared] = [r for r in scan.resources if r.type == SECRET]
    [rotation] = [r for r in scan.resources if r.type == SECRET_ROTATION]
    client = aws.client("secretsmanager")
    client.create_secret(
        Name=declared.props["name"], SecretString=VALUE,
        Description=declared.props["description"], KmsKeyId=declared.props["kms_key_id"],
        Tags=[{"Key": k, "Value": v} for k, v in declared.props["tags"].items()],
    )  # fmt: skip
    days = rotation.props["rotation_rules"]["automatically_after_days"]
    rotate(client, declared.props["name"], days)
    collected, live_eval = audit(aws)
    assert collected.gaps == {}
    [secret] = [r for r in collected.resources if r.type == SECRET]
    [live_rotation] = [r for r in collected.resources if r.type == SECRET_ROTATION]
    for key, value in declared.props.items():
        if key not in NOT_READ_BACK:
            assert secret.props[key] == value, key
    assert secret.id == secret.arn == secret.props["arn"]
    assert secret.arn.startswith(
        f"arn:aws:secretsmanager:us-east-1:{EMULATED_ACCOUNT}:secret:{declared.props['name']}-"
    )
    # The program names the secret by name, AWS by ARN: both name the same secret.
    assert live_rotation.props["secret_id"] == secret.arn
    assert live_rotation.props["rotation_rules"] == rotation.props["rotation_rules"]
    assert live_rotation.props["rotation_enabled"] is True
    program_eval = evaluate(Inventory(scan.resources), build_registry())
    for finding in program_eval.findings:
        if finding.resource is not None and finding.resource.type == SECRET:
            live = statuses(live_eval, finding.check.id)
            assert live == {secret.name: finding.status}, finding.check.id


def test_a_secure_secret_passes_and_its_value_is_never_read(aws, monkeypatch):
    secure_secret(aws)
    seen: list[str] = []
    original = botocore.client.BaseClient._make_api_call

    def spy(self, name, params):
        seen.append(name)
        return original(self, name, params)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", spy)
    collected, evaluation = audit(aws)
    for check_id in SECRET_CHECKS:
        assert statuses(evaluation, check_id) == {"billing/db": Status.PASS}, check_id
    assert set(seen) - {"GetCallerIdentity"} == {"ListSecrets", "GetResourcePolicy"}
    assert VALUE not in repr([(r.props, r.id, r.arn, r.name) for r in collected.resources])


def test_a_secret_on_the_aws_managed_key_fails(aws):
    client = aws.client("secretsmanager")
    client.create_secret(Name="plain", SecretString=VALUE)
    rotate(client, "plain", 30)
    collected, evaluation = audit(aws)
    assert statuses(evaluation, "secret_encrypted_cmk") == {"plain": Status.FAIL}
    [secret] = [r for r in collected.resources if r.type == SECRET]
    assert secret.props["kms_key_id"] == ""


def test_rotation_turned_off_or_too_slow_fails(aws):
    secure_secret(aws, "stopped")
    secure_secret(aws, "slow")
    client = aws.client("secretsmanager")
    # Turned off in the console: the emulator's CancelRotateSecret wants a rotation Lambda it
    # cannot run, so the switch is turned off in the emulator itself.
    emulated = secretsmanager_backends[EMULATED_ACCOUNT]["us-east-1"]
    emulated.secrets["stopped"].rotation_enabled = False
    rotate(client, "slow", 180)
    secure_secret(aws, "monthly")
    client.create_secret(Name="unrotated", SecretString=VALUE,
                         KmsKeyId=aws.client("kms").create_key()["KeyMetadata"]["Arn"])  # fmt: skip
    collected, evaluation = audit(aws)
    assert statuses(evaluation, "secret_rotation_enabled") == {
        "stopped": Status.FAIL, "slow": Status.FAIL, "monthly": Status.PASS,
        "unrotated": Status.FAIL,
    }  # fmt: skip
    stopped = next(r for r in collected.resources
                   if r.type == SECRET_ROTATION and r.name == "stopped")  # fmt: skip
    assert stopped.props["rotation_enabled"] is False
    assert not [r for r in collected.resources
                if r.type == SECRET_ROTATION and r.name == "unrotated"]  # fmt: skip


def test_a_resource_policy_is_collected(aws):
    secure_secret(aws)
    policy = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{EMULATED_ACCOUNT}:root"},
        "Action": "secretsmanager:DescribeSecret", "Resource": "*"}]}  # fmt: skip
    aws.client("secretsmanager").put_resource_policy(SecretId="billing/db",
                                                     ResourcePolicy=json.dumps(policy))  # fmt: skip
    collected, _ = audit(aws)
    [secret] = [r for r in collected.resources if r.type == SECRET]
    assert json.loads(secret.props["policy"]) == policy


def test_a_denied_list_makes_the_secret_checks_not_evaluated_and_nothing_else(aws, monkeypatch):
    secure_secret(aws)  # and its key, which the KMS collector reads on both runs
    _, before = audit(aws, *kms_collectors.COLLECTORS)
    deny(monkeypatch, "ListSecrets")
    collected, after = audit(aws, *kms_collectors.COLLECTORS)
    assert set(collected.gaps) == {SECRET, SECRET_ROTATION}
    assert "access denied to ListSecrets (AccessDeniedException)" in collected.gaps[SECRET]
    assert [r.type for r in collected.resources] == ["aws:kms/key:Key"]
    for finding in after.findings:
        if finding.check.id in SECRET_CHECKS:
            assert finding.status is Status.NOT_EVALUATED and "ListSecrets" in finding.message
    others = {(f.check.id, f.status, f.message) for f in after.findings
              if f.check.id not in SECRET_CHECKS}  # fmt: skip
    assert others == {(f.check.id, f.status, f.message) for f in before.findings
                      if f.check.id not in SECRET_CHECKS}  # fmt: skip


def test_one_unreadable_secret_hides_it_not_every_secret(aws, monkeypatch):
    secure_secret(aws, "readable")
    secure_secret(aws, "shut")
    deny(monkeypatch, "GetResourcePolicy", lambda params: "secret:shut-" in params["SecretId"])
    collected, evaluation = audit(aws)
    assert [r.name for r in collected.resources if r.type == SECRET] == ["readable"]
    assert "the secret shut: access denied to GetResourcePolicy" in collected.gaps[SECRET]
    for check_id in SECRET_CHECKS:
        found = statuses(evaluation, check_id)
        assert found == {"readable": Status.PASS, None: Status.NOT_EVALUATED}, check_id
