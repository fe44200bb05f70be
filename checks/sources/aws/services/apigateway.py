"""Live collectors: API Gateway REST APIs' methods (`aws.apigateway.Method`: authorization, API
key), stages (`aws.apigateway.Stage`: client certificate, access logs, web ACL) with their method
settings (`aws.apigateway.MethodSettings`, one per method path the stage sets), and custom domain
names (`aws.apigateway.DomainName`: security policy). Never an API's export, a key's value or a
client certificate's PEM.

API Gateway's control plane authorizes reads by HTTP verb: every call here is `apigateway:GET`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from checks.model import Resource
from checks.sources.aws.collect import Collector, Context
from checks.sources.aws.partial import Misses
from checks.sources.aws.shapes import present, snake_keys

METHOD = "aws:apigateway/method:Method"
STAGE = "aws:apigateway/stage:Stage"
METHOD_SETTINGS = "aws:apigateway/methodSettings:MethodSettings"
DOMAIN_NAME = "aws:apigateway/domainName:DomainName"


def method_props(api_id: str, resource_id: str, method: Mapping[str, Any]) -> dict[str, Any]:
    return present({
        "rest_api": api_id,
        "resource_id": resource_id,
        "http_method": method.get("httpMethod"),
        "authorization": method.get("authorizationType"),
        "authorizer_id": method.get("authorizerId"),
        "api_key_required": method.get("apiKeyRequired"),
        "authorization_scopes": method.get("authorizationScopes"),
        "operation_name": method.get("operationName"),
    })  # fmt: skip


def stage_props(ctx: Context, api_id: str, stage: Mapping[str, Any]) -> dict[str, Any]:
    name = stage["stageName"]
    access = stage.get("accessLogSettings") or {}
    return present({
        "rest_api": api_id,
        "stage_name": name,
        "deployment": stage.get("deploymentId"),
        "description": stage.get("description"),
        "client_certificate_id": stage.get("clientCertificateId"),
        "access_log_settings": present({
            "destination_arn": access.get("destinationArn"), "format": access.get("format"),
        }) or None,
        "xray_tracing_enabled": stage.get("tracingEnabled"),
        "cache_cluster_enabled": stage.get("cacheClusterEnabled"),
        "web_acl_arn": stage.get("webAclArn"),
        "arn": f"arn:{ctx.partition}:apigateway:{ctx.region}::/restapis/{api_id}/stages/{name}",
        "tags": dict(stage.get("tags") or {}),
    })  # fmt: skip


def _methods(ctx: Context, client: Any, api_id: str) -> Iterator[Resource]:
    resources = ctx.pages(client, "GetResources", "items", restApiId=api_id, embed=["methods"])
    for resource in resources:
        for verb, method in (resource.get("resourceMethods") or {}).items():
            props = method_props(api_id, resource["id"], {"httpMethod": verb, **method})
            ident = f"agm-{api_id}-{resource['id']}-{verb}"
            yield ctx.resource(METHOD, f"{api_id} {verb} {resource.get('path')}", props, id=ident)


def _stages(ctx: Context, client: Any, api_id: str) -> Iterator[Resource]:
    for stage in ctx.call(client, "GetStages", restApiId=api_id).get("item") or []:
        props = stage_props(ctx, api_id, stage)
        name = stage["stageName"]
        yield ctx.resource(STAGE, f"{api_id}/{name}", props, id=f"ags-{api_id}-{name}",
                           arn=props["arn"])  # fmt: skip
        for path, settings in (stage.get("methodSettings") or {}).items():
            props = {"rest_api": api_id, "stage_name": name, "method_path": path,
                     "settings": snake_keys(dict(settings))}  # fmt: skip
            ident = f"{api_id}-{name}-{path}"
            yield ctx.resource(METHOD_SETTINGS, ident, props, id=ident)


def _rest_apis(ctx: Context) -> Iterator[Resource]:
    client = ctx.client()
    apis = list(ctx.pages(client, "GetRestApis", "items"))
    with Misses(ctx, (METHOD, STAGE, METHOD_SETTINGS), "REST API") as missed:
        for api in apis:
            with missed.of(api["id"]):
                found = [*_methods(ctx, client, api["id"]), *_stages(ctx, client, api["id"])]
                yield from found


def _domain_names(ctx: Context) -> Iterator[Resource]:
    client = ctx.client()
    for domain in ctx.pages(client, "GetDomainNames", "items"):
        name = domain["domainName"]
        props = present({
            "domain_name": name,
            "security_policy": domain.get("securityPolicy"),
            "certificate_arn": domain.get("certificateArn"),
            "regional_certificate_arn": domain.get("regionalCertificateArn"),
            # pulumi_aws v7 holds the one endpoint type as text.
            "endpoint_configuration": present({
                "types": ((domain.get("endpointConfiguration") or {}).get("types") or [None])[0],
            }) or None,
            "arn": domain.get("domainNameArn"),
            "tags": dict(domain.get("tags") or {}),
        })  # fmt: skip
        yield ctx.resource(DOMAIN_NAME, name, props, id=name, arn=props.get("arn"))


COLLECTORS: list[Collector] = [
    Collector("apigateway", (METHOD, STAGE, METHOD_SETTINGS), ("apigateway:GET",), _rest_apis),
    Collector("apigateway", (DOMAIN_NAME,), ("apigateway:GET",), _domain_names),
]
