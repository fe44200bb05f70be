"""Redshift cluster checks on hand-built inventories: encryption and audit logging, public
access, TLS through the parameter group, automated snapshots and maintenance settings."""

from __future__ import annotations

import pytest

from checks.aws.redshift import (
    CLUSTER,
    LOGGING,
    PARAMETER_GROUP,
    redshift_automated_snapshots,
    redshift_cluster_not_public,
    redshift_encrypted_and_logged,
    redshift_maintenance_settings,
    redshift_require_tls,
)
from checks.model import SECRET, UNKNOWN, Inventory, Resource, Undecidable
from checks.registry import Status

KEY = "arn:aws:kms:us-east-1:123456789012:key/k"


def cluster(**props) -> Resource:
    return Resource(CLUSTER, "warehouse", {"cluster_identifier": "warehouse", **props})


def logging(cluster_identifier="warehouse", name="warehouse-logs") -> Resource:
    props = {"cluster_identifier": cluster_identifier, "log_destination_type": "cloudwatch"}
    return Resource(LOGGING, name, props)


def group(name="tls", **params: str) -> Resource:
    parameters = [{"name": k, "value": v} for k, v in params.items()]
    return Resource(PARAMETER_GROUP, name, {"name": name, "family": "redshift-1.0",
                                            "parameters": parameters}, id=name)  # fmt: skip


def run(fn, res: Resource, *others: Resource):
    return fn(res, Inventory([res, *others]))


# -- redshift_encrypted_and_logged -------------------------------------------------------------


@pytest.mark.parametrize("encrypted", [{}, {"encrypted": "true"}, {"encrypted": True}])
def test_encrypted_and_logged_passes_and_encryption_is_the_default(encrypted):
    result = run(redshift_encrypted_and_logged, cluster(**encrypted), logging())
    assert (result.status, result.evidence) == (
        Status.PASS,
        {"encrypted": True, "audit_logging": ["warehouse-logs"]},
    )


def test_unencrypted_fails_even_when_logged():
    result = run(redshift_encrypted_and_logged, cluster(encrypted="false"), logging())
    assert (result.status, result.message, result.evidence) == (
        Status.FAIL,
        "the cluster is not encrypted",
        {"encrypted": False, "audit_logging": ["warehouse-logs"]},
    )


def test_logging_of_another_cluster_does_not_count():
    result = run(redshift_encrypted_and_logged, cluster(), logging("other", "other-logs"))
    assert (result.status, result.message, result.evidence) == (
        Status.FAIL,
        "the cluster is not audit-logged",
        {"encrypted": True, "audit_logging": []},
    )


def test_neither_encrypted_nor_logged_names_both():
    result = run(redshift_encrypted_and_logged, cluster(encrypted="false"))
    assert (result.status, result.message, result.evidence) == (
        Status.FAIL,
        "the cluster is not encrypted nor audit-logged",
        {"encrypted": False, "audit_logging": []},
    )


def test_a_logging_resource_naming_an_unknown_cluster_is_not_evaluated():
    with pytest.raises(Undecidable):
        run(redshift_encrypted_and_logged, cluster(), logging(UNKNOWN))


def test_unknown_encryption_is_not_evaluated():
    with pytest.raises(Undecidable):
        run(redshift_encrypted_and_logged, cluster(encrypted=UNKNOWN), logging())


def test_an_unread_logging_type_is_not_evaluated():
    res = cluster()
    inv = Inventory([res], gaps={LOGGING: "access denied"})
    with pytest.raises(Undecidable, match="access denied"):
        redshift_encrypted_and_logged(res, inv)


# -- redshift_cluster_not_public ---------------------------------------------------------------


@pytest.mark.parametrize("props", [{}, {"publicly_accessible": False}])
def test_a_private_cluster_passes_and_is_the_default(props):
    result = run(redshift_cluster_not_public, cluster(**props))
    assert (result.status, result.evidence) == (Status.PASS, {"publicly_accessible": False})


def test_a_public_cluster_fails():
    result = run(redshift_cluster_not_public, cluster(publicly_accessible=True))
    assert (result.status, result.evidence) == (Status.FAIL, {"publicly_accessible": True})


def test_unknown_public_access_is_not_evaluated():
    with pytest.raises(Undecidable):
        run(redshift_cluster_not_public, cluster(publicly_accessible=UNKNOWN))


# -- redshift_require_tls ----------------------------------------------------------------------


@pytest.mark.parametrize("value", ["true", "TRUE"])
def test_a_group_requiring_ssl_passes(value):
    result = run(redshift_require_tls, cluster(cluster_parameter_group_name="tls"),
                 group(require_ssl=value))  # fmt: skip
    assert (result.status, result.evidence) == (
        Status.PASS,
        {"parameter_group": "tls", "require_ssl": "true"},
    )


def test_a_group_setting_require_ssl_false_fails():
    result = run(redshift_require_tls, cluster(cluster_parameter_group_name="tls"),
                 group(require_ssl="false", enable_user_activity_logging="true"))  # fmt: skip
    assert (result.status, result.evidence) == (
        Status.FAIL,
        {"parameter_group": "tls", "require_ssl": "false"},
    )


def test_a_group_that_does_not_set_require_ssl_fails_on_the_engine_default():
    result = run(redshift_require_tls, cluster(cluster_parameter_group_name="tls"),
                 group(enable_user_activity_logging="true"))  # fmt: skip
    assert (result.status, result.evidence) == (
        Status.FAIL,
        {"parameter_group": "tls", "require_ssl": "false"},
    )


@pytest.mark.parametrize("name", [None, "default.redshift-1.0"])
def test_no_group_or_an_uncollected_default_group_fails(name):
    props = {} if name is None else {"cluster_parameter_group_name": name}
    result = run(redshift_require_tls, cluster(**props))
    assert (result.status, result.evidence) == (
        Status.FAIL,
        {"parameter_group": name, "require_ssl": "false"},
    )


def test_an_empty_group_name_is_the_default_group_and_fails():
    # An empty name is no reference: AWS gives the cluster its default group.
    result = run(redshift_require_tls, cluster(cluster_parameter_group_name=""))
    assert (result.status, result.evidence) == (
        Status.FAIL,
        {"parameter_group": "", "require_ssl": "false"},
    )


def test_a_collected_default_group_is_read_for_what_it_says():
    # The live account records every parameter of AWS's own groups.
    default = group("default.redshift-2.0", require_ssl="true")
    result = run(
        redshift_require_tls, cluster(cluster_parameter_group_name="default.redshift-2.0"), default
    )
    assert (result.status, result.evidence) == (
        Status.PASS,
        {"parameter_group": "default.redshift-2.0", "require_ssl": "true"},
    )


def test_a_group_not_in_the_inventory_is_not_evaluated():
    with pytest.raises(Undecidable, match="not in the inventory"):
        run(redshift_require_tls, cluster(cluster_parameter_group_name="elsewhere"))


@pytest.mark.parametrize("value", [UNKNOWN, SECRET])
def test_a_hidden_parameter_is_not_evaluated(value):
    with pytest.raises(Undecidable):
        run(redshift_require_tls, cluster(cluster_parameter_group_name="tls"),
            group(require_ssl=value))  # fmt: skip


# -- redshift_automated_snapshots (floor: 7 days) ----------------------------------------------


@pytest.mark.parametrize("days", [7, 35, "7"])
def test_snapshots_kept_seven_days_or_more_pass(days):
    result = run(redshift_automated_snapshots, cluster(automated_snapshot_retention_period=days))
    assert (result.status, result.evidence) == (
        Status.PASS,
        {"automated_snapshot_retention_period": int(days)},
    )


RETENTION = "automated_snapshot_retention_period"


@pytest.mark.parametrize(("props", "days"), [({}, 1), ({RETENTION: 6}, 6), ({RETENTION: 0}, 0)])
def test_snapshots_kept_less_than_seven_days_fail_and_the_default_is_one(props, days):
    result = run(redshift_automated_snapshots, cluster(**props))
    assert (result.status, result.evidence) == (
        Status.FAIL,
        {"automated_snapshot_retention_period": days},
    )


@pytest.mark.parametrize("days", [UNKNOWN, "a week"])
def test_unknown_retention_is_not_evaluated(days):
    with pytest.raises(Undecidable):
        run(redshift_automated_snapshots, cluster(automated_snapshot_retention_period=days))


def test_a_retention_that_is_not_a_number_says_which_cluster():
    with pytest.raises(Undecidable) as raised:
        run(redshift_automated_snapshots, cluster(automated_snapshot_retention_period="a week"))
    assert str(raised.value) == "the snapshot retention of warehouse is not a number ('a week')"


# -- redshift_maintenance_settings (snapshots: 1 day or more) ----------------------------------


@pytest.mark.parametrize(
    ("props", "days"), [({}, 1), ({"allow_version_upgrade": True, RETENTION: 1}, 1)]
)
def test_upgrades_allowed_and_snapshots_on_pass_and_are_the_defaults(props, days):
    result = run(redshift_maintenance_settings, cluster(**props))
    assert (result.status, result.evidence) == (
        Status.PASS,
        {"allow_version_upgrade": True, "automated_snapshot_retention_period": days},
    )


def test_upgrades_not_allowed_fails():
    result = run(redshift_maintenance_settings, cluster(allow_version_upgrade=False))
    assert (result.status, result.message, result.evidence) == (
        Status.FAIL,
        "version upgrades are not allowed",
        {"allow_version_upgrade": False, "automated_snapshot_retention_period": 1},
    )


def test_snapshots_off_fails_even_with_upgrades_allowed():
    result = run(redshift_maintenance_settings, cluster(automated_snapshot_retention_period=0))
    assert (result.status, result.message, result.evidence) == (
        Status.FAIL,
        "automated snapshots are off",
        {"allow_version_upgrade": True, "automated_snapshot_retention_period": 0},
    )


def test_unknown_upgrade_setting_is_not_evaluated():
    with pytest.raises(Undecidable):
        run(redshift_maintenance_settings, cluster(allow_version_upgrade=UNKNOWN))
