"""API Gateway checks on hand-built inventories: REST methods and HTTP/WebSocket routes that open
without authentication, and custom domain names' TLS policies. (Stages:
test_checks_apigateway_stages.py.)"""

from __future__ import annotations

import pytest

from checks.aws.apigateway import (
    apigateway_domain_tls12,
    apigateway_method_authorized,
    apigatewayv2_route_authorized,
)
from checks.model import SECRET, UNKNOWN, Inventory, MadeUp, Resource, Undecidable
from checks.registry import Status


def method(**props) -> Resource:
    base = {"rest_api": "a1b2c3", "resource_id": "r1", "http_method": "GET",
            "authorization": "AWS_IAM"}  # fmt: skip
    return Resource("aws:apigateway/method:Method", "get-claim", {**base, **props})


def api(protocol: str = "HTTP") -> Resource:
    props = {"name": "claims", "protocol_type": protocol}
    return Resource("aws:apigatewayv2/api:Api", "claims", props, id="api-1")


def route(key: str, **props) -> Resource:
    base = {"api_id": "api-1", "route_key": key}
    return Resource("aws:apigatewayv2/route:Route", "route", {**base, **props})


def run(fn, target: Resource, *others: Resource):
    return fn(target, Inventory([target, *others]))


# -- apigateway_method_authorized ----------------------------------------------------------------


@pytest.mark.parametrize("authorization", ["AWS_IAM", "COGNITO_USER_POOLS", "CUSTOM"])
def test_a_method_with_an_authorizer_passes(authorization):
    result = run(apigateway_method_authorized, method(authorization=authorization))
    assert (result.status, result.evidence) == (
        Status.PASS,
        {"http_method": "GET", "authorization": authorization, "api_key_required": False},
    )


def test_an_open_method_with_an_api_key_passes():
    res = method(authorization="NONE", api_key_required=True)
    result = run(apigateway_method_authorized, res)
    assert (result.status, result.evidence) == (
        Status.PASS,
        {"http_method": "GET", "authorization": "NONE", "api_key_required": True},
    )


@pytest.mark.parametrize("props", [{}, {"api_key_required": False}])
def test_an_open_method_without_an_api_key_fails_the_key_defaulting_to_none(props):
    result = run(apigateway_method_authorized, method(authorization="NONE", **props))
    assert (result.status, result.evidence) == (
        Status.FAIL,
        {"http_method": "GET", "authorization": "NONE", "api_key_required": False},
    )


def test_an_open_options_method_is_not_applicable():
    res = method(authorization="NONE", http_method="OPTIONS")
    result = run(apigateway_method_authorized, res)
    assert (result.status, result.evidence) == (Status.NOT_APPLICABLE, {"http_method": "OPTIONS"})


@pytest.mark.parametrize(
    "props",
    [{"authorization": UNKNOWN}, {"authorization": SECRET}, {"http_method": UNKNOWN},
     {"authorization": "NONE", "api_key_required": UNKNOWN}],
)  # fmt: skip
def test_a_hidden_authorization_is_not_evaluated(props):
    with pytest.raises(Undecidable, match="of get-claim"):
        run(apigateway_method_authorized, method(**props))


# -- apigatewayv2_route_authorized ---------------------------------------------------------------


@pytest.mark.parametrize("kind", ["JWT", "AWS_IAM", "CUSTOM"])
def test_an_http_route_with_an_authorizer_passes(kind):
    res = route("GET /claims/{id}", authorization_type=kind)
    result = run(apigatewayv2_route_authorized, res)
    assert (result.status, result.evidence) == (
        Status.PASS,
        {"route_key": "GET /claims/{id}", "authorization_type": kind},
    )


@pytest.mark.parametrize("props", [{}, {"authorization_type": "NONE"}])
def test_an_open_http_route_fails_the_type_defaulting_to_none(props):
    result = run(apigatewayv2_route_authorized, route("POST /claims", **props))
    assert (result.status, result.evidence) == (
        Status.FAIL,
        {"route_key": "POST /claims", "authorization_type": "NONE"},
    )


def test_an_open_default_route_of_an_http_api_fails():
    result = run(apigatewayv2_route_authorized, route("$default"), api("HTTP"))
    assert (result.status, result.evidence) == (
        Status.FAIL,
        {"route_key": "$default", "authorization_type": "NONE"},
    )


def test_an_open_websocket_connect_route_fails():
    result = run(apigatewayv2_route_authorized, route("$connect"), api("WEBSOCKET"))
    assert (result.status, result.evidence) == (
        Status.FAIL,
        {"route_key": "$connect", "authorization_type": "NONE"},
    )


@pytest.mark.parametrize("key", ["$default", "$disconnect", "sendMessage"])
def test_websocket_routes_past_connect_are_not_applicable(key):
    result = run(apigatewayv2_route_authorized, route(key), api("WEBSOCKET"))
    assert (result.status, result.evidence) == (Status.NOT_APPLICABLE, {"route_key": key})


def test_an_options_route_is_not_applicable():
    result = run(apigatewayv2_route_authorized, route("OPTIONS /claims"))
    assert result.status is Status.NOT_APPLICABLE


def test_a_route_whose_api_is_not_in_the_inventory_is_not_evaluated():
    with pytest.raises(Undecidable, match=r"the API of route \(api-1\) is not in the inventory"):
        run(apigatewayv2_route_authorized, route("$default"))


@pytest.mark.parametrize(
    "props", [{"authorization_type": UNKNOWN}, {"authorization_type": MadeUp("JWT")}]
)
def test_a_hidden_authorization_type_is_not_evaluated(props):
    with pytest.raises(Undecidable, match="authorization_type of route"):
        run(apigatewayv2_route_authorized, route("GET /claims", **props))


def test_a_hidden_route_key_is_not_evaluated():
    with pytest.raises(Undecidable, match="route_key of route"):
        run(apigatewayv2_route_authorized, route(UNKNOWN, authorization_type="NONE"))


# -- apigateway_domain_tls12 ---------------------------------------------------------------------


def domain(policy=None) -> Resource:
    props = {"domain_name": "api.example.com", "regional_certificate_arn": "arn:aws:acm:c"}
    if policy is not None:
        props["security_policy"] = policy
    return Resource("aws:apigateway/domainName:DomainName", "api", props)


def domain_v2(policy) -> Resource:
    config = {"certificate_arn": "arn:aws:acm:c", "endpoint_type": "REGIONAL",
              "security_policy": policy}  # fmt: skip
    props = {"domain_name": "api.example.com", "domain_name_configuration": config}
    return Resource("aws:apigatewayv2/domainName:DomainName", "api-v2", props)


@pytest.mark.parametrize(
    "policy",
    ["TLS_1_2", "SecurityPolicy_TLS13_1_3_2025_09", "SecurityPolicy_TLS13_1_2_PQ_2025_09",
     "SecurityPolicy_TLS12_PFS_2025_EDGE"],
)  # fmt: skip
def test_a_tls12_domain_policy_passes(policy):
    result = run(apigateway_domain_tls12, domain(policy))
    assert (result.status, result.evidence) == (Status.PASS, {"security_policy": policy})


@pytest.mark.parametrize(("policy", "seen"), [("TLS_1_0", "TLS_1_0"), (None, "TLS_1_0")])
def test_tls10_fails_and_is_the_rest_default(policy, seen):
    result = run(apigateway_domain_tls12, domain(policy))
    assert (result.status, result.evidence) == (Status.FAIL, {"security_policy": seen})


def test_a_v2_domain_name_with_tls12_passes():
    result = run(apigateway_domain_tls12, domain_v2("TLS_1_2"))
    assert (result.status, result.evidence) == (Status.PASS, {"security_policy": "TLS_1_2"})


def test_a_v2_domain_name_with_tls10_fails():
    result = run(apigateway_domain_tls12, domain_v2("TLS_1_0"))
    assert (result.status, result.evidence) == (Status.FAIL, {"security_policy": "TLS_1_0"})


@pytest.mark.parametrize("res", [domain(UNKNOWN), domain_v2(UNKNOWN), domain_v2(None)])
def test_a_hidden_domain_policy_is_not_evaluated(res):
    with pytest.raises(Undecidable, match="of api"):
        run(apigateway_domain_tls12, res)


# -- reasons and edges pinned by mutation testing (issue 15) -------------------------------------


def test_a_v2_domain_name_without_a_configuration_block_is_not_evaluated():
    # apigateway x__domain_policy__mutmut_20: an empty block list must not be indexed
    res = Resource("aws:apigatewayv2/domainName:DomainName", "api-v2", {"domain_name": "a.io"})
    with pytest.raises(Undecidable) as raised:
        run(apigateway_domain_tls12, res)
    assert str(raised.value) == "the domain_name_configuration of api-v2 names no security policy"


def test_a_route_whose_api_names_no_protocol_type_is_not_evaluated_naming_the_api():
    # apigateway x__is_websocket__mutmut_29
    bare = Resource("aws:apigatewayv2/api:Api", "claims", {"name": "claims"}, id="api-1")
    with pytest.raises(Undecidable) as raised:
        run(apigatewayv2_route_authorized, route("$default"), bare)
    assert str(raised.value) == "the protocol_type of claims is not set"
