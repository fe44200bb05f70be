"""RDS/Aurora in operation: IAM auth, backup plans, Multi-AZ, logs, monitoring and minor version
upgrades. (TLS: test_checks_rds_tls.py; snapshots: test_checks_rds_snapshots.py.)"""

from __future__ import annotations

import dataclasses

import pytest

from checks.aws.rds import rds_instance_not_public
from checks.aws.rds_operations import (
    rds_auto_minor_version_upgrade,
    rds_enhanced_monitoring,
    rds_iam_authentication,
    rds_in_backup_plan,
    rds_logs_exported,
    rds_multi_az,
)
from checks.evaluate import run_check
from checks.library import build_registry
from checks.model import SECRET, UNKNOWN, Inventory, MadeUp, Resource, Undecidable
from checks.registry import Status

DB_ARN = "arn:aws:rds:us-east-1:111122223333:db:phi-db"
MEMBER = (Status.NOT_APPLICABLE, {"cluster_identifier": "phi-aurora"})
IAM = "iam_database_authentication_enabled"


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


def member_instance(**props) -> Resource:
    return instance(engine="aurora-postgresql", cluster_identifier="phi-aurora", **props)


def unrecorded(res: Resource) -> Resource:
    recorded = frozenset({"engine", "cluster_identifier"})
    return dataclasses.replace(res, source="state", recorded=recorded)


def selection(name: str = "phi-selection", **props) -> Resource:
    return Resource(
        "aws:backup/selection:Selection",
        name,
        {"plan_id": "plan-1", "iam_role_arn": "arn:aws:iam::1:role/b", **props},
    )


def judge(fn, target: Resource, *others: Resource) -> tuple:
    result = fn(target, Inventory([target, *others]))
    return result.status, dict(result.evidence)


def _finding(check_id: str, target: Resource, *others: Resource) -> tuple:
    [finding] = run_check(build_registry().get(check_id), Inventory([target, *others]), target)
    return finding.status, dict(finding.evidence)


# -- rds_iam_authentication ------------------------------------------------------------------------


@pytest.mark.parametrize("engine", ["postgres", "mysql", "mariadb", "aurora-mysql"])
def test_iam_authentication_on_passes_and_off_fails(engine):
    for value in (True, "true"):
        on = judge(rds_iam_authentication, instance(engine=engine, **{IAM: value}))
        assert on == (Status.PASS, {IAM: True, "engine": engine})
    for props in ({}, {IAM: False}):
        off = judge(rds_iam_authentication, instance(engine=engine, **props))
        assert off == (Status.FAIL, {IAM: False, "engine": engine})


def test_an_aurora_cluster_is_judged_and_its_member_is_not():
    assert judge(rds_iam_authentication, cluster(**{IAM: True})) == (
        Status.PASS,
        {IAM: True, "engine": "aurora-postgresql"},
    )
    assert judge(rds_iam_authentication, member_instance()) == MEMBER


@pytest.mark.parametrize("engine", ["sqlserver-se", "oracle-ee"])
def test_engines_without_iam_authentication_are_not_applicable(engine):
    assert judge(rds_iam_authentication, instance(engine=engine)) == (
        Status.NOT_APPLICABLE,
        {"engine": engine},
    )


@pytest.mark.parametrize("props", [{IAM: UNKNOWN}, {"engine": UNKNOWN}, {IAM: MadeUp(True)}])
def test_iam_authentication_that_cannot_be_seen_is_undecidable(props):
    with pytest.raises(Undecidable):
        judge(rds_iam_authentication, instance(**props))


# -- rds_in_backup_plan ----------------------------------------------------------------------------


def test_database_selected_by_arn_passes_and_unselected_fails():
    chosen = judge(rds_in_backup_plan, instance(), selection(resources=[DB_ARN]))
    assert chosen == (Status.PASS, {"backup_selections": ["phi-selection"]})
    unselected = (Status.FAIL, {"backup_selections": []})
    assert judge(rds_in_backup_plan, instance()) == unselected
    other = selection(resources=["arn:aws:rds:us-east-1:111122223333:db:other"])
    assert judge(rds_in_backup_plan, instance(), other) == unselected


def test_every_selection_of_the_database_is_named():
    daily = selection("daily", resources=[DB_ARN])
    monthly = selection("monthly", resources=["arn:aws:rds:*:*:db:*"])
    elsewhere = selection("other", resources=["arn:aws:dynamodb:*"])
    assert judge(rds_in_backup_plan, instance(), daily, elsewhere, monthly) == (
        Status.PASS,
        {"backup_selections": ["daily", "monthly"]},
    )


def test_database_selected_by_tag_or_condition():
    tagged = instance(tags={"backup": "daily"})
    by_tag = selection(selection_tags=[{"type": "STRINGEQUALS", "key": "backup", "value": "daily"}])
    chosen = (Status.PASS, {"backup_selections": ["phi-selection"]})
    assert judge(rds_in_backup_plan, tagged, by_tag) == chosen
    by_condition = selection(
        resources=["arn:aws:rds:*:*:db:*"],
        conditions=[{"string_equals": [{"key": "aws:ResourceTag/backup", "value": "daily"}]}],
    )
    assert judge(rds_in_backup_plan, tagged, by_condition) == chosen
    never = instance(tags={"backup": "never"})
    assert judge(rds_in_backup_plan, never, by_condition) == (
        Status.FAIL,
        {"backup_selections": []},
    )


def test_excluded_database_or_member_instance_is_not_selected():
    excluded = selection(resources=["*"], not_resources=[DB_ARN])
    assert judge(rds_in_backup_plan, instance(), excluded) == (
        Status.FAIL,
        {"backup_selections": []},
    )
    assert judge(rds_in_backup_plan, member_instance(), selection(resources=["*"])) == MEMBER


def test_selection_with_unknown_resources_is_undecidable():
    with pytest.raises(Undecidable):
        judge(rds_in_backup_plan, instance(), selection(resources=UNKNOWN))


def test_a_database_whose_arn_property_cannot_be_seen_is_not_evaluated_for_backup():
    dbs = Resource(
        "aws:backup/selection:Selection", "dbs", {"resources": ["arn:aws:rds:*:*:cluster:*"]}
    )
    assert _finding("rds_in_backup_plan", cluster(), dbs) == (
        Status.PASS,
        {"backup_selections": ["dbs"]},
    )
    for arn in (SECRET, UNKNOWN, MadeUp(cluster().arn)):
        found = _finding("rds_in_backup_plan", cluster(arn=arn), dbs)
        assert found == (Status.NOT_EVALUATED, {}), arn


# -- rds_multi_az ----------------------------------------------------------------------------------


def test_instance_multi_az():
    for value in (True, "true"):
        assert judge(rds_multi_az, instance(multi_az=value)) == (Status.PASS, {"multi_az": True})
    for props in ({}, {"multi_az": False}):
        assert judge(rds_multi_az, instance(**props)) == (Status.FAIL, {"multi_az": False})


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        ((), Status.FAIL),
        (("writer",), Status.FAIL),
        (("writer", "reader"), Status.PASS),
        (("writer", "reader", "reader-2"), Status.PASS),
    ],
)
def test_aurora_cluster_needs_two_instances(names, expected):
    result = judge(rds_multi_az, cluster(), *(member(n) for n in names))
    assert result == (expected, {"members": sorted(names)})


def test_members_of_another_cluster_do_not_count_and_rds_instances_do():
    theirs = member("theirs", cluster_identifier="other-aurora")
    joined = instance(engine="aurora-postgresql", cluster_identifier="phi-aurora")
    assert judge(rds_multi_az, cluster(), member("writer"), theirs) == (
        Status.FAIL,
        {"members": ["writer"]},
    )
    assert judge(rds_multi_az, cluster(), member("writer"), joined) == (
        Status.PASS,
        {"members": ["phi-db", "writer"]},
    )


def test_a_multi_az_db_cluster_spans_three_zones_by_design():
    multi = cluster(engine="postgres", db_cluster_instance_class="db.m6gd.large")
    assert judge(rds_multi_az, multi) == (Status.PASS, {"multi_az": True})


def test_a_member_instance_fails_over_with_its_cluster():
    assert judge(rds_multi_az, member_instance()) == MEMBER


@pytest.mark.parametrize(
    "resources",
    [
        (instance(multi_az=UNKNOWN),),
        (cluster(db_cluster_instance_class=UNKNOWN),),
        (cluster(), member("writer", cluster_identifier=UNKNOWN)),
        (cluster(), member("writer"), member("reader", cluster_identifier=UNKNOWN)),
    ],
    ids=["instance", "cluster-class", "only-member", "second-member"],
)
def test_multi_az_that_cannot_be_seen_is_undecidable(resources):
    with pytest.raises(Undecidable):
        judge(rds_multi_az, *resources)


# -- rds_logs_exported -----------------------------------------------------------------------------


@pytest.mark.parametrize("exports", [["postgresql"], ["postgresql", "upgrade"]])
def test_log_exports_pass(exports):
    result = judge(rds_logs_exported, instance(enabled_cloudwatch_logs_exports=exports))
    assert result == (Status.PASS, {"enabled_cloudwatch_logs_exports": exports})


@pytest.mark.parametrize("props", [{}, {"enabled_cloudwatch_logs_exports": []}])
def test_no_log_export_fails(props):
    for target in (instance(**props), cluster(**props)):
        result = judge(rds_logs_exported, target)
        assert result == (Status.FAIL, {"enabled_cloudwatch_logs_exports": []})


def test_log_exports_of_a_member_are_the_clusters_and_unknown_is_undecidable():
    assert judge(rds_logs_exported, member_instance()) == MEMBER
    for target in (instance(enabled_cloudwatch_logs_exports=UNKNOWN), unrecorded(instance())):
        with pytest.raises(Undecidable):
            judge(rds_logs_exported, target)


# -- rds_enhanced_monitoring -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("interval", "expected", "shown"),
    [
        (0, Status.FAIL, 0),
        (None, Status.FAIL, 0),
        (1, Status.PASS, 1),
        (5, Status.PASS, 5),
        (60, Status.PASS, 60),
        ("60", Status.PASS, 60),
    ],
)
def test_enhanced_monitoring_needs_an_interval_above_zero(interval, expected, shown):
    for target in (
        instance(monitoring_interval=interval),
        member("w", monitoring_interval=interval),
    ):
        result = judge(rds_enhanced_monitoring, target)
        assert result == (expected, {"monitoring_interval": shown})


def test_enhanced_monitoring_is_off_by_default():
    for target in (instance(), member("writer")):
        assert judge(rds_enhanced_monitoring, target) == (Status.FAIL, {"monitoring_interval": 0})


@pytest.mark.parametrize(
    "target",
    [
        instance(monitoring_interval=UNKNOWN),
        member("w", monitoring_interval=MadeUp(60)),
        unrecorded(instance()),
    ],
    ids=["unknown", "made-up", "unrecorded"],
)
def test_enhanced_monitoring_that_cannot_be_seen_is_undecidable(target):
    with pytest.raises(Undecidable, match="monitoring_interval"):
        judge(rds_enhanced_monitoring, target)


# -- rds_auto_minor_version_upgrade ----------------------------------------------------------------

UPGRADE = "auto_minor_version_upgrade"


@pytest.mark.parametrize("make", [instance, lambda **p: member("w", **p)])
def test_auto_minor_version_upgrade_defaults_on(make):
    for props in ({}, {UPGRADE: True}, {UPGRADE: "true"}):
        assert judge(rds_auto_minor_version_upgrade, make(**props)) == (
            Status.PASS,
            {UPGRADE: True},
        )
    for value in (False, "false"):
        assert judge(rds_auto_minor_version_upgrade, make(**{UPGRADE: value})) == (
            Status.FAIL,
            {UPGRADE: False},
        )


@pytest.mark.parametrize(
    "target",
    [instance(**{UPGRADE: UNKNOWN}), member("w", **{UPGRADE: SECRET}), unrecorded(instance())],
    ids=["unknown", "secret", "unrecorded"],
)
def test_auto_minor_version_upgrade_that_cannot_be_seen_is_undecidable(target):
    with pytest.raises(Undecidable, match=UPGRADE):
        judge(rds_auto_minor_version_upgrade, target)


# -- Aurora instances are covered by the public-endpoint check -------------------------------------


def test_public_aurora_cluster_instance_fails():
    result = judge(rds_instance_not_public, member("writer", publicly_accessible=True))
    assert result == (Status.FAIL, {"publicly_accessible": True})
