"""Secrets Manager checks: rotation within 90 days and a customer-managed key. (Plaintext secrets
in Lambda environments, user data and SSM parameters: test_checks_secrets_plaintext.py.)"""

from __future__ import annotations

import dataclasses

import pytest

from checks.aws.secrets import secret_encrypted_cmk, secret_rotation_enabled
from checks.model import SECRET, UNKNOWN, Inventory, MadeUp, Resource, Undecidable
from checks.registry import Status

SECRET_ARN = "arn:aws:secretsmanager:us-east-1:1:secret:db-AbCdEf"
OTHER_ARN = "arn:aws:secretsmanager:us-east-1:1:secret:other-XyZ"
CMK = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def secret(**props) -> Resource:
    return Resource(
        "aws:secretsmanager/secret:Secret",
        "db",
        {"name": "db", **props},
        id=SECRET_ARN,
        arn=SECRET_ARN,
    )


def rotation(name: str = "db-rotation", secret_id=SECRET_ARN, enabled=None, **rules) -> Resource:
    props = {"secret_id": secret_id, "rotation_rules": rules}
    if enabled is not None:
        props["rotation_enabled"] = enabled
    return Resource("aws:secretsmanager/secretRotation:SecretRotation", name, props)


def run(fn, target: Resource, *others: Resource):
    return fn(target, Inventory([target, *others]))


def verdict(result) -> tuple:
    return result.status, dict(result.evidence)


# -- secret_rotation_enabled ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        (1, Status.PASS),
        (30, Status.PASS),
        (89, Status.PASS),
        (90, Status.PASS),
        (91, Status.FAIL),
        (365, Status.FAIL),
    ],
)
def test_rotation_after_days_passes_up_to_and_including_90(days, expected):
    result = run(secret_rotation_enabled, secret(), rotation(automatically_after_days=days))
    assert verdict(result) == (expected, {"rotation_days": days})


@pytest.mark.parametrize(
    ("expression", "days", "expected"),
    [
        ("rate(1 day)", 1, Status.PASS),
        ("rate(89 days)", 89, Status.PASS),
        ("rate(90 days)", 90, Status.PASS),
        ("rate(91 days)", 91, Status.FAIL),
        ("rate(180 days)", 180, Status.FAIL),
    ],
)
def test_rotation_rate_expression_is_read_in_days(expression, days, expected):
    result = run(secret_rotation_enabled, secret(), rotation(schedule_expression=expression))
    assert verdict(result) == (expected, {"rotation_days": days})


@pytest.mark.parametrize(
    ("expression", "days", "expected"),
    [
        ("cron(0 4 * * ? *)", 1, Status.PASS),
        ("cron(0 4 ? * MON *)", 7, Status.PASS),
        ("cron(0 4 1 * ? *)", 31, Status.PASS),
        ("cron(0 4 1 */2 ? *)", 62, Status.PASS),
        ("cron(0 4 1 JAN,APR,JUL,OCT ? *)", 93, Status.FAIL),
        ("cron(0 4 1 1,7 ? *)", 186, Status.FAIL),
        ("cron(0 4 1 JAN ? *)", 372, Status.FAIL),
        ("rate(4 hours)", 1, Status.PASS),
        ("rate(2160 hours)", 90, Status.PASS),
        ("rate(2161 hours)", 91, Status.FAIL),
    ],
)
def test_a_schedule_is_judged_by_its_longest_gap(expression, days, expected):
    result = run(secret_rotation_enabled, secret(), rotation(schedule_expression=expression))
    assert verdict(result) == (expected, {"rotation_days": days})


@pytest.mark.parametrize(
    "expression", ["cron(0 4 1 13 ? *)", "cron(0 4 * *)", "every day", "cron(0 4 1 */0 ? *)"]
)
def test_a_schedule_that_cannot_be_read_is_undecidable(expression):
    with pytest.raises(Undecidable, match="cannot be read"):
        run(secret_rotation_enabled, secret(), rotation(schedule_expression=expression))


def test_days_win_over_a_schedule_when_both_are_given():
    both = rotation(automatically_after_days=91, schedule_expression="rate(30 days)")
    assert verdict(run(secret_rotation_enabled, secret(), both)) == (
        Status.FAIL,
        {"rotation_days": 91},
    )


def test_zero_days_recorded_beside_a_schedule_defers_to_the_schedule():
    """State files record automatically_after_days as 0 when a schedule expression is used."""
    recorded = rotation(automatically_after_days=0, schedule_expression="rate(30 days)")
    assert verdict(run(secret_rotation_enabled, secret(), recorded)) == (
        Status.PASS,
        {"rotation_days": 30},
    )


@pytest.mark.parametrize(
    "others",
    [
        (),
        (rotation(automatically_after_days=0),),
        (rotation(),),
        (rotation(automatically_after_days=30, enabled=False),),
        (rotation(automatically_after_days=30, enabled="false"),),
        (rotation(secret_id=OTHER_ARN, automatically_after_days=30),),
    ],
    ids=["no-rotation", "zero-days", "no-rules", "disabled", "disabled-string", "other-secret"],
)
def test_a_secret_without_an_enabled_rotation_of_its_own_never_rotates(others):
    result = run(secret_rotation_enabled, secret(), *others)
    assert verdict(result) == (Status.FAIL, {"rotation_days": None})


def test_an_explicitly_enabled_rotation_counts():
    enabled = rotation(automatically_after_days=30, enabled=True)
    assert verdict(run(secret_rotation_enabled, secret(), enabled)) == (
        Status.PASS,
        {"rotation_days": 30},
    )


def test_the_shortest_of_several_rotations_decides():
    slow = rotation("slow", automatically_after_days=180)
    fast = rotation("fast", automatically_after_days=30)
    assert verdict(run(secret_rotation_enabled, secret(), slow, fast)) == (
        Status.PASS,
        {"rotation_days": 30},
    )
    off = rotation("off", automatically_after_days=7, enabled=False)
    assert verdict(run(secret_rotation_enabled, secret(), slow, off)) == (
        Status.FAIL,
        {"rotation_days": 180},
    )


@pytest.mark.parametrize(
    "pending",
    [
        rotation(automatically_after_days=UNKNOWN),
        rotation(schedule_expression=MadeUp("rate(30 days)")),
        rotation(automatically_after_days=30, enabled=UNKNOWN),
        rotation(secret_id=UNKNOWN, automatically_after_days=30),
        rotation(secret_id=SECRET, automatically_after_days=30),
    ],
    ids=["days", "schedule", "enabled", "secret-id", "secret-id-secret"],
)
def test_a_rotation_that_cannot_be_seen_is_undecidable(pending):
    with pytest.raises(Undecidable):
        run(secret_rotation_enabled, secret(), pending)


# -- secret_encrypted_cmk -------------------------------------------------------------------------


@pytest.mark.parametrize("key", [CMK, "alias/phi-secrets", "1234abcd-12ab-34cd-56ef-1234567890ab"])
def test_a_customer_managed_key_passes(key):
    result = run(secret_encrypted_cmk, secret(kms_key_id=key))
    assert verdict(result) == (Status.PASS, {"kms_key_id": key})


@pytest.mark.parametrize(
    "key",
    [
        None,
        "",
        "alias/aws/secretsmanager",
        "arn:aws:kms:us-east-1:111122223333:alias/aws/secretsmanager",
    ],
)
def test_no_key_or_the_aws_managed_key_fails(key):
    result = run(secret_encrypted_cmk, secret(kms_key_id=key))
    assert verdict(result) == (Status.FAIL, {"kms_key_id": key})


def test_an_absent_key_is_the_aws_managed_default():
    assert verdict(run(secret_encrypted_cmk, secret())) == (Status.FAIL, {"kms_key_id": None})


@pytest.mark.parametrize("key", [UNKNOWN, SECRET, MadeUp(CMK)])
def test_a_key_that_cannot_be_seen_is_undecidable(key):
    with pytest.raises(Undecidable, match="kms_key_id of db"):
        run(secret_encrypted_cmk, secret(kms_key_id=key))


def test_a_key_a_state_file_did_not_record_is_undecidable():
    unrecorded = dataclasses.replace(secret(), source="state", recorded=frozenset({"name"}))
    with pytest.raises(Undecidable, match="not recorded"):
        run(secret_encrypted_cmk, unrecorded)


@pytest.mark.parametrize(
    ("months", "days", "expected"),
    [
        ("1-12", 31, Status.PASS),  # a range of every month
        ("JAN-DEC", 31, Status.PASS),
        ("1/2", 62, Status.PASS),  # a step from one month runs to December
        ("1-6/2", 248, Status.FAIL),  # a stepped range stops at its end: JAN, MAR, MAY
    ],
)
def test_month_ranges_and_steps_in_a_cron_schedule(months, days, expected):
    expression = f"cron(0 4 1 {months} ? *)"
    result = run(secret_rotation_enabled, secret(), rotation(schedule_expression=expression))
    assert (result.status, result.message, result.evidence) == (
        expected,
        f"the secret rotates every {days} days",
        {"rotation_days": days},
    )


@pytest.mark.parametrize("months", ["FOO", "1-2-3", "-3"])
def test_a_month_field_that_is_no_month_or_range_cannot_be_read(months):
    expression = f"cron(0 4 1 {months} ? *)"
    with pytest.raises(Undecidable) as caught:
        run(secret_rotation_enabled, secret(), rotation(schedule_expression=expression))
    assert str(caught.value) == f"the rotation schedule {expression!r} cannot be read"
