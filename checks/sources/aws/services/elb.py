"""Live collectors: Elastic Load Balancing. Application, network and gateway load balancers with
their attributes (access logs, deletion protection, invalid-header dropping) as
`aws.lb.LoadBalancer`, their listeners (protocol, TLS policy, default actions) as `aws.lb.Listener`,
target groups as `aws.lb.TargetGroup`, and classic load balancers as `aws.elb.LoadBalancer`.

A live load balancer cannot say whether a program declared it under `aws.lb` or `aws.alb` (the
same resource); it is reported under `aws.lb`, which every check reads.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from checks.model import Resource
from checks.sources.aws.collect import Collector, Context
from checks.sources.aws.partial import Misses
from checks.sources.aws.shapes import present, snake_keys, tag_dict, true

LOAD_BALANCER = "aws:lb/loadBalancer:LoadBalancer"
LISTENER = "aws:lb/listener:Listener"
TARGET_GROUP = "aws:lb/targetGroup:TargetGroup"
CLASSIC_LOAD_BALANCER = "aws:elb/loadBalancer:LoadBalancer"

# DescribeTags takes at most 20 resources per call.
_TAG_BATCH = 20

# Load balancer attribute -> (provider property, how to read the text AWS gives).
_ATTRIBUTES: Mapping[str, tuple[str, Callable[[str], Any]]] = {
    "deletion_protection.enabled": ("enable_deletion_protection", true),
    "routing.http.drop_invalid_header_fields.enabled": ("drop_invalid_header_fields", true),
    "idle_timeout.timeout_seconds": ("idle_timeout", int),
    "routing.http2.enabled": ("enable_http2", true),
    "routing.http.desync_mitigation_mode": ("desync_mitigation_mode", str),
    "waf.fail_open.enabled": ("enable_waf_fail_open", true),
    "load_balancing.cross_zone.enabled": ("enable_cross_zone_load_balancing", true),
    "routing.http.preserve_host_header.enabled": ("preserve_host_header", true),
    "routing.http.xff_header_processing.mode": ("xff_header_processing_mode", str),
}

# Default action blocks as the provider names them; a forward block names its groups by `arn`.
_ACTION_NAMES = {
    "RedirectConfig": "redirect",
    "FixedResponseConfig": "fixed_response",
    "ForwardConfig": "forward",
    "AuthenticateOidcConfig": "authenticate_oidc",
    "AuthenticateCognitoConfig": "authenticate_cognito",
    "TargetGroupStickinessConfig": "stickiness",
    "DurationSeconds": "duration",
}
_USER_MAPS = ("AuthenticationRequestExtraParams",)


def _tags_by_arn(ctx: Context, client: Any, arns: Sequence[str]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for start in range(0, len(arns), _TAG_BATCH):
        batch = list(arns[start : start + _TAG_BATCH])
        for described in ctx.call(client, "DescribeTags", ResourceArns=batch)["TagDescriptions"]:
            found[described["ResourceArn"]] = tag_dict(described.get("Tags"))
    return found


def _logs(attributes: Mapping[str, str], prefix: str) -> dict[str, Any] | None:
    if f"{prefix}.enabled" not in attributes:
        return None
    return {
        "bucket": attributes.get(f"{prefix}.bucket", ""),
        "prefix": attributes.get(f"{prefix}.prefix", ""),
        "enabled": true(attributes[f"{prefix}.enabled"]),
    }


def _zones(lb: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return list(lb.get("AvailabilityZones") or [])


def load_balancer_props(
    lb: Mapping[str, Any], attributes: Mapping[str, str], tags: dict[str, Any]
) -> dict[str, Any]:
    props = present(
        {
            "name": lb["LoadBalancerName"],
            "load_balancer_type": lb["Type"],
            "internal": lb.get("Scheme") == "internal",
            "ip_address_type": lb.get("IpAddressType"),
            "security_groups": list(lb.get("SecurityGroups") or []),
            "subnets": [z["SubnetId"] for z in _zones(lb) if z.get("SubnetId")],
            "access_logs": _logs(attributes, "access_logs.s3"),
            "connection_logs": _logs(attributes, "connection_logs.s3"),
            "dns_name": lb.get("DNSName"),
            "tags": tags,
        }
    )
    for key, (prop, read) in _ATTRIBUTES.items():
        if key in attributes:
            props[prop] = read(attributes[key])
    return props


def _load_balancers(ctx: Context) -> Iterator[Resource]:
    client = ctx.client()
    found = list(ctx.pages(client, "DescribeLoadBalancers", "LoadBalancers"))
    tags = _tags_by_arn(ctx, client, [lb["LoadBalancerArn"] for lb in found])
    with Misses(ctx, (LOAD_BALANCER,), "load balancer") as missed:
        for lb in found:
            arn = lb["LoadBalancerArn"]
            with missed.of(lb["LoadBalancerName"]):
                answer = ctx.call(client, "DescribeLoadBalancerAttributes", LoadBalancerArn=arn)
                attributes = {a["Key"]: a["Value"] for a in answer.get("Attributes") or []}
                props = load_balancer_props(lb, attributes, tags.get(arn, {}))
                yield ctx.resource(LOAD_BALANCER, lb["LoadBalancerName"], props, id=arn, arn=arn)


def _action(action: Mapping[str, Any]) -> dict[str, Any]:
    out = snake_keys(
        {k: v for k, v in action.items() if k != "ForwardConfig"}, _ACTION_NAMES, _USER_MAPS
    )
    # DescribeListeners does not return an OIDC client secret; withheld should it ever.
    if isinstance(out.get("authenticate_oidc"), dict):
        out["authenticate_oidc"].pop("client_secret", None)
    return out


def _forward(action: Mapping[str, Any]) -> dict[str, Any] | None:
    config = action.get("ForwardConfig")
    if not config:
        return None
    forward = snake_keys({k: v for k, v in config.items() if k != "TargetGroups"}, _ACTION_NAMES)
    forward["target_groups"] = [
        present({"arn": g.get("TargetGroupArn"), "weight": g.get("Weight")})
        for g in config.get("TargetGroups") or []
    ]
    return forward


def listener_props(listener: Mapping[str, Any], tags: dict[str, Any]) -> dict[str, Any]:
    actions = []
    for action in listener.get("DefaultActions") or []:
        block = _action(action)
        if forward := _forward(action):
            block["forward"] = forward
        actions.append(block)
    certificates = listener.get("Certificates") or []
    alpn = listener.get("AlpnPolicy") or []
    return present(
        {
            "load_balancer_arn": listener["LoadBalancerArn"],
            "port": listener.get("Port"),
            "protocol": listener.get("Protocol"),
            "ssl_policy": listener.get("SslPolicy"),
            "certificate_arn": certificates[0].get("CertificateArn") if certificates else None,
            "alpn_policy": alpn[0] if alpn else None,
            "default_actions": actions,
            "tags": tags,
        }
    )


def _listeners(ctx: Context) -> Iterator[Resource]:
    client = ctx.client()
    listeners = [
        listener
        for lb in ctx.pages(client, "DescribeLoadBalancers", "LoadBalancers")
        for listener in ctx.pages(
            client, "DescribeListeners", "Listeners", LoadBalancerArn=lb["LoadBalancerArn"]
        )
    ]
    tags = _tags_by_arn(ctx, client, [listener["ListenerArn"] for listener in listeners])
    for listener in listeners:
        arn = listener["ListenerArn"]
        props = listener_props(listener, tags.get(arn, {}))
        yield ctx.resource(LISTENER, arn, props, id=arn, arn=arn)


def target_group_props(group: Mapping[str, Any], tags: dict[str, Any]) -> dict[str, Any]:
    health = present(
        {
            "enabled": group.get("HealthCheckEnabled"),
            "path": group.get("HealthCheckPath"),
            "port": group.get("HealthCheckPort"),
            "protocol": group.get("HealthCheckProtocol"),
            "interval": group.get("HealthCheckIntervalSeconds"),
            "timeout": group.get("HealthCheckTimeoutSeconds"),
            "healthy_threshold": group.get("HealthyThresholdCount"),
            "unhealthy_threshold": group.get("UnhealthyThresholdCount"),
            "matcher": (group.get("Matcher") or {}).get("HttpCode")
            or (group.get("Matcher") or {}).get("GrpcCode"),
        }
    )
    return present(
        {
            "name": group["TargetGroupName"],
            "port": group.get("Port"),
            "protocol": group.get("Protocol"),
            "protocol_version": group.get("ProtocolVersion"),
            "vpc_id": group.get("VpcId"),
            "target_type": group.get("TargetType"),
            "ip_address_type": group.get("IpAddressType"),
            "health_check": health or None,
            "load_balancer_arns": list(group.get("LoadBalancerArns") or []),
            "tags": tags,
        }
    )


def _target_groups(ctx: Context) -> Iterator[Resource]:
    client = ctx.client()
    groups = list(ctx.pages(client, "DescribeTargetGroups", "TargetGroups"))
    tags = _tags_by_arn(ctx, client, [g["TargetGroupArn"] for g in groups])
    for group in groups:
        arn, name = group["TargetGroupArn"], group["TargetGroupName"]
        props = target_group_props(group, tags.get(arn, {}))
        yield ctx.resource(TARGET_GROUP, name, props, id=arn, arn=arn)


def classic_props(
    lb: Mapping[str, Any], attributes: Mapping[str, Any], tags: dict[str, Any]
) -> dict[str, Any]:
    log = attributes.get("AccessLog") or {}
    draining = attributes.get("ConnectionDraining") or {}
    return present(
        {
            "name": lb["LoadBalancerName"],
            "internal": lb.get("Scheme") == "internal",
            "listeners": [
                present(
                    {
                        "instance_port": d["Listener"].get("InstancePort"),
                        "instance_protocol": d["Listener"].get("InstanceProtocol"),
                        "lb_port": d["Listener"].get("LoadBalancerPort"),
                        "lb_protocol": d["Listener"].get("Protocol"),
                        "ssl_certificate_id": d["Listener"].get("SSLCertificateId"),
                    }
                )
                for d in lb.get("ListenerDescriptions") or []
            ],
            # Checks take an absent `enabled` for the provider's default (on): it must be real.
            "access_logs": present(
                {
                    "bucket": log.get("S3BucketName"),
                    "bucket_prefix": log.get("S3BucketPrefix"),
                    "interval": log.get("EmitInterval"),
                    "enabled": bool(log["Enabled"]),
                }
            ),
            "availability_zones": list(lb.get("AvailabilityZones") or []),
            "subnets": list(lb.get("Subnets") or []),
            "security_groups": list(lb.get("SecurityGroups") or []),
            "cross_zone_load_balancing": (attributes.get("CrossZoneLoadBalancing") or {}).get(
                "Enabled"
            ),
            "idle_timeout": (attributes.get("ConnectionSettings") or {}).get("IdleTimeout"),
            "connection_draining": draining.get("Enabled"),
            "connection_draining_timeout": draining.get("Timeout"),
            "tags": tags,
        }
    )


def _classic_load_balancers(ctx: Context) -> Iterator[Resource]:
    client = ctx.client()
    found = list(ctx.pages(client, "DescribeLoadBalancers", "LoadBalancerDescriptions"))
    names = [lb["LoadBalancerName"] for lb in found]
    tags: dict[str, dict[str, Any]] = {}
    for start in range(0, len(names), _TAG_BATCH):
        batch = names[start : start + _TAG_BATCH]
        for described in ctx.call(client, "DescribeTags", LoadBalancerNames=batch)[
            "TagDescriptions"
        ]:
            tags[described["LoadBalancerName"]] = tag_dict(described.get("Tags"))
    with Misses(ctx, (CLASSIC_LOAD_BALANCER,), "classic load balancer") as missed:
        for lb, name in zip(found, names, strict=True):
            with missed.of(name):
                answer = ctx.call(client, "DescribeLoadBalancerAttributes", LoadBalancerName=name)
                props = classic_props(lb, answer["LoadBalancerAttributes"], tags.get(name, {}))
                arn = f"arn:{ctx.partition}:elasticloadbalancing:{ctx.region}:{ctx.account_id}:"
                yield ctx.resource(
                    CLASSIC_LOAD_BALANCER, name, props, id=name, arn=f"{arn}loadbalancer/{name}"
                )


_V2_READS = ("elasticloadbalancing:DescribeLoadBalancers", "elasticloadbalancing:DescribeTags")

COLLECTORS: list[Collector] = [
    Collector(
        "elbv2",
        (LOAD_BALANCER,),
        (*_V2_READS, "elasticloadbalancing:DescribeLoadBalancerAttributes"),
        _load_balancers,
    ),
    Collector(
        "elbv2", (LISTENER,), (*_V2_READS, "elasticloadbalancing:DescribeListeners"), _listeners
    ),
    Collector(
        "elbv2",
        (TARGET_GROUP,),
        ("elasticloadbalancing:DescribeTargetGroups", "elasticloadbalancing:DescribeTags"),
        _target_groups,
    ),
    Collector(
        "elb",
        (CLASSIC_LOAD_BALANCER,),
        (*_V2_READS, "elasticloadbalancing:DescribeLoadBalancerAttributes"),
        _classic_load_balancers,
    ),
]
