"""The identity checks of groups, inline policies, AWS managed policies and the root user's MFA
device, on what the IAM collectors read from the emulator. (moto cannot give the root user an
MFA device: its account summary always says AccountMFAEnabled 0.)"""

from __future__ import annotations

import json

import pytest
from moto.iam.models import iam_backends

from checks.registry import Status
from checks.sources.aws.emulator import EMULATED_ACCOUNT
from tests.emulator.test_collect_iam import MFA_POLICY, audit, secure_account, verdicts

AWS = "arn:aws:iam::aws:policy/"
ECS_TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                   "Principal": {"Service": "ecs.amazonaws.com"}}],
}  # fmt: skip


@pytest.fixture
def iam_aws(aws, emulator, monkeypatch):
    """The emulated account with AWS's managed policies (PowerUserAccess, ...) in it."""
    monkeypatch.setenv("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
    emulator.reset()
    return aws


def test_groups_enforce_mfa_whether_or_not_anyone_is_in_them(iam_aws):
    iam = iam_aws.client("iam")
    secure_account(iam)  # operators: an inline MFA policy, alice in it
    mfa = iam.create_policy(PolicyName="require-mfa", PolicyDocument=json.dumps(MFA_POLICY))
    iam.create_group(GroupName="auditors")  # no member: people are added by hand later
    iam.attach_group_policy(GroupName="auditors", PolicyArn=mfa["Policy"]["Arn"])
    iam.attach_group_policy(GroupName="auditors", PolicyArn=f"{AWS}ReadOnlyAccess")
    iam.create_group(GroupName="contractors")
    iam.attach_group_policy(GroupName="contractors", PolicyArn=f"{AWS}AmazonS3FullAccess")
    iam.create_group(GroupName="empty")
    collected, evaluation = audit(iam_aws)
    assert collected.gaps == {}
    assert verdicts(evaluation, "iam_group_mfa_enforced") == {
        "operators": Status.PASS, "auditors": Status.PASS, "contractors": Status.FAIL,
        "empty": Status.NOT_APPLICABLE,
    }  # fmt: skip
    [contractors] = [
        f for f in evaluation.findings
        if f.check.id == "iam_group_mfa_enforced" and f.resource.name == "contractors"
    ]  # fmt: skip
    assert dict(contractors.evidence) == {
        "mfa_policies": [], "policies_seen": [f"{AWS}AmazonS3FullAccess"],
    }  # fmt: skip
    full = verdicts(evaluation, "iam_no_full_access_managed_policy_attached")
    assert full["contractors/AmazonS3FullAccess"] is Status.FAIL
    assert full["auditors/ReadOnlyAccess"] is Status.PASS


def test_inline_policies_fail_on_the_principal_that_holds_them(iam_aws):
    iam = iam_aws.client("iam")
    secure_account(iam)
    _, evaluation = audit(iam_aws)
    assert verdicts(evaluation, "iam_no_inline_policies") == {
        "operators": Status.FAIL, "alice": Status.PASS, "break-glass": Status.PASS,
    }  # fmt: skip


def test_power_user_is_for_the_mfa_only_break_glass_role_alone(iam_aws):
    iam = iam_aws.client("iam")
    secure_account(iam)  # break-glass: assumable only with MFA
    iam.create_role(RoleName="ops", AssumeRolePolicyDocument=json.dumps(ECS_TRUST))
    for role in ("break-glass", "ops"):
        iam.attach_role_policy(RoleName=role, PolicyArn=f"{AWS}PowerUserAccess")
    iam.attach_role_policy(RoleName="ops", PolicyArn=f"{AWS}IAMFullAccess")
    _, evaluation = audit(iam_aws)
    attached = verdicts(evaluation, "iam_no_administrator_access_attached")
    assert attached == {
        "break-glass/PowerUserAccess": Status.NOT_APPLICABLE,
        "ops/PowerUserAccess": Status.FAIL, "ops/IAMFullAccess": Status.FAIL,
        "break-glass": Status.PASS, "ops": Status.PASS,
    }  # fmt: skip


def test_root_without_an_mfa_device_fails_the_hardware_check(iam_aws):
    secure_account(iam_aws.client("iam"))
    _, evaluation = audit(iam_aws)
    [finding] = [f for f in evaluation.findings if f.check.id == "iam_root_hardware_mfa"]
    assert (finding.status, dict(finding.evidence)) == (
        Status.FAIL,
        {"root_virtual_mfa_devices": []},
    )
    assert finding.message == "the root user has no MFA device at all"
    # No API gives the emulator's root user an MFA device: told in its memory, with none of
    # its virtual devices assigned to root, the device is a hardware one.
    iam_backends[EMULATED_ACCOUNT]["aws"].account_summary._account_mfa_enabled = 1
    _, evaluation = audit(iam_aws)
    [finding] = [f for f in evaluation.findings if f.check.id == "iam_root_hardware_mfa"]
    assert (finding.status, dict(finding.evidence)) == (
        Status.PASS,
        {"root_virtual_mfa_devices": []},
    )
