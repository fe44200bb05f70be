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
# Times whole days before the audit, at the audit's time of day.
DAYS_AGO = {89: "2026-09-03T12:00:00+00:00", 90: "2026-09-02T12:00:00+00:00",
            91: "2026-09-01T12:00:00+00:00", 183: "2026-06-01T12:00:00+00:00"}  # fmt: skip


def summary(mfa=True, keys=False, name="account-summary") -> Resource:
    return Resource(ACCOUNT_SUMMARY, name,
                    {"account_mfa_enabled": mfa, "account_access_keys_present": keys, "users": 2},
                    id=name, source="aws")  # fmt: skip


def row(user="alice", **cells) -> Resource:
    """A credential report row: a console user with MFA and one key, rotated 30 days before the
    audit, both used on the day of the audit."""
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


def verdicts(results) -> dict[str, tuple]:
    return {r.resource.name: (r.status, r.evidence) for r in results}


# -- root --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("mfa", "status"), [(True, Status.PASS), (False, Status.FAIL)])
def test_root_mfa_on_the_account_summary(mfa, status):
    account = summary(mfa=mfa)
    [result] = iam_root_mfa_enabled(Inventory([account]))
    assert (result.status, result.resource, result.evidence) == (
        status,
        account,
        {"account_mfa_enabled": mfa},
    )


@pytest.mark.parametrize(("keys", "status"), [(False, Status.PASS), (True, Status.FAIL)])
def test_root_access_keys_on_the_account_summary(keys, status):
    account = summary(keys=keys)
    [result] = iam_root_no_access_keys(Inventory([account]))
    assert (result.status, result.resource, result.evidence) == (
        status,
        account,
        {"account_access_keys_present": keys},
    )


def test_one_root_verdict_per_account_audited():
    inv = Inventory([summary(True, False, "prod"), summary(False, True, "dev")])
    assert verdicts(iam_root_mfa_enabled(inv)) == {
        "prod": (Status.PASS, {"account_mfa_enabled": True}),
        "dev": (Status.FAIL, {"account_mfa_enabled": False}),
    }
    assert verdicts(iam_root_no_access_keys(inv)) == {
        "prod": (Status.PASS, {"account_access_keys_present": False}),
        "dev": (Status.FAIL, {"account_access_keys_present": True}),
    }


@pytest.mark.parametrize("value", [UNKNOWN, MadeUp(True), None, 1, "true"])
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
    wanted = ("iam_root_mfa_enabled", "iam_root_no_access_keys", "iam_console_user_mfa_active",
              "iam_access_keys_rotated", "iam_unused_credentials_disabled")  # fmt: skip
    ours = {f.check.id: f for f in findings if f.check.id in wanted}
    assert {k: f.status for k, f in ours.items()} == dict.fromkeys(wanted, Status.NOT_EVALUATED)
    assert "GetCredentialReport" in ours["iam_access_keys_rotated"].message
    assert "GetAccountSummary" in ours["iam_root_mfa_enabled"].message


# -- console users' MFA ------------------------------------------------------------------------


def test_console_users_without_mfa_fail_and_users_without_a_password_are_skipped():
    inv = Inventory([row("alice"), row("bob", mfa_active=False),
                     row("carol", password_enabled="true", mfa_active="false"),
                     row("ci", password_enabled=False, mfa_active=False), root_row()])  # fmt: skip
    assert verdicts(iam_console_user_mfa_active(inv)) == {
        "alice": (Status.PASS, {"mfa_active": True}),
        "bob": (Status.FAIL, {"mfa_active": False}),
        "carol": (Status.FAIL, {"mfa_active": False}),
    }


@pytest.mark.parametrize("cells", [{"mfa_active": UNKNOWN}, {"password_enabled": UNKNOWN}])
def test_console_mfa_not_known_is_never_passed(cells):
    with pytest.raises(Undecidable):
        iam_console_user_mfa_active(Inventory([row(**cells)]))


# -- access keys rotated -----------------------------------------------------------------------


def rotation(**ages: int) -> dict:
    return {"age_days": ages, "limit_days": 90}


@pytest.mark.parametrize(
    ("days", "status"), [(89, Status.PASS), (90, Status.PASS), (91, Status.FAIL)]
)
def test_key_age_boundary_is_90_days(days, status):
    inv = Inventory([row(access_key_1_last_rotated=DAYS_AGO[days])])
    assert verdicts(iam_access_keys_rotated(inv)) == {
        "alice": (status, rotation(access_key_1=days))
    }


def test_a_key_rotated_without_a_time_zone_is_read_as_utc():
    inv = Inventory([row(access_key_1_last_rotated="2026-09-01T12:00:00")])
    assert verdicts(iam_access_keys_rotated(inv)) == {
        "alice": (Status.FAIL, rotation(access_key_1=91))
    }


def test_one_stale_key_of_two_fails_naming_it():
    inv = Inventory([
        row("alice"),
        row("bob", access_key_2_active=True, access_key_2_last_rotated="2026-08-01T00:00:00+00:00",
            access_key_2_last_used_date="2026-12-01T00:00:00+00:00"),
        row("carol", access_key_1_active=False, access_key_2_active=True,
            access_key_2_last_rotated=DAYS_AGO[91]),
        row("ci", access_key_1_active=False), root_row(),
    ])  # fmt: skip
    results = iam_access_keys_rotated(inv)
    assert verdicts(results) == {
        "alice": (Status.PASS, rotation(access_key_1=30)),
        "bob": (Status.FAIL, rotation(access_key_1=30, access_key_2=122)),
        "carol": (Status.FAIL, rotation(access_key_2=91)),
    }
    bob = next(r for r in results if r.resource.name == "bob")
    assert bob.message == "access_key_2 not rotated for 122 days"


@pytest.mark.parametrize(
    "cells",
    [{"access_key_1_last_rotated": None}, {"access_key_1_last_rotated": "last spring"},
     {"audit_time": None}, {"access_key_1_active": UNKNOWN},
     {"access_key_1_last_rotated": UNKNOWN}],
)  # fmt: skip
def test_a_key_age_not_known_is_never_passed(cells):
    with pytest.raises(Undecidable):
        iam_access_keys_rotated(Inventory([row(**cells)]))


# -- unused credentials ------------------------------------------------------------------------


def idle(**days: int) -> dict:
    return {"days_unused": days, "limit_days": 90}


@pytest.mark.parametrize(
    ("days", "status"), [(89, Status.PASS), (90, Status.PASS), (91, Status.FAIL)]
)
def test_unused_boundary_is_90_days_for_passwords_and_keys(days, status):
    password = Inventory([row(password_last_used=DAYS_AGO[days])])
    assert verdicts(iam_unused_credentials_disabled(password)) == {
        "alice": (status, idle(password=days, access_key_1=0))
    }
    key = Inventory([row(access_key_1_last_used_date=DAYS_AGO[days])])
    assert verdicts(iam_unused_credentials_disabled(key)) == {
        "alice": (status, idle(password=0, access_key_1=days))
    }


def test_never_used_credentials_count_from_when_they_were_set():
    inv = Inventory([
        row("carol", password_last_used=None, password_last_changed="2026-01-01T00:00:00+00:00",
            access_key_1_active=False),
        row("dan", password_last_used=None, password_last_changed=None,
            user_creation_time=DAYS_AGO[90], access_key_1_active=False),
        row("dave", access_key_1_last_used_date=None, access_key_1_last_rotated=DAYS_AGO[91]),
        row("erin", password_enabled=False, access_key_1_active=False),
        row("fay", password_enabled=False, access_key_1_active=False, access_key_2_active=True,
            access_key_2_last_used_date=DAYS_AGO[183]),
    ])  # fmt: skip
    assert verdicts(iam_unused_credentials_disabled(inv)) == {
        "carol": (Status.FAIL, idle(password=334)),
        "dan": (Status.PASS, idle(password=90)),
        "dave": (Status.FAIL, idle(password=0, access_key_1=91)),
        "fay": (Status.FAIL, idle(access_key_2=183)),
    }


def test_unused_credentials_not_known_are_never_passed():
    cells = {"password_last_used": None, "password_last_changed": None,
             "user_creation_time": None}  # fmt: skip
    with pytest.raises(Undecidable, match="password_last_used"):
        iam_unused_credentials_disabled(Inventory([row(**cells)]))
    with pytest.raises(Undecidable):
        iam_unused_credentials_disabled(Inventory([row(access_key_1_last_used_date=UNKNOWN)]))


# -- exact verdicts: the message, status and evidence each check reports ----------------------


def said(results) -> dict[str, tuple]:
    return {r.resource.name: (r.status, r.message, r.evidence) for r in results}


def reason(fn, inv: Inventory) -> str:
    with pytest.raises(Undecidable) as caught:
        fn(inv)
    return str(caught.value)


def test_root_verdicts_say_what_was_seen():
    inv = Inventory([summary(True, False, "prod"), summary(False, True, "dev")])
    assert said(iam_root_mfa_enabled(inv)) == {
        "prod": (Status.PASS, "the root user has MFA", {"account_mfa_enabled": True}),
        "dev": (Status.FAIL, "the root user has no MFA device", {"account_mfa_enabled": False}),
    }
    assert said(iam_root_no_access_keys(inv)) == {
        "prod": (
            Status.PASS,
            "the root user has no access keys",
            {"account_access_keys_present": False},
        ),
        "dev": (
            Status.FAIL,
            "the root user has access keys",
            {"account_access_keys_present": True},
        ),
    }


def test_a_summary_without_the_flag_names_it_in_the_reason():
    res = Resource(ACCOUNT_SUMMARY, "account-summary", {"account_access_keys_present": False})
    assert (
        reason(iam_root_mfa_enabled, Inventory([res]))
        == "the account summary does not say account_mfa_enabled (None)"
    )


def test_console_mfa_verdicts_say_what_was_seen():
    inv = Inventory([row("alice"), row("bob", mfa_active=False)])
    assert said(iam_console_user_mfa_active(inv)) == {
        "alice": (Status.PASS, "the console user has an MFA device", {"mfa_active": True}),
        "bob": (Status.FAIL, "the console user signs in without MFA", {"mfa_active": False}),
    }


def test_key_rotation_messages_name_every_stale_key_and_the_oldest_age():
    both_stale = {"access_key_1_last_rotated": DAYS_AGO[183], "access_key_2_active": True,
                  "access_key_2_last_rotated": DAYS_AGO[91]}  # fmt: skip
    inv = Inventory([row("alice"), row("bob", **both_stale)])
    assert said(iam_access_keys_rotated(inv)) == {
        "alice": (
            Status.PASS,
            "every active access key is at most 30 days old",
            rotation(access_key_1=30),
        ),
        "bob": (
            Status.FAIL,
            "access_key_1, access_key_2 not rotated for 183 days",
            rotation(access_key_1=183, access_key_2=91),
        ),
    }


def test_a_key_age_not_known_says_which_key_and_why():
    no_rotation = Inventory([row(access_key_1_last_rotated=None)])
    assert (
        reason(iam_access_keys_rotated, no_rotation)
        == "access key 1 of alice is active but its age is not known"
    )
    bad_time = Inventory([row(access_key_1_last_rotated="last spring")])
    assert (
        reason(iam_access_keys_rotated, bad_time)
        == "access_key_1_last_rotated of alice is not a time ('last spring')"
    )
    no_audit_time = Inventory([row(audit_time=None)])
    assert (
        reason(iam_access_keys_rotated, no_audit_time)
        == "when the credential report of alice was read is not recorded"
    )


def test_a_time_with_an_offset_keeps_its_offset():
    # 14:00 at UTC+2 is 12:00 UTC: exactly 90 days before the audit, not 89 and a bit.
    inv = Inventory([row(access_key_1_last_rotated="2026-09-02T14:00:00+02:00")])
    assert verdicts(iam_access_keys_rotated(inv)) == {
        "alice": (Status.PASS, rotation(access_key_1=90))
    }


def test_a_never_used_password_counts_from_its_last_change_before_the_user_creation():
    inv = Inventory([row(password_last_used=None, password_last_changed=DAYS_AGO[89],
                         user_creation_time=DAYS_AGO[183], access_key_1_active=False)])  # fmt: skip
    assert said(iam_unused_credentials_disabled(inv)) == {
        "alice": (
            Status.PASS,
            "every active credential was used within 90 days",
            idle(password=89),
        )
    }


def test_unused_message_names_every_stale_credential():
    inv = Inventory(
        [row(password_last_used=DAYS_AGO[91], access_key_1_last_used_date=DAYS_AGO[183])]
    )
    assert said(iam_unused_credentials_disabled(inv)) == {
        "alice": (
            Status.FAIL,
            "access_key_1, password unused for more than 90 days but still active",
            idle(password=91, access_key_1=183),
        )
    }
