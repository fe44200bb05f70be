"""Live collectors: API Gateway HTTP and WebSocket APIs (`aws.apigatewayv2.Api`: protocol), their
routes (`aws.apigatewayv2.Route`: authorization) and stages (`aws.apigatewayv2.Stage`: access
logs, default route logging), and custom domain names (`aws.apigatewayv2.DomainName`: security
policy). API Gateway authorizes these reads as `apigateway:GET`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from checks.model import Resource
from checks.sources.aws.collect import Collector, Context
from checks.sources.aws.partial import Misses
from checks.sources.aws.shapes import present

API = "aws:apigatewayv2/api:Api"
ROUTE = "aws:apigatewayv2/route:Route"
STAGE = "aws:apigatewayv2/stage:Stage"
DOMAIN_NAME = "aws:apigatewayv2/domainName:DomainName"


def api_props(api: Mapping[str, Any]) -> dict[str, Any]:
    return present({
        "name": api.get("Name"),
        "protocol_type": api.get("ProtocolType"),
        "route_selection_expression": api.get("RouteSelectionExpression"),
        "disable_execute_api_endpoint": api.get("DisableExecuteApiEndpoint"),
        "api_endpoint": api.get("ApiEndpoint"),
        "tags": dict(api.get("Tags") or {}),
    })  # fmt: skip


def route_props(api_id: str, route: Mapping[str, Any]) -> dict[str, Any]:
    return present({
        "api_id": api_id,
        "route_key": route.get("RouteKey"),
        "authorization_type": route.get("AuthorizationType"),
        "authorizer_id": route.get("AuthorizerId"),
        "api_key_required": route.get("ApiKeyRequired"),
        "authorization_scopes": route.get("AuthorizationScopes"),
        "target": route.get("Target"),
    })  # fmt: skip


def stage_props(api_id: str, stage: Mapping[str, Any]) -> dict[str, Any]:
    access = stage.get("AccessLogSettings") or {}
    route = stage.get("DefaultRouteSettings") or {}
    return present({
        "api_id": api_id,
        "name": stage.get("StageName"),
        "auto_deploy": stage.get("AutoDeploy"),
        "deployment_id": stage.get("DeploymentId"),
        "client_certificate_id": stage.get("ClientCertificateId"),
        "access_log_settings": present({
            "destination_arn": access.get("DestinationArn"), "format": access.get("Format"),
        }) or None,
        "default_route_settings": present({
            "logging_level": route.get("LoggingLevel"),
            "data_trace_enabled": route.get("DataTraceEnabled"),
            "detailed_metrics_enabled": route.get("DetailedMetricsEnabled"),
            "throttling_burst_limit": route.get("ThrottlingBurstLimit"),
            "throttling_rate_limit": route.get("ThrottlingRateLimit"),
        }) or None,
        "tags": dict(stage.get("Tags") or {}),
    })  # fmt: skip


def _apis(ctx: Context) -> Iterator[Resource]:
    client = ctx.client()
    apis = list(ctx.pages(client, "GetApis", "Items"))
    for api in apis:
        yield ctx.resource(API, api.get("Name") or api["ApiId"], api_props(api), id=api["ApiId"])
    with Misses(ctx, (ROUTE, STAGE), "API") as missed:
        for api in apis:
            api_id = api["ApiId"]
            with missed.of(api_id):
                found = [
                    ctx.resource(ROUTE, f"{api_id} {r.get('RouteKey')}", route_props(api_id, r),
                                 id=r["RouteId"])
                    for r in ctx.pages(client, "GetRoutes", "Items", ApiId=api_id)
                ] + [
                    ctx.resource(STAGE, f"{api_id}/{s['StageName']}", stage_props(api_id, s),
                                 id=f"{api_id}/{s['StageName']}")
                    for s in ctx.pages(client, "GetStages", "Items", ApiId=api_id)
                ]  # fmt: skip
                yield from found


def _domain_names(ctx: Context) -> Iterator[Resource]:
    client = ctx.client()
    for domain in ctx.pages(client, "GetDomainNames", "Items"):
        name = domain["DomainName"]
        configs = domain.get("DomainNameConfigurations") or [{}]
        props = present({
            "domain_name": name,
            "domain_name_configuration": present({
                "certificate_arn": configs[0].get("CertificateArn"),
                "endpoint_type": configs[0].get("EndpointType"),
                "security_policy": configs[0].get("SecurityPolicy"),
            }),
            "tags": dict(domain.get("Tags") or {}),
        })  # fmt: skip
        yield ctx.resource(DOMAIN_NAME, name, props, id=name)


COLLECTORS: list[Collector] = [
    Collector("apigatewayv2", (API, ROUTE, STAGE), ("apigateway:GET",), _apis),
    Collector("apigatewayv2", (DOMAIN_NAME,), ("apigateway:GET",), _domain_names),
]
