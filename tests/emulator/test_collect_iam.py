"""The IAM collectors against the emulator: a secure account passes, console changes fail the
right check naming the resource, and a denied call hides only what it read, with the reason.
(The shape of what they collect, against the program scan: `test_collect_iam_shape.py`.)"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import botocore.client
import botocore.exceptions
import pytest
from moto.core.utils import utcnow
from moto.iam.models import iam_backends

from checks.evaluate import Evaluation, evaluate
from checks.library import build_registry
from checks.model import Inventory, Resource
from checks.registry import Status
from checks.sources.aws.emulator import EMULATED_ACCOUNT
from checks.sources.aws.services import iam as iam_collectors
from checks.sources.aws.services.iam import PASSWORD_POLICY, PRINCIPAL_TYPES
from checks.sources.aws.services.iam_credentials import ACCESS_KEY, LOGIN_PROFILE
from checks.sources.aws.session import AwsOptions
from checks.sources.aws.source import AwsSource
from checks.sources.base import Collected
from checks.sources.registry import SourceRequest
from checks.support.resource_types import CREDENTIAL_REPORT_ROW

USER, GROUP, ROLE = PRINCIPAL_TYPES[:3]
MFA_POLICY = {
    "Version": "2012-10-17",
    "Statement": [{
        "Sid": "DenyAllWithoutMFA", "Effect": "Deny",
        "NotAction": ["iam:*MFADevice", "iam:ListVirtualMFADevices", "sts:GetSessionToken"],
        "Resource": "*",
        "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
    }],
}  # fmt: skip
ADMIN = {"Version": "2012-10-17",
         "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}  # fmt: skip
STRONG_PASSWORDS = dict(
    MinimumPasswordLength=14, RequireSymbols=True, RequireNumbers=True,
    RequireUppercaseCharacters=True, RequireLowercaseCharacters=True,
    AllowUsersToChangePassword=True, MaxPasswordAge=90, PasswordReusePrevention=24,
)  # fmt: skip


@pytest.fixture
def iam_aws(aws, emulator, monkeypatch):
    """The emulated account with AWS's managed policies (AdministratorAccess, ...) in it."""
    monkeypatch.setenv("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
    emulator.reset()
    return aws


def collect(aws) -> Collected:
    source = AwsSource(iam_collectors.COLLECTORS)
    return source.collect(SourceRequest(extra={"aws": AwsOptions(endpoint_url=aws.endpoint)}))


def audit(aws) -> tuple[Collected, Evaluation]:
    collected = collect(aws)
    inventory = Inventory(collected.resources, gaps=collected.gaps)
    return collected, evaluate(inventory, build_registry())


def verdicts(evaluation: Evaluation, check_id: str) -> dict[str | None, Status]:
    return {
        (f.resource.name if f.resource else None): f.status
        for f in evaluation.findings
        if f.check.id == check_id
    }


def only(collected: Collected, type_: str, name: str) -> Resource:
    found = [r for r in collected.resources if r.type == type_ and r.name == name]
    assert len(found) == 1, (type_, name, found)
    return found[0]


# -- console changes ---------------------------------------------------------------------------


def secure_account(iam: Any) -> None:
    """People in a group that requires MFA, a strong password policy, a break-glass role."""
    iam.create_group(GroupName="operators")
    iam.put_group_policy(GroupName="operators", PolicyName="require-mfa",
                         PolicyDocument=json.dumps(MFA_POLICY))  # fmt: skip
    iam.create_user(UserName="alice", Tags=[{"Key": "team", "Value": "billing"}])
    iam.create_login_profile(UserName="alice", Password="Correct-Horse-42!")
    iam.add_user_to_group(GroupName="operators", UserName="alice")
    iam.create_access_key(UserName="alice")
    serial = iam.create_virtual_mfa_device(VirtualMFADeviceName="alice")["VirtualMFADevice"]
    iam.enable_mfa_device(UserName="alice", SerialNumber=serial["SerialNumber"],
                          AuthenticationCode1="123456", AuthenticationCode2="654321")  # fmt: skip
    iam.update_account_password_policy(**STRONG_PASSWORDS)
    trust = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "sts:AssumeRole",
        "Principal": {"AWS": f"arn:aws:iam::{EMULATED_ACCOUNT}:root"},
        "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}]}  # fmt: skip
    iam.create_role(RoleName="break-glass", AssumeRolePolicyDocument=json.dumps(trust),
                    MaxSessionDuration=3600)  # fmt: skip


def test_a_secure_account_passes_the_iam_checks(iam_aws):
    secure_account(iam_aws.client("iam"))
    collected, evaluation = audit(iam_aws)
    assert collected.gaps == {}
    assert verdicts(evaluation, "iam_user_mfa_enforced") == {"alice": Status.PASS}
    assert verdicts(evaluation, "iam_user_no_direct_policies") == {"alice": Status.PASS}
    assert verdicts(evaluation, "iam_password_policy_strong") == {
        "iam-account-password-policy": Status.PASS
    }
    assert verdicts(evaluation, "iam_break_glass_role") == {"break-glass": Status.PASS}
    assert verdicts(evaluation, "iam_role_session_duration") == {"break-glass": Status.PASS}
    assert verdicts(evaluation, "iam_console_user_mfa_active") == {"alice": Status.PASS}
    assert verdicts(evaluation, "iam_access_keys_rotated") == {"alice": Status.PASS}
    assert verdicts(evaluation, "iam_unused_credentials_disabled") == {"alice": Status.PASS}
    assert verdicts(evaluation, "iam_root_no_access_keys") == {"account-summary": Status.PASS}
    # The shapes the checks read.
    assert only(collected, GROUP, "operators").props["name"] == "operators"
    membership = only(collected, "aws:iam/userGroupMembership:UserGroupMembership", "alice")
    assert membership.props == {"user": "alice", "groups": ["operators"]}
    policy = only(collected, "aws:iam/groupPolicy:GroupPolicy", "operators:require-mfa")
    assert json.loads(policy.props["policy"]) == MFA_POLICY and policy.props["group"] == "operators"
    role = only(collected, ROLE, "break-glass")
    assert role.props["max_session_duration"] == 3600
    assert role.arn == role.props["arn"] == f"arn:aws:iam::{EMULATED_ACCOUNT}:role/break-glass"
    assert only(collected, USER, "alice").props["tags"] == {"team": "billing"}
    password = only(collected, PASSWORD_POLICY, "iam-account-password-policy").props
    assert password["minimum_password_length"] == 14 and password["max_password_age"] == 90
    assert only(collected, LOGIN_PROFILE, "alice").props == {
        "user": "alice", "password_reset_required": False,
    }  # fmt: skip
    [key] = [r for r in collected.resources if r.type == ACCESS_KEY]
    assert key.props["user"] == "alice" and key.props["status"] == "Active"
    row = only(collected, CREDENTIAL_REPORT_ROW, "alice").props
    assert (row["password_enabled"], row["mfa_active"], row["access_key_1_active"]) == (
        True, True, True,
    )  # fmt: skip
    device = only(collected, "aws:iam/virtualMfaDevice:VirtualMfaDevice", "alice").props
    assert device["user_name"] == "alice"
    assert device["arn"] == f"arn:aws:iam::{EMULATED_ACCOUNT}:mfa/alice"


def test_a_console_user_outside_the_mfa_group_fails(iam_aws):
    iam = iam_aws.client("iam")
    secure_account(iam)
    iam.create_user(UserName="bob")
    iam.create_login_profile(UserName="bob", Password="Correct-Horse-42!")
    _, evaluation = audit(iam_aws)
    assert verdicts(evaluation, "iam_user_mfa_enforced") == {
        "alice": Status.PASS, "bob": Status.FAIL,
    }  # fmt: skip
    assert verdicts(evaluation, "iam_console_user_mfa_active")["bob"] is Status.FAIL


def test_an_inline_star_policy_fails_naming_the_policy(iam_aws):
    iam = iam_aws.client("iam")
    secure_account(iam)
    iam.put_role_policy(RoleName="break-glass", PolicyName="everything",
                        PolicyDocument=json.dumps(ADMIN))  # fmt: skip
    iam.put_user_policy(UserName="alice", PolicyName="everything", PolicyDocument=json.dumps(ADMIN))
    _, evaluation = audit(iam_aws)
    admin = verdicts(evaluation, "iam_policy_no_admin_access")
    assert admin["break-glass:everything"] is Status.FAIL
    assert admin["alice:everything"] is Status.FAIL
    assert admin["break-glass"] is Status.PASS  # the role's own props carry no policy
    assert verdicts(evaluation, "iam_user_no_direct_policies") == {"alice": Status.FAIL}


def test_administrator_access_attached_to_a_user_fails(iam_aws):
    iam = iam_aws.client("iam")
    secure_account(iam)
    iam.attach_user_policy(UserName="alice",
                           PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")  # fmt: skip
    _, evaluation = audit(iam_aws)
    attached = verdicts(evaluation, "iam_no_administrator_access_attached")
    assert attached == {"alice/AdministratorAccess": Status.FAIL, "break-glass": Status.PASS}
    assert verdicts(evaluation, "iam_user_no_direct_policies") == {"alice": Status.FAIL}


def test_a_weakened_password_policy_fails(iam_aws):
    iam = iam_aws.client("iam")
    secure_account(iam)
    iam.update_account_password_policy(**{**STRONG_PASSWORDS, "MinimumPasswordLength": 8})
    _, evaluation = audit(iam_aws)
    finding = next(f for f in evaluation.findings if f.check.id == "iam_password_policy_strong")
    assert finding.status is Status.FAIL and "minimum_password_length < 14" in finding.message
    iam.delete_account_password_policy()
    _, evaluation = audit(iam_aws)
    finding = next(f for f in evaluation.findings if f.check.id == "iam_password_policy_strong")
    assert finding.status is Status.FAIL and "no account password policy" in finding.message


def _age(user: str, days: int, *, key: bool = True, created: bool = False) -> None:
    """Make the emulator's user (or its first access key) `days` old: no API backdates."""
    backend = iam_backends[EMULATED_ACCOUNT]["aws"].users[user]
    then = utcnow().replace(microsecond=0) - dt.timedelta(days=days)
    if key:
        backend.access_keys[0].create_date = then
    if created:
        backend.create_date = then


def test_an_access_key_older_than_90_days_fails(iam_aws):
    iam = iam_aws.client("iam")
    secure_account(iam)
    _age("alice", 120)
    _, evaluation = audit(iam_aws)
    finding = next(f for f in evaluation.findings if f.check.id == "iam_access_keys_rotated")
    assert finding.resource.name == "alice" and finding.status is Status.FAIL
    assert finding.evidence["age_days"] == {"access_key_1": 120}
    # Never used since it was made, 120 days ago: unused, and still active.
    unused = verdicts(evaluation, "iam_unused_credentials_disabled")
    assert unused == {"alice": Status.FAIL}


def test_a_password_never_used_for_90_days_fails(iam_aws):
    iam = iam_aws.client("iam")
    iam.create_user(UserName="carol")
    iam.create_login_profile(UserName="carol", Password="Correct-Horse-42!")
    _age("carol", 100, key=False, created=True)
    _, evaluation = audit(iam_aws)
    finding = next(
        f for f in evaluation.findings if f.check.id == "iam_unused_credentials_disabled"
    )
    assert (finding.resource.name, finding.status) == ("carol", Status.FAIL)
    assert finding.evidence["days_unused"] == {"password": 100}


def test_root_mfa_and_root_keys_come_from_the_account_summary(iam_aws):
    _, evaluation = audit(iam_aws)
    # The emulator's root user has no MFA and no keys (no API sets either).
    assert verdicts(evaluation, "iam_root_mfa_enabled") == {"account-summary": Status.FAIL}
    assert verdicts(evaluation, "iam_root_no_access_keys") == {"account-summary": Status.PASS}
    summary = iam_backends[EMULATED_ACCOUNT]["aws"].account_summary
    summary._account_mfa_enabled, summary._account_access_keys_present = 1, 1
    _, evaluation = audit(iam_aws)
    assert verdicts(evaluation, "iam_root_mfa_enabled") == {"account-summary": Status.PASS}
    assert verdicts(evaluation, "iam_root_no_access_keys") == {"account-summary": Status.FAIL}


# -- a denied call hides what it read, and only that --------------------------------------------


def deny(monkeypatch, operation: str, when: Callable[[dict], bool] = lambda params: True):
    """Make every call of `operation` (matching `when`) fail as AccessDenied."""
    original = botocore.client.BaseClient._make_api_call

    def call(self, name, params):
        if name == operation and when(params):
            error = {"Error": {"Code": "AccessDenied", "Message": "not authorized"}}
            raise botocore.exceptions.ClientError(error, name)
        return original(self, name, params)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", call)


def _statuses(evaluation: Evaluation) -> dict[tuple[str, str | None], Status]:
    return {(f.check.id, f.resource.address if f.resource else None): f.status
            for f in evaluation.findings}  # fmt: skip


@pytest.mark.parametrize(
    "operation,hidden_checks",
    [
        ("GetAccountAuthorizationDetails", {
            "iam_policy_no_admin_access", "iam_no_administrator_access_attached",
            "iam_policy_no_full_service_access", "iam_policy_no_kms_decrypt_all_keys",
            "iam_user_mfa_enforced", "iam_user_no_direct_policies",
            "iam_role_session_duration", "iam_break_glass_role", "iam_group_mfa_enforced",
            "iam_no_inline_policies", "iam_no_full_access_managed_policy_attached",
        }),
        ("GetCredentialReport", {
            "iam_console_user_mfa_active", "iam_access_keys_rotated",
            "iam_unused_credentials_disabled",
        }),
        ("GetAccountSummary", {
            "iam_root_mfa_enabled", "iam_root_no_access_keys", "iam_root_hardware_mfa",
        }),
        ("GetAccountPasswordPolicy", {"iam_password_policy_strong"}),
    ],
)  # fmt: skip
def test_a_denied_call_makes_only_its_checks_not_evaluated(iam_aws, monkeypatch, operation,
                                                           hidden_checks):  # fmt: skip
    secure_account(iam_aws.client("iam"))
    iam_aws.client("iam").put_user_policy(UserName="alice", PolicyName="everything",
                                          PolicyDocument=json.dumps(ADMIN))  # fmt: skip
    _, before = audit(iam_aws)
    deny(monkeypatch, operation)
    collected, after = audit(iam_aws)
    assert collected.gaps and all(
        f"access denied to {operation} (AccessDenied)" in why for why in collected.gaps.values()
    )
    changed = {
        key[0] for key, status in _statuses(before).items()
        if _statuses(after).get(key) is not status
    }  # fmt: skip
    assert changed == hidden_checks
    for finding in after.findings:
        if finding.check.id in hidden_checks:
            assert finding.status is Status.NOT_EVALUATED, finding
            assert f"access denied to {operation}" in finding.message
    unchanged = {k: v for k, v in _statuses(after).items() if k[0] not in hidden_checks}
    assert unchanged == {k: v for k, v in _statuses(before).items() if k[0] not in hidden_checks}


def test_one_users_unreadable_password_hides_that_type_not_every_user(iam_aws, monkeypatch):
    iam = iam_aws.client("iam")
    secure_account(iam)
    iam.create_user(UserName="bob")
    iam.create_login_profile(UserName="bob", Password="Correct-Horse-42!")
    deny(monkeypatch, "GetLoginProfile", lambda params: params.get("UserName") == "bob")
    collected = collect(iam_aws)
    assert collected.gaps == {
        LOGIN_PROFILE: f"us-east-1 ({EMULATED_ACCOUNT}): the console password of bob: access "
                       "denied to GetLoginProfile (AccessDenied)"
    }  # fmt: skip
    assert [r.name for r in collected.resources if r.type == LOGIN_PROFILE] == ["alice"]
    assert {r.name for r in collected.resources if r.type == USER} == {"alice", "bob"}


def test_the_collectors_read_and_never_write_or_read_data(iam_aws, monkeypatch):
    secure_account(iam_aws.client("iam"))
    seen: list[str] = []
    original = botocore.client.BaseClient._make_api_call

    def spy(self, name, params):
        seen.append(name)
        return original(self, name, params)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", spy)
    collect(iam_aws)
    declared = {a.split(":")[1] for c in iam_collectors.COLLECTORS for a in c.actions}
    called = set(seen) - {"GetCallerIdentity"}  # the session's, before any collector runs
    assert called == declared
    assert all(n.startswith(("Get", "List")) or n == "GenerateCredentialReport" for n in called)
