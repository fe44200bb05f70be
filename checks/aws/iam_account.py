"""The account's sign-in credentials, as only the live account shows them: MFA on the root user
and on console users (IAM-01), no root access keys (IAM-02), access keys rotated and unused
credentials disabled (IAM-05).

They read the IAM account summary and credential report, which only the live source collects
(`ACCOUNT_SUMMARY`, `CREDENTIAL_REPORT_ROW`): no Pulumi program, preview or state file holds
them, so on those these checks say nothing (account facts are judged where the account is, not
in every stack's pull request). Ages are measured to when the audit read the report.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from checks.model import Inventory, Resource, Undecidable
from checks.registry import Check, Result, Severity, check, failed, passed
from checks.support.props import flag, known
from checks.support.resource_types import ACCOUNT_SUMMARY, CREDENTIAL_REPORT_ROW, ROOT_ACCOUNT

CHECKS: list[Check] = []

MAX_ACCESS_KEY_AGE_DAYS = 90
# AWS Config iam-user-unused-credentials-check's default maxCredentialUsageAge.
MAX_UNUSED_DAYS = 90
_KEYS = (1, 2)  # the credential report's two access key slots


def _summary_flag(summary: Resource, key: str) -> bool:
    value = known(summary, key)
    if not isinstance(value, bool):
        raise Undecidable(f"the account summary does not say {key} ({value!r})")
    return value


def _users(inv: Inventory) -> list[Resource]:
    """The credential report's rows of IAM users (the root account's row is IAM-02's)."""
    return [r for r in inv.by_type(CREDENTIAL_REPORT_ROW) if r.name != ROOT_ACCOUNT]


def _time(row: Resource, key: str) -> dt.datetime | None:
    value = known(row, key)
    if value is None:
        return None
    try:
        parsed = dt.datetime.fromisoformat(str(value))
    except ValueError:
        raise Undecidable(f"{key} of {row.name} is not a time ({value!r})") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def _days_before_audit(row: Resource, then: dt.datetime) -> int:
    audited = _time(row, "audit_time")
    if audited is None:
        raise Undecidable(f"when the credential report of {row.name} was read is not recorded")
    return (audited - then).days


def _each_user(inv: Inventory, judge: Any) -> list[Result]:
    """One result per user row the judgement applies to (it returns None for the others)."""
    return [replace(r, resource=row) for row in _users(inv) if (r := judge(row)) is not None]


@check(
    into=CHECKS,
    id="iam_root_mfa_enabled",
    control="IAM-01",
    title="The root user signs in with MFA",
    severity=Severity.CRITICAL,
    config_rule="root-account-mfa-enabled",
    scope="account",
    baseline=True,
    reads=("aws:iam/accountSummary:AccountSummary",),
    remediation=(
        "Sign in as the root user and assign it an MFA device (a hardware key, kept in a safe); "
        "then keep the root user for the few tasks only it can do."
    ),
    pulumi_fix=(
        "# The root user's MFA is not a resource a program declares: set it once, by hand,\n"
        "# in the console (root user > Security credentials > Assign MFA device)."
    ),
)
def iam_root_mfa_enabled(inv: Inventory) -> list[Result]:
    """The one identity that can do anything is not opened by a password alone (one result per
    account audited)."""
    return [replace(_root_mfa(s), resource=s) for s in inv.by_type(ACCOUNT_SUMMARY)]


def _root_mfa(summary: Resource) -> Result:
    if _summary_flag(summary, "account_mfa_enabled"):
        return passed("the root user has MFA", account_mfa_enabled=True)
    return failed("the root user has no MFA device", account_mfa_enabled=False)


@check(
    into=CHECKS,
    id="iam_root_no_access_keys",
    control="IAM-02",
    title="The root user has no access keys",
    severity=Severity.CRITICAL,
    config_rule="iam-root-access-key-check",
    scope="account",
    baseline=True,
    reads=("aws:iam/accountSummary:AccountSummary",),
    remediation=(
        "Delete the root user's access keys (root user > Security credentials); give programs "
        "roles, and people IAM Identity Center or MFA-protected roles."
    ),
    pulumi_fix=(
        "# Root access keys are not a resource a program declares: delete them by hand; grant\n"
        'aws.iam.Role("deployer", assume_role_policy=trust, max_session_duration=3600)'
    ),
)
def iam_root_no_access_keys(inv: Inventory) -> list[Result]:
    """No long-lived key can act as the whole account."""
    return [replace(_root_keys(s), resource=s) for s in inv.by_type(ACCOUNT_SUMMARY)]


def _root_keys(summary: Resource) -> Result:
    if _summary_flag(summary, "account_access_keys_present"):
        return failed("the root user has access keys", account_access_keys_present=True)
    return passed("the root user has no access keys", account_access_keys_present=False)


def _console_mfa(row: Resource) -> Result | None:
    if not flag(known(row, "password_enabled")):
        return None  # no console password: not a console user
    if flag(known(row, "mfa_active")):
        return passed("the console user has an MFA device", mfa_active=True)
    return failed("the console user signs in without MFA", mfa_active=False)


@check(
    into=CHECKS,
    id="iam_console_user_mfa_active",
    control="IAM-01",
    title="IAM user with a console password has an MFA device",
    severity=Severity.HIGH,
    config_rule="mfa-enabled-for-iam-console-access",
    scope="account",
    baseline=True,
    reads=("aws:iam/credentialReportRow:CredentialReportRow",),
    remediation=(
        "Have the user assign an MFA device (or remove the console password); enforce it with "
        "a group policy that denies everything without MFA, and prefer IAM Identity Center."
    ),
    pulumi_fix=(
        'aws.iam.VirtualMfaDevice("alice-mfa", virtual_mfa_device_name="alice")\n'
        "# then the user enables it with two codes (iam:EnableMFADevice)"
    ),
)
def iam_console_user_mfa_active(inv: Inventory) -> list[Result]:
    """A console password alone does not open the account (person or entity authentication)."""
    return _each_user(inv, _console_mfa)


def _key_ages(row: Resource) -> Result | None:
    ages: dict[str, int] = {}
    for n in _KEYS:
        if not flag(known(row, f"access_key_{n}_active")):
            continue
        rotated = _time(row, f"access_key_{n}_last_rotated")
        if rotated is None:
            raise Undecidable(f"access key {n} of {row.name} is active but its age is not known")
        ages[f"access_key_{n}"] = _days_before_audit(row, rotated)
    if not ages:
        return None  # no active access key
    evidence = {"age_days": ages, "limit_days": MAX_ACCESS_KEY_AGE_DAYS}
    stale = sorted(k for k, days in ages.items() if days > MAX_ACCESS_KEY_AGE_DAYS)
    if stale:
        oldest = max(ages[k] for k in stale)
        return failed(f"{', '.join(stale)} not rotated for {oldest} days", **evidence)
    return passed(f"every active access key is at most {max(ages.values())} days old", **evidence)


@check(
    into=CHECKS,
    id="iam_access_keys_rotated",
    control="IAM-05",
    title=f"IAM user's active access keys are rotated within {MAX_ACCESS_KEY_AGE_DAYS} days",
    severity=Severity.MEDIUM,
    config_rule="access-keys-rotated",
    scope="account",
    baseline=True,
    reads=("aws:iam/credentialReportRow:CredentialReportRow",),
    remediation=(
        f"Create a new key, move its users to it, then deactivate and delete the key older than "
        f"{MAX_ACCESS_KEY_AGE_DAYS} days; better, replace the key with a role."
    ),
    pulumi_fix=(
        'aws.iam.AccessKey("ci-2027q1", user=ci.name)  # the new key; then delete the old one'
    ),
)
def iam_access_keys_rotated(inv: Inventory) -> list[Result]:
    """A leaked key stops working within a bounded time (password management)."""
    return _each_user(inv, _key_ages)


def _last_use(row: Resource, used: str, since: tuple[str, ...]) -> int:
    """Days since the credential was last used, or (never used) since it was set."""
    for key in (used, *since):
        when = _time(row, key)
        if when is not None:
            return _days_before_audit(row, when)
    raise Undecidable(f"neither when {used} nor when it was set is known for {row.name}")


def _unused(row: Resource) -> Result | None:
    idle: dict[str, int] = {}
    if flag(known(row, "password_enabled")):
        idle["password"] = _last_use(
            row, "password_last_used", ("password_last_changed", "user_creation_time")
        )
    for n in _KEYS:
        if flag(known(row, f"access_key_{n}_active")):
            idle[f"access_key_{n}"] = _last_use(
                row, f"access_key_{n}_last_used_date", (f"access_key_{n}_last_rotated",)
            )
    if not idle:
        return None  # no active credential
    evidence = {"days_unused": idle, "limit_days": MAX_UNUSED_DAYS}
    stale = sorted(k for k, days in idle.items() if days > MAX_UNUSED_DAYS)
    if stale:
        return failed(
            f"{', '.join(stale)} unused for more than {MAX_UNUSED_DAYS} days but still active",
            **evidence,
        )
    return passed(f"every active credential was used within {MAX_UNUSED_DAYS} days", **evidence)


@check(
    into=CHECKS,
    id="iam_unused_credentials_disabled",
    control="IAM-05",
    title=f"IAM user's credentials unused for {MAX_UNUSED_DAYS} days are disabled",
    severity=Severity.MEDIUM,
    config_rule="iam-user-unused-credentials-check",
    scope="account",
    baseline=True,
    reads=("aws:iam/credentialReportRow:CredentialReportRow",),
    remediation=(
        f"Deactivate access keys and remove console passwords not used for {MAX_UNUSED_DAYS} "
        "days; remove the user when the person has left (termination procedures)."
    ),
    pulumi_fix='aws.iam.AccessKey("legacy", user=legacy.name, status="Inactive")',
)
def iam_unused_credentials_disabled(inv: Inventory) -> list[Result]:
    """Access ends when it is no longer used, not only when someone remembers to end it."""
    return _each_user(inv, _unused)
