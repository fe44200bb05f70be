"""DMS, EFS, ElastiCache, S3 event notification and SSM document checks on hand-built
inventories."""

from __future__ import annotations

import pytest

from checks.aws.dms import REPLICATION_INSTANCE, dms_replication_not_public
from checks.aws.efs import efs_encrypted
from checks.aws.elasticache import (
    CACHE_CLUSTER,
    REPLICATION_GROUP,
    elasticache_redis_automatic_backup,
)
from checks.aws.s3_events import BUCKET_NOTIFICATION, s3_event_notifications_enabled
from checks.aws.ssm_documents import DOCUMENT, ssm_document_not_public
from checks.model import SECRET, UNKNOWN, Inventory, Resource, Undecidable
from checks.registry import Status
from checks.support.resource_types import BUCKET, EFS_FILE_SYSTEM

KEY = "arn:aws:kms:us-east-1:123456789012:key/k"
TOPIC = "arn:aws:sns:us-east-1:123456789012:records-events"
NAME = "records-bucket-1"


def run(fn, res: Resource, *others: Resource):
    return fn(res, Inventory([res, *others]))


# -- dms_replication_not_public ----------------------------------------------------------------


def replication(**props) -> Resource:
    base = {"replication_instance_id": "migrate", "replication_instance_class": "dms.t3.micro"}
    return Resource(REPLICATION_INSTANCE, "migrate", {**base, **props})


def test_a_private_replication_instance_passes():
    result = run(dms_replication_not_public, replication(publicly_accessible=False))
    assert (result.status, result.evidence) == (Status.PASS, {"publicly_accessible": False})


@pytest.mark.parametrize("props", [{}, {"publicly_accessible": True}])
def test_a_public_replication_instance_fails_and_aws_makes_it_public_by_default(props):
    result = run(dms_replication_not_public, replication(**props))
    assert (result.status, result.evidence) == (Status.FAIL, {"publicly_accessible": True})


def test_unknown_public_access_is_not_evaluated():
    with pytest.raises(Undecidable):
        run(dms_replication_not_public, replication(publicly_accessible=UNKNOWN))


# -- efs_encrypted -----------------------------------------------------------------------------


def file_system(**props) -> Resource:
    return Resource(EFS_FILE_SYSTEM, "scans", {"creation_token": "scans", **props})


@pytest.mark.parametrize(("props", "key"), [({"kms_key_id": KEY}, KEY), ({}, None)])
def test_an_encrypted_file_system_passes(props, key):
    result = run(efs_encrypted, file_system(encrypted=True, **props))
    assert (result.status, result.evidence) == (Status.PASS, {"encrypted": True, "kms_key_id": key})


@pytest.mark.parametrize(
    "props", [{}, {"encrypted": False}, {"encrypted": False, "kms_key_id": KEY}]
)
def test_an_unencrypted_file_system_fails_and_is_the_default(props):
    result = run(efs_encrypted, file_system(**props))
    assert (result.status, result.evidence) == (
        Status.FAIL,
        {"encrypted": False, "kms_key_id": None},
    )


def test_unknown_encryption_is_not_evaluated():
    with pytest.raises(Undecidable):
        run(efs_encrypted, file_system(encrypted=UNKNOWN))


# -- elasticache_redis_automatic_backup (floor: 15 days) ---------------------------------------


def group(**props) -> Resource:
    return Resource(REPLICATION_GROUP, "sessions", {"replication_group_id": "sessions", **props})


def cache(**props) -> Resource:
    return Resource(CACHE_CLUSTER, "cache", {"cluster_id": "cache", **props})


@pytest.mark.parametrize(("engine", "shown"), [({}, "redis"), ({"engine": "valkey"}, "valkey")])
@pytest.mark.parametrize("days", [15, 35])
def test_a_group_keeping_backups_fifteen_days_or_more_passes(engine, shown, days):
    result = run(elasticache_redis_automatic_backup, group(snapshot_retention_limit=days, **engine))
    assert (result.status, result.evidence) == (
        Status.PASS,
        {"engine": shown, "snapshot_retention_limit": days},
    )


@pytest.mark.parametrize(("props", "days"), [({}, 0), ({"snapshot_retention_limit": 14}, 14)])
def test_a_group_keeping_backups_less_than_fifteen_days_fails_and_none_is_the_default(props, days):
    result = run(elasticache_redis_automatic_backup, group(**props))
    assert (result.status, result.evidence) == (
        Status.FAIL,
        {"engine": "redis", "snapshot_retention_limit": days},
    )


def test_a_single_redis_cluster_is_judged_on_its_own():
    passing = run(elasticache_redis_automatic_backup,
                  cache(engine="redis", snapshot_retention_limit=15))  # fmt: skip
    failing = run(elasticache_redis_automatic_backup,
                  cache(engine="redis", snapshot_retention_limit=1))  # fmt: skip
    assert (passing.status, passing.evidence) == (
        Status.PASS,
        {"engine": "redis", "snapshot_retention_limit": 15},
    )
    assert (failing.status, failing.evidence) == (
        Status.FAIL,
        {"engine": "redis", "snapshot_retention_limit": 1},
    )


def test_a_member_of_a_replication_group_is_judged_through_its_group():
    result = run(elasticache_redis_automatic_backup,
                 cache(engine="redis", replication_group_id="sessions"))  # fmt: skip
    assert (result.status, result.evidence) == (Status.NOT_APPLICABLE, {})


def test_memcached_keeps_no_backups():
    result = run(elasticache_redis_automatic_backup, cache(engine="memcached"))
    assert (result.status, result.evidence) == (Status.NOT_APPLICABLE, {"engine": "memcached"})


@pytest.mark.parametrize("days", [UNKNOWN, "two weeks"])
def test_unknown_retention_is_not_evaluated(days):
    with pytest.raises(Undecidable):
        run(elasticache_redis_automatic_backup, group(snapshot_retention_limit=days))


def test_a_retention_that_is_not_a_number_is_named_in_the_reason():
    # elasticache x__retention__mutmut_12
    with pytest.raises(Undecidable) as raised:
        run(elasticache_redis_automatic_backup, group(snapshot_retention_limit="two weeks"))
    assert str(raised.value) == "the snapshot retention of sessions is not a number ('two weeks')"


# -- s3_event_notifications_enabled ------------------------------------------------------------


def bucket() -> Resource:
    return Resource(BUCKET, "records", {"bucket": NAME}, id=NAME, arn=f"arn:aws:s3:::{NAME}")


def notification(bucket_name: str = NAME, **props) -> Resource:
    return Resource(BUCKET_NOTIFICATION, f"{bucket_name}-events", {"bucket": bucket_name, **props})


@pytest.mark.parametrize(
    ("props", "shown"),
    [({"eventbridge": True}, ["eventbridge"]),
     ({"topics": [{"topic_arn": TOPIC, "events": ["s3:ObjectCreated:*"]}]}, ["topics"]),
     ({"eventbridge": False, "queues": [{"queue_arn": "arn:q", "events": ["s3:*"]}]}, ["queues"])],
)  # fmt: skip
def test_a_bucket_with_a_notification_passes(props, shown):
    result = run(s3_event_notifications_enabled, bucket(), notification(**props))
    assert (result.status, result.evidence) == (Status.PASS, {"destinations": shown})


@pytest.mark.parametrize(
    "others",
    [(), (notification(eventbridge=False, topics=[]),), (notification("other", eventbridge=True),)],
    ids=["none", "empty", "another-bucket"],
)
def test_a_bucket_without_a_notification_fails(others):
    result = run(s3_event_notifications_enabled, bucket(), *others)
    assert (result.status, result.evidence) == (Status.FAIL, {"destinations": []})


def test_an_unknown_destination_is_not_evaluated():
    with pytest.raises(Undecidable):
        run(s3_event_notifications_enabled, bucket(), notification(topics=UNKNOWN))


def test_unread_notifications_are_not_evaluated():
    res = bucket()
    inv = Inventory([res], gaps={BUCKET_NOTIFICATION: "access denied"})
    with pytest.raises(Undecidable, match="access denied"):
        s3_event_notifications_enabled(res, inv)


# -- ssm_document_not_public -------------------------------------------------------------------


def ssm_document(**props) -> Resource:
    base = {"name": "patch-runbook", "document_type": "Automation"}
    return Resource(DOCUMENT, "patch-runbook", {**base, **props})


@pytest.mark.parametrize(
    ("props", "shared"),
    [({}, []),
     ({"permissions": {"type": "Share", "account_ids": "111122223333,444455556666"}},
      ["111122223333", "444455556666"]),
     # a share that names no account yet shares with none
     ({"permissions": {"type": "Share"}}, [])],
)  # fmt: skip
def test_a_private_or_named_share_passes(props, shared):
    result = run(ssm_document_not_public, ssm_document(**props))
    assert (result.status, result.evidence) == (Status.PASS, {"shared_with": shared})


@pytest.mark.parametrize(
    ("ids", "shared"), [("All", ["All"]), ("111122223333, all", ["111122223333", "all"])]
)
def test_a_share_with_every_account_fails(ids, shared):
    result = run(ssm_document_not_public,
                 ssm_document(permissions={"type": "Share", "account_ids": ids}))  # fmt: skip
    assert (result.status, result.evidence) == (Status.FAIL, {"shared_with": shared})


@pytest.mark.parametrize(
    "permissions", [UNKNOWN, SECRET, {"type": "Share", "account_ids": UNKNOWN}]
)
def test_unknown_permissions_are_not_evaluated(permissions):
    with pytest.raises(Undecidable):
        run(ssm_document_not_public, ssm_document(permissions=permissions))
