"""RDS/Aurora checks on hand-built inventories."""

from __future__ import annotations

import pytest

from checks.aws.rds import (
    rds_backup_retention_7_days,
    rds_cluster_deletion_protection,
    rds_instance_deletion_protection,
    rds_instance_not_public,
    rds_storage_encrypted_cmk,
)
from checks.model import SECRET, UNKNOWN, Inventory, Resource, Undecidable
from checks.registry import Status

CMK = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def instance(**props) -> Resource:
    base = {"engine": "postgres", "instance_class": "db.t4g.medium", "allocated_storage": 20}
    return Resource("aws:rds/instance:Instance", "phi-db", {**base, **props}, id="phi-db")


def cluster(**props) -> Resource:
    return Resource(
        "aws:rds/cluster:Cluster", "phi-aurora", {"engine": "aurora-postgresql", **props}
    )


def run(fn, res: Resource):
    return fn(res, Inventory([res]))


# -- rds_storage_encrypted_cmk --------------------------------------------------------------


def test_storage_encrypted_with_cmk_passes():
    result = run(rds_storage_encrypted_cmk, instance(storage_encrypted=True, kms_key_id=CMK))
    assert result.status is Status.PASS
    assert result.evidence == {"storage_encrypted": True, "kms_key_id": CMK}


def test_storage_not_set_fails_as_unencrypted():
    result = run(rds_storage_encrypted_cmk, instance())
    assert result.status is Status.FAIL
    assert result.evidence == {"storage_encrypted": False, "kms_key_id": None}
    assert "not encrypted" in result.message


def test_storage_encrypted_without_key_fails_as_aws_managed():
    result = run(rds_storage_encrypted_cmk, instance(storage_encrypted=True))
    assert result.status is Status.FAIL
    assert "AWS-managed key" in result.message
    assert result.evidence == {"storage_encrypted": True, "kms_key_id": None}


def test_storage_encrypted_with_aws_rds_alias_fails():
    alias = "arn:aws:kms:us-east-1:111122223333:alias/aws/rds"
    result = run(rds_storage_encrypted_cmk, instance(storage_encrypted=True, kms_key_id=alias))
    assert result.status is Status.FAIL
    assert result.evidence["kms_key_id"] == alias


def test_cluster_storage_is_checked_on_the_cluster():
    assert run(rds_storage_encrypted_cmk, cluster()).status is Status.FAIL
    ok = cluster(storage_encrypted=True, kms_key_id=CMK)
    assert run(rds_storage_encrypted_cmk, ok).status is Status.PASS


def test_aurora_member_instance_is_not_applicable_for_storage():
    member = instance(engine="aurora-postgresql", cluster_identifier="phi-aurora")
    result = run(rds_storage_encrypted_cmk, member)
    assert result.status is Status.NOT_APPLICABLE
    assert result.evidence == {"cluster_identifier": "phi-aurora"}


def test_member_with_unknown_cluster_identifier_is_still_a_member():
    member = instance(cluster_identifier=UNKNOWN)
    assert run(rds_backup_retention_7_days, member).status is Status.NOT_APPLICABLE


def test_unknown_kms_key_is_undecidable():
    with pytest.raises(Undecidable, match="kms_key_id of phi-db is not known"):
        run(rds_storage_encrypted_cmk, instance(storage_encrypted=True, kms_key_id=UNKNOWN))


def test_secret_storage_flag_is_undecidable():
    with pytest.raises(Undecidable, match="secret"):
        run(rds_storage_encrypted_cmk, instance(storage_encrypted=SECRET))


# -- rds_instance_not_public ------------------------------------------------------------------


def test_private_instance_passes_when_flag_absent():
    result = run(rds_instance_not_public, instance())
    assert result.status is Status.PASS
    assert result.evidence == {"publicly_accessible": False}


def test_public_instance_fails():
    result = run(rds_instance_not_public, instance(publicly_accessible=True))
    assert result.status is Status.FAIL
    assert result.evidence == {"publicly_accessible": True}


def test_public_flag_unknown_is_undecidable():
    with pytest.raises(Undecidable):
        run(rds_instance_not_public, instance(publicly_accessible=UNKNOWN))


# -- rds_backup_retention_7_days ---------------------------------------------------------------


@pytest.mark.parametrize("days", [7, 35])
def test_backup_retention_of_a_week_or_more_passes(days):
    result = run(rds_backup_retention_7_days, instance(backup_retention_period=days))
    assert result.status is Status.PASS
    assert result.evidence == {"backup_retention_period": days}


@pytest.mark.parametrize("days", [0, 1, 6])
def test_short_backup_retention_fails(days):
    result = run(rds_backup_retention_7_days, instance(backup_retention_period=days))
    assert result.status is Status.FAIL
    assert result.evidence == {"backup_retention_period": days}


def test_backup_retention_not_configured_fails():
    result = run(rds_backup_retention_7_days, cluster())
    assert result.status is Status.FAIL
    assert result.message == "backup retention is not configured"
    assert result.evidence == {"backup_retention_period": None}


def test_backup_retention_unknown_is_undecidable():
    with pytest.raises(Undecidable):
        run(rds_backup_retention_7_days, instance(backup_retention_period=UNKNOWN))


# -- deletion protection ----------------------------------------------------------------------


def test_instance_deletion_protection_on_passes_and_off_fails():
    on = run(rds_instance_deletion_protection, instance(deletion_protection=True))
    off = run(rds_instance_deletion_protection, instance())
    assert (on.status, on.evidence) == (Status.PASS, {"deletion_protection": True})
    assert (off.status, off.evidence) == (Status.FAIL, {"deletion_protection": False})


def test_member_instance_deletion_protection_is_the_clusters():
    member = instance(cluster_identifier="phi-aurora")
    assert run(rds_instance_deletion_protection, member).status is Status.NOT_APPLICABLE


def test_cluster_deletion_protection():
    assert run(rds_cluster_deletion_protection, cluster(deletion_protection=True)).status is (
        Status.PASS
    )
    off = run(rds_cluster_deletion_protection, cluster(deletion_protection=False))
    assert (off.status, off.evidence) == (Status.FAIL, {"deletion_protection": False})


def test_cluster_deletion_protection_unknown_is_undecidable():
    with pytest.raises(Undecidable):
        run(rds_cluster_deletion_protection, cluster(deletion_protection=UNKNOWN))


def test_unencrypted_storage_fails_even_while_the_key_is_unknown():
    from checks.aws.rds import rds_storage_encrypted_cmk
    from checks.model import UNKNOWN, Inventory, Resource
    from checks.registry import Status

    db = Resource(
        "aws:rds/instance:Instance", "db", {"storage_encrypted": False, "kms_key_id": UNKNOWN}
    )
    result = rds_storage_encrypted_cmk(db, Inventory([db]))
    assert result.status is Status.FAIL
    assert result.evidence == {"storage_encrypted": False, "kms_key_id": UNKNOWN}
