"""RDS snapshots: never shared with everyone, and encrypted (as reported, by the copy's key, or
as the database or snapshot they were taken from)."""

from __future__ import annotations

import dataclasses

import pytest

from checks.aws.rds_operations import rds_snapshot_encrypted, rds_snapshot_not_public
from checks.evaluate import run_check
from checks.library import build_registry
from checks.model import SECRET, UNKNOWN, Inventory, MadeUp, Resource, Undecidable
from checks.registry import Status

SNAPSHOT = "aws:rds/snapshot:Snapshot"
SNAPSHOT_COPY = "aws:rds/snapshotCopy:SnapshotCopy"
CLUSTER_SNAPSHOT = "aws:rds/clusterSnapshot:ClusterSnapshot"
CLUSTER_SNAPSHOT_COPY = "aws:rds/clusterSnapshotCopy:ClusterSnapshotCopy"
KEY = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def instance(**props) -> Resource:
    return Resource(
        "aws:rds/instance:Instance", "phi-db", {"engine": "postgres", **props}, id="phi-db"
    )


def cluster(**props) -> Resource:
    return Resource(
        "aws:rds/cluster:Cluster",
        "phi-aurora",
        {"engine": "aurora-postgresql", "cluster_identifier": "phi-aurora", **props},
        id="phi-aurora",
    )


def snapshot(**props) -> Resource:
    return Resource(
        SNAPSHOT,
        "phi-snap",
        {"db_instance_identifier": "phi-db", "db_snapshot_identifier": "s1", **props},
        id="s1",
    )


def cluster_snapshot(**props) -> Resource:
    return Resource(
        CLUSTER_SNAPSHOT,
        "phi-aurora-snap",
        {"db_cluster_identifier": "phi-aurora", "db_cluster_snapshot_identifier": "cs1", **props},
        id="cs1",
    )


def copy(n: int, source: str, **props) -> Resource:
    """The n-th copy in a chain: copy-n of the snapshot `source`."""
    return Resource(
        SNAPSHOT_COPY,
        f"copy-{n}",
        {"source_db_snapshot_identifier": source, "target_db_snapshot_identifier": f"c{n}",
         **props},
        id=f"c{n}",
    )  # fmt: skip


def judge(fn, target: Resource, *others: Resource) -> tuple:
    result = fn(target, Inventory([target, *others]))
    return result.status, dict(result.evidence)


def _finding(check_id: str, target: Resource, *others: Resource) -> tuple:
    [finding] = run_check(build_registry().get(check_id), Inventory([target, *others]), target)
    return finding.status, dict(finding.evidence)


# -- rds_snapshot_not_public -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "accounts",
    [["all"], ["ALL"], ["210987654321", "all"], ["all", "210987654321"]],
)
def test_a_snapshot_shared_with_all_fails(accounts):
    for target in (snapshot(shared_accounts=accounts), cluster_snapshot(shared_accounts=accounts)):
        result = judge(rds_snapshot_not_public, target)
        assert result == (Status.FAIL, {"shared_accounts": accounts})


@pytest.mark.parametrize("accounts", [["210987654321"], ["210987654321", "109876543210"], []])
def test_a_snapshot_shared_with_named_accounts_or_none_passes(accounts):
    result = judge(rds_snapshot_not_public, snapshot(shared_accounts=accounts))
    assert result == (Status.PASS, {"shared_accounts": accounts})


def test_a_snapshot_shared_with_nobody_passes():
    for target in (snapshot(), copy(1, "s1")):
        assert judge(rds_snapshot_not_public, target) == (Status.PASS, {"shared_accounts": []})


@pytest.mark.parametrize(
    "target",
    [
        snapshot(shared_accounts=UNKNOWN),
        snapshot(shared_accounts=["210987654321", UNKNOWN]),
        snapshot(shared_accounts=MadeUp(["all"])),
        dataclasses.replace(
            snapshot(), source="state", recorded=frozenset({"db_instance_identifier"})
        ),
    ],
    ids=["unknown", "one-unknown", "made-up", "unrecorded"],
)
def test_sharing_that_cannot_be_seen_is_undecidable(target):
    with pytest.raises(Undecidable, match="shared_accounts"):
        judge(rds_snapshot_not_public, target)


# -- rds_snapshot_encrypted ------------------------------------------------------------------------


def test_snapshot_encryption_follows_its_source_instance():
    assert judge(rds_snapshot_encrypted, snapshot(), instance(storage_encrypted=True)) == (
        Status.PASS,
        {"encrypted": True, "decided_by": "phi-db"},
    )
    for source in (instance(), instance(storage_encrypted=False)):
        assert judge(rds_snapshot_encrypted, snapshot(), source) == (
            Status.FAIL,
            {"encrypted": False, "decided_by": "phi-db"},
        )


def test_a_snapshot_reporting_its_own_encryption_is_taken_at_its_word():
    assert judge(rds_snapshot_encrypted, snapshot(encrypted=True)) == (
        Status.PASS,
        {"encrypted": True, "decided_by": "phi-snap"},
    )
    assert judge(
        rds_snapshot_encrypted, snapshot(encrypted=False), instance(storage_encrypted=True)
    ) == (
        Status.FAIL,
        {"encrypted": False, "decided_by": "phi-snap"},
    )


def test_a_copy_with_a_key_is_encrypted_and_one_without_follows_its_source():
    plain = instance()
    assert judge(rds_snapshot_encrypted, copy(1, "s1", kms_key_id=KEY), snapshot(), plain) == (
        Status.PASS,
        {"encrypted": True, "decided_by": "copy-1"},
    )
    assert judge(rds_snapshot_encrypted, copy(1, "s1"), snapshot(), plain) == (
        Status.FAIL,
        {"encrypted": False, "decided_by": "phi-db"},
    )
    reported = copy(1, "s1", kms_key_id=KEY, encrypted=False)
    assert judge(rds_snapshot_encrypted, reported, snapshot(), plain) == (
        Status.FAIL,
        {"encrypted": False, "decided_by": "copy-1"},
    )


def test_a_key_on_a_snapshot_that_is_no_copy_does_not_encrypt_it():
    keyed = snapshot(kms_key_id=KEY)
    assert judge(rds_snapshot_encrypted, keyed, instance()) == (
        Status.FAIL,
        {"encrypted": False, "decided_by": "phi-db"},
    )


CHAIN = [snapshot(), copy(1, "s1"), copy(2, "c1"), copy(3, "c2"), copy(4, "c3")]


@pytest.mark.parametrize("depth", [0, 1, 2, 3])
def test_a_chain_of_copies_is_followed_to_the_database_up_to_three_copies_deep(depth):
    target = CHAIN[depth]
    others = [r for r in CHAIN if r is not target]
    assert judge(rds_snapshot_encrypted, target, *others, instance(storage_encrypted=True)) == (
        Status.PASS,
        {"encrypted": True, "decided_by": "phi-db"},
    )


def test_a_chain_deeper_than_three_copies_is_undecidable():
    with pytest.raises(Undecidable, match="chain of copies reaching snapshot phi-snap is too long"):
        judge(rds_snapshot_encrypted, CHAIN[4], *CHAIN[:4], instance(storage_encrypted=True))


def test_a_cluster_snapshot_reports_its_own_encryption_as_storage_encrypted():
    on = cluster(storage_encrypted=True)
    own = judge(rds_snapshot_encrypted, cluster_snapshot(storage_encrypted=False), on)
    assert own == (Status.FAIL, {"encrypted": False, "decided_by": "phi-aurora-snap"})
    derived = judge(rds_snapshot_encrypted, cluster_snapshot(), on)
    assert derived == (Status.PASS, {"encrypted": True, "decided_by": "phi-aurora"})
    plain = judge(rds_snapshot_encrypted, cluster_snapshot(), cluster())
    assert plain == (Status.FAIL, {"encrypted": False, "decided_by": "phi-aurora"})


def cluster_copy(**props) -> Resource:
    return Resource(
        CLUSTER_SNAPSHOT_COPY,
        "aurora-copy",
        {"source_db_cluster_snapshot_identifier": "cs1",
         "target_db_cluster_snapshot_identifier": "cc1", **props},
    )  # fmt: skip


def test_a_cluster_snapshot_copy_follows_its_cluster_snapshot_unless_it_has_a_key():
    assert judge(
        rds_snapshot_encrypted, cluster_copy(), cluster_snapshot(), cluster(storage_encrypted=True)
    ) == (
        Status.PASS,
        {"encrypted": True, "decided_by": "phi-aurora"},
    )
    assert judge(rds_snapshot_encrypted, cluster_copy(), cluster_snapshot(), cluster()) == (
        Status.FAIL,
        {"encrypted": False, "decided_by": "phi-aurora"},
    )
    assert judge(
        rds_snapshot_encrypted, cluster_copy(kms_key_id=KEY), cluster_snapshot(), cluster()
    ) == (
        Status.PASS,
        {"encrypted": True, "decided_by": "aurora-copy"},
    )


def test_a_snapshot_whose_source_is_missing_is_undecidable():
    for target in (snapshot(), copy(1, "s-elsewhere"), cluster_snapshot()):
        with pytest.raises(Undecidable, match="not in the inventory"):
            judge(rds_snapshot_encrypted, target)


def test_a_snapshot_whose_encryption_cannot_be_seen_is_not_evaluated():
    """Not the source's setting in its place: a file that records the snapshot but not its
    encryption, or records it as a value no one can see, cannot be told encrypted."""
    on = cluster(storage_encrypted=True)
    unrecorded = dataclasses.replace(
        cluster_snapshot(),
        source="state",
        recorded=frozenset({"db_cluster_identifier", "db_cluster_snapshot_identifier"}),
    )
    unseen = [cluster_snapshot(storage_encrypted=v) for v in (SECRET, UNKNOWN, MadeUp(True))]
    for target in [unrecorded, *unseen, cluster_snapshot(db_cluster_identifier=SECRET)]:
        assert _finding("rds_snapshot_encrypted", target, on) == (Status.NOT_EVALUATED, {})
    with pytest.raises(Undecidable):
        judge(rds_snapshot_encrypted, snapshot(), instance(storage_encrypted=UNKNOWN))
