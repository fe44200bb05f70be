"""Live collectors: CloudFront distributions as `aws.cloudfront.Distribution` declares them
(origins with their protocol policies, cache behaviours' viewer protocol policies, the viewer
certificate, the web ACL, tags). CloudFront is global: read once per account.

ListDistributions's summaries carry every setting the checks read, so no distribution's full
configuration (GetDistributionConfig) is fetched.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from checks.model import Resource
from checks.sources.aws.collect import MAX_PAGES, CollectionError, Collector, Context
from checks.sources.aws.partial import Misses
from checks.sources.aws.shapes import present, tag_dict

DISTRIBUTION = "aws:cloudfront/distribution:Distribution"


def _items(block: Mapping[str, Any] | None) -> list[Any]:
    """CloudFront's lists come wrapped: {"Quantity": n, "Items": [...]}."""
    return list((block or {}).get("Items") or [])


def _origin(origin: Mapping[str, Any]) -> dict[str, Any]:
    custom = origin.get("CustomOriginConfig")
    s3 = origin.get("S3OriginConfig")
    return present({
        "origin_id": origin.get("Id"),
        "domain_name": origin.get("DomainName"),
        "origin_path": origin.get("OriginPath") or None,
        "origin_access_control_id": origin.get("OriginAccessControlId") or None,
        "custom_origin_config": present({
            "http_port": custom.get("HTTPPort"),
            "https_port": custom.get("HTTPSPort"),
            "origin_protocol_policy": custom.get("OriginProtocolPolicy"),
            "origin_ssl_protocols": _items(custom.get("OriginSslProtocols")),
            "origin_read_timeout": custom.get("OriginReadTimeout"),
            "origin_keepalive_timeout": custom.get("OriginKeepaliveTimeout"),
        }) if custom else None,
        "s3_origin_config": {"origin_access_identity": s3.get("OriginAccessIdentity", "")}
        if s3 is not None else None,
    })  # fmt: skip


def _behaviour(behaviour: Mapping[str, Any]) -> dict[str, Any]:
    methods = behaviour.get("AllowedMethods") or {}
    return present({
        "path_pattern": behaviour.get("PathPattern"),
        "target_origin_id": behaviour.get("TargetOriginId"),
        "viewer_protocol_policy": behaviour.get("ViewerProtocolPolicy"),
        "allowed_methods": _items(methods) or None,
        "cached_methods": _items(methods.get("CachedMethods")) or None,
        "cache_policy_id": behaviour.get("CachePolicyId"),
        "compress": behaviour.get("Compress"),
    })  # fmt: skip


def distribution_props(summary: Mapping[str, Any], tags: dict[str, Any]) -> dict[str, Any]:
    cert = summary.get("ViewerCertificate") or {}
    return present({
        "arn": summary.get("ARN"),
        "domain_name": summary.get("DomainName"),
        "enabled": summary.get("Enabled"),
        "comment": summary.get("Comment"),
        "aliases": _items(summary.get("Aliases")),
        "origins": [_origin(o) for o in _items(summary.get("Origins"))],
        "default_cache_behavior": _behaviour(summary.get("DefaultCacheBehavior") or {}),
        "ordered_cache_behaviors": [_behaviour(b) for b in _items(summary.get("CacheBehaviors"))],
        "viewer_certificate": present({
            "cloudfront_default_certificate": cert.get("CloudFrontDefaultCertificate"),
            "acm_certificate_arn": cert.get("ACMCertificateArn"),
            "iam_certificate_id": cert.get("IAMCertificateId"),
            "minimum_protocol_version": cert.get("MinimumProtocolVersion"),
            "ssl_support_method": cert.get("SSLSupportMethod"),
        }),
        "web_acl_id": summary.get("WebACLId") or None,
        "http_version": summary.get("HttpVersion"),
        "is_ipv6_enabled": summary.get("IsIPV6Enabled"),
        "price_class": summary.get("PriceClass"),
        "tags": tags,
    })  # fmt: skip


def _summaries(ctx: Context, client: Any) -> Iterator[Mapping[str, Any]]:
    """Every distribution summary: the list is nested ({"DistributionList": {"Items"...}}), so
    its markers are followed here rather than by `ctx.pages`."""
    marker: str | None = None
    for _ in range(MAX_PAGES):
        page = ctx.call(client, "ListDistributions", **({"Marker": marker} if marker else {}))
        listing = page.get("DistributionList") or {}
        yield from listing.get("Items") or ()
        marker = listing.get("NextMarker")
        if not listing.get("IsTruncated") or not marker:
            return
    raise CollectionError(f"ListDistributions was still handing out pages after {MAX_PAGES}")


def _distributions(ctx: Context) -> Iterator[Resource]:
    client = ctx.client()
    with Misses(ctx, (DISTRIBUTION,), "distribution") as missed:
        for summary in list(_summaries(ctx, client)):
            with missed.of(summary["Id"]):
                answer = ctx.call(client, "ListTagsForResource", Resource=summary["ARN"])
                tags = tag_dict(_items(answer.get("Tags")))
                props = distribution_props(summary, tags)
                yield ctx.resource(
                    DISTRIBUTION, summary["Id"], props, id=summary["Id"], arn=summary["ARN"]
                )


COLLECTORS: list[Collector] = [
    Collector(
        "cloudfront",
        (DISTRIBUTION,),
        ("cloudfront:ListDistributions", "cloudfront:ListTagsForResource"),
        _distributions,
        regional=False,
    ),
]
