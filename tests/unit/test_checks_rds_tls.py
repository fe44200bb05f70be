"""rds_tls_enforced: the engine's TLS parameter, from the parameter group or the engine default
(RDS for PostgreSQL 15 and later require TLS by default)."""

from __future__ import annotations

import pytest

from checks.aws.rds import rds_tls_enforced
from checks.model import UNKNOWN, Inventory, MadeUp, Resource, Undecidable
from checks.registry import Status


def instance(**props) -> Resource:
    base = {"engine": "postgres", "engine_version": "16.4", "instance_class": "db.t4g.medium"}
    return Resource("aws:rds/instance:Instance", "phi-db", {**base, **props}, id="phi-db")


def cluster(**props) -> Resource:
    return Resource(
        "aws:rds/cluster:Cluster",
        "phi-aurora",
        {"engine": "aurora-postgresql", "cluster_identifier": "phi-aurora", **props},
        id="phi-aurora",
    )


def parameter_group(*params: tuple[str, str], family="postgres16", cluster_level=False, **props):
    token = (
        "aws:rds/clusterParameterGroup:ClusterParameterGroup"
        if cluster_level
        else "aws:rds/parameterGroup:ParameterGroup"
    )
    parameters = [{"name": n, "value": v} for n, v in params]
    props = {"name": "phi-pg", "family": family, "parameters": parameters, **props}
    return Resource(token, "pg", props, id="phi-pg")


def judge(*resources: Resource) -> tuple:
    result = rds_tls_enforced(resources[0], Inventory(resources))
    return result.status, dict(result.evidence)


def setting(value: str, source: str, group=None, parameter="rds.force_ssl") -> dict:
    return {"parameter": parameter, "parameter_group": group, "value": value, "from": source}


# -- the engine default ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("version", "value", "expected"),
    [
        ("9.6.22", "0", Status.FAIL),
        ("14.9", "0", Status.FAIL),
        ("15", "1", Status.PASS),
        ("15.2", "1", Status.PASS),
        ("16.4", "1", Status.PASS),
        (None, "1", Status.PASS),
    ],
)
def test_the_postgres_default_requires_tls_from_major_version_15(version, value, expected):
    assert judge(instance(engine_version=version)) == (expected, setting(value, "default"))


@pytest.mark.parametrize(
    ("engine", "parameter"),
    [
        ("mysql", "require_secure_transport"),
        ("mariadb", "require_secure_transport"),
        ("aurora-mysql", "require_secure_transport"),
        ("aurora", "require_secure_transport"),
        ("sqlserver-se", "rds.force_ssl"),
        ("aurora-postgresql", "rds.force_ssl"),
    ],
)
def test_other_engines_accept_plain_connections_by_default(engine, parameter):
    db = instance(engine=engine, engine_version="16.4")
    assert judge(db) == (Status.FAIL, setting("0", "default", parameter=parameter))


@pytest.mark.parametrize(
    ("version", "named", "value", "expected"),
    [
        ("14.9", "default.postgres14", "0", Status.FAIL),
        ("15.7", "default.postgres15", "1", Status.PASS),
    ],
)
def test_a_default_parameter_group_is_the_engine_default(version, named, value, expected):
    db = instance(engine_version=version, parameter_group_name=named)
    assert judge(db) == (expected, setting(value, "default", named))


# -- the parameter group ---------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["1", "on", "ON", "true", "True", " 1 "])
def test_a_group_that_turns_tls_on_passes(value):
    db = instance(parameter_group_name="phi-pg", engine_version="14.9")
    group = parameter_group(("rds.force_ssl", value), family="postgres14")
    assert judge(db, group) == (Status.PASS, setting(value, "group", "phi-pg"))


@pytest.mark.parametrize("value", ["0", "off", "false", "2"])
def test_a_group_that_leaves_tls_off_fails_even_where_the_default_is_on(value):
    db = instance(parameter_group_name="phi-pg")
    group = parameter_group(("rds.force_ssl", value))
    assert judge(db, group) == (Status.FAIL, setting(value, "group", "phi-pg"))


def test_the_parameter_is_found_by_name_in_any_case_among_others():
    db = instance(parameter_group_name="phi-pg", engine_version="14.9")
    group = parameter_group(("log_connections", "1"), ("RDS.FORCE_SSL", "1"), family="postgres14")
    assert judge(db, group) == (Status.PASS, setting("1", "group", "phi-pg"))


@pytest.mark.parametrize(
    ("family", "version", "value", "expected"),
    [("postgres14", "16.4", "0", Status.FAIL), ("postgres15", "14.9", "1", Status.PASS)],
)
def test_a_group_without_the_parameter_takes_the_default_of_its_family(
    family, version, value, expected
):
    db = instance(parameter_group_name="phi-pg", engine_version=version)
    group = parameter_group(("log_connections", "1"), family=family)
    assert judge(db, group) == (expected, setting(value, "default", "phi-pg"))


def test_mysql_require_secure_transport_fixes_it():
    fixed = instance(engine="mysql", engine_version="8.0.39", parameter_group_name="phi-pg")
    group = parameter_group(("require_secure_transport", "ON"), family="mysql8.0")
    assert judge(fixed, group) == (
        Status.PASS,
        setting("ON", "group", "phi-pg", "require_secure_transport"),
    )


def test_aurora_cluster_reads_its_cluster_parameter_group_only():
    group = parameter_group(
        ("rds.force_ssl", "1"), family="aurora-postgresql16", cluster_level=True
    )
    aurora = cluster(db_cluster_parameter_group_name="phi-pg")
    assert judge(aurora, group) == (Status.PASS, setting("1", "group", "phi-pg"))
    wrong_key = cluster(parameter_group_name="phi-pg")
    assert judge(wrong_key, group) == (Status.FAIL, setting("0", "default"))


def test_a_member_instance_is_judged_by_its_cluster():
    member = instance(engine="aurora-postgresql", cluster_identifier="phi-aurora")
    assert judge(member) == (Status.NOT_APPLICABLE, {"cluster_identifier": "phi-aurora"})


# -- what cannot be told ---------------------------------------------------------------------------


def test_parameter_group_outside_the_inventory_is_undecidable():
    with pytest.raises(Undecidable, match="not in the inventory"):
        judge(instance(parameter_group_name="shared-pg"))


@pytest.mark.parametrize(
    "resources",
    [
        (instance(parameter_group_name=UNKNOWN),),
        (instance(parameter_group_name="phi-pg"), parameter_group(parameters=UNKNOWN)),
        (instance(parameter_group_name="phi-pg"), parameter_group(family=MadeUp("postgres16"))),
        (instance(engine_version=UNKNOWN),),
        (instance(engine=UNKNOWN),),
    ],
    ids=["group-name", "parameters", "family", "version", "engine"],
)
def test_tls_settings_that_cannot_be_seen_are_undecidable(resources):
    with pytest.raises(Undecidable):
        judge(*resources)


@pytest.mark.parametrize("engine", ["oracle-ee", "db2-se", "custom-sqlserver-ee", ""])
def test_engines_whose_tls_lives_in_an_option_group_are_undecidable(engine):
    with pytest.raises(Undecidable, match="option group"):
        judge(instance(engine=engine))


@pytest.mark.parametrize(
    ("engine", "named"), [("oracle-ee", "oracle-ee"), ("db2-se", "db2-se"), ("", "this engine")]
)
def test_an_option_group_engine_is_named_in_the_reason(engine, named):
    with pytest.raises(Undecidable) as caught:
        judge(instance(engine=engine))
    assert str(caught.value) == f"TLS for {named} is set in an option group, not read here"


def test_a_group_without_a_family_takes_the_default_of_the_instance_version():
    db = instance(parameter_group_name="phi-pg", engine_version="14.9")
    props = {"name": "phi-pg", "parameters": [{"name": "log_connections", "value": "1"}]}
    group = Resource("aws:rds/parameterGroup:ParameterGroup", "pg", props, id="phi-pg")
    result = rds_tls_enforced(db, Inventory([db, group]))
    assert (result.status, result.message, result.evidence) == (
        Status.FAIL,
        "rds.force_ssl=0 (the engine default): plain connections are accepted",
        setting("0", "default", "phi-pg"),
    )
