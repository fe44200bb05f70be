"""AWS Backup plan frequency and retention (BKP-01): every schedule form the check accepts, the
35-day retention boundary, and which rule of several decides the verdict."""

from __future__ import annotations

import pytest

from checks.aws.backup import backup_plan_frequency_retention, is_daily_or_more
from checks.model import UNKNOWN, Inventory, Resource, Undecidable
from checks.registry import Status


def plan(*rules: dict) -> Resource:
    return Resource(
        "aws:backup/plan:Plan", "phi-plan", {"name": "phi", "rules": list(rules)}, id="plan-1"
    )


def rule(
    schedule: str | None = "cron(0 5 ? * * *)",
    delete_after: int | None = 35,
    name: str = "daily",
    **extra,
) -> dict:
    out = {"rule_name": name, "target_vault_name": "phi", **extra}
    if schedule is not None:
        out["schedule"] = schedule
    if delete_after is not None:
        out["lifecycle"] = {"delete_after": delete_after}
    return out


def seen(schedule: str, delete_after: int | None, daily: bool, kept: bool, name="daily") -> dict:
    """A rule as the evidence shows it."""
    return {
        "rule": name,
        "schedule": schedule,
        "delete_after": delete_after,
        "daily": daily,
        "retention_ok": kept,
    }


def run(target: Resource):
    return backup_plan_frequency_retention(target, Inventory([target]))


# -- schedules ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("schedule", "daily"),
    [
        ("cron(0 5 ? * * *)", True),
        ("cron(0 5 * * ? *)", True),
        ("cron(0 5 * * * *)", True),
        ("cron(0 */4 * * ? *)", True),
        ("  cron(0 5 ? * * *)  ", True),
        ("cron(0 5 */2 * ? *)", False),  # every other day: just too slow
        ("cron(0 5 ? * MON-FRI *)", False),
        ("cron(0 5 ? * SUN *)", False),
        ("cron(0 5 1 * ? *)", False),
        ("cron(0 5 ? 1 * *)", False),  # every day of January only
        ("cron(0 5 * * ?)", False),  # five fields: not an AWS cron expression
        ("rate(1 day)", True),
        ("rate(1 days)", True),
        ("rate(2 days)", False),  # just too slow
        ("rate(24 hours)", True),
        ("rate(12 hours)", True),
        ("rate(1 hour)", True),
        ("rate(1440 minutes)", True),
        ("rate(60 minutes)", True),
        ("rate(1 week)", False),
        ("nonsense", False),
        ("", False),
    ],
)
def test_schedules_that_run_at_least_daily(schedule, daily):
    assert is_daily_or_more(schedule) is daily


@pytest.mark.parametrize(
    "schedule", ["rate(25 hours)", "rate(48 hours)", "rate(1441 minutes)", "rate(0 hours)"]
)
def test_rates_just_slower_than_daily_are_not_daily(schedule):
    assert is_daily_or_more(schedule) is False


@pytest.mark.parametrize("schedule", ["rate(24 hours)", "rate(1440 minutes)", "rate(1 minute)"])
def test_rates_at_or_faster_than_daily_are_daily(schedule):
    assert is_daily_or_more(schedule) is True


@pytest.mark.parametrize(
    "schedule", ["rate(1 day)", "rate(24 hours)", "cron(0 5 * * ? *)", "cron(0 */6 * * ? *)"]
)
def test_a_rule_on_each_daily_form_kept_35_days_passes(schedule):
    result = run(plan(rule(schedule)))
    assert (result.status, result.evidence) == (
        Status.PASS,
        {"rules": [seen(schedule, 35, True, True)]},
    )


@pytest.mark.parametrize("schedule", ["rate(2 days)", "cron(0 5 */2 * ? *)", "cron(0 5 ? * SUN *)"])
def test_a_rule_just_slower_than_daily_fails(schedule):
    result = run(plan(rule(schedule)))
    assert (result.status, result.evidence) == (
        Status.FAIL,
        {"rules": [seen(schedule, 35, False, True)]},
    )


def test_no_schedule_means_aws_backups_daily_default():
    result = run(plan(rule(schedule=None)))
    assert (result.status, result.evidence) == (
        Status.PASS,
        {"rules": [seen("cron(0 5 ? * * *)", 35, True, True)]},
    )


@pytest.mark.parametrize("continuous", [True, "true"])
def test_continuous_backup_makes_a_weekly_rule_daily(continuous):
    result = run(plan(rule("cron(0 5 ? * SUN *)", enable_continuous_backup=continuous)))
    assert (result.status, result.evidence) == (
        Status.PASS,
        {"rules": [seen("cron(0 5 ? * SUN *)", 35, True, True)]},
    )


def test_continuous_backup_off_leaves_a_weekly_rule_weekly():
    result = run(plan(rule("cron(0 5 ? * SUN *)", enable_continuous_backup=False)))
    assert (result.status, result.evidence) == (
        Status.FAIL,
        {"rules": [seen("cron(0 5 ? * SUN *)", 35, False, True)]},
    )


# -- retention ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days", "status"), [(34, Status.FAIL), (35, Status.PASS), (36, Status.PASS)]
)
def test_retention_boundary_is_35_days(days, status):
    result = run(plan(rule(delete_after=days)))
    assert (result.status, result.evidence) == (
        status,
        {"rules": [seen("cron(0 5 ? * * *)", days, True, status is Status.PASS)]},
    )


def test_a_rule_that_never_expires_keeps_copies_long_enough():
    never = run(plan(rule(delete_after=None)))
    assert (never.status, never.evidence) == (
        Status.PASS,
        {"rules": [seen("cron(0 5 ? * * *)", None, True, True)]},
    )
    no_expiry = run(plan(rule(delete_after=None, lifecycle={"cold_storage_after": 30})))
    assert (no_expiry.status, no_expiry.evidence) == (
        Status.PASS,
        {"rules": [seen("cron(0 5 ? * * *)", None, True, True)]},
    )


# -- which rule decides ---------------------------------------------------------------------------


def test_one_rule_must_be_both_daily_and_long_lived():
    """A daily rule kept 7 days beside a weekly rule kept 7 years: neither rule does both."""
    short_daily = rule(delete_after=7, name="daily")
    long_weekly = rule("cron(0 5 ? * SUN *)", 2555, name="weekly")
    result = run(plan(short_daily, long_weekly))
    assert (result.status, result.evidence) == (
        Status.FAIL,
        {
            "rules": [
                seen("cron(0 5 ? * * *)", 7, True, False, "daily"),
                seen("cron(0 5 ? * SUN *)", 2555, False, True, "weekly"),
            ]
        },
    )


def test_one_good_rule_passes_beside_a_monthly_one():
    result = run(plan(rule(), rule("cron(0 5 1 * ? *)", 2555, name="monthly")))
    assert (result.status, result.evidence) == (
        Status.PASS,
        {
            "rules": [
                seen("cron(0 5 ? * * *)", 35, True, True),
                seen("cron(0 5 1 * ? *)", 2555, False, True, "monthly"),
            ]
        },
    )


def test_a_plan_without_rules_fails():
    result = run(plan())
    assert (result.status, result.evidence) == (Status.FAIL, {"rules": []})


def test_rules_not_known_yet_are_not_evaluated():
    with pytest.raises(Undecidable):
        run(plan(UNKNOWN))
    pending = Resource("aws:backup/plan:Plan", "phi-plan", {"rules": UNKNOWN})
    with pytest.raises(Undecidable, match="rules of phi-plan"):
        run(pending)
