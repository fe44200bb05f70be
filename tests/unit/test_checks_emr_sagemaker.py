"""EMR and SageMaker checks on hand-built inventories: Kerberos through the security
configuration, the master node's subnet, KMS keys and notebook internet access."""

from __future__ import annotations

import json

import pytest

from checks.aws.emr import (
    CLUSTER,
    SECURITY_CONFIGURATION,
    emr_kerberos_enabled,
    emr_master_no_public_ip,
)
from checks.aws.sagemaker import (
    ENDPOINT_CONFIGURATION,
    NOTEBOOK_INSTANCE,
    sagemaker_endpoint_config_kms_key,
    sagemaker_notebook_kms_key,
    sagemaker_notebook_no_direct_internet,
)
from checks.model import SECRET, UNKNOWN, Inventory, Resource, Undecidable
from checks.registry import Status
from checks.support.subnets import DEFAULT_SUBNET, SUBNET

KEY = "arn:aws:kms:us-east-1:123456789012:key/k"
KERBEROS = {"AuthenticationConfiguration": {"KerberosConfiguration": {
    "Provider": "ClusterDedicatedKdc",
    "ClusterDedicatedKdcConfiguration": {"TicketLifetimeInHours": 24}}}}  # fmt: skip
AT_REST_ONLY = {"EncryptionConfiguration": {"EnableAtRestEncryption": True,
                                            "EnableInTransitEncryption": False}}  # fmt: skip


def emr(**props) -> Resource:
    return Resource(CLUSTER, "analytics", {"name": "analytics", "release_label": "emr-7.1.0",
                                           **props})  # fmt: skip


def security_configuration(document, name="kerberos") -> Resource:
    text = json.dumps(document) if isinstance(document, dict) else document
    return Resource(SECURITY_CONFIGURATION, name, {"name": name, "configuration": text}, id=name)


def subnet(ident: str, token: str = SUBNET, **props) -> Resource:
    return Resource(token, ident, {"vpc_id": "vpc-1", **props}, id=ident)


def run(fn, res: Resource, *others: Resource):
    return fn(res, Inventory([res, *others]))


# -- emr_kerberos_enabled ----------------------------------------------------------------------


def test_a_kerberos_security_configuration_passes():
    result = run(emr_kerberos_enabled, emr(security_configuration="kerberos"),
                 security_configuration(KERBEROS))  # fmt: skip
    assert (result.status, result.evidence) == (
        Status.PASS,
        {"security_configuration": "kerberos", "kerberos_provider": "ClusterDedicatedKdc"},
    )


def test_a_security_configuration_without_kerberos_fails():
    result = run(emr_kerberos_enabled, emr(security_configuration="at-rest"),
                 security_configuration(AT_REST_ONLY, "at-rest"))  # fmt: skip
    assert (result.status, result.evidence) == (
        Status.FAIL,
        {"security_configuration": "at-rest", "kerberos_provider": None},
    )


def test_no_security_configuration_fails():
    result = run(emr_kerberos_enabled, emr())
    assert (result.status, result.evidence) == (Status.FAIL, {"security_configuration": None})


def test_a_security_configuration_not_in_the_inventory_is_not_evaluated():
    with pytest.raises(Undecidable, match="not in the inventory"):
        run(emr_kerberos_enabled, emr(security_configuration="elsewhere"))


@pytest.mark.parametrize("document", [UNKNOWN, SECRET, "{not json", "[1]"])
def test_an_unreadable_security_configuration_is_not_evaluated(document):
    config = Resource(SECURITY_CONFIGURATION, "kerberos",
                      {"name": "kerberos", "configuration": document}, id="kerberos")  # fmt: skip
    with pytest.raises(Undecidable):
        run(emr_kerberos_enabled, emr(security_configuration="kerberos"), config)


# -- emr_master_no_public_ip -------------------------------------------------------------------


def test_a_private_subnet_passes():
    result = run(emr_master_no_public_ip, emr(ec2_attributes={"subnet_id": "subnet-a"}),
                 subnet("subnet-a", map_public_ip_on_launch=False))  # fmt: skip
    assert (result.status, result.evidence) == (Status.PASS, {"public_subnets": []})


def test_one_public_subnet_among_private_ones_fails_naming_it():
    res = emr(ec2_attributes={"subnet_ids": ["subnet-a", "subnet-b"]})
    result = run(emr_master_no_public_ip, res, subnet("subnet-a"),
                 subnet("subnet-b", map_public_ip_on_launch=True))  # fmt: skip
    assert (result.status, result.evidence) == (Status.FAIL, {"public_subnets": ["subnet-b"]})


def test_a_default_subnet_gives_public_ips_unless_told_not_to():
    res = emr(ec2_attributes={"subnet_id": "subnet-d"})
    public = run(emr_master_no_public_ip, res, subnet("subnet-d", DEFAULT_SUBNET))
    private = run(emr_master_no_public_ip, res,
                  subnet("subnet-d", DEFAULT_SUBNET, map_public_ip_on_launch=False))  # fmt: skip
    assert (public.status, public.evidence) == (Status.FAIL, {"public_subnets": ["subnet-d"]})
    assert (private.status, private.evidence) == (Status.PASS, {"public_subnets": []})


@pytest.mark.parametrize("props", [{}, {"ec2_attributes": {"instance_profile": "emr-profile"}}])
def test_no_subnet_fails_as_emr_uses_a_default_subnet(props):
    result = run(emr_master_no_public_ip, emr(**props))
    assert (result.status, result.evidence) == (Status.FAIL, {"subnets": []})


def test_a_subnet_not_in_the_inventory_is_not_evaluated():
    with pytest.raises(Undecidable, match="not in the inventory"):
        run(emr_master_no_public_ip, emr(ec2_attributes={"subnet_id": "subnet-x"}))


def test_an_unknown_subnet_is_not_evaluated():
    with pytest.raises(Undecidable):
        run(emr_master_no_public_ip, emr(ec2_attributes={"subnet_id": UNKNOWN}),
            subnet("subnet-a"))  # fmt: skip


# -- sagemaker KMS keys ------------------------------------------------------------------------

KEYED = [
    (sagemaker_endpoint_config_kms_key, ENDPOINT_CONFIGURATION, "kms_key_arn"),
    (sagemaker_notebook_kms_key, NOTEBOOK_INSTANCE, "kms_key_id"),
]


@pytest.mark.parametrize(("fn", "token", "key"), KEYED)
def test_a_named_key_passes(fn, token, key):
    result = run(fn, Resource(token, "model", {"name": "model", key: KEY}))
    assert (result.status, result.evidence) == (Status.PASS, {key: KEY})


@pytest.mark.parametrize(("fn", "token", "key"), KEYED)
@pytest.mark.parametrize("value", [None, ""])
def test_no_key_fails(fn, token, key, value):
    props = {"name": "model"} if value is None else {"name": "model", key: value}
    result = run(fn, Resource(token, "model", props))
    assert (result.status, result.evidence) == (Status.FAIL, {key: None})


@pytest.mark.parametrize(("fn", "token", "key"), KEYED)
def test_an_unknown_key_is_not_evaluated(fn, token, key):
    with pytest.raises(Undecidable):
        run(fn, Resource(token, "model", {"name": "model", key: UNKNOWN}))


# -- sagemaker_notebook_no_direct_internet -----------------------------------------------------


def notebook(**props) -> Resource:
    return Resource(NOTEBOOK_INSTANCE, "analysis", {"name": "analysis", **props})


def test_internet_access_disabled_passes():
    res = notebook(direct_internet_access="Disabled", subnet_id="subnet-a")
    result = run(sagemaker_notebook_no_direct_internet, res)
    assert (result.status, result.evidence) == (Status.PASS, {"direct_internet_access": "Disabled"})


@pytest.mark.parametrize("props", [{}, {"direct_internet_access": "Enabled"}])
def test_direct_internet_access_fails_and_is_the_default(props):
    result = run(sagemaker_notebook_no_direct_internet, notebook(**props))
    assert (result.status, result.evidence) == (Status.FAIL, {"direct_internet_access": "Enabled"})


def test_unknown_internet_access_is_not_evaluated():
    with pytest.raises(Undecidable):
        run(sagemaker_notebook_no_direct_internet, notebook(direct_internet_access=UNKNOWN))


# -- reasons and edges pinned by mutation testing (issue 15) -------------------------------------


def test_a_configuration_recorded_as_an_object_is_read_as_is():
    # emr x__document__mutmut_10: a source may give the document decoded already
    config = Resource(SECURITY_CONFIGURATION, "kerberos",
                      {"name": "kerberos", "configuration": KERBEROS}, id="kerberos")  # fmt: skip
    result = run(emr_kerberos_enabled, emr(security_configuration="kerberos"), config)
    assert (result.status, result.message, result.evidence) == (
        Status.PASS,
        "the security configuration kerberos sets Kerberos",
        {"security_configuration": "kerberos", "kerberos_provider": "ClusterDedicatedKdc"},
    )


@pytest.mark.parametrize(
    ("document", "reason"),
    [("{not json", "the configuration of kerberos is not JSON"),
     ("[1]", "the configuration of kerberos is not a JSON object")],
)  # fmt: skip
def test_an_unreadable_security_configuration_gives_the_reason(document, reason):
    # emr x__document__mutmut_12, _14
    with pytest.raises(Undecidable) as raised:
        run(emr_kerberos_enabled, emr(security_configuration="kerberos"),
            security_configuration(document))  # fmt: skip
    assert str(raised.value) == reason


@pytest.mark.parametrize(
    "document",
    [
        {"AuthenticationConfiguration": ["Kerberos"]},
        {"AuthenticationConfiguration": {"KerberosConfiguration": {}}},
        {"AuthenticationConfiguration": {"KerberosConfiguration": "ClusterDedicatedKdc"}},
    ],
    ids=["authentication-not-an-object", "empty-kerberos", "kerberos-not-an-object"],
)
def test_a_kerberos_setting_that_is_empty_or_not_an_object_fails(document):
    # emr x__kerberos__mutmut_10, _16, _17
    result = run(emr_kerberos_enabled, emr(security_configuration="kerberos"),
                 security_configuration(document))  # fmt: skip
    assert (result.status, result.message, result.evidence) == (
        Status.FAIL,
        "the security configuration kerberos sets no Kerberos",
        {"security_configuration": "kerberos", "kerberos_provider": None},
    )


def test_the_subnets_of_every_ec2_attributes_block_count():
    # emr x__subnets__mutmut_10: a later block adds its subnets to those found before
    res = emr(ec2_attributes=[{"subnet_ids": ["subnet-b"]}, {"subnet_id": "subnet-a"}])
    result = run(emr_master_no_public_ip, res, subnet("subnet-a"),
                 subnet("subnet-b", map_public_ip_on_launch=True))  # fmt: skip
    assert (result.status, result.evidence) == (Status.FAIL, {"public_subnets": ["subnet-b"]})


@pytest.mark.parametrize(("fn", "token", "key"), KEYED)
def test_the_key_verdicts_say_what_they_found(fn, token, key):
    # sagemaker x__kms_key__mutmut_7, _10, _13, _14, _15
    keyed = run(fn, Resource(token, "model", {"name": "model", key: KEY}))
    bare = run(fn, Resource(token, "model", {"name": "model"}))
    assert (keyed.status, keyed.message, keyed.evidence) == (
        Status.PASS,
        "the storage is encrypted with the KMS key named",
        {key: KEY},
    )
    assert (bare.status, bare.message, bare.evidence) == (
        Status.FAIL,
        f"no KMS key is named ({key} is unset): AWS's own key is used",
        {key: None},
    )
