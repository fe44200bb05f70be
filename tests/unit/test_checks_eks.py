"""EKS cluster checks on hand-built inventories: the API endpoint's exposure, secrets
encryption with a customer key, and control-plane logging of every log type."""

from __future__ import annotations

import pytest

from checks.aws.eks import eks_control_plane_logging, eks_endpoint_not_public, eks_secrets_encrypted
from checks.model import SECRET, UNKNOWN, Inventory, MadeUp, Resource, Undecidable
from checks.registry import Status

KEY = "arn:aws:kms:us-east-1:111122223333:key/0b1c2d3e"
ALL_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"]


def cluster(**props) -> Resource:
    return Resource("aws:eks/cluster:Cluster", "claims", {"name": "claims", **props})


def run(fn, res: Resource):
    return fn(res, Inventory([res]))


# -- eks_endpoint_not_public ---------------------------------------------------------------------


def test_private_endpoint_passes():
    res = cluster(vpc_config={"endpoint_private_access": True, "endpoint_public_access": False})
    result = run(eks_endpoint_not_public, res)
    assert (result.status, result.evidence) == (
        Status.PASS,
        {"endpoint_public_access": False, "public_access_cidrs": []},
    )


def test_public_endpoint_limited_to_named_networks_passes():
    cidrs = ["203.0.113.0/24", "198.51.100.7/32"]
    res = cluster(vpc_config={"endpoint_public_access": True, "public_access_cidrs": cidrs})
    result = run(eks_endpoint_not_public, res)
    assert (result.status, result.evidence) == (
        Status.PASS,
        {
            "endpoint_public_access": True,
            "public_access_cidrs": ["203.0.113.0/24", "198.51.100.7/32"],
        },
    )


@pytest.mark.parametrize(
    "vpc_config",
    [
        {},  # the default: public, from anywhere
        {"subnet_ids": ["subnet-1"]},
        {"endpoint_public_access": True},
        {"endpoint_public_access": "true", "public_access_cidrs": ["0.0.0.0/0"]},
    ],
)
def test_endpoint_open_to_the_internet_fails_and_is_the_default(vpc_config):
    result = run(eks_endpoint_not_public, cluster(vpc_config=vpc_config))
    assert (result.status, result.evidence) == (
        Status.FAIL,
        {"endpoint_public_access": True, "public_access_cidrs": ["0.0.0.0/0"]},
    )


def test_one_internet_block_among_named_ones_fails():
    res = cluster(vpc_config={"public_access_cidrs": ["203.0.113.0/24", "::/0"]})
    result = run(eks_endpoint_not_public, res)
    assert (result.status, result.evidence) == (
        Status.FAIL,
        {"endpoint_public_access": True, "public_access_cidrs": ["203.0.113.0/24", "::/0"]},
    )


@pytest.mark.parametrize("hidden", [UNKNOWN, SECRET])
def test_hidden_vpc_config_is_not_evaluated(hidden):
    with pytest.raises(Undecidable):
        run(eks_endpoint_not_public, cluster(vpc_config=hidden))


def test_hidden_public_flag_is_not_evaluated():
    with pytest.raises(Undecidable):
        run(eks_endpoint_not_public, cluster(vpc_config={"endpoint_public_access": UNKNOWN}))


# -- eks_secrets_encrypted -----------------------------------------------------------------------


def test_secrets_under_a_customer_key_pass():
    res = cluster(encryption_config={"resources": ["secrets"], "provider": {"key_arn": KEY}})
    result = run(eks_secrets_encrypted, res)
    assert (result.status, result.evidence) == (Status.PASS, {"key_arn": KEY})


@pytest.mark.parametrize(
    "props",
    [
        {},
        {"encryption_config": {"resources": ["secrets"], "provider": {}}},
        {"encryption_config": {"resources": [], "provider": {"key_arn": KEY}}},
    ],
)
def test_secrets_without_a_customer_key_fail(props):
    result = run(eks_secrets_encrypted, cluster(**props))
    assert (result.status, result.evidence) == (Status.FAIL, {"key_arn": None})


def test_hidden_encryption_config_is_not_evaluated():
    with pytest.raises(Undecidable):
        run(eks_secrets_encrypted, cluster(encryption_config=UNKNOWN))


# -- eks_control_plane_logging -------------------------------------------------------------------


def test_every_log_type_passes():
    result = run(
        eks_control_plane_logging, cluster(enabled_cluster_log_types=list(reversed(ALL_TYPES)))
    )
    assert (result.status, result.evidence) == (Status.PASS, {"missing_log_types": []})


@pytest.mark.parametrize(
    ("enabled", "missing"),
    [
        (None, ALL_TYPES),
        ([], ALL_TYPES),
        (["api", "audit"], ["authenticator", "controllerManager", "scheduler"]),
        (ALL_TYPES[:-1], ["scheduler"]),  # all but one is not all
    ],
)
def test_missing_log_types_fail_naming_them(enabled, missing):
    props = {} if enabled is None else {"enabled_cluster_log_types": enabled}
    result = run(eks_control_plane_logging, cluster(**props))
    assert (result.status, result.evidence) == (Status.FAIL, {"missing_log_types": missing})


def test_hidden_log_types_are_not_evaluated():
    with pytest.raises(Undecidable):
        run(eks_control_plane_logging, cluster(enabled_cluster_log_types=UNKNOWN))


@pytest.mark.parametrize("looked_up", [UNKNOWN, MadeUp("subnet-made-up")])
def test_a_declared_endpoint_is_judged_beside_subnets_only_the_deploy_knows(looked_up):
    vpc = {"subnet_ids": [looked_up], "security_group_ids": [UNKNOWN]}
    private = cluster(vpc_config={**vpc, "endpoint_public_access": False})
    closed = run(eks_endpoint_not_public, private)
    assert (closed.status, closed.evidence) == (
        Status.PASS, {"endpoint_public_access": False, "public_access_cidrs": []},
    )  # fmt: skip
    open_ = run(eks_endpoint_not_public, cluster(vpc_config=vpc))
    assert (open_.status, open_.evidence) == (
        Status.FAIL, {"endpoint_public_access": True, "public_access_cidrs": ["0.0.0.0/0"]},
    )  # fmt: skip


def test_made_up_allowed_networks_are_not_evaluated():
    vpc = {"endpoint_public_access": True, "public_access_cidrs": [MadeUp("10.0.0.0/8")]}
    with pytest.raises(Undecidable, match=r"vpc_config.public_access_cidrs of claims"):
        run(eks_endpoint_not_public, cluster(vpc_config=vpc))
