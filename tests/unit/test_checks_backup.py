"""AWS Backup checks: vault keys and locks, coverage of every data store, restore testing.
(Plan frequency and retention: test_checks_backup_plans.py.)"""

from __future__ import annotations

import json

import pytest

from checks.aws.backup import (
    backup_restore_testing,
    backup_vault_cmk,
    backup_vault_deletion_protected,
    efs_in_backup_plan,
)
from checks.library import build_registry
from checks.model import UNKNOWN, Inventory, Resource, Undecidable
from checks.registry import Status

CMK = "arn:aws:kms:us-east-1:1:key/k"
SELECTION = "aws:backup/selection:Selection"


def plan() -> Resource:
    rules = [{"rule_name": "daily", "target_vault_name": "phi"}]
    return Resource("aws:backup/plan:Plan", "phi-plan", {"rules": rules}, id="plan-1")


def vault(**props) -> Resource:
    return Resource("aws:backup/vault:Vault", "phi-vault", {"name": "phi", **props}, id="phi")


def run(fn, target: Resource, *others: Resource):
    return fn(target, Inventory([target, *others]))


# -- backup_vault_cmk -----------------------------------------------------------------------------


@pytest.mark.parametrize("key", [CMK, "alias/phi-backup"])
def test_vault_under_a_customer_key_passes(key):
    result = run(backup_vault_cmk, vault(kms_key_arn=key))
    assert (result.status, result.evidence) == (Status.PASS, {"kms_key_arn": key})


@pytest.mark.parametrize(
    "key", [None, "", "alias/aws/backup", "arn:aws:kms:us-east-1:1:alias/aws/backup"]
)
def test_vault_under_the_aws_managed_key_fails(key):
    result = run(backup_vault_cmk, vault(kms_key_arn=key))
    assert (result.status, result.evidence) == (Status.FAIL, {"kms_key_arn": key})


def test_vault_without_a_key_fails():
    result = run(backup_vault_cmk, vault())
    assert (result.status, result.evidence) == (Status.FAIL, {"kms_key_arn": None})


def test_vault_key_not_known_yet_is_not_evaluated():
    with pytest.raises(Undecidable, match="kms_key_arn of phi-vault"):
        run(backup_vault_cmk, vault(kms_key_arn=UNKNOWN))


# -- backup_vault_deletion_protected ---------------------------------------------------------------


def lock(vault_name="phi") -> Resource:
    return Resource(
        "aws:backup/vaultLockConfiguration:VaultLockConfiguration",
        "phi-lock",
        {"backup_vault_name": vault_name, "min_retention_days": 35},
    )


def vault_policy(*statements: dict, name="phi-policy") -> Resource:
    return Resource(
        "aws:backup/vaultPolicy:VaultPolicy",
        name,
        {"backup_vault_name": "phi", "policy": json.dumps({"Statement": list(statements)})},
    )


def statement(effect="Deny", *actions: str) -> dict:
    return {
        "Effect": effect,
        "Principal": "*",
        "Action": list(actions) or ["backup:DeleteRecoveryPoint"],
        "Resource": "*",
    }


def test_vault_lock_passes():
    result = run(backup_vault_deletion_protected, vault(), lock())
    assert (result.status, result.evidence) == (
        Status.PASS,
        {"vault_lock": ["phi-lock"], "deny_delete_policies": []},
    )


@pytest.mark.parametrize(
    "actions",
    [
        ("backup:DeleteRecoveryPoint",),
        ("backup:*",),
        ("*",),
        ("backup:StartBackupJob", "backup:DeleteRecoveryPoint"),  # any action of several
    ],
)
def test_policy_denying_deletion_passes(actions):
    result = run(
        backup_vault_deletion_protected, vault(), vault_policy(statement("Deny", *actions))
    )
    assert (result.status, result.evidence) == (
        Status.PASS,
        {"vault_lock": [], "deny_delete_policies": ["phi-policy"]},
    )


def test_one_denying_statement_among_others_is_enough():
    allow = statement("Allow", "backup:DescribeBackupVault")
    result = run(backup_vault_deletion_protected, vault(), vault_policy(allow, statement()))
    assert (result.status, result.evidence) == (
        Status.PASS,
        {"vault_lock": [], "deny_delete_policies": ["phi-policy"]},
    )


@pytest.mark.parametrize(
    "policy_statement",
    [
        statement("Allow", "backup:DeleteRecoveryPoint"),  # an Allow of deletion protects nothing
        statement("Deny", "backup:PutBackupVaultAccessPolicy"),  # a Deny of something else
    ],
)
def test_policy_that_does_not_deny_deletion_fails(policy_statement):
    result = run(backup_vault_deletion_protected, vault(), vault_policy(policy_statement))
    assert (result.status, result.evidence) == (
        Status.FAIL,
        {"vault_lock": [], "deny_delete_policies": []},
    )


def test_unprotected_vault_fails():
    result = run(backup_vault_deletion_protected, vault())
    assert (result.status, result.evidence) == (
        Status.FAIL,
        {"vault_lock": [], "deny_delete_policies": []},
    )


def test_lock_of_another_vault_does_not_protect_this_one():
    result = run(backup_vault_deletion_protected, vault(), lock("other"))
    assert (result.status, result.evidence) == (
        Status.FAIL,
        {"vault_lock": [], "deny_delete_policies": []},
    )


def test_lock_target_or_policy_not_known_yet_is_not_evaluated():
    with pytest.raises(Undecidable, match="backup_vault_name of phi-lock"):
        run(backup_vault_deletion_protected, vault(), lock(UNKNOWN))
    pending = Resource(
        "aws:backup/vaultPolicy:VaultPolicy",
        "phi-policy",
        {"backup_vault_name": "phi", "policy": UNKNOWN},
    )
    with pytest.raises(Undecidable):
        run(backup_vault_deletion_protected, vault(), pending)


# -- efs_in_backup_plan ----------------------------------------------------------------------------


def _efs(tags=None) -> Resource:
    return Resource(
        "aws:efs/fileSystem:FileSystem",
        "shared",
        {"tags": tags if tags is not None else {"backup": "daily"}},
        arn="arn:aws:elasticfilesystem:us-east-1:1:file-system/fs-1",
    )


BY_TAG = Resource(
    SELECTION,
    "all-daily",
    {
        "resources": ["*"],
        "conditions": [{"string_equals": [{"key": "aws:ResourceTag/backup", "value": "daily"}]}],
    },
)
BY_ARN = Resource(
    SELECTION, "files", {"resources": ["arn:aws:elasticfilesystem:us-east-1:1:file-system/fs-1"]}
)
TABLES_ONLY = Resource(SELECTION, "tables", {"resources": ["arn:aws:dynamodb:*:*:table/*"]})


@pytest.mark.parametrize(
    ("selections", "named"),
    [((BY_TAG,), ["all-daily"]), ((BY_ARN, TABLES_ONLY), ["files"]),
     ((BY_TAG, BY_ARN), ["all-daily", "files"])],
)  # fmt: skip
def test_a_file_system_some_selection_covers_passes(selections, named):
    result = run(efs_in_backup_plan, _efs(), *selections)
    assert (result.status, result.evidence) == (Status.PASS, {"backup_selections": named})


@pytest.mark.parametrize(
    ("efs", "selections"),
    [(_efs(), ()), (_efs(), (TABLES_ONLY,)), (_efs({"backup": "weekly"}), (BY_TAG,))],
    ids=["no-selection", "other-stores-only", "tag-differs"],
)
def test_a_file_system_no_selection_covers_fails(efs, selections):
    result = run(efs_in_backup_plan, efs, *selections)
    assert (result.status, result.evidence) == (Status.FAIL, {"backup_selections": []})


def test_selection_that_cannot_be_seen_is_not_evaluated():
    pending = Resource(SELECTION, "x", {"resources": UNKNOWN})
    with pytest.raises(Undecidable):
        run(efs_in_backup_plan, _efs(), pending)
    gapped = Inventory([_efs(), BY_TAG], gaps={SELECTION: "AccessDenied on ListBackupSelections"})
    with pytest.raises(Undecidable, match="AccessDenied"):
        efs_in_backup_plan(_efs(), gapped)


def test_the_other_stores_are_left_to_their_own_checks():
    assert {c.id for c in build_registry() if "efs" in c.id and "backup" in c.id} == {
        "efs_in_backup_plan"
    }
    assert "backup_covers_data_stores" not in {c.id for c in build_registry()}


# -- backup_restore_testing ------------------------------------------------------------------------

TESTING_PLAN = "aws:backup/restoreTestingPlan:RestoreTestingPlan"
TESTING_SELECTION = "aws:backup/restoreTestingSelection:RestoreTestingSelection"
MONTHLY = Resource(TESTING_PLAN, "monthly", {})
RDS = Resource(TESTING_SELECTION, "rds", {})


def test_restore_testing_plan_with_a_selection_passes():
    [result] = backup_restore_testing(Inventory([plan(), MONTHLY, RDS]))
    assert (result.status, result.evidence) == (
        Status.PASS,
        {"restore_testing_plans": ["monthly"], "restore_testing_selections": ["rds"]},
    )


@pytest.mark.parametrize(
    ("declared", "plans", "selections"),
    [([MONTHLY], ["monthly"], []), ([RDS], [], ["rds"]), ([], [], [])],
)
def test_restore_testing_plan_or_selection_alone_fails(declared, plans, selections):
    [result] = backup_restore_testing(Inventory([plan(), *declared]))
    assert (result.status, result.evidence) == (
        Status.FAIL,
        {"restore_testing_plans": plans, "restore_testing_selections": selections},
    )


def test_restore_testing_is_asked_only_of_accounts_with_a_backup_plan():
    assert backup_restore_testing(Inventory([MONTHLY, RDS])) == []


def test_restore_testing_not_collected_is_not_evaluated():
    for gap in (TESTING_PLAN, TESTING_SELECTION, "aws:backup/plan:Plan"):
        inv = Inventory([plan(), MONTHLY, RDS], gaps={gap: "AccessDenied"})
        with pytest.raises(Undecidable, match="could not be collected: AccessDenied"):
            backup_restore_testing(inv)


def test_a_vault_policy_that_is_not_json_is_named_in_the_reason():
    broken = Resource(
        "aws:backup/vaultPolicy:VaultPolicy",
        "phi-policy",
        {"backup_vault_name": "phi", "policy": "{not json"},
    )
    with pytest.raises(Undecidable) as caught:
        run(backup_vault_deletion_protected, vault(), broken)
    assert str(caught.value) == (
        "the vault policy phi-policy is not valid JSON: "
        "Expecting property name enclosed in double quotes"
    )
