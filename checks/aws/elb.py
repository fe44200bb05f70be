"""Load balancers: TLS 1.2+ listeners (HTTP only to redirect), access logs, deletion protection
and invalid-header dropping (controls LB-01, LB-02, LB-03).

pulumi_aws declares the same resources under `aws.lb` and `aws.alb`; both are read. Classic load
balancers are checked for their listeners and logs.
"""

from __future__ import annotations

from checks.model import Inventory, Resource, Undecidable
from checks.registry import Check, Result, Severity, check, failed, not_applicable, passed
from checks.support.joins import resolve
from checks.support.listeners import LISTENERS, redirects_to_https
from checks.support.props import blocks, flag, known
from checks.support.resource_types import (
    ALL_LOAD_BALANCERS,
    CLASSIC_LOAD_BALANCER,
    LOAD_BALANCERS,
)
from checks.support.tls import DEFAULT_SSL_POLICY, RECOMMENDED_TLS_POLICY, is_tls12_policy

CHECKS: list[Check] = []

TLS_PROTOCOLS = frozenset({"HTTPS", "TLS"})
PASS_THROUGH_PROTOCOLS = frozenset({"TCP", "UDP", "TCP_UDP", "GENEVE"})


def _protocol(listener: Resource, inv: Inventory) -> str:
    """The listener's protocol; unset, it is HTTP on an application load balancer."""
    protocol = known(listener, "protocol")
    if protocol:
        return str(protocol).upper()
    ref = known(listener, "load_balancer_arn")
    lb = resolve(inv, ref, LOAD_BALANCERS, f"load_balancer_arn of {listener.name}")
    if lb is None:
        raise Undecidable(f"{listener.name} names no protocol and its load balancer is not known")
    return "HTTP" if _lb_type(lb) == "application" else "GENEVE"


def _listener_verdict(res: Resource, inv: Inventory) -> Result:
    protocol = _protocol(res, inv)
    if protocol in PASS_THROUGH_PROTOCOLS:
        return not_applicable(
            f"{protocol} pass-through: the targets terminate any TLS", protocol=protocol
        )
    if protocol == "HTTP":
        if redirects_to_https(res):
            return passed(
                "the HTTP listener only redirects to HTTPS", protocol=protocol, ssl_policy=None
            )
        return failed(
            "the HTTP listener serves plain-text traffic", protocol=protocol, ssl_policy=None
        )
    policy = str(known(res, "ssl_policy", DEFAULT_SSL_POLICY) or DEFAULT_SSL_POLICY)
    if is_tls12_policy(policy):
        return passed(
            f"{protocol} with TLS 1.2+ policy {policy}", protocol=protocol, ssl_policy=policy
        )
    return failed(
        f"{protocol} policy {policy} allows TLS below 1.2", protocol=protocol, ssl_policy=policy
    )


def _classic_verdict(res: Resource) -> Result:
    plain = [
        f"{listener.get('lb_protocol')}:{listener.get('lb_port')}"
        for listener in blocks(known(res, "listeners"))
        if str(listener.get("lb_protocol", "")).upper() not in ("HTTPS", "SSL")
    ]
    if plain:
        return failed(f"plain-text listeners: {', '.join(plain)}", plain_listeners=plain)
    return passed("every listener uses HTTPS/SSL", plain_listeners=[])


@check(
    into=CHECKS,
    id="lb_listener_tls",
    control="LB-01",
    title="Load balancer listener uses TLS 1.2+ (HTTP only to redirect to HTTPS)",
    severity=Severity.HIGH,
    config_rule="elb-tls-https-listeners-only",
    resource_types=(*LISTENERS, CLASSIC_LOAD_BALANCER),
    remediation=(
        f"Serve HTTPS with ssl_policy '{RECOMMENDED_TLS_POLICY}' and an ACM "
        "certificate; make any HTTP listener a redirect to HTTPS (status HTTP_301)."
    ),
    pulumi_fix=(
        'aws.lb.Listener("https", load_balancer_arn=alb.arn, port=443, protocol="HTTPS",\n'
        f'    ssl_policy="{RECOMMENDED_TLS_POLICY}", certificate_arn=cert.arn,\n'
        '    default_actions=[{"type": "forward", "target_group_arn": tg.arn}])\n'
        'aws.lb.Listener("http", load_balancer_arn=alb.arn, port=80, protocol="HTTP",\n'
        '    default_actions=[{"type": "redirect", "redirect": {\n'
        '        "protocol": "HTTPS", "port": "443", "status_code": "HTTP_301"}}])'
    ),
)
def lb_listener_tls(res: Resource, inv: Inventory) -> Result:
    """ePHI crossing the load balancer is encrypted with current TLS (transmission security)."""
    if res.type == CLASSIC_LOAD_BALANCER:
        return _classic_verdict(res)
    return _listener_verdict(res, inv)


def _lb_type(res: Resource) -> str:
    return (
        "classic"
        if res.type == CLASSIC_LOAD_BALANCER
        else str(known(res, "load_balancer_type", "application"))
    )


@check(
    into=CHECKS,
    id="lb_access_logs",
    control="LB-02",
    title="Load balancer writes access logs",
    severity=Severity.MEDIUM,
    config_rule="elb-logging-enabled",
    resource_types=ALL_LOAD_BALANCERS,
    remediation=(
        "Set access_logs {bucket, enabled: True} to an SSE-S3 bucket whose policy lets the "
        "region's log delivery service write."
    ),
    pulumi_fix='aws.lb.LoadBalancer("web", ..., access_logs={"bucket": lb_logs.id,\n'
    '    "prefix": "web", "enabled": True})',
)
def lb_access_logs(res: Resource, inv: Inventory) -> Result:
    """Every request that reaches the application is recorded (audit controls)."""
    if _lb_type(res) == "gateway":
        return not_applicable("gateway load balancers have no access logs")
    classic = res.type == CLASSIC_LOAD_BALANCER
    logs = [
        b
        for b in blocks(known(res, "access_logs"))
        if b.get("bucket") and flag(b.get("enabled", classic))
    ]
    if logs:
        return passed(f"access logs go to {logs[0].get('bucket')}", bucket=logs[0].get("bucket"))
    return failed("access logging is off (access_logs.enabled defaults to false)", bucket=None)


@check(
    into=CHECKS,
    id="lb_deletion_protection",
    control="LB-03",
    title="Load balancer has deletion protection",
    severity=Severity.LOW,
    config_rule="elb-deletion-protection-enabled",
    resource_types=LOAD_BALANCERS,
    remediation="Set enable_deletion_protection=True.",
    pulumi_fix='aws.lb.LoadBalancer("web", ..., enable_deletion_protection=True)',
)
def lb_deletion_protection(res: Resource, inv: Inventory) -> Result:
    """The entry point to the system is not removed by one mistaken call."""
    on = flag(known(res, "enable_deletion_protection", False))
    if on:
        return passed("deletion protection is on", enable_deletion_protection=True)
    return failed("deletion protection is off", enable_deletion_protection=False)


@check(
    into=CHECKS,
    id="alb_drop_invalid_headers",
    control="LB-03",
    title="Application load balancer drops invalid HTTP header fields",
    severity=Severity.LOW,
    config_rule="alb-http-drop-invalid-header-enabled",
    resource_types=LOAD_BALANCERS,
    remediation="Set drop_invalid_header_fields=True (request smuggling defence).",
    pulumi_fix='aws.lb.LoadBalancer("web", ..., drop_invalid_header_fields=True)',
)
def alb_drop_invalid_headers(res: Resource, inv: Inventory) -> Result:
    """Malformed headers never reach the application (desync and smuggling attacks)."""
    if _lb_type(res) != "application":
        return not_applicable("only application load balancers parse HTTP headers")
    on = flag(known(res, "drop_invalid_header_fields", False))
    if on:
        return passed("invalid header fields are dropped", drop_invalid_header_fields=True)
    return failed("invalid header fields are passed to targets", drop_invalid_header_fields=False)
