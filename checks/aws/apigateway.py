"""API Gateway: no method or route open without authentication (APIGW-01) and TLS 1.2+ on custom
domain names (APIGW-03). Stages (logging, client certificates, WAF): `apigateway_stages.py`.

REST APIs (`aws.apigateway`) authorize per method; HTTP and WebSocket APIs (`aws.apigatewayv2`)
per route, a WebSocket API on its `$connect` route only (the connection, once open, carries every
other route). An OPTIONS method or route answers CORS preflight, which browsers send without
credentials: it is left open by design.
"""

from __future__ import annotations

import re

from checks.model import Inventory, Resource, Undecidable
from checks.registry import Check, Result, Severity, check, failed, not_applicable, passed
from checks.support.joins import resolve
from checks.support.props import blocks, flag, known

CHECKS: list[Check] = []

METHOD = "aws:apigateway/method:Method"
ROUTE = "aws:apigatewayv2/route:Route"
API_V2 = "aws:apigatewayv2/api:Api"
DOMAIN_NAME = "aws:apigateway/domainName:DomainName"
DOMAIN_NAME_V2 = "aws:apigatewayv2/domainName:DomainName"

# An HTTP API's route key: a method and a path ("GET /claims/{id}", "ANY /{proxy+}").
_HTTP_ROUTE_KEY = re.compile(r"^[A-Z]+ /")
# REST custom domains take TLS_1_0 or TLS_1_2, or (since 2025) an enhanced policy named
# SecurityPolicy_TLS13_* / SecurityPolicy_TLS12_*, whose lowest protocol its name states.
_TLS12_DOMAIN_POLICY = re.compile(r"^(TLS_1_2|SecurityPolicy_TLS1[23]_\w+)$")
# AWS's default for a REST custom domain name that names no security policy.
DEFAULT_DOMAIN_POLICY = "TLS_1_0"


@check(
    into=CHECKS,
    id="apigateway_method_authorized",
    control="APIGW-01",
    title="API Gateway REST method requires authorization (or an API key)",
    severity=Severity.HIGH,
    resource_types=(METHOD,),
    remediation=(
        "Give every method an authorizer: authorization 'AWS_IAM', 'COGNITO_USER_POOLS' or "
        "'CUSTOM' with authorizer_id (at the least api_key_required=True with a usage plan)."
    ),
    pulumi_fix='aws.apigateway.Method("get-claim", rest_api=api.id, resource_id=claim.id,\n'
    '    http_method="GET", authorization="COGNITO_USER_POOLS", authorizer_id=authorizer.id)',
)
def apigateway_method_authorized(res: Resource, inv: Inventory) -> Result:
    """No one reaches a backend that handles ePHI without presenting a credential. (No AWS
    Config rule judges REST methods; checkov's CKV_AWS_59 is the same test.)"""
    method = str(known(res, "http_method") or "").upper()
    authorization = str(known(res, "authorization") or "")
    if method == "OPTIONS":
        return not_applicable("CORS preflight is sent without credentials", http_method=method)
    # api_key_required: the provider's default is false.
    api_key = flag(known(res, "api_key_required", False))
    evidence = {"http_method": method, "authorization": authorization, "api_key_required": api_key}
    if not authorization:
        raise Undecidable(f"the authorization of {res.name} is not set")
    if authorization.upper() != "NONE":
        return passed(f"{method} requires {authorization} authorization", **evidence)
    if api_key:
        return passed(f"{method} requires an API key (authorization NONE)", **evidence)
    return failed(f"{method} is open: authorization NONE and no API key", **evidence)


def _is_websocket(route: Resource, inv: Inventory, key: str) -> bool:
    if _HTTP_ROUTE_KEY.match(key):
        return False
    ref = known(route, "api_id")
    api = resolve(inv, ref, (API_V2,), f"api_id of {route.name}")
    if api is None:
        raise Undecidable(f"the API of {route.name} ({ref}) is not in the inventory")
    protocol = known(api, "protocol_type")
    if not protocol:
        raise Undecidable(f"the protocol_type of {api.name} is not set")
    return str(protocol).upper() == "WEBSOCKET"


@check(
    into=CHECKS,
    id="apigatewayv2_route_authorized",
    control="APIGW-01",
    title="API Gateway HTTP/WebSocket route requires authorization",
    severity=Severity.HIGH,
    config_rule="api-gwv2-authorization-type-configured",
    resource_types=(ROUTE,),
    reads=(API_V2,),
    remediation=(
        "Set authorization_type 'JWT', 'AWS_IAM' or 'CUSTOM' (with authorizer_id) on every "
        "route of an HTTP API, and on the $connect route of a WebSocket API."
    ),
    pulumi_fix='aws.apigatewayv2.Route("get-claim", api_id=api.id, route_key="GET /claims/{id}",\n'
    '    authorization_type="JWT", authorizer_id=jwt.id, target=integration_target)',
)
def apigatewayv2_route_authorized(res: Resource, inv: Inventory) -> Result:
    """No route into a backend that handles ePHI opens without a credential."""
    key = str(known(res, "route_key") or "")
    if not key:
        raise Undecidable(f"the route_key of {res.name} is not set")
    if key.upper().startswith("OPTIONS "):
        return not_applicable("CORS preflight is sent without credentials", route_key=key)
    if key != "$connect" and _is_websocket(res, inv, key):
        return not_applicable("a WebSocket API authorizes on its $connect route", route_key=key)
    # authorization_type: the provider's default is NONE.
    authorization = str(known(res, "authorization_type", "NONE") or "NONE")
    evidence = {"route_key": key, "authorization_type": authorization}
    if authorization.upper() == "NONE":
        return failed(f"route {key} is open: authorization_type NONE", **evidence)
    return passed(f"route {key} requires {authorization} authorization", **evidence)


def _domain_policy(res: Resource) -> str:
    if res.type == DOMAIN_NAME:
        # Unset: AWS gives a REST custom domain name its default policy, TLS_1_0.
        return str(known(res, "security_policy") or DEFAULT_DOMAIN_POLICY)
    configs = blocks(known(res, "domain_name_configuration"))
    policy = configs[0].get("security_policy") if configs else None
    if not policy:
        raise Undecidable(f"the domain_name_configuration of {res.name} names no security policy")
    return str(policy)


@check(
    into=CHECKS,
    id="apigateway_domain_tls12",
    control="APIGW-03",
    title="API Gateway custom domain name refuses TLS below 1.2",
    severity=Severity.MEDIUM,
    config_rule="apigateway-domain-name-tls-check",
    resource_types=(DOMAIN_NAME, DOMAIN_NAME_V2),
    remediation="Set security_policy 'TLS_1_2' (or a SecurityPolicy_TLS13_* policy).",
    pulumi_fix='aws.apigateway.DomainName("api", domain_name="api.example.com",\n'
    '    regional_certificate_arn=cert.arn, security_policy="TLS_1_2",\n'
    '    endpoint_configuration={"types": "REGIONAL"})',
)
def apigateway_domain_tls12(res: Resource, inv: Inventory) -> Result:
    """Clients of the API's own name cannot negotiate TLS 1.0 or 1.1."""
    policy = _domain_policy(res)
    if _TLS12_DOMAIN_POLICY.match(policy):
        return passed(f"security policy {policy}", security_policy=policy)
    return failed(f"security policy {policy} accepts TLS 1.0", security_policy=policy)
