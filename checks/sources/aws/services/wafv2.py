"""Live collectors: regional WAFv2 web ACLs (with their rules) as `aws.wafv2.WebAcl`, what load
balancers each protects as `aws.wafv2.WebAclAssociation`, and their logging as
`aws.wafv2.WebAclLoggingConfiguration`. One collector each, so a denied call hides only its type.

Only the REGIONAL scope is read: CloudFront's web ACLs protect no load balancer. Sampled
requests (which carry request headers) are never read.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from checks.model import Resource
from checks.sources.aws.collect import CollectionError, Collector, Context
from checks.sources.aws.partial import Misses
from checks.sources.aws.shapes import present, snake_keys, tag_dict

WEB_ACL = "aws:wafv2/webAcl:WebAcl"
WEB_ACL_ASSOCIATION = "aws:wafv2/webAclAssociation:WebAclAssociation"
WEB_ACL_LOGGING = "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration"
SCOPE = "REGIONAL"

# Where pulumi_aws's names differ from the API's once in snake_case.
_NAMES = {"CloudWatchMetricsEnabled": "cloudwatch_metrics_enabled"}
# The largest page a WAFv2 list answers.
_PAGE = 100


def marker_pages(ctx: Context, client: Any, operation: str, **kwargs: Any) -> Iterator[Any]:
    """Every page of a WAFv2 list (NextMarker-paged; boto3 has no paginator for them). A marker
    that repeats is an endpoint fault, never an endless loop."""
    seen: set[str] = set()
    while True:
        page = ctx.call(client, operation, Limit=_PAGE, **kwargs)
        yield page
        marker = page.get("NextMarker")
        if not marker:
            return
        if marker in seen:
            raise CollectionError(f"{operation} repeated its page marker: the listing is not whole")
        seen.add(marker)
        kwargs["NextMarker"] = marker


def _web_acl_summaries(ctx: Context, client: Any) -> Iterator[Mapping[str, Any]]:
    for page in marker_pages(ctx, client, "ListWebACLs", Scope=SCOPE):
        yield from page.get("WebACLs") or ()


def web_acl_props(acl: Mapping[str, Any], tags: dict[str, Any]) -> dict[str, Any]:
    return present(
        {
            "name": acl["Name"],
            "scope": SCOPE,
            "description": acl.get("Description") or None,
            "default_action": snake_keys(acl.get("DefaultAction"), _NAMES),
            "rules": snake_keys(acl.get("Rules") or [], _NAMES),
            "visibility_config": snake_keys(acl.get("VisibilityConfig"), _NAMES),
            "custom_response_bodies": snake_keys(
                [{"Key": k, **v} for k, v in (acl.get("CustomResponseBodies") or {}).items()]
            )
            or None,
            "token_domains": list(acl.get("TokenDomains") or []) or None,
            "tags": tags,
        }
    )


def _web_acls(ctx: Context) -> Iterator[Resource]:
    client = ctx.client()
    with Misses(ctx, (WEB_ACL,), "web ACL") as missed:
        for summary in _web_acl_summaries(ctx, client):
            name, arn = summary["Name"], summary["ARN"]
            with missed.of(name):
                answer = ctx.call(client, "GetWebACL", Name=name, Scope=SCOPE, Id=summary["Id"])
                tags: dict[str, Any] = {}
                for page in marker_pages(ctx, client, "ListTagsForResource", ResourceARN=arn):
                    tags.update(tag_dict((page.get("TagInfoForResource") or {}).get("TagList")))
                props = web_acl_props(answer["WebACL"], tags)
                yield ctx.resource(WEB_ACL, name, props, id=summary["Id"], arn=arn)


def _associations(ctx: Context) -> Iterator[Resource]:
    client = ctx.client()
    with Misses(ctx, (WEB_ACL_ASSOCIATION,), "web ACL") as missed:
        for summary in _web_acl_summaries(ctx, client):
            acl_arn = summary["ARN"]
            with missed.of(summary["Name"]):
                answer = ctx.call(
                    client,
                    "ListResourcesForWebACL",
                    WebACLArn=acl_arn,
                    ResourceType="APPLICATION_LOAD_BALANCER",
                )
                for resource_arn in answer.get("ResourceArns") or []:
                    ident = f"{acl_arn},{resource_arn}"
                    props = {"resource_arn": resource_arn, "web_acl_arn": acl_arn}
                    yield ctx.resource(WEB_ACL_ASSOCIATION, ident, props, id=ident)


def logging_props(config: Mapping[str, Any]) -> dict[str, Any]:
    return present(
        {
            "resource_arn": config["ResourceArn"],
            "log_destination_configs": list(config.get("LogDestinationConfigs") or []),
            "redacted_fields": snake_keys(config.get("RedactedFields") or []) or None,
            "logging_filter": snake_keys(config.get("LoggingFilter")) or None,
        }
    )


def _logging(ctx: Context) -> Iterator[Resource]:
    client = ctx.client()
    for page in marker_pages(ctx, client, "ListLoggingConfigurations", Scope=SCOPE):
        for config in page.get("LoggingConfigurations") or ():
            arn = config["ResourceArn"]
            yield ctx.resource(WEB_ACL_LOGGING, arn, logging_props(config), id=arn)


COLLECTORS: list[Collector] = [
    Collector(
        "wafv2",
        (WEB_ACL,),
        ("wafv2:GetWebACL", "wafv2:ListTagsForResource", "wafv2:ListWebACLs"),
        _web_acls,
    ),
    Collector(
        "wafv2",
        (WEB_ACL_ASSOCIATION,),
        ("wafv2:ListResourcesForWebACL", "wafv2:ListWebACLs"),
        _associations,
    ),
    Collector("wafv2", (WEB_ACL_LOGGING,), ("wafv2:ListLoggingConfigurations",), _logging),
]
