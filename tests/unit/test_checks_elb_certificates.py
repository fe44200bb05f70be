"""Load balancer checks beyond listener TLS: every HTTP listener of an ALB redirects, listeners
serve ACM certificates, classic HTTPS/SSL ports negotiate with a predefined TLS 1.2 policy, and
classic load balancers balance across zones."""

from __future__ import annotations

import pytest

from checks.aws.elb_certificates import (
    alb_http_to_https_redirect,
    elb_classic_acm_certificate,
    elb_classic_cross_zone,
    elb_classic_tls_policy,
    elbv2_listener_acm_certificate,
)
from checks.model import UNKNOWN, Inventory, Resource, Undecidable
from checks.registry import Status

ALB_ARN = "arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/app/web/1"
LISTENER_ARN = "arn:aws:elasticloadbalancing:us-east-1:111122223333:listener/app/web/1/2"
ACM = "arn:aws:acm:us-east-1:111122223333:certificate/abc"
IAM_CERT = "arn:aws:iam::111122223333:server-certificate/legacy"
REDIRECT = {"type": "redirect", "redirect": {"protocol": "HTTPS", "port": "443",
                                              "status_code": "HTTP_301"}}  # fmt: skip
FORWARD = {"type": "forward", "target_group_arn": "tg"}


def alb(**props) -> Resource:
    base = {"load_balancer_type": "application"}
    return Resource("aws:lb/loadBalancer:LoadBalancer", "web", {**base, **props}, arn=ALB_ARN)


def listener(name: str, protocol=None, actions=(FORWARD,), **props) -> Resource:
    base = {"load_balancer_arn": ALB_ARN, "default_actions": list(actions)} | props
    if protocol is not None:
        base["protocol"] = protocol
    return Resource("aws:lb/listener:Listener", name, base, arn=f"{LISTENER_ARN}/{name}")


def classic(*listeners: dict, **props) -> Resource:
    base = {"name": "legacy", "listeners": list(listeners)}
    return Resource("aws:elb/loadBalancer:LoadBalancer", "legacy", {**base, **props}, id="legacy")


def https_port(port=443, cert=ACM, protocol="https") -> dict:
    return {"lb_port": port, "lb_protocol": protocol, "instance_port": 8443,
            "instance_protocol": "https", "ssl_certificate_id": cert}  # fmt: skip


HTTP_PORT = {"lb_port": 80, "lb_protocol": "http", "instance_port": 8080,
             "instance_protocol": "http"}  # fmt: skip


def run(fn, target: Resource, *others: Resource):
    return fn(target, Inventory([target, *others]))


# -- alb_http_to_https_redirect ------------------------------------------------------------------


def test_every_http_listener_redirecting_passes():
    found = (listener("http", "HTTP", (REDIRECT,)), listener("alt", None, (REDIRECT,)),
             listener("https", "HTTPS", certificate_arn=ACM))  # fmt: skip
    result = run(alb_http_to_https_redirect, alb(), *found)
    assert (result.status, result.evidence) == (Status.PASS, {"plain": []})


def test_one_http_listener_forwarding_fails_though_another_redirects():
    found = (listener("http", "HTTP", (REDIRECT,)), listener("app", "HTTP"))
    result = run(alb_http_to_https_redirect, alb(), *found)
    assert (result.status, result.evidence) == (Status.FAIL, {"plain": ["app"]})


def test_a_listener_without_a_protocol_is_http_on_an_alb_and_fails_when_it_forwards():
    result = run(alb_http_to_https_redirect, alb(), listener("default"))
    assert (result.status, result.evidence) == (Status.FAIL, {"plain": ["default"]})


def test_an_alb_without_http_listeners_passes():
    result = run(alb_http_to_https_redirect, alb(), listener("https", "HTTPS"))
    assert (result.status, result.evidence) == (Status.PASS, {"plain": []})


def test_a_network_load_balancer_is_not_applicable():
    result = run(alb_http_to_https_redirect, alb(load_balancer_type="network"))
    assert result.status is Status.NOT_APPLICABLE


def test_a_listener_naming_an_unknown_load_balancer_is_not_evaluated():
    other = listener("unknown", "HTTP", (REDIRECT,), load_balancer_arn=UNKNOWN)
    with pytest.raises(Undecidable, match="load_balancer_arn of unknown cannot be seen"):
        run(alb_http_to_https_redirect, alb(), listener("http", "HTTP", (REDIRECT,)), other)


def test_hidden_default_actions_are_not_evaluated():
    with pytest.raises(Undecidable, match="default_actions of http"):
        run(alb_http_to_https_redirect, alb(), listener("http", "HTTP", default_actions=UNKNOWN))


# -- elbv2_listener_acm_certificate --------------------------------------------------------------


def extra_certificate(arn: str) -> Resource:
    props = {"listener_arn": f"{LISTENER_ARN}/https", "certificate_arn": arn}
    return Resource("aws:lb/listenerCertificate:ListenerCertificate", "alt", props)


@pytest.mark.parametrize("protocol", ["HTTPS", "TLS"])
def test_a_tls_listener_with_acm_certificates_passes(protocol):
    res = listener("https", protocol, certificate_arn=ACM)
    result = run(elbv2_listener_acm_certificate, res, extra_certificate(ACM + "2"))
    assert (result.status, result.evidence) == (Status.PASS, {"not_acm": []})


def test_an_iam_server_certificate_fails():
    result = run(
        elbv2_listener_acm_certificate, listener("https", "HTTPS", certificate_arn=IAM_CERT)
    )
    assert (result.status, result.evidence) == (Status.FAIL, {"not_acm": [IAM_CERT]})


def test_one_additional_iam_certificate_fails_though_the_default_is_acm():
    res = listener("https", "HTTPS", certificate_arn=ACM)
    result = run(elbv2_listener_acm_certificate, res, extra_certificate(IAM_CERT))
    assert (result.status, result.evidence) == (Status.FAIL, {"not_acm": [IAM_CERT]})


@pytest.mark.parametrize("protocol", ["HTTP", "TCP", None])
def test_a_listener_without_tls_is_not_applicable(protocol):
    result = run(elbv2_listener_acm_certificate, listener("plain", protocol))
    assert result.status is Status.NOT_APPLICABLE


def test_a_hidden_certificate_is_not_evaluated():
    with pytest.raises(Undecidable, match="certificate_arn of https"):
        run(elbv2_listener_acm_certificate, listener("https", "HTTPS", certificate_arn=UNKNOWN))


# -- elb_classic_acm_certificate -----------------------------------------------------------------


def test_classic_https_and_ssl_listeners_with_acm_certificates_pass():
    res = classic(https_port(), https_port(8443, protocol="SSL"), HTTP_PORT)
    result = run(elb_classic_acm_certificate, res)
    assert (result.status, result.evidence) == (Status.PASS, {"not_acm": []})


def test_one_classic_listener_with_an_iam_certificate_fails():
    res = classic(https_port(), https_port(8443, IAM_CERT))
    result = run(elb_classic_acm_certificate, res)
    assert (result.status, result.evidence) == (Status.FAIL, {"not_acm": [f"8443: {IAM_CERT}"]})


def test_a_classic_load_balancer_without_tls_listeners_is_not_applicable():
    assert run(elb_classic_acm_certificate, classic(HTTP_PORT)).status is Status.NOT_APPLICABLE


def test_hidden_classic_listeners_are_not_evaluated():
    res = Resource("aws:elb/loadBalancer:LoadBalancer", "legacy", {"listeners": UNKNOWN})
    with pytest.raises(Undecidable, match="listeners of legacy"):
        run(elb_classic_acm_certificate, res)


# -- elb_classic_tls_policy ----------------------------------------------------------------------


def lb_policy(name: str, reference: str | None, kind="SSLNegotiationPolicyType") -> Resource:
    attributes = [{"name": "Protocol-TLSv1.2", "value": "true"}]
    if reference:
        attributes.append({"name": "Reference-Security-Policy", "value": reference})
    props = {"load_balancer_name": "legacy", "policy_name": name, "policy_type_name": kind,
             "policy_attributes": attributes}  # fmt: skip
    return Resource("aws:elb/loadBalancerPolicy:LoadBalancerPolicy", name, props)


def listener_policy(port: int, *names: str) -> Resource:
    props = {"load_balancer_name": "legacy", "load_balancer_port": port, "policy_names": names}
    return Resource("aws:elb/listenerPolicy:ListenerPolicy", f"port-{port}", props)


TLS12 = "ELBSecurityPolicy-TLS-1-2-2017-01"


def test_every_tls_port_with_a_predefined_tls12_policy_passes():
    found = (lb_policy("tls12", TLS12), lb_policy("sticky", None, "LBCookieStickinessPolicyType"),
             listener_policy(443, "tls12", "sticky"), listener_policy(8443, "tls12"))  # fmt: skip
    res = classic(https_port(), https_port(8443, protocol="SSL"), HTTP_PORT)
    result = run(elb_classic_tls_policy, res, *found)
    assert (result.status, result.evidence) == (
        Status.PASS,
        {"policies": {"443": TLS12, "8443": TLS12}},
    )


def test_a_tls_port_without_a_policy_gets_the_default_and_fails():
    found = (lb_policy("tls12", TLS12), listener_policy(443, "tls12"))
    res = classic(https_port(), https_port(8443))
    result = run(elb_classic_tls_policy, res, *found)
    assert (result.status, result.evidence) == (
        Status.FAIL,
        {"policies": {"443": TLS12, "8443": "ELBSecurityPolicy-2016-08"}},
    )


@pytest.mark.parametrize(
    ("reference", "shown"), [(None, "custom"), ("ELBSecurityPolicy-TLS-1-1-2017-01", None)]
)
def test_a_custom_or_older_policy_fails(reference, shown):
    found = (lb_policy("weak", reference), listener_policy(443, "weak"))
    result = run(elb_classic_tls_policy, classic(https_port()), *found)
    assert (result.status, result.evidence) == (
        Status.FAIL,
        {"policies": {"443": shown or reference}},
    )


def test_an_ssl_negotiation_policy_resource_is_read_too():
    attributes = [{"name": "Reference-Security-Policy", "value": TLS12}]
    props = {"load_balancer": "legacy", "lb_port": 443, "attributes": attributes, "name": "tls"}
    policy = Resource("aws:elb/sslNegotiationPolicy:SslNegotiationPolicy", "tls", props)
    result = run(elb_classic_tls_policy, classic(https_port()), policy)
    assert (result.status, result.evidence) == (Status.PASS, {"policies": {"443": TLS12}})


def test_a_policy_naming_an_unknown_load_balancer_is_not_evaluated():
    found = (lb_policy("tls12", TLS12), listener_policy(443, "tls12"))
    hidden = Resource("aws:elb/listenerPolicy:ListenerPolicy", "hidden",
                      {"load_balancer_name": UNKNOWN, "load_balancer_port": 443,
                       "policy_names": ["weak"]})  # fmt: skip
    with pytest.raises(Undecidable, match="load_balancer_name of hidden cannot be seen"):
        run(elb_classic_tls_policy, classic(https_port()), *found, hidden)


def test_the_tls_policy_without_tls_listeners_is_not_applicable():
    assert run(elb_classic_tls_policy, classic(HTTP_PORT)).status is Status.NOT_APPLICABLE


# -- elb_classic_cross_zone ----------------------------------------------------------------------


@pytest.mark.parametrize("props", [{}, {"cross_zone_load_balancing": True}])
def test_cross_zone_on_passes_and_is_the_default(props):
    result = run(elb_classic_cross_zone, classic(**props))
    assert (result.status, result.evidence) == (Status.PASS, {"cross_zone_load_balancing": True})


def test_cross_zone_off_fails():
    result = run(elb_classic_cross_zone, classic(cross_zone_load_balancing=False))
    assert (result.status, result.evidence) == (Status.FAIL, {"cross_zone_load_balancing": False})


def test_hidden_cross_zone_is_not_evaluated():
    with pytest.raises(Undecidable, match="cross_zone_load_balancing of legacy"):
        run(elb_classic_cross_zone, classic(cross_zone_load_balancing=UNKNOWN))


# -- elb_classic_tls_policy: several policies on a port, ports and hidden references -------------


def ssl_policy(name: str, port: object, reference: str = TLS12, lb: object = "legacy") -> Resource:
    attributes = [{"name": "Reference-Security-Policy", "value": reference}]
    props = {"load_balancer": lb, "lb_port": port, "attributes": attributes, "name": name}
    return Resource("aws:elb/sslNegotiationPolicy:SslNegotiationPolicy", name, props)


def test_a_port_holding_a_tls12_and_an_older_policy_fails():
    old = "ELBSecurityPolicy-2016-08"
    found = (lb_policy("tls12", TLS12), lb_policy("old", old), listener_policy(443, "tls12", "old"))
    result = run(elb_classic_tls_policy, classic(https_port()), *found)
    assert (result.status, result.evidence, result.message) == (
        Status.FAIL,
        {"policies": {"443": f"{TLS12}, {old}"}},
        "ports without a predefined TLS 1.2 policy: 443",
    )


@pytest.mark.parametrize(
    ("others", "label"),
    [((), "legacy"),
     ((lb_policy("tls12", TLS12), listener_policy("x", "tls12")), "port-x"),
     ((ssl_policy("tls", "x"),), "tls")],
)  # fmt: skip
def test_a_port_that_is_not_a_number_is_not_evaluated_naming_its_holder(others, label):
    res = classic(https_port("x" if label == "legacy" else 443))
    with pytest.raises(Undecidable) as caught:
        run(elb_classic_tls_policy, res, *others)
    assert str(caught.value) == f"a port of {label} is not a number ('x')"


def test_a_load_balancer_policy_naming_an_unknown_load_balancer_is_not_evaluated():
    hidden = Resource("aws:elb/loadBalancerPolicy:LoadBalancerPolicy", "hidden-policy",
                      {"load_balancer_name": UNKNOWN, "policy_name": "weak",
                       "policy_type_name": "SSLNegotiationPolicyType"})  # fmt: skip
    found = (lb_policy("tls12", TLS12), listener_policy(443, "tls12"), hidden)
    with pytest.raises(Undecidable, match="load_balancer_name of hidden-policy cannot be seen"):
        run(elb_classic_tls_policy, classic(https_port()), *found)


def test_an_ssl_negotiation_policy_naming_an_unknown_load_balancer_is_not_evaluated():
    found = (ssl_policy("tls", 443), ssl_policy("hidden-ssl", 443, lb=UNKNOWN))
    with pytest.raises(Undecidable, match="load_balancer of hidden-ssl cannot be seen"):
        run(elb_classic_tls_policy, classic(https_port()), *found)


def test_a_blank_policy_reference_is_no_predefined_tls12_policy():
    # elb_certificates x__all_tls12__mutmut_3: the names are split on ", " only, so a blank one
    # stays a name (and fails) instead of vanishing
    found = (lb_policy("blank", " "), listener_policy(443, "blank"))
    result = run(elb_classic_tls_policy, classic(https_port()), *found)
    assert (result.status, result.evidence, result.message) == (
        Status.FAIL,
        {"policies": {"443": " "}},
        "ports without a predefined TLS 1.2 policy: 443",
    )
