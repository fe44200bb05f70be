"""Live collectors: the TLS settings Elastic Load Balancing keeps apart from its load balancers.
A classic load balancer's policies (`aws.elb.LoadBalancerPolicy`: type and attributes, the
predefined policy an SSL negotiation policy references among them) and which of them each port
applies (`aws.elb.ListenerPolicy`); an ALB/NLB TLS listener's additional certificates
(`aws.lb.ListenerCertificate`; its default certificate is the listener's `certificate_arn`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from checks.model import Resource
from checks.sources.aws.collect import Collector, Context
from checks.sources.aws.partial import Misses

LB_POLICY = "aws:elb/loadBalancerPolicy:LoadBalancerPolicy"
LISTENER_POLICY = "aws:elb/listenerPolicy:ListenerPolicy"
LISTENER_CERTIFICATE = "aws:lb/listenerCertificate:ListenerCertificate"
_TLS = ("HTTPS", "TLS")


def _policy_props(name: str, policy: dict[str, Any]) -> dict[str, Any]:
    return {
        "load_balancer_name": name,
        "policy_name": policy["PolicyName"],
        "policy_type_name": policy.get("PolicyTypeName"),
        "policy_attributes": [
            {"name": a.get("AttributeName"), "value": a.get("AttributeValue")}
            for a in policy.get("PolicyAttributeDescriptions") or []
        ],
    }


def _classic_policies(ctx: Context) -> Iterator[Resource]:
    client = ctx.client()
    found = list(ctx.pages(client, "DescribeLoadBalancers", "LoadBalancerDescriptions"))
    with Misses(ctx, (LB_POLICY, LISTENER_POLICY), "classic load balancer") as missed:
        for lb in found:
            name = lb["LoadBalancerName"]
            with missed.of(name):
                answer = ctx.call(client, "DescribeLoadBalancerPolicies", LoadBalancerName=name)
                policies = [
                    ctx.resource(LB_POLICY, f"{name}/{p['PolicyName']}", _policy_props(name, p),
                                 id=f"{name}:{p['PolicyName']}")
                    for p in answer.get("PolicyDescriptions") or []
                ]  # fmt: skip
                yield from policies
            for described in lb.get("ListenerDescriptions") or []:
                port = described["Listener"]["LoadBalancerPort"]
                props = {"load_balancer_name": name, "load_balancer_port": port,
                         "policy_names": list(described.get("PolicyNames") or [])}  # fmt: skip
                yield ctx.resource(LISTENER_POLICY, f"{name}:{port}", props, id=f"{name}:{port}")


def _listener_certificates(ctx: Context) -> Iterator[Resource]:
    client = ctx.client()
    listeners = [
        listener
        for lb in ctx.pages(client, "DescribeLoadBalancers", "LoadBalancers")
        for listener in ctx.pages(
            client, "DescribeListeners", "Listeners", LoadBalancerArn=lb["LoadBalancerArn"]
        )
        if listener.get("Protocol") in _TLS
    ]
    with Misses(ctx, (LISTENER_CERTIFICATE,), "listener") as missed:
        for listener in listeners:
            arn = listener["ListenerArn"]
            with missed.of(arn):
                certificates = list(
                    ctx.pages(client, "DescribeListenerCertificates", "Certificates",
                              ListenerArn=arn)
                )  # fmt: skip
                for cert in certificates:
                    if cert.get("IsDefault"):
                        continue
                    ident = f"{arn}_{cert['CertificateArn']}"
                    props = {"listener_arn": arn, "certificate_arn": cert["CertificateArn"]}
                    yield ctx.resource(LISTENER_CERTIFICATE, ident, props, id=ident)


COLLECTORS: list[Collector] = [
    Collector(
        "elb",
        (LB_POLICY, LISTENER_POLICY),
        (
            "elasticloadbalancing:DescribeLoadBalancers",
            "elasticloadbalancing:DescribeLoadBalancerPolicies",
        ),
        _classic_policies,
    ),
    Collector(
        "elbv2",
        (LISTENER_CERTIFICATE,),
        (
            "elasticloadbalancing:DescribeLoadBalancers",
            "elasticloadbalancing:DescribeListeners",
            "elasticloadbalancing:DescribeListenerCertificates",
        ),
        _listener_certificates,
    ),
]
