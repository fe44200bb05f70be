"""Whose findings a run reports (checks/scope.py): the account baseline is judged in a program
scan only when the program owns it, and always in the live audit."""

from __future__ import annotations

import pytest

from checks.errors import InputError
from checks.library import build_registry
from checks.model import Resource
from checks.scope import chosen_mode, decide, without_baseline

BASELINE = [
    "cloudtrail_enabled_multi_region", "cloudwatch_security_event_alarms",
    "config_recorder_all_resources", "ebs_encryption_by_default", "guardduty_enabled_all_regions",
    "iam_access_keys_rotated", "iam_break_glass_role", "iam_console_user_mfa_active",
    "iam_password_policy_strong", "iam_root_hardware_mfa", "iam_root_mfa_enabled",
    "iam_root_no_access_keys",
    "iam_unused_credentials_disabled", "s3_account_public_access_block", "securityhub_enabled",
]  # fmt: skip
BUCKET = Resource("aws:s3/bucket:Bucket", "uploads", {}, source="program")
TRAIL = Resource("aws:cloudtrail/trail:Trail", "org-trail", {}, source="program")
ROLE = Resource("aws:iam/role:Role", "app", {}, source="program")


@pytest.fixture(scope="module")
def registry():
    return build_registry()


def test_the_baseline_is_these_account_checks(registry):
    assert sorted(c.id for c in registry if c.baseline) == BASELINE
    assert all(c.scope == "account" for c in registry if c.baseline)


@pytest.mark.parametrize(
    ("mode", "kind", "resources", "judged", "why"),
    [
        ("auto", "program", [BUCKET, ROLE], False,
         "the program declares no account-baseline resource"),
        ("auto", "preview", [BUCKET, TRAIL], True,
         "the program declares aws:cloudtrail/trail:Trail"),
        ("auto", "state", [], False, "the program declares no account-baseline resource"),
        ("program", "program", [TRAIL], False, "asked for: scope program"),
        ("account", "program", [BUCKET], True, "asked for: scope account"),
        ("program", "aws", [BUCKET], True, "the live account holds its own baseline"),
        ("auto", "aws", [], True, "the live account holds its own baseline"),
    ],
)  # fmt: skip
def test_who_owns_the_baseline(registry, mode, kind, resources, judged, why):
    scope = decide(mode, kind, resources, registry)
    assert (scope.baseline, scope.why) == (judged, why)
    kept = {c.id for c in without_baseline(registry, scope)}
    left = sorted({c.id for c in registry} - kept)
    assert left == ([] if judged else BASELINE)
    assert list(scope.left_out) == ([] if judged else BASELINE)
    assert (scope.note() is None) is judged


def test_the_note_says_what_was_left_out_and_where_to_judge_it(registry):
    scope = decide("auto", "program", [BUCKET], registry)
    assert scope.note() == (
        "The account baseline is not in this program's scope (the program declares no "
        "account-baseline resource): 15 account checks were not run. `safeguard audit` judges "
        "it on the deployed account; `--scope account` judges it here."
    )
    assert scope.as_record()["account_baseline"] == "not in scope"


@pytest.mark.parametrize(
    ("option", "setting", "mode"),
    [(None, None, "auto"), ("account", "program", "account"), (None, "account", "account"),
     ("program", None, "program")],
)  # fmt: skip
def test_the_option_wins_over_the_stack_setting(option, setting, mode):
    assert chosen_mode(option, setting) == mode


def test_a_stack_setting_out_of_the_list_is_refused():
    with pytest.raises(InputError, match="the stack setting safeguard:scope 'everything'"):
        chosen_mode(None, "everything")
