"""Elastic Load Balancing v2: load balancers (and their attributes), target groups and
listeners (and theirs). Attribute names are Elastic Load Balancing's, mapped one by one."""

from __future__ import annotations

from typing import Any

from scripts.emulate.creators.base import (
    Made,
    Target,
    physical_name,
    tag_list,
    tags,
    without_none,
)
from scripts.emulate.inputs import Inputs

# Load balancer inputs that are attributes in ELB: input → attribute key.
_LB_ATTRIBUTES = {
    "enable_deletion_protection": "deletion_protection.enabled",
    "drop_invalid_header_fields": "routing.http.drop_invalid_header_fields.enabled",
    "desync_mitigation_mode": "routing.http.desync_mitigation_mode",
    "enable_http2": "routing.http2.enabled",
    "enable_waf_fail_open": "waf.fail_open.enabled",
    "idle_timeout": "idle_timeout.timeout_seconds",
    "preserve_host_header": "routing.http.preserve_host_header.enabled",
    "enable_cross_zone_load_balancing": "load_balancing.cross_zone.enabled",
    "client_keep_alive": "client_keep_alive.seconds",
    "xff_header_processing_mode": "routing.http.xff_header_processing.mode",
    "enable_xff_client_port": "routing.http.xff_client_port.enabled",
    "enable_tls_version_and_cipher_suite_headers": (
        "routing.http.x_amzn_tls_version_and_cipher_suite.enabled"
    ),
    "enable_zonal_shift": "zonal_shift.config.enabled",
    "dns_record_client_routing_policy": "dns_record.client_routing_policy",
}
# Log blocks of a load balancer: input → attribute prefix.
_LB_LOGS = {"access_logs": "access_logs.s3", "connection_logs": "connection_logs.s3"}
_LISTENER_ATTRIBUTES = {
    "routing_http_response_strict_transport_security_header_value": (
        "routing.http.response.strict_transport_security.header_value"
    ),
    "routing_http_response_x_content_type_options_header_value": (
        "routing.http.response.x_content_type_options.header_value"
    ),
    "routing_http_response_x_frame_options_header_value": (
        "routing.http.response.x_frame_options.header_value"
    ),
    "routing_http_response_content_security_policy_header_value": (
        "routing.http.response.content_security_policy.header_value"
    ),
    "routing_http_response_server_enabled": "routing.http.response.server.enabled",
    "tcp_idle_timeout_seconds": "tcp.idle_timeout.seconds",
}
_TG_ATTRIBUTES = {
    "deregistration_delay": "deregistration_delay.timeout_seconds",
    "slow_start": "slow_start.duration_seconds",
    "load_balancing_algorithm_type": "load_balancing.algorithm.type",
    "proxy_protocol_v2": "proxy_protocol_v2.enabled",
    "connection_termination": "deregistration_delay.connection_termination.enabled",
    "lambda_multi_value_headers_enabled": "lambda.multi_value_headers.enabled",
}
_HEALTH_CHECK = {
    "protocol": "HealthCheckProtocol",
    "port": "HealthCheckPort",
    "path": "HealthCheckPath",
    "interval": "HealthCheckIntervalSeconds",
    "timeout": "HealthCheckTimeoutSeconds",
    "healthy_threshold": "HealthyThresholdCount",
    "unhealthy_threshold": "UnhealthyThresholdCount",
    "enabled": "HealthCheckEnabled",
}


def _attribute(value: Any) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def _attributes(inputs: Inputs, table: dict[str, str]) -> list[dict[str, str]]:
    return [{"Key": api, "Value": _attribute(inputs[k])} for k, api in table.items() if k in inputs]


def _suffix(arn: str, *, kind: bool = False) -> str:
    """The ARN's resource part (`targetgroup/name/id`), or without its kind (`app/name/id`)."""
    resource = arn.split(":", 5)[5]
    return resource if kind else resource.split("/", 1)[1]


def target_group(inputs: Inputs, target: Target, clients) -> Made:
    elb = clients("elbv2")
    name = physical_name(inputs, target, max_length=32)
    args: dict[str, Any] = without_none(
        Protocol=inputs.get("protocol"),
        ProtocolVersion=inputs.get("protocol_version"),
        Port=inputs.get("port"),
        VpcId=inputs.get("vpc_id"),
        TargetType=inputs.get("target_type"),
        IpAddressType=inputs.get("ip_address_type"),
    )
    check = inputs.get("health_check")
    if check is not None:
        args.update({api: _attribute(check[k]) if k == "port" else check[k]
                     for k, api in _HEALTH_CHECK.items() if k in check})  # fmt: skip
        if "matcher" in check:
            args["Matcher"] = {"HttpCode": check["matcher"]}
    made = elb.create_target_group(Name=name, **args, Tags=tag_list(tags(inputs, target)))
    arn = made["TargetGroups"][0]["TargetGroupArn"]
    attributes = _attributes(inputs, _TG_ATTRIBUTES)
    if attributes:
        elb.modify_target_group_attributes(TargetGroupArn=arn, Attributes=attributes)
    return arn, {"arn": arn, "arn_suffix": _suffix(arn, kind=True), "name": name}


def load_balancer(inputs: Inputs, target: Target, clients) -> Made:
    elb = clients("elbv2")
    name = physical_name(inputs, target, max_length=32)
    scheme = "internal" if inputs.get("internal") else "internet-facing"
    made = elb.create_load_balancer(
        Name=name,
        Scheme=scheme,
        **without_none(
            Type=inputs.get("load_balancer_type"),
            Subnets=inputs.plain("subnets"),
            SecurityGroups=inputs.plain("security_groups"),
            IpAddressType=inputs.get("ip_address_type"),
            CustomerOwnedIpv4Pool=inputs.get("customer_owned_ipv4_pool"),
        ),
        Tags=tag_list(tags(inputs, target)),
    )["LoadBalancers"][0]
    arn = made["LoadBalancerArn"]
    attributes = _attributes(inputs, _LB_ATTRIBUTES)
    for key, prefix in _LB_LOGS.items():
        logs = inputs.get(key)
        if logs is not None:
            attributes += [
                {"Key": f"{prefix}.{field}", "Value": _attribute(logs[field])}
                for field in ("enabled", "bucket", "prefix")
                if field in logs
            ]
    if attributes:
        elb.modify_load_balancer_attributes(LoadBalancerArn=arn, Attributes=attributes)
    return arn, {
        "arn": arn,
        "arn_suffix": _suffix(arn),
        "name": name,
        "dns_name": made["DNSName"],
        "zone_id": made.get("CanonicalHostedZoneId"),
        "vpc_id": made.get("VpcId"),
    }


def _action(action: Inputs) -> dict[str, Any]:
    out: dict[str, Any] = without_none(
        Type=action.require("type"),
        TargetGroupArn=action.get("target_group_arn"),
        Order=action.get("order"),
    )
    redirect = action.get("redirect")
    if redirect is not None:
        out["RedirectConfig"] = without_none(
            Protocol=redirect.get("protocol"),
            Port=redirect.get("port"),
            Host=redirect.get("host"),
            Path=redirect.get("path"),
            Query=redirect.get("query"),
            StatusCode=redirect.require("status_code"),
        )
    fixed = action.get("fixed_response")
    if fixed is not None:
        out["FixedResponseConfig"] = without_none(
            ContentType=fixed.require("content_type"),
            MessageBody=fixed.get("message_body"),
            StatusCode=fixed.get("status_code"),
        )
    forward = action.get("forward")
    if forward is not None:
        out["ForwardConfig"] = {
            "TargetGroups": [
                without_none(TargetGroupArn=g.require("arn"), Weight=g.get("weight"))
                for g in forward.require("target_groups")
            ]
        }
    return out


def listener(inputs: Inputs, target: Target, clients) -> Made:
    elb = clients("elbv2")
    certificate = inputs.get("certificate_arn")
    made = elb.create_listener(
        LoadBalancerArn=inputs.require("load_balancer_arn"),
        DefaultActions=[_action(a) for a in inputs.require("default_actions")],
        **without_none(
            Protocol=inputs.get("protocol"),
            Port=inputs.get("port"),
            SslPolicy=inputs.get("ssl_policy"),
            Certificates=[{"CertificateArn": certificate}] if certificate else None,
            AlpnPolicy=[inputs["alpn_policy"]] if "alpn_policy" in inputs else None,
        ),
        Tags=tag_list(tags(inputs, target)),
    )["Listeners"][0]
    arn = made["ListenerArn"]
    attributes = _attributes(inputs, _LISTENER_ATTRIBUTES)
    if attributes:
        elb.modify_listener_attributes(ListenerArn=arn, Attributes=attributes)
    return arn, {"arn": arn}


CREATORS = {
    "aws:lb/targetGroup:TargetGroup": target_group,
    "aws:lb/loadBalancer:LoadBalancer": load_balancer,
    "aws:lb/listener:Listener": listener,
    "aws:alb/targetGroup:TargetGroup": target_group,
    "aws:alb/loadBalancer:LoadBalancer": load_balancer,
    "aws:alb/listener:Listener": listener,
}
