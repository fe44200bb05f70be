"""OpenSearch and Elasticsearch domain checks on hand-built inventories: encryption at rest, VPC
placement, logs to CloudWatch, node-to-node encryption and HTTPS only."""

from __future__ import annotations

import pytest

from checks.aws.opensearch import (
    ELASTICSEARCH_DOMAIN,
    OPENSEARCH_DOMAIN,
    elasticsearch_encrypted_at_rest,
    elasticsearch_in_vpc_only,
    elasticsearch_logs_to_cloudwatch,
    elasticsearch_node_to_node_encryption,
    opensearch_encrypted_at_rest,
    opensearch_https_required,
    opensearch_in_vpc_only,
    opensearch_logs_to_cloudwatch,
    opensearch_node_to_node_encryption,
)
from checks.library import build_registry
from checks.model import SECRET, UNKNOWN, Inventory, Resource, Undecidable
from checks.registry import Status

KEY = "arn:aws:kms:us-east-1:123456789012:key/k"
GROUP = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/opensearch/search"

# Each Config rule's check over its own domain type.
ENCRYPTED = [(opensearch_encrypted_at_rest, OPENSEARCH_DOMAIN),
             (elasticsearch_encrypted_at_rest, ELASTICSEARCH_DOMAIN)]  # fmt: skip
IN_VPC = [(opensearch_in_vpc_only, OPENSEARCH_DOMAIN),
          (elasticsearch_in_vpc_only, ELASTICSEARCH_DOMAIN)]  # fmt: skip
LOGS = [(opensearch_logs_to_cloudwatch, OPENSEARCH_DOMAIN),
        (elasticsearch_logs_to_cloudwatch, ELASTICSEARCH_DOMAIN)]  # fmt: skip
NODES = [(opensearch_node_to_node_encryption, OPENSEARCH_DOMAIN),
         (elasticsearch_node_to_node_encryption, ELASTICSEARCH_DOMAIN)]  # fmt: skip


def domain(token: str, **props) -> Resource:
    return Resource(token, "search", {"domain_name": "search", **props})


def run(fn, res: Resource):
    return fn(res, Inventory([res]))


def test_each_rule_has_its_check_on_its_own_type():
    registry = build_registry()
    rules = {
        c.config_rule: c.resource_types
        for c in registry
        if c.control in ("SRCH-01", "SRCH-02", "SRCH-03", "SRCH-04")
    }
    assert rules == {
        "opensearch-encrypted-at-rest": (OPENSEARCH_DOMAIN,),
        "elasticsearch-encrypted-at-rest": (ELASTICSEARCH_DOMAIN,),
        "opensearch-in-vpc-only": (OPENSEARCH_DOMAIN,),
        "elasticsearch-in-vpc-only": (ELASTICSEARCH_DOMAIN,),
        "opensearch-logs-to-cloudwatch": (OPENSEARCH_DOMAIN,),
        "elasticsearch-logs-to-cloudwatch": (ELASTICSEARCH_DOMAIN,),
        "opensearch-node-to-node-encryption-check": (OPENSEARCH_DOMAIN,),
        "elasticsearch-node-to-node-encryption-check": (ELASTICSEARCH_DOMAIN,),
        "opensearch-https-required": (OPENSEARCH_DOMAIN, ELASTICSEARCH_DOMAIN),
    }


# -- encrypted at rest -----------------------------------------------------------------------


@pytest.mark.parametrize(("fn", "token"), ENCRYPTED)
def test_encryption_at_rest_with_a_key_passes(fn, token):
    res = domain(token, encrypt_at_rest={"enabled": True, "kms_key_id": KEY})
    result = run(fn, res)
    assert (result.status, result.evidence) == (
        Status.PASS,
        {"encrypt_at_rest": True, "kms_key_id": KEY},
    )


@pytest.mark.parametrize(("fn", "token"), ENCRYPTED)
@pytest.mark.parametrize(
    "props",
    [{}, {"encrypt_at_rest": {"enabled": False, "kms_key_id": KEY}}, {"encrypt_at_rest": []}],
)
def test_no_encryption_at_rest_fails_and_is_the_default(fn, token, props):
    result = run(fn, domain(token, **props))
    assert (result.status, result.evidence) == (
        Status.FAIL,
        {"encrypt_at_rest": False, "kms_key_id": None},
    )


@pytest.mark.parametrize(("fn", "token"), ENCRYPTED)
def test_encryption_with_the_service_key_passes_naming_none(fn, token):
    result = run(fn, domain(token, encrypt_at_rest=[{"enabled": "true"}]))
    assert (result.status, result.evidence) == (
        Status.PASS,
        {"encrypt_at_rest": True, "kms_key_id": None},
    )


@pytest.mark.parametrize(("fn", "token"), ENCRYPTED)
@pytest.mark.parametrize("value", [UNKNOWN, {"enabled": UNKNOWN}, SECRET])
def test_unknown_encryption_is_not_evaluated(fn, token, value):
    with pytest.raises(Undecidable):
        run(fn, domain(token, encrypt_at_rest=value))


# -- in a VPC ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("fn", "token"), IN_VPC)
def test_a_vpc_domain_passes(fn, token):
    res = domain(token, vpc_options={"subnet_ids": ["subnet-a", "subnet-b"],
                                     "security_group_ids": ["sg-1"]})  # fmt: skip
    result = run(fn, res)
    assert (result.status, result.evidence) == (
        Status.PASS,
        {"subnet_ids": ["subnet-a", "subnet-b"]},
    )


@pytest.mark.parametrize(("fn", "token"), IN_VPC)
@pytest.mark.parametrize("props", [{}, {"vpc_options": {"subnet_ids": []}}])
def test_a_public_domain_fails(fn, token, props):
    result = run(fn, domain(token, **props))
    assert (result.status, result.evidence) == (Status.FAIL, {"subnet_ids": []})


@pytest.mark.parametrize(("fn", "token"), IN_VPC)
def test_unknown_subnets_are_not_evaluated(fn, token):
    with pytest.raises(Undecidable):
        run(fn, domain(token, vpc_options={"subnet_ids": [UNKNOWN]}))


# -- logs to CloudWatch ------------------------------------------------------------------------


@pytest.mark.parametrize(("fn", "token"), LOGS)
def test_one_enabled_log_among_disabled_ones_passes_naming_it(fn, token):
    options = [
        {"log_type": "INDEX_SLOW_LOGS", "cloudwatch_log_group_arn": GROUP, "enabled": False},
        {"log_type": "AUDIT_LOGS", "cloudwatch_log_group_arn": GROUP},  # enabled by default
    ]
    result = run(fn, domain(token, log_publishing_options=options))
    assert (result.status, result.evidence) == (Status.PASS, {"log_types": ["AUDIT_LOGS"]})


@pytest.mark.parametrize(("fn", "token"), LOGS)
@pytest.mark.parametrize(
    "options",
    [
        None,
        [],
        [{"log_type": "AUDIT_LOGS", "cloudwatch_log_group_arn": GROUP, "enabled": False},
         {"log_type": "ES_APPLICATION_LOGS", "cloudwatch_log_group_arn": GROUP,
          "enabled": "false"}],
        [{"log_type": "AUDIT_LOGS"}],
    ],
)  # fmt: skip
def test_no_enabled_log_fails(fn, token, options):
    props = {} if options is None else {"log_publishing_options": options}
    result = run(fn, domain(token, **props))
    assert (result.status, result.evidence) == (Status.FAIL, {"log_types": []})


@pytest.mark.parametrize(("fn", "token"), LOGS)
def test_an_unknown_log_option_is_not_evaluated(fn, token):
    options = [{"log_type": "AUDIT_LOGS", "cloudwatch_log_group_arn": GROUP, "enabled": UNKNOWN}]
    with pytest.raises(Undecidable):
        run(fn, domain(token, log_publishing_options=options))


# -- node-to-node encryption -------------------------------------------------------------------


@pytest.mark.parametrize(("fn", "token"), NODES)
def test_node_to_node_encryption_passes(fn, token):
    result = run(fn, domain(token, node_to_node_encryption={"enabled": True}))
    assert (result.status, result.evidence) == (Status.PASS, {"node_to_node": True})


@pytest.mark.parametrize(("fn", "token"), NODES)
@pytest.mark.parametrize("props", [{}, {"node_to_node_encryption": {"enabled": False}}])
def test_no_node_to_node_encryption_fails_and_is_the_default(fn, token, props):
    result = run(fn, domain(token, **props))
    assert (result.status, result.evidence) == (Status.FAIL, {"node_to_node": False})


@pytest.mark.parametrize(("fn", "token"), NODES)
def test_unknown_node_to_node_encryption_is_not_evaluated(fn, token):
    with pytest.raises(Undecidable):
        run(fn, domain(token, node_to_node_encryption=UNKNOWN))


# -- HTTPS required ----------------------------------------------------------------------------


@pytest.mark.parametrize("token", [OPENSEARCH_DOMAIN, ELASTICSEARCH_DOMAIN])
@pytest.mark.parametrize("enforce", [{}, {"enforce_https": True}])
def test_https_enforced_passes_and_is_the_blocks_default(token, enforce):
    options = {**enforce, "tls_security_policy": "Policy-Min-TLS-1-2-PFS-2023-10"}
    result = run(opensearch_https_required, domain(token, domain_endpoint_options=options))
    assert (result.status, result.evidence) == (
        Status.PASS,
        {"enforce_https": True, "tls_security_policy": "Policy-Min-TLS-1-2-PFS-2023-10"},
    )


@pytest.mark.parametrize("token", [OPENSEARCH_DOMAIN, ELASTICSEARCH_DOMAIN])
def test_https_not_enforced_fails(token):
    options = {"enforce_https": False}
    result = run(opensearch_https_required, domain(token, domain_endpoint_options=options))
    assert (result.status, result.evidence) == (
        Status.FAIL,
        {"enforce_https": False, "tls_security_policy": None},
    )


def test_no_endpoint_options_fails_as_aws_accepts_http_then():
    result = run(opensearch_https_required, domain(OPENSEARCH_DOMAIN))
    assert (result.status, result.evidence) == (
        Status.FAIL,
        {"enforce_https": False, "tls_security_policy": None},
    )


def test_unknown_endpoint_options_are_not_evaluated():
    with pytest.raises(Undecidable):
        run(opensearch_https_required, domain(OPENSEARCH_DOMAIN, domain_endpoint_options=UNKNOWN))


# -- the exact messages ------------------------------------------------------------------------


@pytest.mark.parametrize(("fn", "token"), ENCRYPTED)
def test_encryption_at_rest_messages(fn, token):
    on = run(fn, domain(token, encrypt_at_rest={"enabled": True, "kms_key_id": KEY}))
    assert (on.status, on.evidence, on.message) == (
        Status.PASS,
        {"encrypt_at_rest": True, "kms_key_id": KEY},
        "the domain's indices are encrypted at rest",
    )
    off = run(fn, domain(token))
    assert (off.status, off.evidence, off.message) == (
        Status.FAIL,
        {"encrypt_at_rest": False, "kms_key_id": None},
        "the domain's indices are not encrypted at rest",
    )


@pytest.mark.parametrize(("fn", "token"), IN_VPC)
def test_vpc_messages(fn, token):
    inside = run(fn, domain(token, vpc_options={"subnet_ids": ["subnet-a"]}))
    assert (inside.status, inside.evidence, inside.message) == (
        Status.PASS,
        {"subnet_ids": ["subnet-a"]},
        "the domain is reachable only inside its VPC",
    )
    public = run(fn, domain(token))
    assert (public.status, public.evidence, public.message) == (
        Status.FAIL,
        {"subnet_ids": []},
        "the domain has a public endpoint (no VPC subnets)",
    )


@pytest.mark.parametrize(("fn", "token"), LOGS)
def test_log_messages(fn, token):
    options = [{"log_type": "AUDIT_LOGS", "cloudwatch_log_group_arn": GROUP}]
    on = run(fn, domain(token, log_publishing_options=options))
    assert (on.status, on.evidence, on.message) == (
        Status.PASS,
        {"log_types": ["AUDIT_LOGS"]},
        "the domain publishes its logs to CloudWatch Logs",
    )
    off = run(fn, domain(token))
    assert (off.status, off.evidence, off.message) == (
        Status.FAIL,
        {"log_types": []},
        "the domain publishes no log to CloudWatch Logs",
    )


@pytest.mark.parametrize(("fn", "token"), NODES)
def test_node_to_node_messages(fn, token):
    on = run(fn, domain(token, node_to_node_encryption={"enabled": True}))
    assert (on.status, on.evidence, on.message) == (
        Status.PASS,
        {"node_to_node": True},
        "traffic between the domain's nodes is encrypted",
    )
    off = run(fn, domain(token))
    assert (off.status, off.evidence, off.message) == (
        Status.FAIL,
        {"node_to_node": False},
        "traffic between the domain's nodes is not encrypted",
    )


@pytest.mark.parametrize("token", [OPENSEARCH_DOMAIN, ELASTICSEARCH_DOMAIN])
def test_https_messages(token):
    options = {"enforce_https": True, "tls_security_policy": "Policy-Min-TLS-1-2-2019-07"}
    on = run(opensearch_https_required, domain(token, domain_endpoint_options=options))
    assert (on.status, on.evidence, on.message) == (
        Status.PASS,
        {"enforce_https": True, "tls_security_policy": "Policy-Min-TLS-1-2-2019-07"},
        "the domain endpoint accepts HTTPS only",
    )
    off = run(opensearch_https_required, domain(token))
    assert (off.status, off.evidence, off.message) == (
        Status.FAIL,
        {"enforce_https": False, "tls_security_policy": None},
        "the domain endpoint accepts plain HTTP",
    )
