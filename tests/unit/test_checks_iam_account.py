"""The account's credentials, from the live source's account summary and credential report:
root MFA and root keys, console users' MFA, key rotation and unused credentials."""

from __future__ import annotations

import pytest

from checks.aws.iam_account import (
    iam_access_keys_rotated,
    iam_console_user_mfa_active,
    iam_root_mfa_enabled,
    iam_root_no_access_keys,
    iam_unused_credentials_disabled,
)
from checks.evaluate import evaluate
from checks.library import build_registry
from checks.model import UNKNOWN, Inventory, MadeUp, Resource, Undecidable
from checks.registry import Status
from checks.support.resource_types import ACCOUNT_SUMMARY, CREDENTIAL_REPORT_ROW, ROOT_ACCOUNT

AUDIT = "2026-12-01T12:00:00+00:00"


def summary(mfa=True, keys=False) -> Resource:
    return Resource(ACCOUNT_SUMMARY, "account-summary",
                    {"account_mfa_enabled": mfa, "account_access_keys_present": keys, "users": 2},
                    id="account-summary", source="aws")  # fmt: skip


def row(user="alice", **cells) -> Resource:
    """A credential report row: a console user with MFA and one key, both used today."""
    props = {
        "user": user, "arn": f"arn:aws:iam::123456789012:user/{user}",
        "user_creation_time": "2026-01-01T00:00:00+00:00",
        "password_enabled": True, "password_last_used": "2026-12-01T08:00:00+00:00",
        "password_last_changed": "2026-10-01T00:00:00+00:00", "mfa_active": True,
        "access_key_1_active": True, "access_key_1_last_rotated": "2026-11-01T00:00:00+00:00",
        "access_key_1_last_used_date": "2026-12-01T09:00:00+00:00",
        "access_key_2_active": False, "access_key_2_last_rotated": None,
        "access_key_2_last_used_date": None,
        "generated_time": "2026-12-01T11:59:00+00:00", "audit_time": AUDIT, **cells,
    }  # fmt: skip
    return Resource(CREDENTIAL_REPORT_ROW, user, props, id=f"credential-report/{user}",
                    source="aws")  # fmt: skip


def root_row() -> Resource:
    old_key = "2020-01-01T00:00:00+00:00"
    return row(ROOT_ACCOUNT, password_enabled=None, mfa_active=False,
               access_key_1_active=True, access_key_1_last_rotated=old_key)  # fmt: skip


def by_user(results) -> dict[str, Status]:
    return {r.resource.name: r.status for r in results}


# -- root --------------------------------------------------------------------------------------


def test_root_mfa_passes_and_fails_on_the_account_summary():
    [ok] = iam_root_mfa_enabled(Inventory([summary(mfa=True)]))
    [bad] = iam_root_mfa_enabled(Inventory([summary(mfa=False)]))
    assert (ok.status, bad.status) == (Status.PASS, Status.FAIL)
    assert bad.resource.name == "account-summary" and bad.evidence == {"account_mfa_enabled": False}


def test_root_access_keys_fail_on_the_account_summary():
    [ok] = iam_root_no_access_keys(Inventory([summary(keys=False)]))
    [bad] = iam_root_no_access_keys(Inventory([summary(keys=True)]))
    assert (ok.status, bad.status) == (Status.PASS, Status.FAIL)


@pytest.mark.parametrize("value", [UNKNOWN, MadeUp(True), None, 1])
def test_a_root_fact_not_known_is_never_passed(value):
    props = {"account_mfa_enabled": value, "account_access_keys_present": value}
    res = Resource(ACCOUNT_SUMMARY, "account-summary", props)
    for fn in (iam_root_mfa_enabled, iam_root_no_access_keys):
        with pytest.raises(Undecidable):
            fn(Inventory([res]))


def test_without_the_live_account_the_checks_say_nothing():
    # A program, preview or state file holds no account summary and no credential report.
    program = Inventory([Resource("aws:iam/user:User", "alice", {"name": "alice"})])
    for fn in (iam_root_mfa_enabled, iam_root_no_access_keys, iam_console_user_mfa_active,
               iam_access_keys_rotated, iam_unused_credentials_disabled):  # fmt: skip
        assert fn(program) == []


def test_a_gapped_report_is_not_evaluated_with_the_reason():
    gaps = {
        CREDENTIAL_REPORT_ROW: "access denied to GetCredentialReport",
        ACCOUNT_SUMMARY: "access denied to GetAccountSummary",
    }
    findings = evaluate(Inventory([row()], gaps=gaps), build_registry()).findings
    wanted = ("iam_root_mfa_enabled", "iam_console_user_mfa_active", "iam_access_keys_rotated")
    ours = {f.check.id: f for f in findings if f.check.id in wanted}
    assert {f.status for f in ours.values()} == {Status.NOT_EVALUATED}
    assert "GetCredentialReport" in ours["iam_access_keys_rotated"].message
    assert "GetAccountSummary" in ours["iam_root_mfa_enabled"].message


# -- console users' MFA ------------------------------------------------------------------------


def test_a_console_user_without_mfa_fails_and_one_without_a_password_is_skipped():
    inv = Inventory([row("alice"), row("bob", mfa_active=False),
                     row("ci", password_enabled=False, mfa_active=False), root_row()])  # fmt: skip
    assert by_user(iam_console_user_mfa_active(inv)) == {"alice": Status.PASS, "bob": Status.FAIL}


def test_console_mfa_not_known_is_never_passed():
    with pytest.raises(Undecidable):
        iam_console_user_mfa_active(Inventory([row(mfa_active=UNKNOWN)]))


# -- access keys rotated -----------------------------------------------------------------------


def test_keys_older_than_90_days_fail_with_their_age():
    inv = Inventory([
        row("alice"),
        row("bob", access_key_2_active=True, access_key_2_last_rotated="2026-08-01T00:00:00+00:00",
            access_key_2_last_used_date="2026-12-01T00:00:00+00:00"),
        row("ci", access_key_1_active=False), root_row(),
    ])  # fmt: skip
    results = iam_access_keys_rotated(inv)
    assert by_user(results) == {"alice": Status.PASS, "bob": Status.FAIL}
    bob = next(r for r in results if r.resource.name == "bob")
    assert bob.evidence["age_days"] == {"access_key_1": 30, "access_key_2": 122}
    assert bob.message == "access_key_2 not rotated for 122 days"


def test_a_key_exactly_90_days_old_passes():
    inv = Inventory([row(access_key_1_last_rotated="2026-09-02T12:00:00+00:00")])
    assert by_user(iam_access_keys_rotated(inv)) == {"alice": Status.PASS}


@pytest.mark.parametrize(
    "cells",
    [{"access_key_1_last_rotated": None}, {"access_key_1_last_rotated": "last spring"},
     {"audit_time": None}, {"access_key_1_active": UNKNOWN}],
)  # fmt: skip
def test_a_key_age_not_known_is_never_passed(cells):
    with pytest.raises(Undecidable):
        iam_access_keys_rotated(Inventory([row(**cells)]))


# -- unused credentials ------------------------------------------------------------------------


def test_credentials_unused_for_90_days_fail():
    inv = Inventory([
        row("alice"),
        row("bob", password_last_used="2026-06-01T00:00:00+00:00"),
        row("carol", password_last_used=None, password_last_changed="2026-01-01T00:00:00+00:00",
            access_key_1_active=False),
        row("dave", access_key_1_last_used_date=None,
            access_key_1_last_rotated="2026-11-20T00:00:00+00:00"),
        row("erin", password_enabled=False, access_key_1_active=False),
    ])  # fmt: skip
    results = iam_unused_credentials_disabled(inv)
    assert by_user(results) == {
        "alice": Status.PASS, "bob": Status.FAIL, "carol": Status.FAIL, "dave": Status.PASS,
    }  # fmt: skip
    bob = next(r for r in results if r.resource.name == "bob")
    assert bob.evidence["days_unused"] == {"password": 183, "access_key_1": 0}
    carol = next(r for r in results if r.resource.name == "carol")
    assert carol.evidence["days_unused"] == {"password": 334}  # never used, set 334 days ago


def test_unused_credentials_not_known_are_never_passed():
    cells = {"password_last_used": None, "password_last_changed": None,
             "user_creation_time": None}  # fmt: skip
    with pytest.raises(Undecidable):
        iam_unused_credentials_disabled(Inventory([row(**cells)]))
