"""RDS/Aurora storage, exposure, backup retention and deletion protection on hand-built
inventories. (TLS: test_checks_rds_tls.py; operations: test_checks_rds_operations.py.)"""

from __future__ import annotations

import dataclasses

import pytest

from checks.aws.rds import (
    rds_backup_retention_7_days,
    rds_cluster_deletion_protection,
    rds_instance_deletion_protection,
    rds_instance_not_public,
    rds_storage_encrypted_cmk,
)
from checks.model import SECRET, UNKNOWN, Inventory, MadeUp, Resource, Undecidable
from checks.registry import Status

CMK = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
MEMBER = (
    Status.NOT_APPLICABLE,
    {"cluster_identifier": "phi-aurora"},
)


def instance(**props) -> Resource:
    base = {"engine": "postgres", "instance_class": "db.t4g.medium", "allocated_storage": 20}
    return Resource("aws:rds/instance:Instance", "phi-db", {**base, **props}, id="phi-db")


def cluster(**props) -> Resource:
    return Resource(
        "aws:rds/cluster:Cluster", "phi-aurora", {"engine": "aurora-postgresql", **props}
    )


def cluster_instance(**props) -> Resource:
    return Resource(
        "aws:rds/clusterInstance:ClusterInstance",
        "writer",
        {"cluster_identifier": "phi-aurora", "engine": "aurora-postgresql", **props},
    )


def member(**props) -> Resource:
    return instance(engine="aurora-postgresql", cluster_identifier="phi-aurora", **props)


def unrecorded(res: Resource) -> Resource:
    """The resource as a state file that recorded only its engine and cluster would give it."""
    recorded = frozenset({"engine", "cluster_identifier"})
    return dataclasses.replace(res, source="state", recorded=recorded)


def run(fn, res: Resource):
    return fn(res, Inventory([res]))


def verdict(result) -> tuple:
    return result.status, dict(result.evidence)


# -- rds_storage_encrypted_cmk --------------------------------------------------------------


@pytest.mark.parametrize("target", [instance, cluster])
def test_storage_encrypted_with_cmk_passes(target):
    result = run(rds_storage_encrypted_cmk, target(storage_encrypted=True, kms_key_id=CMK))
    assert verdict(result) == (Status.PASS, {"storage_encrypted": True, "kms_key_id": CMK})


@pytest.mark.parametrize(
    "props",
    [{}, {"storage_encrypted": False}, {"storage_encrypted": "false"}, {"kms_key_id": CMK}],
    ids=["absent", "off", "off-string", "key-without-encryption"],
)
def test_unencrypted_storage_fails_whatever_key_is_named(props):
    result = run(rds_storage_encrypted_cmk, instance(**props))
    assert verdict(result) == (
        Status.FAIL,
        {"storage_encrypted": False, "kms_key_id": props.get("kms_key_id")},
    )
    assert result.message == "storage is not encrypted at rest"


def test_unencrypted_storage_fails_even_while_the_key_is_unknown():
    result = run(rds_storage_encrypted_cmk, instance(storage_encrypted=False, kms_key_id=UNKNOWN))
    assert verdict(result) == (Status.FAIL, {"storage_encrypted": False, "kms_key_id": UNKNOWN})


@pytest.mark.parametrize(
    "key",
    [None, "", "alias/aws/rds", "arn:aws:kms:us-east-1:111122223333:alias/aws/rds"],
)
def test_storage_encrypted_without_a_customer_key_fails_as_aws_managed(key):
    result = run(rds_storage_encrypted_cmk, instance(storage_encrypted=True, kms_key_id=key))
    assert verdict(result) == (Status.FAIL, {"storage_encrypted": True, "kms_key_id": key})
    assert "AWS-managed key" in result.message


def test_a_customer_alias_is_a_customer_key():
    result = run(
        rds_storage_encrypted_cmk, cluster(storage_encrypted="true", kms_key_id="alias/phi-rds")
    )
    assert verdict(result) == (
        Status.PASS,
        {"storage_encrypted": True, "kms_key_id": "alias/phi-rds"},
    )


def test_aurora_member_instance_is_not_applicable_for_storage():
    assert verdict(run(rds_storage_encrypted_cmk, member())) == MEMBER


def test_member_with_unknown_cluster_identifier_is_still_a_member():
    result = run(rds_backup_retention_7_days, instance(cluster_identifier=UNKNOWN))
    assert verdict(result) == (Status.NOT_APPLICABLE, {"cluster_identifier": repr(UNKNOWN)})


def test_unknown_kms_key_is_undecidable():
    with pytest.raises(Undecidable, match="kms_key_id of phi-db is not known"):
        run(rds_storage_encrypted_cmk, instance(storage_encrypted=True, kms_key_id=UNKNOWN))


@pytest.mark.parametrize("value", [SECRET, UNKNOWN, MadeUp(True)])
def test_storage_flag_that_cannot_be_seen_is_undecidable(value):
    with pytest.raises(Undecidable, match="storage_encrypted of phi-db"):
        run(rds_storage_encrypted_cmk, instance(storage_encrypted=value))


# -- rds_instance_not_public ------------------------------------------------------------------


@pytest.mark.parametrize("make", [instance, cluster_instance])
def test_private_instance_passes_when_flag_absent_or_false(make):
    for target in (make(), make(publicly_accessible=False)):
        result = run(rds_instance_not_public, target)
        assert verdict(result) == (Status.PASS, {"publicly_accessible": False})


@pytest.mark.parametrize("make", [instance, cluster_instance])
def test_public_instance_fails(make):
    for value in (True, "true"):
        result = run(rds_instance_not_public, make(publicly_accessible=value))
        assert verdict(result) == (Status.FAIL, {"publicly_accessible": True})


@pytest.mark.parametrize(
    "target",
    [instance(publicly_accessible=UNKNOWN), unrecorded(instance())],
    ids=["unknown", "unrecorded"],
)
def test_public_flag_that_cannot_be_seen_is_undecidable(target):
    with pytest.raises(Undecidable):
        run(rds_instance_not_public, target)


# -- rds_backup_retention_7_days ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        (0, Status.FAIL),
        (1, Status.FAIL),
        (6, Status.FAIL),
        (7, Status.PASS),
        (8, Status.PASS),
        (35, Status.PASS),
    ],
)
def test_backup_retention_needs_a_week(days, expected):
    for make in (instance, cluster):
        result = run(rds_backup_retention_7_days, make(backup_retention_period=days))
        assert verdict(result) == (expected, {"backup_retention_period": days})


def test_backup_retention_not_configured_fails():
    result = run(rds_backup_retention_7_days, cluster())
    assert verdict(result) == (Status.FAIL, {"backup_retention_period": None})
    assert result.message == "backup retention is not configured"


def test_backup_retention_of_a_member_is_the_clusters():
    assert verdict(run(rds_backup_retention_7_days, member(backup_retention_period=1))) == MEMBER


@pytest.mark.parametrize(
    "target",
    [instance(backup_retention_period=UNKNOWN), unrecorded(instance())],
    ids=["unknown", "unrecorded"],
)
def test_backup_retention_that_cannot_be_seen_is_undecidable(target):
    with pytest.raises(Undecidable):
        run(rds_backup_retention_7_days, target)


# -- deletion protection ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fn", "make"),
    [(rds_instance_deletion_protection, instance), (rds_cluster_deletion_protection, cluster)],
)
def test_deletion_protection_on_passes_and_off_fails(fn, make):
    for value in (True, "true"):
        on = run(fn, make(deletion_protection=value))
        assert verdict(on) == (Status.PASS, {"deletion_protection": True})
    for props in ({}, {"deletion_protection": False}, {"deletion_protection": "false"}):
        off = run(fn, make(**props))
        assert verdict(off) == (Status.FAIL, {"deletion_protection": False})


def test_member_instance_deletion_protection_is_the_clusters():
    assert verdict(run(rds_instance_deletion_protection, member())) == MEMBER


@pytest.mark.parametrize(
    ("fn", "make"),
    [(rds_instance_deletion_protection, instance), (rds_cluster_deletion_protection, cluster)],
)
def test_deletion_protection_that_cannot_be_seen_is_undecidable(fn, make):
    for target in (
        make(deletion_protection=UNKNOWN),
        make(deletion_protection=MadeUp(True)),
        unrecorded(make()),
    ):
        with pytest.raises(Undecidable, match="deletion_protection of"):
            run(fn, target)


@pytest.mark.parametrize(
    ("fn", "make"),
    [(rds_instance_deletion_protection, instance), (rds_cluster_deletion_protection, cluster)],
)
def test_deletion_protection_messages(fn, make):
    on, off = run(fn, make(deletion_protection=True)), run(fn, make(deletion_protection=False))
    assert (on.status, on.message, on.evidence) == (
        Status.PASS,
        "deletion protection is on",
        {"deletion_protection": True},
    )
    assert (off.status, off.message, off.evidence) == (
        Status.FAIL,
        "deletion protection is off",
        {"deletion_protection": False},
    )
