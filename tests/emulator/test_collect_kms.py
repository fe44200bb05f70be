"""The KMS collectors against the emulator: keys collect with the props the program scan gives,
console changes (rotation off, a key scheduled for deletion or disabled, a key policy open to
anyone) fail the right check naming the key, and a denied call hides only what it read."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import botocore.client
import botocore.exceptions
import pytest

from checks.evaluate import Evaluation, evaluate
from checks.library import build_registry
from checks.model import Inventory
from checks.registry import Status
from checks.sources.aws.emulator import EMULATED_ACCOUNT
from checks.sources.aws.services import kms as kms_collectors
from checks.sources.aws.services.kms import ALIAS, KEY, KEY_TYPES
from checks.sources.aws.session import AwsOptions
from checks.sources.aws.source import AwsSource
from checks.sources.base import Collected
from checks.sources.program import scan_program
from checks.sources.registry import SourceRequest

REPO = Path(__file__).resolve().parents[2]
KEY_CHECKS = {"kms_key_rotation_enabled", "kms_key_policy_no_wildcard_principal", "kms_key_enabled"}
OPEN_POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Sid": "Anyone", "Effect": "Allow", "Principal": {"AWS": "*"},
                   "Action": "kms:*", "Resource": "*"}],
}  # fmt: skip
# Props a program gives that the key's live configuration does not hold: the deletion window is
# an input of the provider's delete, and the emulator does not return the rotation period.
NOT_READ_BACK = {"deletion_window_in_days", "rotation_period_in_days"}


def audit(aws) -> tuple[Collected, Evaluation]:
    source = AwsSource(kms_collectors.COLLECTORS)
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


def make_key(kms, description: str = "phi", rotate: bool = True, **kwargs) -> str:
    tags = [{"TagKey": "data-classification", "TagValue": "ePHI"}]
    key_id = kms.create_key(Description=description, Tags=tags, **kwargs)["KeyMetadata"]["KeyId"]
    if rotate:
        kms.enable_key_rotation(KeyId=key_id)
    return key_id


@pytest.mark.parametrize(
    "program,stack", [(REPO, "prod"), (REPO / "tests/guarantee_program", "dev")]
)
def test_keys_collect_back_as_the_program_declared_them(aws, program, stack):
    scan = scan_program(program, stack)
    declared = [r for r in scan.resources if r.type == KEY]
    kms = aws.client("kms")
    made = {}
    for res in declared:
        spec = (
            {"KeySpec": res.props["customer_master_key_spec"]}
            if ("customer_master_key_spec" in res.props)
            else {}
        )
        usage = {"KeyUsage": res.props["key_usage"]} if "key_usage" in res.props else {}
        key_id = kms.create_key(
            Description=res.props["description"], Policy=res.props["policy"], **spec, **usage,
            Tags=[{"TagKey": k, "TagValue": v} for k, v in res.props["tags"].items()],
        )["KeyMetadata"]["KeyId"]  # fmt: skip
        if res.props.get("enable_key_rotation"):
            kms.enable_key_rotation(KeyId=key_id)
        made[res.props["description"]] = key_id
    collected, live_eval = audit(aws)
    assert collected.gaps == {}
    live = {r.props["description"]: r for r in collected.resources if r.type == KEY}
    assert sorted(live) == sorted(made)
    for res in declared:
        twin = live[res.props["description"]]
        for key, value in res.props.items():
            if key in NOT_READ_BACK:
                continue
            got = twin.props.get(key)
            assert (json.loads(got) if key == "policy" else got) == (
                json.loads(value) if key == "policy" else value
            ), (res.name, key)
        assert twin.id == twin.props["key_id"] == made[res.props["description"]]
        assert twin.arn == f"arn:aws:kms:us-east-1:{EMULATED_ACCOUNT}:key/{twin.id}"
    program_eval = evaluate(Inventory(scan.resources), build_registry())
    for finding in program_eval.findings:
        if finding.resource is not None and finding.resource.type == KEY:
            twin = live[finding.resource.props["description"]]
            assert statuses(live_eval, finding.check.id)[twin.name] == finding.status


def test_a_secure_key_passes_and_its_alias_names_it(aws):
    kms = aws.client("kms")
    key_id = make_key(kms)
    kms.create_alias(AliasName="alias/phi", TargetKeyId=key_id)
    collected, evaluation = audit(aws)
    for check_id in KEY_CHECKS:
        assert statuses(evaluation, check_id) == {key_id: Status.PASS}, check_id
    [alias] = [r for r in collected.resources if r.type == ALIAS]  # AWS's own aliases left out
    assert alias.props == {
        "name": "alias/phi", "arn": f"arn:aws:kms:us-east-1:{EMULATED_ACCOUNT}:alias/phi",
        "target_key_id": key_id,
        "target_key_arn": f"arn:aws:kms:us-east-1:{EMULATED_ACCOUNT}:key/{key_id}",
    }  # fmt: skip
    [key] = [r for r in collected.resources if r.type == KEY]
    assert key.props["tags"] == {"data-classification": "ePHI"}
    assert key.props["customer_master_key_spec"] == "SYMMETRIC_DEFAULT"


def test_rotation_turned_off_fails(aws):
    kms = aws.client("kms")
    key_id = make_key(kms)
    kms.disable_key_rotation(KeyId=key_id)
    _, evaluation = audit(aws)
    assert statuses(evaluation, "kms_key_rotation_enabled") == {key_id: Status.FAIL}


def test_a_key_scheduled_for_deletion_fails_and_says_so(aws):
    kms = aws.client("kms")
    key_id, kept = make_key(kms, "doomed"), make_key(kms, "kept")
    kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    collected, evaluation = audit(aws)
    assert statuses(evaluation, "kms_key_enabled") == {key_id: Status.FAIL, kept: Status.PASS}
    finding = next(f for f in evaluation.findings
                   if f.check.id == "kms_key_enabled" and f.resource.name == key_id)  # fmt: skip
    assert "scheduled for deletion" in finding.message
    doomed = next(r for r in collected.resources if r.name == key_id)
    assert doomed.props["key_state"] == "PendingDeletion" and "deletion_date" in doomed.props
    # AWS does not rotate a key while it awaits deletion.
    assert statuses(evaluation, "kms_key_rotation_enabled")[key_id] is Status.FAIL


def test_a_disabled_key_fails(aws):
    kms = aws.client("kms")
    key_id = make_key(kms)
    kms.disable_key(KeyId=key_id)
    _, evaluation = audit(aws)
    finding = next(f for f in evaluation.findings if f.check.id == "kms_key_enabled")
    assert finding.status is Status.FAIL and "disabled" in finding.message


def test_a_key_policy_open_to_anyone_fails(aws):
    kms = aws.client("kms")
    key_id = make_key(kms)
    kms.put_key_policy(KeyId=key_id, PolicyName="default", Policy=json.dumps(OPEN_POLICY))
    _, evaluation = audit(aws)
    assert statuses(evaluation, "kms_key_policy_no_wildcard_principal") == {key_id: Status.FAIL}


def test_an_asymmetric_key_is_not_asked_to_rotate(aws):
    key_id = make_key(aws.client("kms"), rotate=False, KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")
    collected, evaluation = audit(aws)
    assert statuses(evaluation, "kms_key_rotation_enabled") == {key_id: Status.NOT_APPLICABLE}
    [key] = collected.resources
    assert key.props["customer_master_key_spec"] == "RSA_2048"


def test_a_denied_list_makes_the_key_checks_not_evaluated_and_nothing_else(aws, monkeypatch):
    kms = aws.client("kms")
    make_key(kms)
    kms.create_alias(AliasName="alias/phi", TargetKeyId=make_key(kms, "other"))
    _, before = audit(aws)
    deny(monkeypatch, "ListKeys")
    collected, after = audit(aws)
    assert set(collected.gaps) == set(KEY_TYPES)
    assert "access denied to ListKeys (AccessDeniedException)" in collected.gaps[KEY]
    assert [r.type for r in collected.resources] == [ALIAS]
    for finding in after.findings:
        if finding.check.id in KEY_CHECKS:
            assert finding.status is Status.NOT_EVALUATED and "ListKeys" in finding.message
    others = {(f.check.id, f.status, f.message) for f in after.findings
              if f.check.id not in KEY_CHECKS}  # fmt: skip
    assert others == {(f.check.id, f.status, f.message) for f in before.findings
                      if f.check.id not in KEY_CHECKS}  # fmt: skip


def test_one_unreadable_key_policy_hides_that_key_not_every_key(aws, monkeypatch):
    kms = aws.client("kms")
    shut, open_ = make_key(kms, "shut out"), make_key(kms, "readable")
    deny(monkeypatch, "GetKeyPolicy", lambda params: params.get("KeyId") == shut)
    collected, evaluation = audit(aws)
    assert [r.name for r in collected.resources if r.type == KEY] == [open_]
    assert f"the key arn:aws:kms:us-east-1:{EMULATED_ACCOUNT}:key/{shut}" in collected.gaps[KEY]
    for check_id in KEY_CHECKS:
        found = statuses(evaluation, check_id)
        # The readable key is judged; the unread one is said to be unseen, never passed.
        assert found == {open_: Status.PASS, None: Status.NOT_EVALUATED}, check_id


def test_the_collectors_never_use_a_key(aws, monkeypatch):
    make_key(aws.client("kms"))
    seen: list[str] = []
    original = botocore.client.BaseClient._make_api_call

    def spy(self, name, params):
        seen.append(name)
        return original(self, name, params)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", spy)
    audit(aws)
    declared = {a.split(":")[1] for c in kms_collectors.COLLECTORS for a in c.actions}
    assert set(seen) - {"GetCallerIdentity"} == declared
    assert not {"Decrypt", "Encrypt", "GenerateDataKey", "ReEncrypt"} & set(seen)
