"""Load balancers, beyond `elb.py`: every HTTP listener of an ALB redirects to HTTPS, TLS
listeners serve ACM certificates, classic HTTPS/SSL listeners negotiate with a predefined TLS 1.2
policy (LB-01), and classic load balancers balance across zones (LB-04).

`elb.py`'s `lb_listener_tls` judges each listener (AWS Config's elb-tls-https-listeners-only);
`alb_http_to_https_redirect` judges the application load balancer as a whole, as AWS Config's
alb-http-to-https-redirection-check does. Listener rules (`aws.lb.ListenerRule`) are not read:
a rule that forwards an HTTP path past the redirect is not seen.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from checks.model import Inventory, Resource, Undecidable
from checks.registry import Check, Result, Severity, check, failed, not_applicable, passed
from checks.support.joins import referrers
from checks.support.listeners import LISTENERS, is_acm_certificate, redirects_to_https
from checks.support.props import blocks, flag, known
from checks.support.resource_types import CLASSIC_LOAD_BALANCER, LOAD_BALANCERS
from checks.support.tls import DEFAULT_SSL_POLICY, is_tls12_policy

CHECKS: list[Check] = []

LISTENER_CERTIFICATES = (
    "aws:lb/listenerCertificate:ListenerCertificate",
    "aws:alb/listenerCertificate:ListenerCertificate",
)
LB_POLICY = "aws:elb/loadBalancerPolicy:LoadBalancerPolicy"
LISTENER_POLICY = "aws:elb/listenerPolicy:ListenerPolicy"
SSL_NEGOTIATION_POLICY = "aws:elb/sslNegotiationPolicy:SslNegotiationPolicy"
CLASSIC_TLS = frozenset({"HTTPS", "SSL"})
REFERENCE = "Reference-Security-Policy"
CLASSIC_TLS_POLICY = "ELBSecurityPolicy-TLS-1-2-2017-01"


@check(
    into=CHECKS,
    id="alb_http_to_https_redirect",
    control="LB-01",
    title="Application load balancer redirects every HTTP listener to HTTPS",
    severity=Severity.HIGH,
    config_rule="alb-http-to-https-redirection-check",
    resource_types=LOAD_BALANCERS,
    reads=LISTENERS,
    remediation="Make every HTTP listener's default action a redirect to HTTPS (HTTP_301).",
    pulumi_fix='aws.lb.Listener("http", load_balancer_arn=alb.arn, port=80, protocol="HTTP",\n'
    '    default_actions=[{"type": "redirect", "redirect": {\n'
    '        "protocol": "HTTPS", "port": "443", "status_code": "HTTP_301"}}])',
)
def alb_http_to_https_redirect(res: Resource, inv: Inventory) -> Result:
    """No port of the load balancer answers with ePHI in plain text; all listeners must hold."""
    if str(known(res, "load_balancer_type", "application")) != "application":
        return not_applicable("only application load balancers have HTTP listeners")
    listeners = referrers(inv, res, LISTENERS, "load_balancer_arn", every=True)
    # An application load balancer's listener that names no protocol is HTTP.
    http = [lst for lst in listeners if str(known(lst, "protocol") or "HTTP").upper() == "HTTP"]
    plain = [lst.name for lst in http if not redirects_to_https(lst)]
    if plain:
        return failed(f"HTTP listeners that do not redirect: {', '.join(plain)}", plain=plain)
    return passed(f"all {len(http)} HTTP listener(s) redirect to HTTPS", plain=[])


@check(
    into=CHECKS,
    id="elbv2_listener_acm_certificate",
    control="LB-01",
    title="ALB/NLB TLS listener serves ACM certificates only",
    severity=Severity.MEDIUM,
    config_rule="elbv2-acm-certificate-required",
    resource_types=LISTENERS,
    reads=LISTENER_CERTIFICATES,
    remediation=(
        "Serve certificates from ACM (requested with DNS validation, so ACM renews them) "
        "instead of IAM server certificates, as the default and as additional certificates."
    ),
    pulumi_fix='aws.lb.Listener("https", ..., protocol="HTTPS", certificate_arn=cert.arn)\n'
    'aws.lb.ListenerCertificate("alt", listener_arn=https.arn, certificate_arn=alt_cert.arn)',
)
def elbv2_listener_acm_certificate(res: Resource, inv: Inventory) -> Result:
    """Certificates are renewed and their keys held by ACM, never copied around by hand."""
    protocol = str(known(res, "protocol") or "").upper()
    if protocol not in ("HTTPS", "TLS"):
        return not_applicable("the listener does not terminate TLS", protocol=protocol or None)
    extra = referrers(inv, res, LISTENER_CERTIFICATES, "listener_arn", every=True)
    arns = [known(res, "certificate_arn"), *(known(c, "certificate_arn") for c in extra)]
    others = [str(a) for a in arns if not is_acm_certificate(a)]
    if others:
        return failed(f"certificates not from ACM: {', '.join(others)}", not_acm=others)
    return passed(f"all {len(arns)} certificate(s) are ACM's", not_acm=[])


def _tls_listeners(res: Resource) -> list[Mapping[str, Any]]:
    return [
        lst
        for lst in blocks(known(res, "listeners"))
        if str(lst.get("lb_protocol", "")).upper() in CLASSIC_TLS
    ]


@check(
    into=CHECKS,
    id="elb_classic_acm_certificate",
    control="LB-01",
    title="Classic load balancer HTTPS/SSL listeners serve ACM certificates",
    severity=Severity.MEDIUM,
    config_rule="elb-acm-certificate-required",
    resource_types=(CLASSIC_LOAD_BALANCER,),
    remediation="Set each HTTPS/SSL listener's ssl_certificate_id to an ACM certificate's ARN.",
    pulumi_fix='aws.elb.LoadBalancer("legacy", ..., listeners=[{"lb_port": 443,\n'
    '    "lb_protocol": "https", "instance_port": 8443, "instance_protocol": "https",\n'
    '    "ssl_certificate_id": cert.arn}])',
)
def elb_classic_acm_certificate(res: Resource, inv: Inventory) -> Result:
    """Certificates are renewed and their keys held by ACM, never copied around by hand."""
    listeners = _tls_listeners(res)
    if not listeners:
        return not_applicable("no HTTPS/SSL listener (plain ones are lb_listener_tls's)")
    others = [
        f"{lst.get('lb_port')}: {lst.get('ssl_certificate_id')}"
        for lst in listeners
        if not is_acm_certificate(lst.get("ssl_certificate_id"))
    ]
    if others:
        return failed(f"listeners without an ACM certificate: {'; '.join(others)}", not_acm=others)
    return passed(f"all {len(listeners)} HTTPS/SSL listener(s) serve ACM certificates", not_acm=[])


def _reference(attributes: Any) -> str | None:
    """The predefined policy a negotiation policy's attributes reference (None: custom)."""
    for attribute in blocks(attributes):
        if attribute.get("name") == REFERENCE:
            return str(attribute.get("value"))
    return None


def _port(value: Any, res: Resource) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Undecidable(f"a port of {res.name} is not a number ({value!r})") from None


def _port_policies(res: Resource, inv: Inventory) -> dict[int, list[str | None]]:
    """The negotiation policies applied to each port of a classic load balancer: what each
    references (None for a custom policy)."""
    named = referrers(inv, res, (LB_POLICY,), "load_balancer_name", every=True)
    negotiation = {
        str(known(p, "policy_name")): _reference(known(p, "policy_attributes"))
        for p in named
        if known(p, "policy_type_name") == "SSLNegotiationPolicyType"
    }
    applied: dict[int, list[str | None]] = {}
    for lp in referrers(inv, res, (LISTENER_POLICY,), "load_balancer_name", every=True):
        port = _port(known(lp, "load_balancer_port"), lp)
        for name in known(lp, "policy_names") or []:
            if name in negotiation:
                applied.setdefault(port, []).append(negotiation[name])
    for sp in referrers(inv, res, (SSL_NEGOTIATION_POLICY,), "load_balancer", every=True):
        port = _port(known(sp, "lb_port"), sp)
        applied.setdefault(port, []).append(_reference(known(sp, "attributes")))
    return applied


@check(
    into=CHECKS,
    id="elb_classic_tls_policy",
    control="LB-01",
    title="Classic load balancer HTTPS/SSL listeners use a predefined TLS 1.2 policy",
    severity=Severity.HIGH,
    config_rule="elb-predefined-security-policy-ssl-check",
    resource_types=(CLASSIC_LOAD_BALANCER,),
    reads=(LB_POLICY, LISTENER_POLICY, SSL_NEGOTIATION_POLICY),
    remediation=(
        "Create an SSLNegotiationPolicyType policy referencing "
        f"'{CLASSIC_TLS_POLICY}' and apply it to every HTTPS/SSL port with "
        "aws.elb.ListenerPolicy (or move to an application load balancer)."
    ),
    pulumi_fix='tls12 = aws.elb.LoadBalancerPolicy("tls12", load_balancer_name=lb.name,\n'
    '    policy_name="tls12", policy_type_name="SSLNegotiationPolicyType",\n'
    f'    policy_attributes=[{{"name": "{REFERENCE}", "value": "{CLASSIC_TLS_POLICY}"}}])\n'
    'aws.elb.ListenerPolicy("https-tls12", load_balancer_name=lb.name,\n'
    "    load_balancer_port=443, policy_names=[tls12.policy_name])",
)
def elb_classic_tls_policy(res: Resource, inv: Inventory) -> Result:
    """ePHI crossing a classic load balancer is encrypted with TLS 1.2+ and vetted ciphers.
    A port without a negotiation policy gets AWS's default, which allows TLS 1.0."""
    listeners = _tls_listeners(res)
    if not listeners:
        return not_applicable("no HTTPS/SSL listener")
    applied = _port_policies(res, inv)
    policies: dict[str, str] = {}
    for lst in listeners:
        port = _port(lst.get("lb_port"), res)
        found = applied.get(port) or [DEFAULT_SSL_POLICY]
        policies[str(port)] = ", ".join(str(p or "custom") for p in found)
    weak = sorted(p for p, names in policies.items() if not _all_tls12(names))
    if weak:
        return failed(
            f"ports without a predefined TLS 1.2 policy: {', '.join(weak)}", policies=policies
        )
    return passed("every HTTPS/SSL port uses a predefined TLS 1.2 policy", policies=policies)


def _all_tls12(names: str) -> bool:
    return all(is_tls12_policy(n) for n in names.split(", "))


@check(
    into=CHECKS,
    id="elb_classic_cross_zone",
    control="LB-04",
    title="Classic load balancer balances across availability zones",
    severity=Severity.LOW,
    config_rule="elb-cross-zone-load-balancing-enabled",
    resource_types=(CLASSIC_LOAD_BALANCER,),
    remediation="Set cross_zone_load_balancing=True (the provider's default).",
    pulumi_fix='aws.elb.LoadBalancer("legacy", ..., cross_zone_load_balancing=True)',
)
def elb_classic_cross_zone(res: Resource, inv: Inventory) -> Result:
    """Losing a zone's instances does not take the service down (contingency operations)."""
    # cross_zone_load_balancing: the provider's default is true.
    on = known(res, "cross_zone_load_balancing", True)
    if on is None or flag(on):
        return passed("cross-zone load balancing is on", cross_zone_load_balancing=True)
    if on is False or str(on).lower() == "false":
        return failed("cross-zone load balancing is off", cross_zone_load_balancing=False)
    raise Undecidable(f"cross_zone_load_balancing of {res.name} is {on!r}")
