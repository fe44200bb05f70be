"""RDS/Aurora checks beyond encryption and exposure: TLS, IAM auth, backups, Multi-AZ, logs,
monitoring, snapshots and upgrades."""

from __future__ import annotations

import dataclasses

import pytest

from checks.aws.rds import rds_instance_not_public, rds_tls_enforced
from checks.aws.rds_operations import (
    rds_auto_minor_version_upgrade,
    rds_enhanced_monitoring,
    rds_iam_authentication,
    rds_in_backup_plan,
    rds_logs_exported,
    rds_multi_az,
    rds_snapshot_encrypted,
    rds_snapshot_not_public,
)
from checks.evaluate import run_check
from checks.library import build_registry
from checks.model import SECRET, UNKNOWN, Inventory, MadeUp, Resource, Undecidable
from checks.registry import Status

DB_ARN = "arn:aws:rds:us-east-1:111122223333:db:phi-db"


def instance(**props) -> Resource:
    base = {"engine": "postgres", "engine_version": "16.4", "instance_class": "db.t4g.medium"}
    return Resource(
        "aws:rds/instance:Instance", "phi-db", {**base, **props}, id="phi-db", arn=DB_ARN
    )


def cluster(**props) -> Resource:
    return Resource(
        "aws:rds/cluster:Cluster",
        "phi-aurora",
        {"engine": "aurora-postgresql", "cluster_identifier": "phi-aurora", **props},
        id="phi-aurora",
        arn="arn:aws:rds:us-east-1:111122223333:cluster:phi-aurora",
    )


def member(name: str, **props) -> Resource:
    return Resource(
        "aws:rds/clusterInstance:ClusterInstance",
        name,
        {"cluster_identifier": "phi-aurora", "engine": "aurora-postgresql", **props},
        id=name,
    )


def parameter_group(*params: tuple[str, str], family: str = "postgres16", cluster_level=False):
    token = (
        "aws:rds/clusterParameterGroup:ClusterParameterGroup"
        if cluster_level
        else "aws:rds/parameterGroup:ParameterGroup"
    )
    parameters = [{"name": n, "value": v} for n, v in params]
    return Resource(
        token, "pg", {"name": "phi-pg", "family": family, "parameters": parameters}, id="phi-pg"
    )


def selection(**props) -> Resource:
    return Resource(
        "aws:backup/selection:Selection",
        "phi-selection",
        {"plan_id": "plan-1", "iam_role_arn": "arn:aws:iam::1:role/b", **props},
    )


def run(fn, target: Resource, *others: Resource):
    return fn(target, Inventory([target, *others]))


# -- rds_tls_enforced ------------------------------------------------------------------------------


def test_force_ssl_in_the_parameter_group_passes():
    db = instance(parameter_group_name="phi-pg", engine_version="14.9")
    result = run(rds_tls_enforced, db, parameter_group(("rds.force_ssl", "1"), family="postgres14"))
    assert result.status is Status.PASS
    assert result.evidence == {
        "parameter": "rds.force_ssl",
        "parameter_group": "phi-pg",
        "value": "1",
        "from": "group",
    }


def test_force_ssl_off_in_the_parameter_group_fails():
    result = run(
        rds_tls_enforced,
        instance(parameter_group_name="phi-pg"),
        parameter_group(("rds.force_ssl", "0")),
    )
    assert result.status is Status.FAIL
    assert result.evidence["value"] == "0"


@pytest.mark.parametrize(("version", "expected"), [("16.4", Status.PASS), ("14.9", Status.FAIL)])
def test_default_parameter_group_follows_the_postgres_major_version(version, expected):
    result = run(rds_tls_enforced, instance(engine_version=version))
    assert result.status is expected
    assert result.evidence["from"] == "default"


def test_mysql_default_allows_plain_connections_and_require_secure_transport_fixes_it():
    db = instance(engine="mysql", engine_version="8.0.39")
    assert run(rds_tls_enforced, db).status is Status.FAIL
    fixed = instance(engine="mysql", parameter_group_name="phi-pg")
    group = parameter_group(("require_secure_transport", "ON"), family="mysql8.0")
    assert run(rds_tls_enforced, fixed, group).status is Status.PASS


def test_aurora_cluster_reads_its_cluster_parameter_group():
    aurora = cluster(db_cluster_parameter_group_name="phi-pg")
    group = parameter_group(
        ("rds.force_ssl", "1"), family="aurora-postgresql16", cluster_level=True
    )
    assert run(rds_tls_enforced, aurora, group).status is Status.PASS
    assert run(rds_tls_enforced, cluster()).status is Status.FAIL


def test_parameter_group_outside_the_inventory_or_unknown_is_undecidable():
    with pytest.raises(Undecidable, match="not in the inventory"):
        run(rds_tls_enforced, instance(parameter_group_name="shared-pg"))
    with pytest.raises(Undecidable):
        run(rds_tls_enforced, instance(parameter_group_name=UNKNOWN))


def test_oracle_tls_lives_in_an_option_group_and_is_undecidable():
    with pytest.raises(Undecidable, match="option group"):
        run(rds_tls_enforced, instance(engine="oracle-ee"))


# -- rds_iam_authentication ------------------------------------------------------------------------


def test_iam_authentication():
    on = run(rds_iam_authentication, instance(iam_database_authentication_enabled=True))
    off = run(rds_iam_authentication, instance())
    assert (on.status, on.evidence["iam_database_authentication_enabled"]) == (Status.PASS, True)
    assert (off.status, off.evidence["iam_database_authentication_enabled"]) == (Status.FAIL, False)
    sqlserver = run(rds_iam_authentication, instance(engine="sqlserver-se"))
    assert sqlserver.status is Status.NOT_APPLICABLE
    with pytest.raises(Undecidable):
        run(rds_iam_authentication, instance(iam_database_authentication_enabled=UNKNOWN))


# -- rds_in_backup_plan ----------------------------------------------------------------------------


def test_database_selected_by_arn_passes_and_unselected_fails():
    result = run(rds_in_backup_plan, instance(), selection(resources=[DB_ARN]))
    assert (result.status, result.evidence) == (
        Status.PASS,
        {"backup_selections": ["phi-selection"]},
    )
    assert run(rds_in_backup_plan, instance()).status is Status.FAIL
    other = selection(resources=["arn:aws:rds:us-east-1:111122223333:db:other"])
    assert run(rds_in_backup_plan, instance(), other).status is Status.FAIL


def test_database_selected_by_wildcard_tag_and_condition():
    tagged = instance(tags={"backup": "daily"})
    by_tag = selection(selection_tags=[{"type": "STRINGEQUALS", "key": "backup", "value": "daily"}])
    assert run(rds_in_backup_plan, tagged, by_tag).status is Status.PASS
    by_condition = selection(
        resources=["arn:aws:rds:*:*:db:*"],
        conditions=[{"string_equals": [{"key": "aws:ResourceTag/backup", "value": "daily"}]}],
    )
    assert run(rds_in_backup_plan, tagged, by_condition).status is Status.PASS
    assert run(rds_in_backup_plan, instance(tags={"backup": "never"}), by_condition).status is (
        Status.FAIL
    )


def test_excluded_database_is_not_selected():
    excluded = selection(resources=["*"], not_resources=[DB_ARN])
    assert run(rds_in_backup_plan, instance(), excluded).status is Status.FAIL


def test_selection_with_unknown_resources_is_undecidable():
    with pytest.raises(Undecidable):
        run(rds_in_backup_plan, instance(), selection(resources=UNKNOWN))


# -- rds_multi_az ----------------------------------------------------------------------------------


def test_instance_multi_az():
    assert run(rds_multi_az, instance(multi_az=True)).status is Status.PASS
    off = run(rds_multi_az, instance())
    assert (off.status, off.evidence) == (Status.FAIL, {"multi_az": False})


def test_aurora_cluster_needs_two_instances():
    one = run(rds_multi_az, cluster(), member("writer"))
    two = run(rds_multi_az, cluster(), member("writer"), member("reader"))
    assert (one.status, one.evidence) == (Status.FAIL, {"members": ["writer"]})
    assert (two.status, two.evidence) == (Status.PASS, {"members": ["reader", "writer"]})


def test_aurora_member_with_unknown_cluster_makes_the_count_undecidable():
    pending = member("writer", cluster_identifier=UNKNOWN)
    with pytest.raises(Undecidable):
        run(rds_multi_az, cluster(), pending)


# -- logs and monitoring ---------------------------------------------------------------------------


def test_log_exports():
    result = run(rds_logs_exported, instance(enabled_cloudwatch_logs_exports=["postgresql"]))
    assert (result.status, result.evidence) == (
        Status.PASS,
        {"enabled_cloudwatch_logs_exports": ["postgresql"]},
    )
    assert run(rds_logs_exported, instance()).status is Status.FAIL
    with pytest.raises(Undecidable):
        run(rds_logs_exported, instance(enabled_cloudwatch_logs_exports=UNKNOWN))


def test_enhanced_monitoring_on_instances_and_cluster_instances():
    assert run(rds_enhanced_monitoring, instance(monitoring_interval=60)).status is Status.PASS
    off = run(rds_enhanced_monitoring, member("writer"))
    assert (off.status, off.evidence) == (Status.FAIL, {"monitoring_interval": 0})


# -- snapshots -------------------------------------------------------------------------------------


def snapshot(**props) -> Resource:
    return Resource(
        "aws:rds/snapshot:Snapshot",
        "phi-snap",
        {"db_instance_identifier": "phi-db", "db_snapshot_identifier": "s1", **props},
    )


def test_public_snapshot_fails_and_named_sharing_passes():
    public = run(rds_snapshot_not_public, snapshot(shared_accounts=["all"]))
    shared = run(rds_snapshot_not_public, snapshot(shared_accounts=["210987654321"]))
    assert (public.status, public.evidence) == (Status.FAIL, {"shared_accounts": ["all"]})
    assert shared.status is Status.PASS


def test_snapshot_encryption_follows_its_source_instance():
    enc = run(rds_snapshot_encrypted, snapshot(), instance(storage_encrypted=True))
    plain = run(rds_snapshot_encrypted, snapshot(), instance())
    assert (enc.status, enc.evidence) == (Status.PASS, {"encrypted": True, "decided_by": "phi-db"})
    assert (plain.status, plain.evidence) == (
        Status.FAIL,
        {"encrypted": False, "decided_by": "phi-db"},
    )


def test_snapshot_reported_encrypted_by_a_live_source_and_missing_source():
    assert run(rds_snapshot_encrypted, snapshot(encrypted=True)).status is Status.PASS
    with pytest.raises(Undecidable, match="not in the inventory"):
        run(rds_snapshot_encrypted, snapshot())


def cluster_snapshot(**props) -> Resource:
    return Resource(
        "aws:rds/clusterSnapshot:ClusterSnapshot",
        "phi-aurora-snap",
        {"db_cluster_identifier": "phi-aurora", "db_cluster_snapshot_identifier": "s1", **props},
    )


def _status(check_id: str, target: Resource, *others: Resource) -> Status:
    [finding] = run_check(build_registry().get(check_id), Inventory([target, *others]), target)
    return finding.status


def test_a_cluster_snapshot_reports_its_own_encryption_as_storage_encrypted():
    encrypted = cluster(storage_encrypted=True)
    own = run(rds_snapshot_encrypted, cluster_snapshot(storage_encrypted=False), encrypted)
    assert (own.status, own.evidence) == (
        Status.FAIL,
        {"encrypted": False, "decided_by": "phi-aurora-snap"},
    )
    derived = run(rds_snapshot_encrypted, cluster_snapshot(), encrypted)
    assert (derived.status, derived.evidence["decided_by"]) == (Status.PASS, "phi-aurora")


def test_a_snapshot_whose_encryption_cannot_be_seen_is_not_evaluated():
    """Not the source's setting in its place: a file that records the snapshot but not its
    encryption, or records it as a value no one can see, cannot be told encrypted."""
    encrypted = cluster(storage_encrypted=True)
    unrecorded = dataclasses.replace(
        cluster_snapshot(),
        source="state",
        recorded=frozenset({"db_cluster_identifier", "db_cluster_snapshot_identifier"}),
    )
    unseen = [cluster_snapshot(storage_encrypted=v) for v in (SECRET, UNKNOWN, MadeUp(True))]
    for target in [unrecorded, *unseen, cluster_snapshot(db_cluster_identifier=SECRET)]:
        assert _status("rds_snapshot_encrypted", target, encrypted) is Status.NOT_EVALUATED


def test_a_database_whose_arn_property_cannot_be_seen_is_not_evaluated_for_backup():
    selection = Resource(
        "aws:backup/selection:Selection", "dbs", {"resources": ["arn:aws:rds:*:*:cluster:*"]}
    )
    assert _status("rds_in_backup_plan", cluster(), selection) is Status.PASS
    for arn in (SECRET, UNKNOWN, MadeUp(cluster().arn)):
        assert _status("rds_in_backup_plan", cluster(arn=arn), selection) is Status.NOT_EVALUATED


# -- minor version upgrades; Aurora instances are covered by the public-endpoint check -------------


def test_auto_minor_version_upgrade_defaults_on():
    assert run(rds_auto_minor_version_upgrade, instance()).status is Status.PASS
    off = run(rds_auto_minor_version_upgrade, member("w", auto_minor_version_upgrade=False))
    assert (off.status, off.evidence) == (Status.FAIL, {"auto_minor_version_upgrade": False})


def test_public_aurora_cluster_instance_fails():
    result = run(rds_instance_not_public, member("writer", publicly_accessible=True))
    assert result.status is Status.FAIL
