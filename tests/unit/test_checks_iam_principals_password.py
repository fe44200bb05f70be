"""The account password policy (IAM-04): every minimum at, just below and just above its
threshold, each required character class, and the expiry window."""

from __future__ import annotations

import pytest

from checks.aws.iam_users import iam_password_policy_strong
from checks.model import UNKNOWN, Inventory, Resource, Undecidable
from checks.registry import Status

STRONG = {
    "minimum_password_length": 14,
    "password_reuse_prevention": 24,
    "max_password_age": 90,
    "require_lowercase_characters": True,
    "require_uppercase_characters": True,
    "require_numbers": True,
    "require_symbols": True,
}


def password_policy(**props) -> Resource:
    return Resource(
        "aws:iam/accountPasswordPolicy:AccountPasswordPolicy", "strict", {**STRONG, **props}
    )


def judge(policy: Resource):
    [result] = iam_password_policy_strong(Inventory([policy]))
    assert result.resource is policy
    return result


def test_strong_password_policy_passes():
    result = judge(password_policy())
    assert (result.status, result.evidence) == (Status.PASS, {**STRONG, "gaps": []})


@pytest.mark.parametrize(
    ("key", "value", "gap"),
    [
        ("minimum_password_length", 13, "minimum_password_length < 14"),
        ("minimum_password_length", None, "minimum_password_length < 14"),
        ("password_reuse_prevention", 23, "password_reuse_prevention < 24"),
        ("password_reuse_prevention", 12, "password_reuse_prevention < 24"),
        ("password_reuse_prevention", None, "password_reuse_prevention < 24"),
        ("max_password_age", 91, "max_password_age not 1-90"),
        ("max_password_age", 0, "max_password_age not 1-90"),  # never expires
        ("max_password_age", None, "max_password_age not 1-90"),
        ("require_lowercase_characters", False, "require_lowercase_characters is off"),
        ("require_uppercase_characters", False, "require_uppercase_characters is off"),
        ("require_numbers", False, "require_numbers is off"),
        ("require_symbols", None, "require_symbols is off"),
    ],
)
def test_one_setting_just_short_of_its_minimum_fails_naming_it(key, value, gap):
    result = judge(password_policy(**{key: value}))
    assert (result.status, result.evidence) == (
        Status.FAIL,
        {**STRONG, key: value, "gaps": [gap]},
    )


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("minimum_password_length", 14),
        ("minimum_password_length", 15),
        ("password_reuse_prevention", 24),
        ("password_reuse_prevention", 25),
        ("max_password_age", 1),
        ("max_password_age", 89),
        ("max_password_age", 90),
        ("require_symbols", "true"),
    ],
)
def test_settings_at_or_past_their_minimum_pass(key, value):
    result = judge(password_policy(**{key: value}))
    assert (result.status, result.evidence) == (Status.PASS, {**STRONG, key: value, "gaps": []})


def test_every_gap_is_named_in_order():
    weak = {"minimum_password_length": 8, "password_reuse_prevention": 5, "max_password_age": 365,
            "require_numbers": False, "require_symbols": False}  # fmt: skip
    result = judge(password_policy(**weak))
    assert (result.status, result.evidence) == (
        Status.FAIL,
        {
            **STRONG,
            **weak,
            "gaps": [
                "minimum_password_length < 14",
                "password_reuse_prevention < 24",
                "require_numbers is off",
                "require_symbols is off",
                "max_password_age not 1-90",
            ],
        },
    )


def test_no_password_policy_fails_and_empty_inventory_reports_nothing():
    user = Resource("aws:iam/user:User", "alice", {"name": "alice"})
    [missing] = iam_password_policy_strong(Inventory([user]))
    assert (missing.status, missing.evidence, missing.resource) == (Status.FAIL, {}, None)
    assert iam_password_policy_strong(Inventory([])) == []


@pytest.mark.parametrize(
    "key", ["max_password_age", "password_reuse_prevention", "require_symbols"]
)
def test_a_setting_not_known_is_not_evaluated(key):
    with pytest.raises(Undecidable, match=f"{key} of strict"):
        iam_password_policy_strong(Inventory([password_policy(**{key: UNKNOWN})]))


def test_a_password_policy_not_collected_is_not_evaluated():
    user = Resource("aws:iam/user:User", "alice", {"name": "alice"})
    gaps = {"aws:iam/accountPasswordPolicy:AccountPasswordPolicy": "AccessDenied"}
    with pytest.raises(Undecidable, match="AccessDenied"):
        iam_password_policy_strong(Inventory([user], gaps=gaps))
