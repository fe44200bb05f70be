"""The stacks state the facts they share with the auditor in their own words (they import
nothing of it), so this proves both say the same: TLS 1.2+ listener policies, the policy the
hardening transform sets, and the minimum backup retention."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from checks.support.retention import MIN_BACKUP_RETENTION_DAYS
from checks.support.tls import RECOMMENDED_TLS_POLICY, is_tls12_policy

# As the program runs: stacks/ is its main folder, so `hardening` and `billing` are top level.
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "stacks"))
import hardening_rules as hardening  # noqa: E402
from billing import settings  # noqa: E402

ACCEPTED = sorted(hardening.TLS12_POLICIES | settings.TLS12_POLICIES)


@pytest.mark.parametrize("policy", ACCEPTED)
def test_every_tls_policy_the_stacks_accept_is_tls12_for_the_auditor(policy):
    assert is_tls12_policy(policy)


def test_the_stacks_defaults_are_in_their_own_list():
    assert settings.DEFAULT_TLS_POLICY in settings.TLS12_POLICIES
    assert hardening.TLS_POLICY in hardening.TLS12_POLICIES


def test_the_transform_sets_the_policy_the_auditor_recommends():
    assert hardening.TLS_POLICY == RECOMMENDED_TLS_POLICY


def test_the_minimum_backup_retention_agrees():
    assert hardening.MIN_BACKUP_RETENTION_DAYS == MIN_BACKUP_RETENTION_DAYS
    assert settings.MIN_BACKUP_RETENTION_DAYS == MIN_BACKUP_RETENTION_DAYS
